/** Kinds outside core/v1 and apps/v1 StatefulSets: storage, coordination, discovery, history. */
import { arr, deepEqual, obj, str } from '../json.ts';
import { isDNS1123Subdomain } from '../validation.ts';
import { age } from './table.ts';
import type { KindSpec } from './types.ts';

const ageColumn = { name: 'Age', type: 'string', description: 'CreationTimestamp' } as const;

export const storageclasses: KindSpec = {
  group: 'storage.k8s.io',
  version: 'v1',
  resource: 'storageclasses',
  kind: 'StorageClass',
  singular: 'storageclass',
  namespaced: false,
  shortNames: ['sc'],
  subresources: [],
  nameValidator: isDNS1123Subdomain,
  defaults(o) {
    o.reclaimPolicy ??= 'Delete';
    o.volumeBindingMode ??= 'Immediate';
  },
  validate(o, errs) {
    if (!str(o.provisioner)) errs.required('provisioner');
    if (!['Delete', 'Retain'].includes(o.reclaimPolicy as string)) errs.notSupported('reclaimPolicy', o.reclaimPolicy, ['Delete', 'Retain']);
    const modes = ['Immediate', 'WaitForFirstConsumer'];
    if (!modes.includes(o.volumeBindingMode as string)) errs.notSupported('volumeBindingMode', o.volumeBindingMode, modes);
  },
  validateUpdate(o, old, errs) {
    this.validate!(o, errs);
    if (!deepEqual(o.parameters, old.parameters)) errs.forbidden('parameters', 'updates to parameters are forbidden.');
    if (o.provisioner !== old.provisioner) errs.forbidden('provisioner', 'updates to provisioner are forbidden.');
    if (o.reclaimPolicy !== old.reclaimPolicy) errs.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.');
    if (o.volumeBindingMode !== old.volumeBindingMode) errs.invalid('volumeBindingMode', o.volumeBindingMode, 'field is immutable');
  },
  table: {
    columns: [
      { name: 'Provisioner', type: 'string', description: 'Indicates the type of the provisioner.' },
      { name: 'ReclaimPolicy', type: 'string', description: 'Indicates the type of the reclaim policy.' },
      { name: 'VolumeBindingMode', type: 'string', description: 'Indicates the binding mode.' },
      { name: 'AllowVolumeExpansion', type: 'string', description: 'Indicates whether volume expansion is allowed.' },
      ageColumn,
    ],
    cells: (o, now) => [str(o.provisioner) ?? '', str(o.reclaimPolicy) ?? '', str(o.volumeBindingMode) ?? '', o.allowVolumeExpansion === true, age(o, now)],
    // printStorageClass marks the default class (storageutil.IsDefaultAnnotation).
    name(o) {
      const a = obj(obj(o.metadata)?.annotations) ?? {};
      const isDefault = a['storageclass.kubernetes.io/is-default-class'] === 'true' || a['storageclass.beta.kubernetes.io/is-default-class'] === 'true';
      return `${str(obj(o.metadata)?.name) ?? ''}${isDefault ? ' (default)' : ''}`;
    },
  },
};

export const leases: KindSpec = {
  group: 'coordination.k8s.io',
  version: 'v1',
  resource: 'leases',
  kind: 'Lease',
  singular: 'lease',
  namespaced: true,
  subresources: [],
  nameValidator: isDNS1123Subdomain,
  validate(o, errs) {
    const spec = obj(o.spec) ?? {};
    const d = spec.leaseDurationSeconds;
    if (d !== undefined && d !== null && (typeof d !== 'number' || d <= 0)) errs.invalid('spec.leaseDurationSeconds', d, 'must be greater than 0');
    errs.nonNegative('spec.leaseTransitions', spec.leaseTransitions);
  },
  table: {
    columns: [{ name: 'Holder', type: 'string', description: 'The holder of the lease' }, ageColumn],
    cells: (o, now) => [str(obj(o.spec)?.holderIdentity) ?? '', age(o, now)],
  },
};

const ADDRESS_TYPES = ['IPv4', 'IPv6', 'FQDN'];

export const endpointslices: KindSpec = {
  group: 'discovery.k8s.io',
  version: 'v1',
  resource: 'endpointslices',
  kind: 'EndpointSlice',
  singular: 'endpointslice',
  namespaced: true,
  subresources: [],
  nameValidator: isDNS1123Subdomain,
  validate(o, errs) {
    if (!ADDRESS_TYPES.includes(o.addressType as string)) errs.notSupported('addressType', o.addressType ?? '', ADDRESS_TYPES);
    arr(o.endpoints).forEach((e, i) => {
      const n = arr(obj(e)?.addresses).length;
      if (n === 0) errs.required(`endpoints[${i}].addresses`, 'must contain at least 1 address');
      else if (n > 100) errs.list.push({ type: 'TooMany', field: `endpoints[${i}].addresses`, detail: 'must have at most 100 items' });
    });
  },
  validateUpdate(o, old, errs) {
    this.validate!(o, errs);
    if (o.addressType !== old.addressType) errs.invalid('addressType', o.addressType, 'field is immutable');
  },
  table: {
    columns: [
      { name: 'AddressType', type: 'string', description: 'The IP protocol for this slice' },
      { name: 'Ports', type: 'string', description: 'The ports of this slice' },
      { name: 'Endpoints', type: 'string', description: 'The addresses of this slice' },
      ageColumn,
    ],
    cells(o, now) {
      const ports = arr(o.ports).map((p) => String(obj(p)?.port ?? ''));
      const addrs = arr(o.endpoints).flatMap((e) => arr(obj(e)?.addresses).map(String));
      return [str(o.addressType) ?? '', ports.join(',') || '<unset>', addrs.slice(0, 3).join(',') + (addrs.length > 3 ? ` + ${addrs.length - 3} more...` : '') || '<unset>', age(o, now)];
    },
  },
};

export const controllerrevisions: KindSpec = {
  group: 'apps',
  version: 'v1',
  resource: 'controllerrevisions',
  kind: 'ControllerRevision',
  singular: 'controllerrevision',
  namespaced: true,
  subresources: [],
  gcPolicy: 'background',
  nameValidator: isDNS1123Subdomain,
  validate(o, errs) {
    if (o.data === undefined || o.data === null) errs.required('data');
    errs.nonNegative('revision', o.revision);
  },
  validateUpdate(o, old, errs) {
    this.validate!(o, errs);
    if (!deepEqual(o.data, old.data)) errs.invalid('data', o.data, 'field is immutable');
  },
  table: {
    columns: [
      { name: 'Controller', type: 'string', description: 'The owning controller' },
      { name: 'Revision', type: 'integer', description: 'The revision number' },
      ageColumn,
    ],
    cells(o, now) {
      const owner = arr(obj(o.metadata)?.ownerReferences).map((r) => obj(r) ?? {}).find((r) => r.controller === true);
      const ctrl = owner ? `${String(owner.kind ?? '').toLowerCase()}.${String(owner.apiVersion ?? '').split('/')[0]}/${String(owner.name ?? '')}` : '<none>';
      return [ctrl, Number(o.revision) || 0, age(o, now)];
    },
  },
};

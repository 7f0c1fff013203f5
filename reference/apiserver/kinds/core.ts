/** The core/v1 kinds other than pods: registries reduced to the rules clients observe. */
import { arr, child, clone, deepEqual, isObject, obj, str, type JsonObject } from '../json.ts';
import { isDNS1123Label, isDNS1123Subdomain, validateLabels } from '../validation.ts';
import { age } from './table.ts';
import type { KindSpec } from './types.ts';

const ageColumn = { name: 'Age', type: 'string', description: 'CreationTimestamp' } as const;

export const namespaces: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'namespaces',
  kind: 'Namespace',
  singular: 'namespace',
  namespaced: false,
  shortNames: ['ns'],
  subresources: ['status', 'finalize'],
  returnDeletedObject: true,
  nameValidator: isDNS1123Label,
  fields: { 'status.phase': (o) => str(obj(o.status)?.phase) ?? '' },
  initialStatus: () => ({ phase: 'Active' }),
  defaults(o) {
    const labels = child(child(o, 'metadata'), 'labels');
    const name = str(obj(o.metadata)?.name);
    if (name) labels['kubernetes.io/metadata.name'] = name;
  },
  admit(o) {
    // PrepareForCreate: every namespace starts with the namespace controller's finalizer.
    const spec = child(o, 'spec');
    const finalizers = arr(spec.finalizers);
    if (!finalizers.includes('kubernetes')) finalizers.push('kubernetes');
    spec.finalizers = finalizers;
  },
  prepareForUpdate(o, old) {
    // spec.finalizers changes only through /finalize.
    child(o, 'spec').finalizers = obj(old.spec)?.finalizers;
  },
  table: {
    columns: [{ name: 'Status', type: 'string', description: 'The status of the namespace' }, ageColumn],
    cells: (o, now) => [str(obj(o.status)?.phase) ?? '', age(o, now)],
  },
};

export const nodes: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  singular: 'node',
  namespaced: false,
  shortNames: ['no'],
  subresources: ['status'],
  nameValidator: isDNS1123Subdomain,
  fields: { 'spec.unschedulable': (o) => String(obj(o.spec)?.unschedulable === true) },
  table: {
    columns: [
      { name: 'Status', type: 'string', description: 'The status of the node' },
      { name: 'Roles', type: 'string', description: 'The roles of the node' },
      ageColumn,
      { name: 'Version', type: 'string', description: 'Kubelet Version reported by the node.' },
      { name: 'Internal-IP', type: 'string', priority: 1 },
      { name: 'External-IP', type: 'string', priority: 1 },
      { name: 'OS-Image', type: 'string', priority: 1 },
      { name: 'Kernel-Version', type: 'string', priority: 1 },
      { name: 'Container-Runtime', type: 'string', priority: 1 },
    ],
    cells(o, now) {
      const ready = arr(obj(o.status)?.conditions).map((c) => obj(c) ?? {}).find((c) => c.type === 'Ready');
      let status = ready?.status === 'True' ? 'Ready' : ready ? 'NotReady' : 'Unknown';
      if (obj(o.spec)?.unschedulable === true) status += ',SchedulingDisabled';
      // findNodeRoles: node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted and unique.
      const roles = [
        ...new Set(
          Object.entries(obj(obj(o.metadata)?.labels) ?? {}).flatMap(([k, v]) =>
            k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length ? [k.slice('node-role.kubernetes.io/'.length)] : k === 'kubernetes.io/role' && v ? [String(v)] : [],
          ),
        ),
      ].sort();
      const info = obj(obj(o.status)?.nodeInfo) ?? {};
      const address = (type: string): string => str(arr(obj(o.status)?.addresses).map((a) => obj(a) ?? {}).find((a) => a.type === type)?.address) ?? '<none>';
      const arch = str(info.architecture);
      return [
        status,
        roles.join(',') || '<none>',
        age(o, now),
        str(info.kubeletVersion) ?? '',
        address('InternalIP'),
        address('ExternalIP'),
        str(info.osImage) || '<unknown>',
        (str(info.kernelVersion) || '<unknown>') + (arch ? ` (${arch})` : ''),
        str(info.containerRuntimeVersion) || '<unknown>',
      ];
    },
  },
};

export const services: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  singular: 'service',
  namespaced: true,
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status'],
  returnDeletedObject: true,
  // RelaxedServiceNameValidation (GA, locked on in 1.37): a name is an RFC 1123 label.
  nameValidator: isDNS1123Label,
  initialStatus: () => ({ loadBalancer: {} }),
  defaults(o) {
    // SetDefaults_Service.
    const spec = child(o, 'spec');
    spec.sessionAffinity ??= 'None';
    if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
    if (spec.sessionAffinity === 'ClientIP') {
      const clientIP = obj(obj(spec.sessionAffinityConfig)?.clientIP);
      if (clientIP?.timeoutSeconds === undefined) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
    }
    spec.type ??= 'ClusterIP';
    for (const p of arr(spec.ports)) {
      if (!isObject(p)) continue;
      p.protocol ??= 'TCP';
      // A decoded IntOrString is never absent: 0 and "" mean unset.
      if (p.targetPort === undefined || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
    }
    const externallyAccessible = spec.type === 'NodePort' || spec.type === 'LoadBalancer' || arr(spec.externalIPs).length > 0;
    if (externallyAccessible) spec.externalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') spec.internalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'LoadBalancer') spec.allocateLoadBalancerNodePorts ??= true;
  },
  admit(o, ctx) {
    const spec = child(o, 'spec');
    if (spec.type === 'ExternalName') return;
    if (spec.clusterIP === undefined || spec.clusterIP === '') spec.clusterIP = ctx.allocateClusterIP();
    spec.clusterIPs ??= [spec.clusterIP];
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  },
  prepareForUpdate(o, old) {
    // Allocated IPs survive an update that omits them, as the allocator does upstream.
    const spec = child(o, 'spec');
    const oldSpec = obj(old.spec) ?? {};
    for (const k of ['clusterIP', 'clusterIPs', 'ipFamilies', 'ipFamilyPolicy']) spec[k] ??= oldSpec[k];
  },
  validate(o, errs) {
    const spec = obj(o.spec) ?? {};
    const types = ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName'];
    if (!types.includes(spec.type as string)) errs.notSupported('spec.type', spec.type, types);
    const headless = spec.clusterIP === 'None';
    const ports = arr(spec.ports);
    if (ports.length === 0 && !headless && spec.type !== 'ExternalName') errs.required('spec.ports');
    const names = new Set<string>();
    ports.forEach((raw, i) => {
      const p = obj(raw) ?? {};
      const port = p.port;
      if (typeof port !== 'number' || port < 1 || port > 65535) errs.invalid(`spec.ports[${i}].port`, port ?? 0, 'must be between 1 and 65535, inclusive');
      const name = str(p.name) ?? '';
      if (ports.length > 1 && !name) errs.required(`spec.ports[${i}].name`);
      if (name) {
        errs.check(`spec.ports[${i}].name`, name, isDNS1123Label(name));
        if (names.has(name)) errs.duplicate(`spec.ports[${i}].name`, name);
        names.add(name);
      }
      if (!['TCP', 'UDP', 'SCTP'].includes(p.protocol as string)) errs.notSupported(`spec.ports[${i}].protocol`, p.protocol, ['SCTP', 'TCP', 'UDP']);
    });
    validateLabels(errs, spec.selector, 'spec.selector');
    if (!['None', 'ClientIP'].includes(spec.sessionAffinity as string)) errs.notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']);
  },
  validateUpdate(o, old, errs) {
    this.validate!(o, errs);
    const spec = obj(o.spec) ?? {};
    const oldSpec = obj(old.spec) ?? {};
    if (oldSpec.clusterIP && spec.clusterIP !== oldSpec.clusterIP) errs.invalid('spec.clusterIPs[0]', spec.clusterIP ?? '', 'may not change once set');
  },
  table: {
    columns: [
      { name: 'Type', type: 'string', description: 'The type of the service' },
      { name: 'Cluster-IP', type: 'string', description: 'The cluster IP of the service' },
      { name: 'External-IP', type: 'string', description: 'The external IP of the service' },
      { name: 'Port(s)', type: 'string', description: 'The ports of the service' },
      ageColumn,
      { name: 'Selector', type: 'string', priority: 1, description: 'The selector of the service' },
    ],
    cells(o, now) {
      const spec = obj(o.spec) ?? {};
      const ports = arr(spec.ports).map((p) => `${obj(p)?.port}/${obj(p)?.protocol}`);
      const sel = Object.entries(obj(spec.selector) ?? {}).map(([k, v]) => `${k}=${v}`);
      return [spec.type ?? '', spec.clusterIP ?? '', '<none>', ports.join(',') || '<none>', age(o, now), sel.join(',') || '<none>'];
    },
  },
};

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

/** volumeutil.PVCProtectionFinalizer / PVProtectionFinalizer (`pkg/volume/util/finalizer.go`). */
export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/**
 * The StorageObjectInUseProtection admission plugin (create only,
 * `plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go`): every new PVC / PV
 * gets its protection finalizer, appended unless already present. The PVC / PV protection
 * controllers remove it once the object is no longer in use.
 */
function addFinalizer(o: JsonObject, finalizer: string): void {
  const m = child(o, 'metadata');
  if (m.finalizers !== undefined && m.finalizers !== null && !Array.isArray(m.finalizers)) return; // left to validation
  const finalizers = arr(m.finalizers);
  if (finalizers.includes(finalizer)) return;
  m.finalizers = [...finalizers, finalizer];
}

function validateAccessModes(modes: unknown, field: string, errs: import('../validation.ts').Errors): void {
  const list = arr(modes);
  if (list.length === 0) errs.required(field, 'at least 1 access mode is required');
  for (const m of list) if (!ACCESS_MODES.includes(m as string)) errs.notSupported(field, m, ACCESS_MODES);
}

export const persistentvolumeclaims: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumeclaims',
  kind: 'PersistentVolumeClaim',
  singular: 'persistentvolumeclaim',
  namespaced: true,
  shortNames: ['pvc'],
  subresources: ['status'],
  nameValidator: isDNS1123Subdomain,
  initialStatus: () => ({ phase: 'Pending' }),
  defaults(o) {
    child(o, 'spec').volumeMode ??= 'Filesystem';
  },
  admit(o, ctx) {
    addFinalizer(o, PVC_PROTECTION_FINALIZER);
    // DefaultStorageClass admission: only an absent class is defaulted, "" means "no class".
    const spec = child(o, 'spec');
    if (spec.storageClassName !== undefined && spec.storageClassName !== null) return;
    const defaults = ctx.store
      .list('storage.k8s.io/storageclasses')
      .filter((e) => obj(obj(e.obj.metadata)?.annotations)?.['storageclass.kubernetes.io/is-default-class'] === 'true')
      .sort((a, b) => String(obj(b.obj.metadata)?.creationTimestamp).localeCompare(String(obj(a.obj.metadata)?.creationTimestamp)));
    const name = str(obj(defaults[0]?.obj.metadata)?.name);
    if (name) spec.storageClassName = name;
  },
  validate(o, errs) {
    const spec = obj(o.spec) ?? {};
    validateAccessModes(spec.accessModes, 'spec.accessModes', errs);
    if (obj(obj(spec.resources)?.requests)?.storage === undefined) errs.required('spec.resources[storage]');
    if (!['Filesystem', 'Block'].includes(spec.volumeMode as string)) errs.notSupported('spec.volumeMode', spec.volumeMode, ['Block', 'Filesystem']);
  },
  validateUpdate(o, old, errs) {
    const spec = clone(obj(o.spec) ?? {});
    const oldSpec = clone(obj(old.spec) ?? {});
    // volumeName may be set once (binding); requests may change (expansion).
    if (!oldSpec.volumeName) {
      delete spec.volumeName;
      delete oldSpec.volumeName;
    }
    for (const s of [spec, oldSpec]) {
      const resources = obj(s.resources);
      if (resources) delete resources.requests;
      if (resources && Object.keys(resources).length === 0) delete s.resources;
    }
    if (!deepEqual(spec, oldSpec)) {
      errs.forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims');
    }
  },
  table: {
    columns: [
      { name: 'Status', type: 'string', description: 'The status of the claim' },
      { name: 'Volume', type: 'string', description: 'The volume bound to the claim' },
      { name: 'Capacity', type: 'string', description: 'The capacity of the bound volume' },
      { name: 'Access Modes', type: 'string', description: 'The access modes of the claim' },
      { name: 'StorageClass', type: 'string', description: 'The storage class of the claim' },
      { name: 'VolumeAttributesClass', type: 'string' },
      ageColumn,
      { name: 'VolumeMode', type: 'string', priority: 1 },
    ],
    cells(o, now) {
      const spec = obj(o.spec) ?? {};
      const status = obj(o.status) ?? {};
      const bound = !!str(spec.volumeName);
      return [
        obj(o.metadata)?.deletionTimestamp ? 'Terminating' : (str(status.phase) ?? ''),
        str(spec.volumeName) ?? '',
        bound ? (str(obj(status.capacity)?.storage) ?? '0') : '',
        bound ? arr(status.accessModes).map(shortMode).join(',') : '',
        str(spec.storageClassName) ?? '<unset>',
        str(spec.volumeAttributesClassName) ?? '<unset>',
        age(o, now),
        str(spec.volumeMode) ?? '<unset>',
      ];
    },
  },
};

function shortMode(m: unknown): string {
  return ({ ReadWriteOnce: 'RWO', ReadOnlyMany: 'ROX', ReadWriteMany: 'RWX', ReadWriteOncePod: 'RWOP' } as Record<string, string>)[String(m)] ?? String(m);
}

const PV_SOURCES = [
  'hostPath', 'local', 'nfs', 'csi', 'gcePersistentDisk', 'awsElasticBlockStore', 'iscsi', 'glusterfs', 'rbd', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume',
  'scaleIO', 'storageos',
];

export const persistentvolumes: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'persistentvolumes',
  kind: 'PersistentVolume',
  singular: 'persistentvolume',
  namespaced: false,
  shortNames: ['pv'],
  subresources: ['status'],
  nameValidator: isDNS1123Subdomain,
  initialStatus: () => ({ phase: 'Pending' }),
  defaults(o) {
    const spec = child(o, 'spec');
    spec.persistentVolumeReclaimPolicy ??= 'Retain';
    spec.volumeMode ??= 'Filesystem';
  },
  admit(o) {
    addFinalizer(o, PV_PROTECTION_FINALIZER);
  },
  validate(o, errs) {
    const spec = obj(o.spec) ?? {};
    validateAccessModes(spec.accessModes, 'spec.accessModes', errs);
    if (obj(spec.capacity)?.storage === undefined) errs.required('spec.capacity', 'must specify storage');
    const sources = PV_SOURCES.filter((s) => spec[s] !== undefined);
    if (sources.length === 0) errs.required('spec', 'must specify a volume type');
    else if (sources.length > 1) errs.forbidden(`spec.${sources[1]}`, 'may not specify more than 1 volume type');
    const policies = ['Retain', 'Delete', 'Recycle'];
    if (!policies.includes(spec.persistentVolumeReclaimPolicy as string)) {
      errs.notSupported('spec.persistentVolumeReclaimPolicy', spec.persistentVolumeReclaimPolicy, policies);
    }
  },
  table: {
    columns: [
      { name: 'Capacity', type: 'string', description: 'The capacity of the volume' },
      { name: 'Access Modes', type: 'string', description: 'The access modes of the volume' },
      { name: 'Reclaim Policy', type: 'string', description: 'The reclaim policy of the volume' },
      { name: 'Status', type: 'string', description: 'The status of the volume' },
      { name: 'Claim', type: 'string', description: 'The claim bound to the volume' },
      { name: 'StorageClass', type: 'string', description: 'The storage class of the volume' },
      { name: 'VolumeAttributesClass', type: 'string' },
      { name: 'Reason', type: 'string' },
      ageColumn,
      { name: 'VolumeMode', type: 'string', priority: 1 },
    ],
    cells(o, now) {
      const spec = obj(o.spec) ?? {};
      const ref = obj(spec.claimRef);
      return [
        str(obj(spec.capacity)?.storage) ?? '',
        arr(spec.accessModes).map(shortMode).join(','),
        str(spec.persistentVolumeReclaimPolicy) ?? '',
        obj(o.metadata)?.deletionTimestamp ? 'Terminating' : (str(obj(o.status)?.phase) ?? ''),
        ref ? `${str(ref.namespace) ?? ''}/${str(ref.name) ?? ''}` : '',
        str(spec.storageClassName) ?? '',
        str(spec.volumeAttributesClassName) ?? '<unset>',
        str(obj(o.status)?.reason) ?? '',
        age(o, now),
        str(spec.volumeMode) ?? '<unset>',
      ];
    },
  },
};

const involved = (k: string) => (o: JsonObject) => String(obj(o.involvedObject)?.[k] ?? '');

export const events: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  singular: 'event',
  namespaced: true,
  shortNames: ['ev'],
  subresources: [],
  gcPolicy: 'unsupported',
  nameValidator: isDNS1123Subdomain,
  fields: {
    'involvedObject.kind': involved('kind'),
    'involvedObject.namespace': involved('namespace'),
    'involvedObject.name': involved('name'),
    'involvedObject.uid': involved('uid'),
    'involvedObject.apiVersion': involved('apiVersion'),
    'involvedObject.resourceVersion': involved('resourceVersion'),
    'involvedObject.fieldPath': involved('fieldPath'),
    reason: (o) => str(o.reason) ?? '',
    reportingComponent: (o) => str(o.reportingComponent) ?? '',
    source: (o) => str(obj(o.source)?.component) ?? '',
    type: (o) => str(o.type) ?? '',
  },
  validate(o, errs) {
    const inv = obj(o.involvedObject);
    if (!inv) return errs.required('involvedObject');
    const ns = str(obj(o.metadata)?.namespace);
    if (str(inv.namespace) && inv.namespace !== ns) errs.invalid('involvedObject.namespace', inv.namespace, 'does not match event.namespace');
  },
  table: {
    columns: [
      { name: 'Last Seen', type: 'string', description: 'Time since the event was last seen' },
      { name: 'Type', type: 'string', description: 'The type of the event' },
      { name: 'Reason', type: 'string', description: 'The reason of the event' },
      { name: 'Object', type: 'string', description: 'The object the event is about' },
      { name: 'Subobject', type: 'string', priority: 1 },
      { name: 'Source', type: 'string', priority: 1 },
      { name: 'Message', type: 'string', description: 'The message of the event' },
      { name: 'First Seen', type: 'string', priority: 1 },
      { name: 'Count', type: 'string', priority: 1 },
    ],
    // printEvent (wide, as the server prints); NAME comes last (table-columns.json places it).
    cells(o, now) {
      const since = (t: unknown): string => (str(t) ? age({ metadata: { creationTimestamp: str(t) } }, now) : '<unknown>');
      const series = obj(o.series);
      const first = str(o.firstTimestamp) ? since(o.firstTimestamp) : since(o.eventTime);
      const last = series ? since(series.lastObservedTime) : str(o.lastTimestamp) ? since(o.lastTimestamp) : first;
      const count = series ? Number(series.count) || 0 : Number(o.count) || 1;
      const inv = obj(o.involvedObject) ?? {};
      const source = obj(o.source) ?? {};
      const component = str(source.component) || str(o.reportingComponent) || '';
      const instance = str(source.host) || str(o.reportingInstance) || '';
      return [
        last,
        str(o.type) ?? '',
        str(o.reason) ?? '',
        str(inv.name) ? `${String(inv.kind ?? '').toLowerCase()}/${String(inv.name)}` : String(inv.kind ?? '').toLowerCase(),
        str(inv.fieldPath) ?? '',
        instance ? `${component}, ${instance}` : component,
        (str(o.message) ?? '').trim(),
        first,
        count,
      ];
    },
  },
};

export const configmaps: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  singular: 'configmap',
  namespaced: true,
  shortNames: ['cm'],
  subresources: [],
  nameValidator: isDNS1123Subdomain,
  validate(o, errs) {
    for (const field of ['data', 'binaryData'] as const) {
      const m = o[field];
      if (m !== undefined && m !== null && !isObject(m)) errs.invalid(field, m, 'must be a map');
    }
  },
  table: {
    columns: [{ name: 'Data', type: 'string', description: 'Number of data entries' }, ageColumn],
    cells: (o, now) => [Object.keys(obj(o.data) ?? {}).length + Object.keys(obj(o.binaryData) ?? {}).length, age(o, now)],
  },
};

export const serviceaccounts: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  singular: 'serviceaccount',
  namespaced: true,
  shortNames: ['sa'],
  subresources: [],
  nameValidator: isDNS1123Subdomain,
};

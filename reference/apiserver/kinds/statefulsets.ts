/**
 * StatefulSets (apps/v1), as kube-apiserver v1.37.2 with its default feature gates serves them:
 * SetDefaults_StatefulSet (pkg/apis/apps/v1/defaults.go), ValidateStatefulSet{,Update,Status,
 * StatusUpdate} (pkg/apis/apps/validation/validation.go) and statefulSetStrategy
 * (pkg/registry/apps/statefulset/strategy.go), per guarantees G-01..G-09.
 *
 * Feature gates: MaxUnavailableStatefulSet is on (maxUnavailable is kept and defaulted to 1);
 * StatefulSetRecreateStrategy is alpha and off, so `updateStrategy.type: Recreate` is rejected
 * unless the stored set already uses it. The declarative validation of these fields is alpha
 * in 1.37 (shadowed), so the hand-written errors below are what clients see.
 */
import { arr, child, isObject, obj, str, type JsonObject, type JsonValue } from '../json.ts';
import { labelSelectorMatches } from '../selectors.ts';
import { Errors, isDNS1123Label, validateLabels } from '../validation.ts';
import { defaultPodTemplate, validatePodSpec, validateTemplateMeta } from './podspec.ts';
import { age } from './table.ts';
import type { KindSpec } from './types.ts';

/** StatefulSetRecreateStrategy (alpha in 1.37, off by default). */
const RECREATE_STRATEGY_GATE = false;

const RETENTION = ['Retain', 'Delete'];

/** json.Marshal of an internal *apps.RollingUpdateStatefulSetStrategy (Go field names). */
function goRollingUpdate(ru: unknown): string {
  const r = obj(ru);
  if (!r) return 'null';
  const mu = r.maxUnavailable;
  return `{"Partition":${typeof r.partition === 'number' ? r.partition : 0},"MaxUnavailable":${typeof mu === 'number' ? String(mu) : mu === undefined || mu === null ? 'null' : goString(mu)}}`;
}

/** json.Marshal of an internal apps.StatefulSetUpdateStrategy. */
function goUpdateStrategy(strategy: JsonObject): string {
  return `{"Type":${goString(strategy.type)},"RollingUpdate":${goRollingUpdate(strategy.rollingUpdate)}}`;
}

/** An Invalid error whose bad value upstream prints as Go's JSON of an internal type. */
function invalidGo(errs: Errors, field: string, value: unknown, rendered: string, detail: string): void {
  errs.list.push({ type: 'Invalid', field, value, rendered, detail });
}

/** StatefulSetValidationOptions, as strategy.go sets them for create and update. */
interface SetOptions {
  /** Update: serviceName is immutable, tolerate an invalid stored one. */
  allowInvalidServiceName: boolean;
  /** Update: volumeClaimTemplates are immutable, tolerate invalid stored ones. */
  skipValidateVolumeClaimTemplates: boolean;
  allowRecreateStrategy: boolean;
}

function defaults(o: JsonObject): void {
  const spec = child(o, 'spec');
  spec.podManagementPolicy ??= 'OrderedReady';
  const strategy = child(spec, 'updateStrategy');
  if (strategy.type === undefined || strategy.type === '') {
    strategy.type = 'RollingUpdate';
    strategy.rollingUpdate ??= {};
  }
  const ru = obj(strategy.rollingUpdate);
  if (strategy.type === 'RollingUpdate' && ru) {
    ru.partition ??= 0;
    ru.maxUnavailable ??= 1;
  }
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  retention.whenDeleted ??= 'Retain';
  retention.whenScaled ??= 'Retain';
  spec.replicas ??= 1;
  spec.revisionHistoryLimit ??= 10;
  defaultPodTemplate(child(spec, 'template'));
  for (const t of arr(spec.volumeClaimTemplates)) {
    if (!isObject(t)) continue;
    t.apiVersion ??= 'v1';
    t.kind ??= 'PersistentVolumeClaim';
    child(t, 'spec').volumeMode ??= 'Filesystem';
    child(t, 'status').phase ??= 'Pending';
  }
}

const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/**
 * validateRollingUpdateStatefulSet's maxUnavailable rules: ValidatePositiveIntOrPercent, "cannot
 * be 0" (getIntOrPercentValue: a malformed string counts as strconv.Atoi of it, usually 0) and
 * IsNotMoreThan100Percent.
 */
function validateMaxUnavailable(mu: unknown, field: string, errs: Errors): void {
  const isPercent = typeof mu === 'string' && /^[0-9]+%$/.test(mu);
  if (typeof mu === 'string') {
    if (!isPercent) errs.invalid(field, mu, PERCENT_MSG);
  } else if (typeof mu === 'number' && Number.isInteger(mu)) {
    errs.nonNegative(field, mu);
  } else {
    errs.invalid(field, mu, "must be an integer or percentage (e.g '5%')");
  }
  const value = isPercent ? parseInt(mu, 10) : typeof mu === 'number' ? mu : typeof mu === 'string' && /^[+-]?[0-9]+$/.test(mu) ? Number(mu) : 0;
  if (value === 0) errs.invalid(field, mu, 'cannot be 0');
  if (isPercent && value > 100) errs.invalid(field, mu, 'must not be greater than 100%');
}

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];
const VOLUME_MODES = ['Block', 'Filesystem'];

/** validateVolumeClaimTemplates: the basic ValidatePersistentVolumeClaimSpec rules per template. */
function validateVolumeClaimTemplates(templates: unknown, errs: Errors): void {
  arr(templates).forEach((t, i) => {
    const spec = obj(obj(t)?.spec) ?? {};
    const p = `spec.volumeClaimTemplates[${i}].spec`;
    const modes = arr(spec.accessModes);
    if (modes.length === 0) errs.required(`${p}.accessModes`, 'at least 1 access mode is required');
    for (const m of modes) if (!ACCESS_MODES.includes(m as string)) errs.notSupported(`${p}.accessModes`, m, ACCESS_MODES);
    if (modes.includes('ReadWriteOncePod') && modes.some((m) => m !== 'ReadWriteOncePod' && ACCESS_MODES.includes(m as string))) {
      errs.forbidden(`${p}.accessModes`, 'may not use ReadWriteOncePod with other access modes');
    }
    if (obj(obj(spec.resources)?.requests)?.storage === undefined) errs.required(`${p}.resources[storage]`);
    if (spec.volumeMode !== undefined && spec.volumeMode !== null && !VOLUME_MODES.includes(spec.volumeMode as string)) {
      errs.notSupported(`${p}.volumeMode`, spec.volumeMode, VOLUME_MODES);
    }
  });
}

function validateSpec(spec: JsonObject, errs: Errors, opts: SetOptions): void {
  const f = 'spec';
  const pmp = spec.podManagementPolicy;
  if (pmp === '' || pmp === undefined) errs.required(`${f}.podManagementPolicy`);
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.invalid(`${f}.podManagementPolicy`, pmp, "must be 'OrderedReady' or 'Parallel'");

  const strategy = obj(spec.updateStrategy) ?? {};
  switch (strategy.type) {
    case '':
    case undefined:
    case null:
      errs.required(`${f}.updateStrategy`);
      break;
    case 'OnDelete':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
        invalidGo(errs, `${f}.updateStrategy.rollingUpdate`, strategy.rollingUpdate, goRollingUpdate(strategy.rollingUpdate), "only allowed for updateStrategy 'RollingUpdate'");
      }
      break;
    case 'Recreate':
      if (!opts.allowRecreateStrategy) {
        invalidGo(errs, `${f}.updateStrategy`, strategy, goUpdateStrategy(strategy), "must be 'RollingUpdate' or 'OnDelete'");
      } else if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
        invalidGo(errs, `${f}.updateStrategy.rollingUpdate`, strategy.rollingUpdate, goRollingUpdate(strategy.rollingUpdate), "only allowed for updateStrategy 'RollingUpdate'");
      }
      break;
    case 'RollingUpdate': {
      const ru = obj(strategy.rollingUpdate);
      if (!ru) break;
      const p = `${f}.updateStrategy.rollingUpdate`;
      errs.nonNegative(`${p}.partition`, ru.partition);
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) validateMaxUnavailable(ru.maxUnavailable, `${p}.maxUnavailable`, errs);
      break;
    }
    default:
      invalidGo(
        errs,
        `${f}.updateStrategy`,
        strategy,
        goUpdateStrategy(strategy),
        opts.allowRecreateStrategy ? "must be 'RollingUpdate', 'OnDelete', or 'Recreate'" : "must be 'RollingUpdate' or 'OnDelete'",
      );
  }

  const retention = obj(spec.persistentVolumeClaimRetentionPolicy) ?? {};
  for (const k of ['whenDeleted', 'whenScaled'] as const) {
    if (!RETENTION.includes(retention[k] as string)) errs.notSupported(`${f}.persistentVolumeClaimRetentionPolicy.${k}`, retention[k] ?? '', RETENTION);
  }
  if (!opts.skipValidateVolumeClaimTemplates) validateVolumeClaimTemplates(spec.volumeClaimTemplates, errs);

  errs.nonNegative(`${f}.replicas`, spec.replicas);
  errs.nonNegative(`${f}.minReadySeconds`, spec.minReadySeconds);
  const ordinals = obj(spec.ordinals);
  if (ordinals) errs.nonNegative(`${f}.ordinals.start`, ordinals.start);

  const serviceName = str(spec.serviceName);
  if (serviceName && !opts.allowInvalidServiceName) errs.check(`${f}.serviceName`, serviceName, isDNS1123Label(serviceName));

  const selector = spec.selector;
  if (selector === undefined || selector === null) errs.required(`${f}.selector`);
  else if (!isObject(selector)) errs.invalid(`${f}.selector`, selector, 'must be a label selector');
  else {
    validateLabels(errs, selector.matchLabels, `${f}.selector.matchLabels`);
    arr(selector.matchExpressions).forEach((e, i) => {
      const expr = obj(e) ?? {};
      const op = expr.operator;
      const p = `${f}.selector.matchExpressions[${i}]`;
      if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(op as string)) errs.invalid(`${p}.operator`, op ?? '', 'not a valid selector operator');
      else if ((op === 'In' || op === 'NotIn') && arr(expr.values).length === 0) errs.required(`${p}.values`, 'must be specified when `operator` is \'In\' or \'NotIn\'');
      else if ((op === 'Exists' || op === 'DoesNotExist') && arr(expr.values).length > 0) errs.forbidden(`${p}.values`, 'may not be specified when `operator` is \'Exists\' or \'DoesNotExist\'');
    });
    if (Object.keys(obj(selector.matchLabels) ?? {}).length === 0 && arr(selector.matchExpressions).length === 0) {
      errs.invalid(`${f}.selector`, selector, 'empty selector is invalid for statefulset');
    }
  }

  const template = obj(spec.template) ?? {};
  const labels = (obj(obj(template.metadata)?.labels) ?? {}) as Record<string, string>;
  if (isObject(selector) && (Object.keys(obj(selector.matchLabels) ?? {}).length || arr(selector.matchExpressions).length)) {
    if (!labelSelectorMatches(selector, labels)) errs.invalid(`${f}.template.metadata.labels`, labels, '`selector` does not match template `labels`');
  }
  validateTemplateMeta(errs, template, `${f}.template`);
  const podSpec = obj(template.spec) ?? {};
  // ValidatePodTemplateSpec on the template as the controller will complete it: no hostname or
  // subdomain (initIdentity sets them), a volume per claim template (so mounts of claims resolve).
  // A negative grace period is refused by ValidatePod only (pods default it to 1), not here.
  const claimVolumes = arr(spec.volumeClaimTemplates).map((t) => str(obj(obj(t)?.metadata)?.name) ?? '');
  validatePodSpec(
    errs,
    {
      ...podSpec,
      hostname: undefined,
      subdomain: undefined,
      terminationGracePeriodSeconds: undefined,
      volumes: [
        ...claimVolumes.map((name) => ({ name, persistentVolumeClaim: { claimName: name } })),
        ...arr(podSpec.volumes).filter((v) => !claimVolumes.includes(str(obj(v)?.name) ?? '')),
      ],
    },
    `${f}.template.spec`,
  );
  if (podSpec.restartPolicy !== 'Always') errs.notSupported(`${f}.template.spec.restartPolicy`, podSpec.restartPolicy ?? '', ['Always']);
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.forbidden(`${f}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in StatefulSet is not Supported');
  }
}

// ---- immutable fields (v1.37: one "field is immutable" error per field) ----

/**
 * apiequality.Semantic.DeepEqual, as far as JSON shows it: nil and empty lists and maps are
 * equal; a present object is never equal to an absent one (pointers); quantities compare as
 * written (upstream compares their values: "1Gi" equals "1024Mi" there).
 */
function semanticEqual(a: unknown, b: unknown): boolean {
  const emptyish = (v: unknown) => v === undefined || v === null || (Array.isArray(v) && v.length === 0);
  if (emptyish(a) || emptyish(b)) return emptyish(a) && emptyish(b);
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    for (const k of keys) {
      const x = a[k];
      const y = b[k];
      // An empty map and an absent one are equal (nil map == empty map).
      const emptyMap = (v: unknown) => isObject(v) && Object.keys(v).length === 0;
      if ((x === undefined && emptyMap(y)) || (y === undefined && emptyMap(x))) continue;
      if (!semanticEqual(x, y)) return false;
    }
    return true;
  }
  return a === b;
}

/** Go's encoding/json string: JSON with <, > and & escaped (HTML-safe, the default). */
function goString(v: unknown): string {
  return JSON.stringify(String(v ?? '')).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A JSON map Go-style: keys sorted; `null` when absent (a nil map). */
function goMap(m: unknown, value: (v: JsonValue | undefined) => string = goString): string {
  if (!isObject(m)) return 'null';
  return `{${Object.keys(m)
    .sort()
    .map((k) => `${goString(k)}:${value(m[k])}`)
    .join(',')}}`;
}

/** A list Go-style: `null` when absent, `[]` when empty. */
function goList(l: unknown, item: (v: JsonValue) => string): string {
  return Array.isArray(l) ? `[${l.map(item).join(',')}]` : 'null';
}

const goPtr = (v: unknown, render: (v: unknown) => string = goString): string => (v === undefined || v === null ? 'null' : render(v));

/** json.Marshal of a *metav1.LabelSelector (json tags, omitempty). */
function goLabelSelector(sel: unknown): string {
  if (!isObject(sel)) return 'null';
  const parts: string[] = [];
  if (Object.keys(obj(sel.matchLabels) ?? {}).length) parts.push(`"matchLabels":${goMap(sel.matchLabels)}`);
  const exprs = arr(sel.matchExpressions);
  if (exprs.length) {
    const one = (e: JsonValue) => {
      const x = obj(e) ?? {};
      const values = arr(x.values);
      return `{"key":${goString(x.key)},"operator":${goString(x.operator)}${values.length ? `,"values":${goList(values, goString)}` : ''}}`;
    };
    parts.push(`"matchExpressions":[${exprs.map(one).join(',')}]`);
  }
  return `{${parts.join(',')}}`;
}

/** The promoted metav1.ObjectMeta fields (json tags, omitempty; creationTimestamp omitzero). */
function goObjectMetaFields(meta: JsonObject): string[] {
  const parts: string[] = [];
  for (const k of ['name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion']) if (str(meta[k])) parts.push(`"${k}":${goString(meta[k])}`);
  if (typeof meta.generation === 'number' && meta.generation !== 0) parts.push(`"generation":${meta.generation}`);
  if (str(meta.creationTimestamp)) parts.push(`"creationTimestamp":${goString(meta.creationTimestamp)}`);
  if (str(meta.deletionTimestamp)) parts.push(`"deletionTimestamp":${goString(meta.deletionTimestamp)}`);
  if (typeof meta.deletionGracePeriodSeconds === 'number') parts.push(`"deletionGracePeriodSeconds":${meta.deletionGracePeriodSeconds}`);
  for (const k of ['labels', 'annotations']) if (Object.keys(obj(meta[k]) ?? {}).length) parts.push(`"${k}":${goMap(meta[k])}`);
  if (arr(meta.ownerReferences).length) {
    const ref = (r: JsonValue) => {
      const o = obj(r) ?? {};
      const flags = ['controller', 'blockOwnerDeletion'].filter((k) => typeof o[k] === 'boolean').map((k) => `,"${k}":${o[k]}`);
      return `{"apiVersion":${goString(o.apiVersion)},"kind":${goString(o.kind)},"name":${goString(o.name)},"uid":${goString(o.uid)}${flags.join('')}}`;
    };
    parts.push(`"ownerReferences":${goList(meta.ownerReferences, ref)}`);
  }
  if (arr(meta.finalizers).length) parts.push(`"finalizers":${goList(meta.finalizers, goString)}`);
  if (arr(meta.managedFields).length) parts.push(`"managedFields":${JSON.stringify(meta.managedFields)}`);
  return parts;
}

/**
 * json.Marshal of an internal core.PersistentVolumeClaim (pkg/apis/core: no json tags, so Go
 * field names; TypeMeta is cleared by the conversion, ObjectMeta's fields are promoted).
 */
function goInternalClaim(claim: JsonValue): string {
  const c = obj(claim) ?? {};
  const spec = obj(c.spec) ?? {};
  const status = obj(c.status) ?? {};
  const resources = obj(spec.resources) ?? {};
  const ds = obj(spec.dataSource);
  const dsr = obj(spec.dataSourceRef);
  const specJson = [
    `"AccessModes":${goList(spec.accessModes, goString)}`,
    `"Selector":${goLabelSelector(spec.selector)}`,
    `"Resources":{"Limits":${goMap(resources.limits)},"Requests":${goMap(resources.requests)}}`,
    `"VolumeName":${goString(spec.volumeName)}`,
    `"StorageClassName":${goPtr(spec.storageClassName)}`,
    `"VolumeMode":${goPtr(spec.volumeMode)}`,
    `"DataSource":${ds ? `{"APIGroup":${goPtr(ds.apiGroup)},"Kind":${goString(ds.kind)},"Name":${goString(ds.name)}}` : 'null'}`,
    `"DataSourceRef":${dsr ? `{"APIGroup":${goPtr(dsr.apiGroup)},"Kind":${goString(dsr.kind)},"Name":${goString(dsr.name)},"Namespace":${goPtr(dsr.namespace)}}` : 'null'}`,
    `"VolumeAttributesClassName":${goPtr(spec.volumeAttributesClassName)}`,
  ];
  const condition = (v: JsonValue) => {
    const x = obj(v) ?? {};
    return `{"Type":${goString(x.type)},"Status":${goString(x.status)},"LastProbeTime":${goPtr(x.lastProbeTime)},"LastTransitionTime":${goPtr(x.lastTransitionTime)},"Reason":${goString(x.reason)},"Message":${goString(x.message)}}`;
  };
  const modify = obj(status.modifyVolumeStatus);
  const statusJson = [
    `"Phase":${goString(status.phase)}`,
    `"AccessModes":${goList(status.accessModes, goString)}`,
    `"Capacity":${goMap(status.capacity)}`,
    `"Conditions":${goList(status.conditions, condition)}`,
    `"AllocatedResources":${goMap(status.allocatedResources)}`,
    `"AllocatedResourceStatuses":${goMap(status.allocatedResourceStatuses)}`,
    `"CurrentVolumeAttributesClassName":${goPtr(status.currentVolumeAttributesClassName)}`,
    `"ModifyVolumeStatus":${modify ? `{"TargetVolumeAttributesClassName":${goString(modify.targetVolumeAttributesClassName)},"Status":${goString(modify.status)}}` : 'null'}`,
    `"HealthStatus":${goPtr(status.healthStatus, (v) => JSON.stringify(v))}`,
  ];
  return `{${[...goObjectMetaFields(obj(c.metadata) ?? {}), `"Spec":{${specJson.join(',')}}`, `"Status":{${statusJson.join(',')}}`].join(',')}}`;
}

/** ValidateImmutableField for each of the four fields, in upstream's order, with upstream's rendering of the new value. */
function validateImmutableFields(spec: JsonObject, oldSpec: JsonObject, errs: Errors): void {
  const fields: Array<[string, (v: unknown) => string]> = [
    ['selector', goLabelSelector],
    ['volumeClaimTemplates', (v) => goList(v, goInternalClaim)],
    ['serviceName', goString],
    ['podManagementPolicy', goString],
  ];
  for (const [name, render] of fields) {
    const now = spec[name];
    const was = oldSpec[name];
    const unchanged = name === 'selector' ? (isObject(now) && isObject(was) ? semanticEqual(now, was) : !isObject(now) && !isObject(was)) : semanticEqual(now ?? '', was ?? '');
    if (!unchanged) errs.list.push({ type: 'Invalid', field: `spec.${name}`, value: now, rendered: render(now), detail: 'field is immutable' });
  }
}

const STATUS_COUNTERS = ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'] as const;

function validateStatus(status: JsonObject, errs: Errors): void {
  for (const k of STATUS_COUNTERS) errs.nonNegative(`status.${k}`, status[k]);
  errs.nonNegative('status.observedGeneration', status.observedGeneration);
  errs.nonNegative('status.collisionCount', status.collisionCount);
  const n = (k: string): number => (typeof status[k] === 'number' ? (status[k] as number) : 0);
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas']) {
    if (n(k) > n('replicas')) errs.invalid(`status.${k}`, n(k), 'cannot be greater than status.replicas');
  }
  if (n('availableReplicas') > n('readyReplicas')) errs.invalid('status.availableReplicas', n('availableReplicas'), 'cannot be greater than status.readyReplicas');
}

export const statefulsets: KindSpec = {
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  kind: 'StatefulSet',
  singular: 'statefulset',
  namespaced: true,
  shortNames: ['sts'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  generation: true,
  gcPolicy: 'background',
  nameValidator: isDNS1123Label,
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
  defaults,
  validate(o, errs) {
    validateSpec(obj(o.spec) ?? {}, errs, { allowInvalidServiceName: false, skipValidateVolumeClaimTemplates: false, allowRecreateStrategy: RECREATE_STRATEGY_GATE });
  },
  validateUpdate(o, old, errs) {
    const spec = obj(o.spec) ?? {};
    const oldSpec = obj(old.spec) ?? {};
    const opts: SetOptions = {
      allowInvalidServiceName: true,
      skipValidateVolumeClaimTemplates: true,
      allowRecreateStrategy: RECREATE_STRATEGY_GATE || obj(oldSpec.updateStrategy)?.type === 'Recreate',
    };
    validateSpec(spec, errs, opts);
    validateImmutableFields(spec, oldSpec, errs);
  },
  validateStatusUpdate(o, old, errs) {
    const status = obj(o.status) ?? {};
    validateStatus(status, errs);
    const was = obj(old.status)?.collisionCount;
    const now = status.collisionCount;
    if (typeof was === 'number' && (typeof now !== 'number' || now < was)) errs.invalid('status.collisionCount', now ?? null, 'cannot be decremented');
  },
  warnings(o) {
    const limit = obj(o.spec)?.revisionHistoryLimit;
    return typeof limit === 'number' && limit < 0
      ? ['spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended']
      : [];
  },
  table: {
    columns: [
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state' },
      { name: 'Age', type: 'string', description: 'CreationTimestamp' },
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
    ],
    cells(o, now) {
      const status = obj(o.status) ?? {};
      const containers = arr(obj(obj(obj(o.spec)?.template)?.spec)?.containers).map((c) => obj(c) ?? {});
      return [
        `${Number(status.readyReplicas) || 0}/${Number(obj(o.spec)?.replicas) || 0}`,
        age(o, now),
        containers.map((c) => str(c.name) ?? '').join(','),
        containers.map((c) => str(c.image) ?? '').join(','),
      ];
    },
  },
};

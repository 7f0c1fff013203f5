/**
 * StatefulSets (apps/v1): SetDefaults_StatefulSet, ValidateStatefulSet{,Update,Status,StatusUpdate}
 * and statefulSetStrategy, per guarantees G-01..G-09.
 */
import { arr, child, clone, deepEqual, isObject, obj, str, type JsonObject } from '../json.ts';
import { labelSelectorMatches } from '../selectors.ts';
import { Errors, isDNS1123Label, validateLabels } from '../validation.ts';
import { defaultPodTemplate, validateTemplateMeta } from './podspec.ts';
import { age } from './table.ts';
import type { KindSpec } from './types.ts';

const IMMUTABLE_MSG =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

const RETENTION = ['Retain', 'Delete'];

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

function isIntOrPercent(v: unknown): { value: number; percent: boolean } | undefined {
  if (typeof v === 'number' && Number.isInteger(v)) return { value: v, percent: false };
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return { value: parseInt(v, 10), percent: true };
  return undefined;
}

function validateSpec(spec: JsonObject, errs: Errors): void {
  const f = 'spec';
  const pmp = spec.podManagementPolicy;
  if (pmp === '' || pmp === undefined) errs.required(`${f}.podManagementPolicy`);
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel') errs.invalid(`${f}.podManagementPolicy`, pmp, "must be 'OrderedReady' or 'Parallel'");

  const strategy = obj(spec.updateStrategy) ?? {};
  switch (strategy.type) {
    case 'OnDelete':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
        errs.invalid(`${f}.updateStrategy.rollingUpdate`, strategy.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'");
      }
      break;
    case 'RollingUpdate': {
      const ru = obj(strategy.rollingUpdate);
      if (!ru) break;
      const p = `${f}.updateStrategy.rollingUpdate`;
      errs.nonNegative(`${p}.partition`, ru.partition);
      if (ru.maxUnavailable !== undefined && ru.maxUnavailable !== null) {
        const mu = isIntOrPercent(ru.maxUnavailable);
        if (!mu) errs.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, "must be an integer or percentage (e.g '5%')");
        else {
          errs.nonNegative(`${p}.maxUnavailable`, mu.value);
          if (mu.value === 0) errs.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'cannot be 0');
          if (mu.percent && mu.value > 100) errs.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'must not be greater than 100%');
        }
      }
      break;
    }
    default:
      errs.invalid(`${f}.updateStrategy`, strategy, "must be 'RollingUpdate' or 'OnDelete'");
  }

  const retention = obj(spec.persistentVolumeClaimRetentionPolicy) ?? {};
  for (const k of ['whenDeleted', 'whenScaled'] as const) {
    if (!RETENTION.includes(retention[k] as string)) errs.notSupported(`${f}.persistentVolumeClaimRetentionPolicy.${k}`, retention[k] ?? '', RETENTION);
  }

  errs.nonNegative(`${f}.replicas`, spec.replicas);
  errs.nonNegative(`${f}.minReadySeconds`, spec.minReadySeconds);
  const ordinals = obj(spec.ordinals);
  if (ordinals) errs.nonNegative(`${f}.ordinals.start`, ordinals.start);

  const serviceName = str(spec.serviceName);
  if (serviceName) errs.check(`${f}.serviceName`, serviceName, isDNS1123Label(serviceName));

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
  if (podSpec.restartPolicy !== 'Always') errs.notSupported(`${f}.template.spec.restartPolicy`, podSpec.restartPolicy ?? '', ['Always']);
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.forbidden(`${f}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in StatefulSet is not Supported');
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
    validateSpec(obj(o.spec) ?? {}, errs);
  },
  validateUpdate(o, old, errs) {
    validateSpec(obj(o.spec) ?? {}, errs);
    const spec = clone(obj(o.spec) ?? {});
    const oldSpec = obj(old.spec) ?? {};
    for (const k of ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) {
      spec[k] = oldSpec[k];
    }
    if (!deepEqual(spec, oldSpec)) errs.forbidden('spec', IMMUTABLE_MSG);
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

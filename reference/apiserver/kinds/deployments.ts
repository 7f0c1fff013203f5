/**
 * Deployments (apps/v1) as stored objects, so that `kubectl create deployment` and `kubectl get
 * deploy` answer as kube-apiserver v1.37.2 does: SetDefaults_Deployment
 * (pkg/apis/apps/v1/defaults.go), ValidateDeployment{Spec,Strategy,Status,Update}
 * (pkg/apis/apps/validation/validation.go), deploymentStrategy's generation and status rules
 * and printDeployment's columns. The reference runs no deployment controller: nothing creates
 * ReplicaSets or pods for them (the reference serves no ReplicaSets), and their status stays
 * as written.
 */
import { arr, child, isObject, obj, str, type JsonObject } from '../json.ts';
import { labelSelectorMatches } from '../selectors.ts';
import { isDNS1123Subdomain, validateLabels, type Errors } from '../validation.ts';
import { defaultPodTemplate, validatePodSpec, validateTemplateMeta } from './podspec.ts';
import { age } from './table.ts';
import type { KindSpec } from './types.ts';

function defaults(o: JsonObject): void {
  const spec = child(o, 'spec');
  spec.replicas ??= 1;
  const strategy = child(spec, 'strategy');
  if (strategy.type === undefined || strategy.type === '') strategy.type = 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    ru.maxUnavailable ??= '25%';
    ru.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  defaultPodTemplate(child(spec, 'template'));
}

const PERCENT_MSG =
  "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

/** getIntOrPercentValue: the number, or the percentage's number. */
function intOrPercent(v: unknown): number {
  if (typeof v === 'number') return v;
  const m = typeof v === 'string' ? /^(\d+)%$/.exec(v) : null;
  return m ? Number(m[1]) : 0;
}

/** ValidatePositiveIntOrPercent. */
function validatePositiveIntOrPercent(v: unknown, field: string, errs: Errors): void {
  if (typeof v === 'string') {
    if (!/^[0-9]+%$/.test(v)) errs.invalid(field, v, PERCENT_MSG);
    else errs.nonNegative(field, intOrPercent(v));
  } else if (typeof v === 'number') errs.nonNegative(field, v);
}

function validateStrategy(strategy: JsonObject, errs: Errors): void {
  const f = 'spec.strategy';
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) errs.forbidden(`${f}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'");
      return;
    case 'RollingUpdate': {
      const ru = obj(strategy.rollingUpdate);
      if (!ru) return errs.required(`${f}.rollingUpdate`, 'this should be defaulted and never be nil');
      const p = `${f}.rollingUpdate`;
      validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`, errs);
      validatePositiveIntOrPercent(ru.maxSurge, `${p}.maxSurge`, errs);
      if (intOrPercent(ru.maxUnavailable) === 0 && intOrPercent(ru.maxSurge) === 0) errs.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
      if (typeof ru.maxUnavailable === 'string' && intOrPercent(ru.maxUnavailable) > 100) errs.invalid(`${p}.maxUnavailable`, ru.maxUnavailable, 'must not be greater than 100%');
      return;
    }
    default:
      errs.notSupported(f, strategy, ['Recreate', 'RollingUpdate']);
  }
}

function validateSpec(spec: JsonObject, errs: Errors): void {
  const f = 'spec';
  errs.nonNegative(`${f}.replicas`, spec.replicas);
  const selector = spec.selector;
  if (selector === undefined || selector === null) errs.required(`${f}.selector`);
  else if (!isObject(selector)) errs.invalid(`${f}.selector`, selector, 'must be a label selector');
  else {
    validateLabels(errs, selector.matchLabels, `${f}.selector.matchLabels`);
    if (Object.keys(obj(selector.matchLabels) ?? {}).length === 0 && arr(selector.matchExpressions).length === 0) {
      errs.invalid(`${f}.selector`, selector, 'empty selector is invalid for deployment');
    }
  }
  // ValidatePodTemplateSpecForReplicaSet
  const template = obj(spec.template) ?? {};
  const labels = (obj(obj(template.metadata)?.labels) ?? {}) as Record<string, string>;
  if (isObject(selector) && (Object.keys(obj(selector.matchLabels) ?? {}).length || arr(selector.matchExpressions).length)) {
    if (!labelSelectorMatches(selector, labels)) errs.invalid(`${f}.template.metadata.labels`, labels, '`selector` does not match template `labels`');
  }
  validateTemplateMeta(errs, template, `${f}.template`);
  validatePodSpec(errs, template.spec, `${f}.template.spec`);
  const podSpec = obj(template.spec) ?? {};
  if (podSpec.restartPolicy !== 'Always') errs.notSupported(`${f}.template.spec.restartPolicy`, podSpec.restartPolicy ?? '', ['Always']);
  if (podSpec.activeDeadlineSeconds !== undefined && podSpec.activeDeadlineSeconds !== null) {
    errs.forbidden(`${f}.template.spec.activeDeadlineSeconds`, 'activeDeadlineSeconds in ReplicaSet is not Supported');
  }
  validateStrategy(obj(spec.strategy) ?? {}, errs);
  errs.nonNegative(`${f}.minReadySeconds`, spec.minReadySeconds);
  errs.nonNegative(`${f}.revisionHistoryLimit`, spec.revisionHistoryLimit);
  const pds = spec.progressDeadlineSeconds;
  if (typeof pds === 'number') {
    errs.nonNegative(`${f}.progressDeadlineSeconds`, pds);
    if (pds <= (typeof spec.minReadySeconds === 'number' ? spec.minReadySeconds : 0)) errs.invalid(`${f}.progressDeadlineSeconds`, pds, 'must be greater than minReadySeconds');
  }
}

function validateStatus(status: JsonObject, errs: Errors): void {
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'terminatingReplicas', 'collisionCount']) {
    errs.nonNegative(`status.${k}`, status[k]);
  }
  const n = (k: string): number => (typeof status[k] === 'number' ? (status[k] as number) : 0);
  for (const k of ['updatedReplicas', 'readyReplicas', 'availableReplicas']) {
    if (n(k) > n('replicas')) errs.invalid(`status.${k}`, n(k), 'cannot be greater than status.replicas');
  }
  if (n('availableReplicas') > n('readyReplicas')) errs.invalid('status.availableReplicas', n('availableReplicas'), 'cannot be greater than readyReplicas');
}

/** labels.Selector.String() of a LabelSelector's matchLabels and matchExpressions, sorted by key. */
function selectorString(selector: JsonObject | undefined): string {
  if (!selector) return '';
  const parts: Array<[string, string]> = Object.entries(obj(selector.matchLabels) ?? {}).map(([k, v]) => [k, `${k}=${String(v)}`]);
  for (const e of arr(selector.matchExpressions)) {
    const x = obj(e) ?? {};
    const key = str(x.key) ?? '';
    const values = arr(x.values).map(String).sort().join(',');
    const op = x.operator;
    parts.push([key, op === 'In' ? `${key} in (${values})` : op === 'NotIn' ? `${key} notin (${values})` : op === 'Exists' ? key : `!${key}`]);
  }
  return parts
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, s]) => s)
    .join(',');
}

export const deployments: KindSpec = {
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  singular: 'deployment',
  namespaced: true,
  shortNames: ['deploy'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  generation: true,
  gcPolicy: 'background',
  nameValidator: isDNS1123Subdomain,
  defaults,
  validate(o, errs) {
    validateSpec(obj(o.spec) ?? {}, errs);
  },
  validateUpdate(o, old, errs) {
    validateSpec(obj(o.spec) ?? {}, errs);
    if (JSON.stringify(obj(o.spec)?.selector ?? null) !== JSON.stringify(obj(old.spec)?.selector ?? null)) {
      errs.invalid('spec.selector', obj(o.spec)?.selector, 'field is immutable');
    }
  },
  validateStatusUpdate(o, _old, errs) {
    validateStatus(obj(o.status) ?? {}, errs);
  },
  table: {
    columns: [
      { name: 'Ready', type: 'string', description: 'Number of the pod with ready state' },
      { name: 'Up-to-date', type: 'string', description: 'Total number of non-terminating pods targeted by this deployment that have the desired template spec.' },
      { name: 'Available', type: 'string', description: 'Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment.' },
      { name: 'Age', type: 'string', description: 'CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata' },
      { name: 'Containers', type: 'string', priority: 1, description: 'Names of each container in the template.' },
      { name: 'Images', type: 'string', priority: 1, description: 'Images referenced by each container in the template.' },
      { name: 'Selector', type: 'string', priority: 1, description: 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment. It must match the pod template\'s labels.' },
    ],
    cells(o, now) {
      const spec = obj(o.spec) ?? {};
      const status = obj(o.status) ?? {};
      const containers = arr(obj(obj(spec.template)?.spec)?.containers).map((c) => obj(c) ?? {});
      return [
        `${Number(status.readyReplicas) || 0}/${Number(spec.replicas) || 0}`,
        Number(status.updatedReplicas) || 0,
        Number(status.availableReplicas) || 0,
        age(o, now),
        containers.map((c) => str(c.name) ?? '').join(','),
        containers.map((c) => str(c.image) ?? '').join(','),
        selectorString(obj(spec.selector)),
      ];
    },
  },
};

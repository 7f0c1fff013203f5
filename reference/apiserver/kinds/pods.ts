/** Pods: pkg/registry/core/pod/strategy.go plus the admission defaults a real server applies. */
import { arr, child, clone, deepEqual, isObject, obj, str, type JsonObject } from '../json.ts';
import { isDNS1123Subdomain } from '../validation.ts';
import { defaultPod, validatePodSpec } from './podspec.ts';
import { age } from './table.ts';
import type { KindSpec } from './types.ts';

/** DefaultTolerationSeconds admission: tolerate not-ready/unreachable nodes for 300 s. */
function addDefaultTolerations(spec: JsonObject): void {
  const tolerations = arr(spec.tolerations);
  for (const key of ['node.kubernetes.io/not-ready', 'node.kubernetes.io/unreachable']) {
    const covered = tolerations.some((t) => {
      const tol = obj(t) ?? {};
      const effectOk = tol.effect === undefined || tol.effect === '' || tol.effect === 'NoExecute';
      return effectOk && (tol.key === key || ((tol.key === undefined || tol.key === '') && tol.operator === 'Exists'));
    });
    if (!covered) tolerations.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  }
  spec.tolerations = tolerations;
}

function qosClass(spec: JsonObject): string {
  const containers = [...arr(spec.containers), ...arr(spec.initContainers)].map((c) => obj(obj(c)?.resources) ?? {});
  const any = containers.some((r) => Object.keys(obj(r.requests) ?? {}).length || Object.keys(obj(r.limits) ?? {}).length);
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((r) => {
    const limits = obj(r.limits) ?? {};
    const requests = obj(r.requests) ?? {};
    return ['cpu', 'memory'].every((k) => limits[k] !== undefined && (requests[k] === undefined || requests[k] === limits[k]));
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

const PHASES = ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'];

function readyCount(o: JsonObject): string {
  const statuses = arr(obj(o.status)?.containerStatuses);
  const total = arr(obj(o.spec)?.containers).length;
  return `${statuses.filter((s) => obj(s)?.ready === true).length}/${total}`;
}

function displayStatus(o: JsonObject): string {
  const meta = obj(o.metadata) ?? {};
  const status = obj(o.status) ?? {};
  if (meta.deletionTimestamp) return 'Terminating';
  for (const s of arr(status.containerStatuses)) {
    const waiting = str(obj(obj(obj(s)?.state)?.waiting)?.reason);
    if (waiting) return waiting;
  }
  return str(status.reason) ?? str(status.phase) ?? 'Pending';
}

export const pods: KindSpec = {
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  singular: 'pod',
  namespaced: true,
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'eviction'],
  generation: true,
  returnDeletedObject: true,
  nameValidator: isDNS1123Subdomain,
  fields: {
    'spec.nodeName': (o) => str(obj(o.spec)?.nodeName) ?? '',
    'spec.restartPolicy': (o) => str(obj(o.spec)?.restartPolicy) ?? '',
    'spec.schedulerName': (o) => str(obj(o.spec)?.schedulerName) ?? '',
    'spec.serviceAccountName': (o) => str(obj(o.spec)?.serviceAccountName) ?? '',
    'spec.hostNetwork': (o) => String(obj(o.spec)?.hostNetwork === true),
    'status.phase': (o) => str(obj(o.status)?.phase) ?? '',
    'status.podIP': (o) => str(obj(o.status)?.podIP) ?? '',
    'status.nominatedNodeName': (o) => str(obj(o.status)?.nominatedNodeName) ?? '',
  },
  initialStatus: (o) => ({ phase: 'Pending', qosClass: qosClass(obj(o.spec) ?? {}) }),
  defaults(o) {
    defaultPod(child(o, 'spec'));
  },
  admit(o) {
    const spec = child(o, 'spec');
    spec.priority ??= 0;
    spec.preemptionPolicy ??= 'PreemptLowerPriority';
    addDefaultTolerations(spec);
  },
  validate(o, errs) {
    validatePodSpec(errs, o.spec, 'spec');
  },
  validateUpdate(o, old, errs) {
    const spec = clone(obj(o.spec) ?? {});
    const oldSpec = obj(old.spec) ?? {};
    // Copy the mutable fields from the old spec, then anything left that differs is forbidden.
    for (const list of ['containers', 'initContainers'] as const) {
      const mine = arr(spec[list]);
      const theirs = arr(oldSpec[list]);
      if (mine.length === theirs.length) mine.forEach((c, i) => isObject(c) && (c.image = obj(theirs[i])?.image));
    }
    spec.activeDeadlineSeconds = oldSpec.activeDeadlineSeconds;
    const oldTolerations = arr(oldSpec.tolerations);
    const newTolerations = arr(spec.tolerations);
    if (oldTolerations.every((t) => newTolerations.some((n) => deepEqual(n, t)))) spec.tolerations = oldSpec.tolerations;
    if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && spec.terminationGracePeriodSeconds === 1) {
      spec.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
    }
    if (!deepEqual(spec, oldSpec)) errs.forbidden('spec', POD_UPDATE_FORBIDDEN);
  },
  validateStatusUpdate(o, _old, errs) {
    const status = obj(o.status) ?? {};
    if (status.phase !== undefined && !PHASES.includes(status.phase as string)) errs.notSupported('status.phase', status.phase, PHASES);
    arr(status.conditions).forEach((c, i) => {
      if (!str(obj(c)?.type)) errs.required(`status.conditions[${i}].type`);
    });
  },
  gracePeriod(o, requested) {
    // podStrategy.CheckGracefulDelete: unscheduled or terminated pods go away at once.
    let period = requested ?? (obj(o.spec)?.terminationGracePeriodSeconds as number | undefined) ?? 30;
    if (!str(obj(o.spec)?.nodeName)) period = 0;
    const phase = obj(o.status)?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') period = 0;
    return period;
  },
  table: {
    columns: [
      { name: 'Ready', type: 'string', description: 'The aggregate readiness state of this pod for accepting traffic.' },
      { name: 'Status', type: 'string', description: 'The aggregate status of the containers in this pod.' },
      { name: 'Restarts', type: 'string', description: 'The number of times the containers in this pod have been restarted.' },
      { name: 'Age', type: 'string', description: 'CreationTimestamp' },
      { name: 'IP', type: 'string', priority: 1, description: 'The IP address assigned to the pod' },
      { name: 'Node', type: 'string', priority: 1, description: 'The name of the node assigned to the pod' },
      { name: 'Nominated Node', type: 'string', priority: 1, description: 'The node the pod was nominated for by preemption' },
      { name: 'Readiness Gates', type: 'string', priority: 1, description: 'The readiness gates that are true, of all' },
    ],
    cells: (o, now) => [
      readyCount(o),
      displayStatus(o),
      String(arr(obj(o.status)?.containerStatuses).reduce<number>((n, s) => n + (Number(obj(s)?.restartCount) || 0), 0)),
      age(o, now),
      str(obj(arr(obj(o.status)?.podIPs)[0])?.ip) || '<none>',
      str(obj(o.spec)?.nodeName) || '<none>',
      str(obj(o.status)?.nominatedNodeName) || '<none>',
      readinessGates(o),
    ],
  },
};

/** printPod's READINESS GATES: how many of the spec's readiness gates have a True condition, of how many. */
function readinessGates(o: JsonObject): string {
  const gates = arr(obj(o.spec)?.readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = arr(obj(o.status)?.conditions).map((c) => obj(c) ?? {});
  const met = gates.filter((g) => conditions.find((c) => c.type === obj(g)?.conditionType)?.status === 'True').length;
  return `${met}/${gates.length}`;
}

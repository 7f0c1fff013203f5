/**
 * Deliberately broken variants of the reference StatefulSet controller, for `npm run mutants`:
 * the suite runs against each one and must fail. A mutant is a switch checked inside the real
 * code path (never a copy of the controller), so each one breaks exactly one guarantee.
 */
export type MutantName =
  | 'status-excludes-terminating'
  | 'observed-generation-stale'
  | 'hostname-not-set'
  | 'pod-index-label-missing'
  | 'burst-ordered-ready'
  | 'scale-down-lowest-first'
  | 'no-wait-for-termination'
  | 'parallel-one-at-a-time'
  | 'no-min-ready-seconds'
  | 'failed-pods-not-replaced'
  | 'force-delete-terminating'
  | 'wrong-pvc-name'
  | 'retention-policy-ignored'
  | 'stale-claim-reused'
  | 'rolling-update-lowest-first'
  | 'max-unavailable-ignored'
  | 'partition-ignored'
  | 'ondelete-as-rolling-update'
  | 'rollback-creates-new-revision'
  | 'history-limit-ignored'
  | 'orphan-revisions-not-adopted'
  | 'orphans-not-adopted'
  | 'deleting-set-still-reconciles'
  | 'events-not-recorded';

export const MUTANTS: Record<MutantName, { area: string; description: string }> = {
  'status-excludes-terminating': {
    area: 'API/status',
    description: 'status.replicas/readyReplicas/availableReplicas leave out terminating pods (upstream counts every existing pod)',
  },
  'observed-generation-stale': {
    area: 'API/status',
    description: 'status.observedGeneration keeps its old value instead of following metadata.generation',
  },
  'hostname-not-set': {
    area: 'identity',
    description: 'new pods get no spec.hostname / spec.subdomain',
  },
  'pod-index-label-missing': {
    area: 'identity',
    description: 'new pods lack the apps.kubernetes.io/pod-index label',
  },
  'burst-ordered-ready': {
    area: 'OrderedReady',
    description: 'OrderedReady creates every missing pod in one sync instead of one at a time',
  },
  'scale-down-lowest-first': {
    area: 'OrderedReady',
    description: 'condemned pods are deleted lowest ordinal first',
  },
  'no-wait-for-termination': {
    area: 'OrderedReady',
    description: 'OrderedReady scale-down deletes the next pod without waiting for the previous one to be gone',
  },
  'parallel-one-at-a-time': {
    area: 'Parallel',
    description: 'Parallel pod management behaves like OrderedReady (waits for health between pods)',
  },
  'no-min-ready-seconds': {
    area: 'health/minReadySeconds',
    description: 'minReadySeconds is ignored: pods count as available as soon as they are Ready',
  },
  'failed-pods-not-replaced': {
    area: 'failure handling',
    description: 'pods in phase Failed or Succeeded are left alone instead of being deleted and recreated',
  },
  'force-delete-terminating': {
    area: 'failure handling',
    description: 'a Terminating pod (e.g. one stuck on a stopped node) is force-deleted so that its replacement starts at once',
  },
  'wrong-pvc-name': {
    area: 'volumes',
    description: 'claims are named <set>-<template>-<ordinal> instead of <template>-<set>-<ordinal>',
  },
  'retention-policy-ignored': {
    area: 'retention',
    description: 'persistentVolumeClaimRetentionPolicy is treated as Retain/Retain',
  },
  'stale-claim-reused': {
    area: 'retention',
    description: 'a claim still owned by a previous (condemned) pod with the same name does not block the new pod',
  },
  'rolling-update-lowest-first': {
    area: 'rolling update',
    description: 'RollingUpdate replaces the lowest out-of-date ordinal first',
  },
  'max-unavailable-ignored': {
    area: 'rolling update',
    description: 'rollingUpdate.maxUnavailable is ignored (always 1)',
  },
  'partition-ignored': {
    area: 'partition',
    description: 'rollingUpdate.partition is ignored: every pod is updated and recreated at updateRevision',
  },
  'ondelete-as-rolling-update': {
    area: 'OnDelete',
    description: 'the OnDelete strategy rolls pods like RollingUpdate',
  },
  'rollback-creates-new-revision': {
    area: 'revisions/rollback',
    description: 'reverting to an earlier template creates a new ControllerRevision instead of reusing the old one',
  },
  'history-limit-ignored': {
    area: 'history',
    description: 'revisionHistoryLimit is ignored: old ControllerRevisions are never deleted',
  },
  'orphan-revisions-not-adopted': {
    area: 'history',
    description: 'orphaned ControllerRevisions matching the selector are not adopted (a recreated set starts a new history)',
  },
  'orphans-not-adopted': {
    area: 'deletion/adoption',
    description: 'orphan pods matching the selector are never adopted',
  },
  'deleting-set-still-reconciles': {
    area: 'deletion/adoption',
    description: 'a StatefulSet with a deletionTimestamp still creates and deletes pods',
  },
  'events-not-recorded': {
    area: 'events',
    description: 'no Events are recorded on the StatefulSet',
  },
};

/** The set of active mutants; `has` is what the controller's code paths check. */
export class Mutants {
  private readonly active: ReadonlySet<MutantName>;
  constructor(names: Iterable<MutantName> = []) {
    const list = [...names];
    for (const n of list) if (!(n in MUTANTS)) throw new Error(`unknown StatefulSet controller mutant: ${n}`);
    this.active = new Set(list);
  }
  has(name: MutantName): boolean {
    return this.active.has(name);
  }
}

export const NO_MUTANTS = new Mutants();

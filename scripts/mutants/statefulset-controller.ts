/**
 * Mutants of the reference StatefulSet controller (reference/controllers/statefulset/), one
 * guarantee area each. They run on the reference target and on hybrid, where the same
 * controller drives the real kube-apiserver.
 */
import type { Edit, Mutant } from './mutant.ts';

const D = 'reference/controllers/statefulset/';
const SET_CONTROL = `${D}set-control.ts`;
const POD_IDENTITY = `${D}pod-identity.ts`;
const POD_CONTROL = `${D}pod-control.ts`;

function sts(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'statefulset-controller', area, description, targets: ['reference', 'hybrid'], edits };
}

export const STATEFULSET_CONTROLLER_MUTANTS: Mutant[] = [
  sts('status-excludes-terminating', 'API/status',
    'status.replicas/readyReplicas/availableReplicas leave out terminating pods (upstream counts every existing pod)',
    {
      file: `${D}status.ts`,
      find: '  for (const pod of pods) {\n    if (isCreated(pod)) status.replicas++;',
      replace: '  for (const pod of pods) {\n    if (isTerminating(pod)) continue;\n    if (isCreated(pod)) status.replicas++;',
    }),
  sts('observed-generation-stale', 'API/status',
    'status.observedGeneration keeps its old value instead of following metadata.generation',
    { file: SET_CONTROL, find: 'observedGeneration: set.metadata?.generation,', replace: 'observedGeneration: set.status?.observedGeneration,' }),
  sts('hostname-not-set', 'identity',
    'new pods get no spec.hostname / spec.subdomain',
    { file: POD_IDENTITY, find: '  pod.spec.hostname = pod.metadata?.name;\n  pod.spec.subdomain = set.spec?.serviceName;\n', replace: '' }),
  sts('pod-index-label-missing', 'identity',
    'new pods lack the apps.kubernetes.io/pod-index label',
    { file: POD_IDENTITY, find: '  pod.metadata.labels[PodIndexLabel] = String(ordinal);\n', replace: '' }),
  sts('burst-ordered-ready', 'OrderedReady',
    'OrderedReady creates every missing pod in one sync instead of one at a time',
    {
      file: SET_CONTROL,
      find: '      await this.podControl.createStatefulPod(set, replicas[i]);\n      // If the set does not allow bursting, return immediately.\n      if (monotonic) return true;',
      replace: '      await this.podControl.createStatefulPod(set, replicas[i]);\n      // If the set does not allow bursting, return immediately.\n      if (monotonic) return false;',
    }),
  sts('scale-down-lowest-first', 'OrderedReady',
    'condemned pods are deleted lowest ordinal first',
    {
      file: SET_CONTROL,
      find: '    condemned.sort(descendingOrdinal);\n',
      replace: '    condemned.sort((a, b) => getOrdinal(a) - getOrdinal(b));\n',
    }),
  sts('no-wait-for-termination', 'OrderedReady',
    'OrderedReady scale-down deletes the next pod without waiting for the previous one to be gone',
    {
      file: SET_CONTROL,
      find: "prior to scale down', { statefulSet: kObj(set), pod: kObj(condemned[i]) });\n        return true;",
      replace: "prior to scale down', { statefulSet: kObj(set), pod: kObj(condemned[i]) });\n        return false;",
    }),
  sts('scale-down-ignores-availability', 'health/minReadySeconds',
    'OrderedReady scale-down deletes a condemned pod that is Ready but not yet available for minReadySeconds (and is not the first unavailable pod) without waiting',
    {
      file: SET_CONTROL,
      find: '    if (!isRunningAndAvailable(condemned[i], minReadySeconds(set), now) && monotonic && condemned[i] !== firstUnhealthyPod) {',
      replace: '    if (false) {',
    }),
  sts('parallel-one-at-a-time', 'Parallel',
    'Parallel pod management behaves like OrderedReady (waits for health between pods)',
    { file: SET_CONTROL, find: "return set.spec?.podManagementPolicy === 'Parallel';", replace: 'return false;' }),
  sts('no-min-ready-seconds', 'health/minReadySeconds',
    'minReadySeconds is ignored: pods count as available as soon as they are Ready',
    { file: SET_CONTROL, find: 'return set.spec?.minReadySeconds ?? 0;', replace: 'return 0;' }),
  sts('failed-pods-not-replaced', 'failure handling',
    'pods in phase Failed or Succeeded are left alone instead of being deleted and recreated',
    {
      file: SET_CONTROL,
      find:
        '    if (isTerminalPhase(replicas[i])) {\n' +
        '      if (!replicas[i].metadata?.deletionTimestamp) await this.podControl.deleteStatefulPod(set, replicas[i]);\n' +
        '      return true;\n' +
        '    }\n',
      replace: '',
    }),
  sts('force-delete-terminating', 'failure handling',
    'a Terminating pod (e.g. one stuck on a stopped node) is force-deleted so that its replacement starts at once',
    {
      file: SET_CONTROL,
      find: '    if (!isCreated(replicas[i])) {\n',
      replace:
        '    if (isCreated(replicas[i]) && isTerminating(replicas[i])) {\n' +
        '      await this.podControl.forceDeletePod(replicas[i]);\n' +
        '      return true;\n' +
        '    }\n' +
        '    if (!isCreated(replicas[i])) {\n',
    },
    { file: POD_CONTROL, find: '  deletePod(pod: V1Pod): Promise<void>;\n', replace: '  deletePod(pod: V1Pod, gracePeriodSeconds?: number): Promise<void>;\n' },
    {
      file: POD_CONTROL,
      find:
        '  async deletePod(pod: V1Pod): Promise<void> {\n' +
        '    await this.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace! });\n',
      replace:
        '  async deletePod(pod: V1Pod, gracePeriodSeconds?: number): Promise<void> {\n' +
        '    await this.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, gracePeriodSeconds });\n',
    },
    {
      file: POD_CONTROL,
      find: '  /** ClaimsMatchRetentionPolicy:',
      replace:
        '  async forceDeletePod(pod: V1Pod): Promise<void> {\n' +
        '    await this.objectMgr.deletePod(pod, 0);\n' +
        '  }\n\n' +
        '  /** ClaimsMatchRetentionPolicy:',
    }),
  sts('wrong-pvc-name', 'volumes',
    'claims are named <set>-<template>-<ordinal> instead of <template>-<set>-<ordinal>',
    {
      file: POD_IDENTITY,
      find: 'return `${claim.metadata?.name}-${set.metadata?.name}-${ordinal}`;',
      replace: 'return `${set.metadata?.name}-${claim.metadata?.name}-${ordinal}`;',
    }),
  sts('retention-policy-ignored', 'retention',
    'persistentVolumeClaimRetentionPolicy is treated as Retain/Retain',
    {
      file: `${D}retention.ts`,
      find: "return { whenDeleted: p.whenDeleted ?? 'Retain', whenScaled: p.whenScaled ?? 'Retain' };",
      replace: "return { whenDeleted: 'Retain', whenScaled: 'Retain' };",
    }),
  sts('stale-claim-reused', 'retention',
    'a claim still owned by a previous (condemned) pod with the same name does not block the new pod',
    { file: SET_CONTROL, find: '      if (this.podControl.podClaimIsStale(set, replicas[i])) return true;\n', replace: '' }),
  sts('rolling-update-lowest-first', 'rolling update',
    'RollingUpdate replaces the lowest out-of-date ordinal first',
    {
      file: SET_CONTROL,
      find: 'for (let target = replicas.length - 1; target >= updateMin; target--) {',
      replace: 'for (let target = updateMin; target < replicas.length; target++) {',
    },
    {
      file: SET_CONTROL,
      find: 'for (let target = replicas.length - 1; target >= updateMin && remainingBudget > 0; target--) {',
      replace: 'for (let target = updateMin; target < replicas.length && remainingBudget > 0; target++) {',
    },
    {
      file: SET_CONTROL,
      find: 'for (let target = replicas.length - 1; target >= updateMin && deletedPods < podsToDelete; target--) {',
      replace: 'for (let target = updateMin; target < replicas.length && deletedPods < podsToDelete; target++) {',
    }),
  sts('max-unavailable-ignored', 'rolling update',
    'rollingUpdate.maxUnavailable is ignored (always 1)',
    {
      file: SET_CONTROL,
      find: 'maxUnavailable = getStatefulSetMaxUnavailable(rollingUpdate.maxUnavailable, replicaCount);',
      replace: 'maxUnavailable = 1;',
    }),
  sts('partition-ignored', 'partition',
    'rollingUpdate.partition is ignored: every pod is updated and recreated at updateRevision',
    { file: SET_CONTROL, find: 'updateMin = rollingUpdate.partition ?? 0;', replace: 'updateMin = 0;' },
    { file: POD_IDENTITY, find: 'const partition = rollingUpdate?.partition ?? 0;', replace: 'const partition = 0;' }),
  sts('ondelete-as-rolling-update', 'OnDelete',
    'the OnDelete strategy rolls pods like RollingUpdate',
    {
      file: SET_CONTROL,
      find: "if (strategy === 'OnDelete' || strategy === 'Recreate') return { status };",
      replace: "if (strategy === 'Recreate') return { status };",
    }),
  sts('rollback-creates-new-revision', 'revisions/rollback',
    'reverting to an earlier template creates a new ControllerRevision instead of reusing the old one',
    {
      file: SET_CONTROL,
      find: 'updateRevision = await this.controllerHistory.updateControllerRevision(equalRevisions[equalCount - 1], updateRevision.revision);',
      replace:
        'collisionCount.value++;\n' +
        '      updateRevision = await this.controllerHistory.createControllerRevision(\n' +
        '        set,\n' +
        '        newRevision(set, updateRevision.revision, collisionCount.value),\n' +
        '        collisionCount,\n' +
        '      );',
    }),
  sts('history-limit-ignored', 'history',
    'revisionHistoryLimit is ignored: old ControllerRevisions are never deleted',
    {
      file: SET_CONTROL,
      find: '    for (const r of history.slice(0, historyLen - historyLimit)) await this.controllerHistory.deleteControllerRevision(r);\n',
      replace: '',
    }),
  sts('history-current-revision-not-live', 'history',
    'truncateHistory counts the current revision as history once no pod runs it, so it can be deleted before the rollout completes (StrykerJS)',
    { file: SET_CONTROL, find: '    if (current) live.add(current.metadata!.name!);\n', replace: '' }),
  sts('history-update-revision-not-live', 'history',
    'truncateHistory counts the update revision as history while no pod runs it yet (a partition holds every pod back) (StrykerJS)',
    { file: SET_CONTROL, find: '    if (update) live.add(update.metadata!.name!);\n', replace: '' }),
  sts('history-all-deleted', 'history',
    'once over revisionHistoryLimit, every old revision is deleted instead of the oldest ones (StrykerJS)',
    {
      file: SET_CONTROL,
      find: 'for (const r of history.slice(0, historyLen - historyLimit)) await',
      replace: 'for (const r of history) await',
    }),
  sts('orphan-revisions-not-adopted', 'history',
    'orphaned ControllerRevisions matching the selector are not adopted (a recreated set starts a new history)',
    { file: `${D}index.ts`, find: '    if (orphanRevisions.length > 0) {\n', replace: '    return;\n    if (orphanRevisions.length > 0) {\n' }),
  sts('orphans-not-adopted', 'deletion/adoption',
    'orphan pods matching the selector are never adopted',
    { file: `${D}ref-manager.ts`, find: "  return 'adopt';\n}", replace: "  return 'ignore';\n}" }),
  sts('deleting-set-still-reconciles', 'deletion/adoption',
    'a StatefulSet with a deletionTimestamp still creates and deletes pods',
    { file: SET_CONTROL, find: '    if (set.metadata?.deletionTimestamp) return { status };\n', replace: '' }),
  sts('events-not-recorded', 'events',
    'no Events are recorded on the StatefulSet',
    {
      file: `${D}events.ts`,
      find: '    this.log(`event ${type} ${reason}: ${message}`);\n',
      replace: '    this.log(`event ${type} ${reason}: ${message}`);\n    return;\n',
    }),

  // Issue 10's holes: hash collisions, a selector label missing from a pod, retention with
  // ordinals.start > 0, revisionHistoryLimit 0 and -1.
  sts('collision-takes-foreign-revision', 'revisions/collision',
    "a ControllerRevision that already holds the next revision's name is taken for the set's own, whatever its data (no collisionCount bump)",
    {
      file: `${D}history.ts`,
      find: '        if (canonicalJson(exists.data ?? null) === canonicalJson(clone.data ?? null)) return exists;\n',
      replace: '        return exists;\n',
    }),
  sts('collision-overwrites-foreign-revision', 'revisions/collision',
    "on a name collision the controller overwrites the other ControllerRevision with its own data instead of trying the next name",
    {
      file: `${D}history.ts`,
      find: '        collisionCount.value++;\n',
      replace:
        '        return await this.apps.replaceNamespacedControllerRevision({\n' +
        '          name: clone.metadata!.name!,\n' +
        '          namespace,\n' +
        '          body: { ...clone, metadata: { ...clone.metadata, resourceVersion: exists.metadata?.resourceVersion } },\n' +
        '        });\n',
    }),
  sts('collision-count-not-saved', 'revisions/collision',
    'the collisionCount bumped while creating a revision is not written to status.collisionCount',
    {
      file: SET_CONTROL,
      find: 'return { currentRevision, updateRevision, collisionCount: collisionCount.value };',
      replace: 'return { currentRevision, updateRevision, collisionCount: set.status?.collisionCount ?? 0 };',
    }),
  sts('selector-missing-label-matches', 'adoption/release',
    'a selector label the pod does not carry counts as matching (only labels present with another value mismatch): a pod whose selector label is removed is kept',
    {
      file: `${D}selector.ts`,
      find: 'for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;',
      replace: 'for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (k in l && l[k] !== v) return false;',
    }),
  sts('owned-pods-never-released', 'adoption/release',
    'a pod the set controls is kept when its labels stop matching the selector, instead of being released',
    { file: `${D}ref-manager.ts`, find: "    if (matches) return 'keep';\n    return setDeleting ? 'ignore' : 'release';", replace: "    return 'keep';" }),
  sts('retention-ignores-ordinals-start', 'retention',
    'the retention policy takes a pod as scaled down when its ordinal is at least spec.replicas, ignoring spec.ordinals.start',
    {
      file: `${D}retention.ts`,
      find: "import { podInOrdinalRange } from './pod-identity.ts';",
      replace:
        "import { getOrdinal, replicasOf } from './pod-identity.ts';\n" +
        'const podInOrdinalRange = (pod: V1Pod, set: V1StatefulSet) => getOrdinal(pod) < replicasOf(set);',
    }),
  sts('truncate-history-keeps-one-more', 'history',
    'truncateHistory keeps revisionHistoryLimit + 1 old revisions (off by one)',
    {
      file: SET_CONTROL,
      find: 'for (const r of history.slice(0, historyLen - historyLimit))',
      replace: 'for (const r of history.slice(0, historyLen - historyLimit - 1))',
    }),
  sts('history-limit-zero-is-default', 'history',
    'revisionHistoryLimit 0 is taken as unset, i.e. 10: old revisions are kept',
    { file: SET_CONTROL, find: 'const historyLimit = set.spec?.revisionHistoryLimit ?? 10;', replace: 'const historyLimit = set.spec?.revisionHistoryLimit || 10;' }),
  sts('negative-history-limit-deletes-all', 'history',
    'a negative revisionHistoryLimit deletes every old revision instead of keeping them all',
    { file: SET_CONTROL, find: 'if (historyLimit < 0 || historyLen <= historyLimit) return;', replace: 'if (historyLen <= historyLimit) return;' }),
];

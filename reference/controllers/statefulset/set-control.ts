/**
 * The reconcile loop for one StatefulSet, ported from v1.37.2
 * pkg/controller/statefulset/stateful_set_control.go (defaultStatefulSetControl), function for
 * function: UpdateStatefulSet, performUpdate, ListRevisions, AdoptOrphanRevisions,
 * truncateHistory, getStatefulSetRevisions, slowStartBatch, processReplica, processCondemned,
 * runForAll, updateStatefulSet, updateStatefulSetAfterInvariantEstablished (MaxUnavailableStatefulSet
 * is on by default since 1.37, so the legacy one-pod loop is not ported) and
 * updateStatefulSetStatus; computeReplicaStatus and updateStatus are in status.ts. The Recreate
 * strategy (StatefulSetRecreateStrategy, alpha, off) only gets the warning the controller gives
 * when the gate is off. Log lines are upstream's klog lines (klog.ts).
 */
import type { V1ControllerRevision, V1Pod, V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import { newAggregate } from '../../api-errors.ts';
import type { HistoryInterface } from './history.ts';
import { FEATURE_GATES } from '../../features.ts';
import { infoS, kObj, type Logger } from './klog.ts';
import {
  isCreated,
  isPending,
  isRunningAndAvailable,
  isRunningAndReady,
  isTerminalPhase,
  isTerminating,
  isUnavailable,
} from './pod-health.ts';
import type { StatefulPodControl } from './pod-control.ts';
import {
  descendingOrdinal,
  getEndOrdinal,
  getOrdinal,
  getPodRevision,
  getStartOrdinal,
  identityMatches,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  replicasOf,
  storageMatches,
} from './pod-identity.ts';
import {
  applyRevision,
  equalRevision,
  findEqualRevisions,
  newRevision,
  nextRevision,
  setMatchesLatestExistingRevision,
  sortControllerRevisions,
} from './revisions.ts';
import { completeUpdate, getStatefulSetMaxUnavailable, inconsistentStatus, updateStatus } from './status.ts';
import type { StatefulSetStatusUpdaterInterface } from './status-updater.ts';

/** Realistic maximum of in-flight requests when processing in Parallel mode. */
export const MaxBatchSize = 500;

/** set.Spec.MinReadySeconds (defaulted to 0: the field is optional in the model). */
export function minReadySeconds(set: V1StatefulSet): number {
  return set.spec?.minReadySeconds ?? 0;
}

/** allowsBurst (stateful_set_utils.go): Parallel pod management. */
export function allowsBurst(set: V1StatefulSet): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

/**
 * StatefulSetControlInterface: what the StatefulSetController asks of the control. The exported
 * Go methods keep their capital here, since `updateStatefulSet` is upstream's private pass.
 */
export interface StatefulSetControlInterface {
  /** The status the pass computed; throws (retried with backoff) when the pass failed. */
  UpdateStatefulSet(set: V1StatefulSet, pods: V1Pod[], now: number): Promise<V1StatefulSetStatus | undefined>;
  ListRevisions(set: V1StatefulSet): V1ControllerRevision[];
  AdoptOrphanRevisions(set: V1StatefulSet, revisions: V1ControllerRevision[]): Promise<void>;
}

/** A status together with the error that cut the pass short (Go returns both). */
interface Outcome {
  status?: V1StatefulSetStatus;
  error?: unknown;
}

/**
 * slowStartBatch: calls fn for 0..remaining-1 in batches of 1, 2, 4, … (capped at
 * MaxBatchSize); a batch with any error stops the remaining batches. Returns the successes.
 */
export async function slowStartBatch(initialBatchSize: number, remaining: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let successes = 0;
  let j = 0;
  for (let batchSize = Math.min(remaining, initialBatchSize); batchSize > 0; batchSize = Math.min(2 * batchSize, remaining, MaxBatchSize)) {
    const batch = Array.from({ length: batchSize }, (_, k) => fn(j + k));
    j += batchSize;
    const results = await Promise.allSettled(batch);
    const errors = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map((r) => r.reason as unknown);
    successes += batchSize - errors.length;
    if (errors.length > 0) throw newAggregate(errors);
    remaining -= batchSize;
  }
  return successes;
}

/**
 * runForAll: monotonic mode walks in order and stops at the first pod that asks to exit or
 * fails; burst mode runs everything through slowStartBatch (the exit flag is ignored there).
 * Returns shouldExit and the error, as upstream's (bool, error).
 */
export async function runForAll(
  pods: readonly unknown[],
  fn: (i: number) => Promise<boolean>,
  monotonic: boolean,
): Promise<{ shouldExit: boolean; error?: unknown }> {
  if (monotonic) {
    for (let i = 0; i < pods.length; i++) {
      try {
        if (await fn(i)) return { shouldExit: true };
      } catch (error) {
        return { shouldExit: true, error };
      }
    }
  } else {
    try {
      await slowStartBatch(1, pods.length, fn);
    } catch (error) {
      return { shouldExit: true, error };
    }
  }
  return { shouldExit: false };
}

/** defaultStatefulSetControl (NewDefaultStatefulSetControl). */
export class DefaultStatefulSetControl implements StatefulSetControlInterface {
  constructor(
    private readonly podControl: StatefulPodControl,
    private readonly statusUpdater: StatefulSetStatusUpdaterInterface,
    private readonly controllerHistory: HistoryInterface,
    /** klog.FromContext(ctx): the component's logger. */
    private readonly log: Logger = () => undefined,
  ) {}

  /**
   * UpdateStatefulSet: performUpdate, then truncateHistory even when the update failed. The
   * whole pass judges availability at one instant, `now` (ms), passed down from syncStatefulSet.
   */
  async UpdateStatefulSet(setIn: V1StatefulSet, pods: V1Pod[], now: number): Promise<V1StatefulSetStatus | undefined> {
    // set is modified when a new revision is created in performUpdate: a copy avoids mutating the cache.
    const set = structuredClone(setIn);
    const revisions = sortControllerRevisions(this.ListRevisions(set));
    const r = await this.performUpdate(set, pods, revisions, now);
    let truncateError: unknown;
    try {
      await this.truncateHistory(set, pods, revisions, r.currentRevision, r.updateRevision);
    } catch (err) {
      truncateError = err;
    }
    if (r.error !== undefined) throw newAggregate([r.error, truncateError]);
    if (truncateError !== undefined) throw truncateError;
    return r.status;
  }

  /** performUpdate: revisions, the pod pass, and the status write (also after a failed pass). */
  private async performUpdate(
    set: V1StatefulSet,
    pods: V1Pod[],
    revisions: V1ControllerRevision[],
    now: number,
  ): Promise<Outcome & { currentRevision?: V1ControllerRevision; updateRevision?: V1ControllerRevision }> {
    let currentRevision: V1ControllerRevision, updateRevision: V1ControllerRevision, collisionCount: number;
    try {
      ({ currentRevision, updateRevision, collisionCount } = await this.getStatefulSetRevisions(set, revisions));
    } catch (error) {
      return { error };
    }
    const { status: currentStatus, error } = await this.updateStatefulSet(set, currentRevision, updateRevision, collisionCount, pods, now);
    if (error !== undefined && !currentStatus) return { currentRevision, updateRevision, error };

    // Update the latest status even if there is an error with a non-nil currentStatus.
    let statusErr: unknown;
    try {
      await this.updateStatefulSetStatus(set, currentStatus!);
    } catch (err) {
      statusErr = err;
      if (error !== undefined) infoS(this.log, 'Could not update status', { statefulSet: kObj(set), err: String(err) });
    }
    return { currentRevision, updateRevision, status: currentStatus, error: error ?? statusErr };
  }

  ListRevisions(set: V1StatefulSet): V1ControllerRevision[] {
    return this.controllerHistory.listControllerRevisions(set);
  }

  async AdoptOrphanRevisions(set: V1StatefulSet, revisions: V1ControllerRevision[]): Promise<void> {
    for (let i = 0; i < revisions.length; i++) revisions[i] = await this.controllerHistory.adoptControllerRevision(set, revisions[i]);
  }

  /**
   * truncateHistory: deletes non-live revisions (not current, not update, not on any pod),
   * oldest first, until at most revisionHistoryLimit remain; a negative limit keeps everything.
   * Expects revisions sorted.
   */
  private async truncateHistory(
    set: V1StatefulSet,
    pods: V1Pod[],
    revisions: V1ControllerRevision[],
    current: V1ControllerRevision | undefined,
    update: V1ControllerRevision | undefined,
  ): Promise<void> {
    // Mark all live revisions.
    const live = new Set<string>();
    if (current) live.add(current.metadata!.name!);
    if (update) live.add(update.metadata!.name!);
    for (const pod of pods) live.add(getPodRevision(pod));
    // Collect historic revisions.
    const history = revisions.filter((r) => !live.has(r.metadata!.name!));
    const historyLen = history.length;
    const historyLimit = set.spec?.revisionHistoryLimit ?? 10;
    if (historyLimit < 0 || historyLen <= historyLimit) return;
    // Delete any non-live history to maintain the revision limit.
    for (const r of history.slice(0, historyLen - historyLimit)) await this.controllerHistory.deleteControllerRevision(r);
  }

  /**
   * getStatefulSetRevisions: the update revision is the newest one if equal to the template,
   * an older equal one with its .revision bumped (rollback), the newest one if restoring it
   * gives the same template (StatefulSetSemanticRevisionComparison), or a newly created one.
   * Also returns the collision count the creation saw. Expects revisions sorted.
   */
  async getStatefulSetRevisions(
    set: V1StatefulSet,
    revisions: V1ControllerRevision[],
  ): Promise<{ currentRevision: V1ControllerRevision; updateRevision: V1ControllerRevision; collisionCount: number }> {
    const revisionCount = revisions.length;
    sortControllerRevisions(revisions);
    // A local copy of status.collisionCount, carried over to the status in updateStatefulSet.
    const collisionCount = { value: set.status?.collisionCount ?? 0 };
    // Create a new revision from the current set.
    let updateRevision = newRevision(set, nextRevision(revisions), collisionCount.value);
    // Find any equivalent revisions.
    const equalRevisions = findEqualRevisions(revisions, updateRevision);
    const equalCount = equalRevisions.length;
    if (equalCount > 0 && equalRevision(revisions[revisionCount - 1], equalRevisions[equalCount - 1])) {
      // The equivalent revision is immediately prior: the update revision has not changed.
      updateRevision = revisions[revisionCount - 1];
    } else if (equalCount > 0) {
      // Roll back by incrementing the Revision of the equivalent revision.
      updateRevision = await this.controllerHistory.updateControllerRevision(equalRevisions[equalCount - 1], updateRevision.revision);
    } else if (
      revisionCount > 0 &&
      FEATURE_GATES.StatefulSetSemanticRevisionComparison &&
      setMatchesLatestExistingRevision(set, updateRevision, revisions[revisionCount - 1])
    ) {
      // The update revision has not changed; the latest revision only differs in its encoding.
      updateRevision = revisions[revisionCount - 1];
    } else {
      // No equivalent revision: create a new one.
      updateRevision = await this.controllerHistory.createControllerRevision(set, updateRevision, collisionCount);
    }
    // The revision that corresponds to the current revision; else initialise the history with the update revision.
    const currentRevision = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? updateRevision;
    return { currentRevision, updateRevision, collisionCount: collisionCount.value };
  }

  /** processReplica: returns true when the (monotonic) pass must stop at this pod. */
  private async processReplica(
    set: V1StatefulSet,
    updateSet: V1StatefulSet,
    monotonic: boolean,
    replicas: V1Pod[],
    i: number,
    now: number,
  ): Promise<boolean> {
    // Failed and Succeeded pods (evicted, or stopped by a node reboot) are deleted; the
    // replacement is created in a later sync, once the old object is gone.
    if (isTerminalPhase(replicas[i])) {
      if (!replicas[i].metadata?.deletionTimestamp) await this.podControl.deleteStatefulPod(set, replicas[i]);
      return true;
    }
    // A Pod that has not been created is created.
    if (!isCreated(replicas[i])) {
      // A pod with a stale PVC (still owned by a condemned predecessor): no more work this round.
      if (this.podControl.podClaimIsStale(set, replicas[i])) return true;
      await this.podControl.createStatefulPod(set, replicas[i]);
      // If the set does not allow bursting, return immediately.
      if (monotonic) return true;
    }

    // A Pending pod gets any missing claims recreated.
    if (isPending(replicas[i])) {
      infoS(this.log, 'StatefulSet is triggering PVC creation for pending Pod', { statefulSet: kObj(set), pod: kObj(replicas[i]) });
      await this.podControl.createMissingPersistentVolumeClaims(set, replicas[i]);
    }

    // A terminating Pod: wait until graceful deletion completes before making progress.
    if (isTerminating(replicas[i]) && monotonic) {
      infoS(this.log, 'StatefulSet is waiting for Pod to Terminate', { statefulSet: kObj(set), pod: kObj(replicas[i]) });
      return true;
    }
    // Created but not Running and Ready: every predecessor of a new Pod must be Running and Ready.
    if (!isRunningAndReady(replicas[i]) && monotonic) {
      infoS(this.log, 'StatefulSet is waiting for Pod to be Running and Ready', { statefulSet: kObj(set), pod: kObj(replicas[i]) });
      return true;
    }
    // Created but not available: every predecessor of a new Pod must be Available.
    if (!isRunningAndAvailable(replicas[i], minReadySeconds(set), now) && monotonic) {
      infoS(this.log, 'StatefulSet is waiting for Pod to be Available', { statefulSet: kObj(set), pod: kObj(replicas[i]) });
      return true;
    }

    // Enforce the StatefulSet invariants. An error is expected if the pod is not yet fully
    // updated, and so counts as matching.
    let retentionMatch: boolean;
    try {
      retentionMatch = await this.podControl.claimsMatchRetentionPolicy(updateSet, replicas[i]);
    } catch {
      retentionMatch = true;
    }
    if (identityMatches(set, replicas[i]) && storageMatches(set, replicas[i]) && retentionMatch) return false;
    // A deep copy, so that the shared cache is not mutated.
    const replica = structuredClone(replicas[i]);
    await this.podControl.updateStatefulPod(updateSet, replica);
    return false;
  }

  /** processCondemned: deletes one condemned pod; monotonic mode blocks on terminating/unhealthy ones. */
  private async processCondemned(
    set: V1StatefulSet,
    firstUnhealthyPod: V1Pod | undefined,
    monotonic: boolean,
    condemned: V1Pod[],
    i: number,
    now: number,
  ): Promise<boolean> {
    if (isTerminating(condemned[i])) {
      // In monotonic mode, block and wait for terminating pods to expire.
      if (monotonic) {
        infoS(this.log, 'StatefulSet is waiting for Pod to Terminate prior to scale down', { statefulSet: kObj(set), pod: kObj(condemned[i]) });
        return true;
      }
      return false;
    }
    // In monotonic mode, block unless the condemned target is the first unhealthy Pod.
    if (!isRunningAndReady(condemned[i]) && monotonic && condemned[i] !== firstUnhealthyPod) {
      infoS(this.log, 'StatefulSet is waiting for Pod to be Running and Ready prior to scale down', { statefulSet: kObj(set), pod: kObj(firstUnhealthyPod) });
      return true;
    }
    if (!isRunningAndAvailable(condemned[i], minReadySeconds(set), now) && monotonic && condemned[i] !== firstUnhealthyPod) {
      infoS(this.log, 'StatefulSet is waiting for Pod to be Available prior to scale down', { statefulSet: kObj(set), pod: kObj(firstUnhealthyPod) });
      return true;
    }
    infoS(this.log, 'Pod of StatefulSet is terminating for scale down', { statefulSet: kObj(set), pod: kObj(condemned[i]) });
    await this.podControl.deleteStatefulPod(set, condemned[i]);
    return true;
  }

  /**
   * updateStatefulSet: splits pods into in-range replicas (new pods for the missing ones) and
   * condemned ones, then runs the replica pass, the claim fix-up and the condemned pass, and
   * finally the rolling update. Scaling always precedes updates. A returned status is valid and
   * must be recorded, even with an error.
   */
  private async updateStatefulSet(
    set: V1StatefulSet,
    currentRevision: V1ControllerRevision,
    updateRevision: V1ControllerRevision,
    collisionCount: number,
    pods: V1Pod[],
    now: number,
  ): Promise<Outcome> {
    // The current and update revisions of the set.
    let currentSet: V1StatefulSet, updateSet: V1StatefulSet;
    try {
      currentSet = applyRevision(set, currentRevision);
      updateSet = applyRevision(set, updateRevision);
    } catch (error) {
      return { error };
    }

    // Recreate with its gate off: a Warning, and an error (the pass requeues with backoff). The
    // API server rejects `type: Recreate` while the gate is off, so this needs a set stored
    // while it was on.
    if (set.spec?.updateStrategy?.type === 'Recreate' && !FEATURE_GATES.StatefulSetRecreateStrategy) {
      const message = `statefulset ${set.metadata?.namespace}/${set.metadata?.name} uses Recreate strategy but feature gate StatefulSetRecreateStrategy is disabled`;
      this.podControl.recorder.event(set, 'Warning', 'UnknownStrategy', message);
      return { error: new Error(message) };
    }

    // The generation and revisions in the returned status; conditions carried over (v1.37).
    const cur = currentRevision.metadata!.name!;
    const upd = updateRevision.metadata!.name!;
    const status: V1StatefulSetStatus = {
      observedGeneration: set.metadata?.generation,
      currentRevision: cur,
      updateRevision: upd,
      collisionCount,
      replicas: 0,
    };
    if (set.status?.conditions?.length) status.conditions = [...set.status.conditions];
    updateStatus(status, minReadySeconds(set), cur, upd, now, pods);

    const replicaCount = replicasOf(set);
    // Pods with getStartOrdinal(set) <= ordinal <= getEndOrdinal(set), at index ordinal - start.
    const replicas: (V1Pod | undefined)[] = new Array<V1Pod | undefined>(Math.max(0, replicaCount)).fill(undefined);
    // Pods with a valid ordinal outside that range.
    const condemned: V1Pod[] = [];
    let unavailable = 0;
    let firstUnavailablePod: V1Pod | undefined;

    // Partition pods into valid replicas and condemned Pods; a pod whose ordinal does not parse is ignored.
    for (const pod of pods) {
      if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - getStartOrdinal(set)] = pod;
      else if (getOrdinal(pod) >= 0) condemned.push(pod);
    }
    // Any empty index in [start, end] gets a new Pod at the correct revision.
    const start = getStartOrdinal(set), end = getEndOrdinal(set);
    for (let ord = start; ord <= end; ord++) {
      const replicaIdx = ord - start;
      replicas[replicaIdx] ??= newVersionedStatefulSetPod(currentSet, updateSet, cur, upd, ord);
    }
    const filled = replicas as V1Pod[];
    // Sort the condemned Pods by their ordinals, highest first.
    condemned.sort(descendingOrdinal);

    // The first unhealthy Pod: the lowest unavailable replica ...
    for (let i = 0; i < filled.length; i++) {
      if (isUnavailable(filled[i], minReadySeconds(set), now)) {
        unavailable++;
        firstUnavailablePod ??= filled[i];
      }
    }
    // ... or the lowest unavailable condemned Pod.
    for (let i = condemned.length - 1; i >= 0; i--) {
      if (isUnavailable(condemned[i], minReadySeconds(set), now)) {
        unavailable++;
        firstUnavailablePod ??= condemned[i];
      }
    }
    if (unavailable > 0) {
      infoS(this.log, 'StatefulSet has unavailable Pods', { statefulSet: kObj(set), unavailableReplicas: unavailable, pod: kObj(firstUnavailablePod) });
    }

    // A StatefulSet that is being deleted only gets its status refreshed.
    if (set.metadata?.deletionTimestamp) return { status };

    const monotonic = !allowsBurst(set);
    const finish = (error?: unknown): Outcome => {
      updateStatus(status, minReadySeconds(set), cur, upd, now, filled, condemned);
      return { status, error };
    };

    // First, process each living replica. Exit on an error or something blocking in monotonic mode.
    const processReplicaFn = (i: number) => this.processReplica(set, updateSet, monotonic, filled, i, now);
    let r = await runForAll(filled, processReplicaFn, monotonic);
    if (r.shouldExit || r.error !== undefined) return finish(r.error);

    // Fix pod claims for condemned pods, if necessary.
    const fixPodClaim = async (i: number) => {
      if (!(await this.podControl.claimsMatchRetentionPolicy(updateSet, condemned[i]))) {
        await this.podControl.updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
      }
      return false;
    };
    r = await runForAll(condemned, fixPodClaim, monotonic);
    if (r.shouldExit || r.error !== undefined) return finish(r.error);

    // In monotonic mode all current replicas are now Running, Ready and Available, and
    // termination can be considered, in decreasing ordinal order. Scaling precedes updates.
    const processCondemnedFn = (i: number) => this.processCondemned(set, firstUnavailablePod, monotonic, condemned, i, now);
    r = await runForAll(condemned, processCondemnedFn, monotonic);
    if (r.shouldExit || r.error !== undefined) return finish(r.error);

    finish();

    // For the OnDelete or Recreate strategy: pods are only replaced when the user deletes them.
    const strategy = set.spec?.updateStrategy?.type;
    if (strategy === 'OnDelete' || strategy === 'Recreate') return { status };

    return this.updateStatefulSetAfterInvariantEstablished(set, filled, updateRevision, status, now);
  }

  /**
   * updateStatefulSetAfterInvariantEstablished (MaxUnavailableStatefulSet): count the
   * unavailable in-range pods and, for Parallel, those of them still on an old revision and not
   * terminating. Nothing happens while the unavailable pods use up maxUnavailable, unless
   * (Parallel) some of them still need the update. OrderedReady then deletes up to
   * (maxUnavailable - unavailable) old, non-terminating pods from the highest index down to the
   * partition. Parallel deletes in two phases over the same range: first every old pod that is
   * not available (and not terminating), whatever the budget, then available old pods within
   * the remaining budget.
   */
  private async updateStatefulSetAfterInvariantEstablished(
    set: V1StatefulSet,
    replicas: V1Pod[],
    updateRevision: V1ControllerRevision,
    status: V1StatefulSetStatus,
    now: number,
  ): Promise<Outcome> {
    const replicaCount = replicasOf(set);
    // The minimum ordinal of the target sequence for a destructive update.
    let updateMin = 0;
    let maxUnavailable = 1;
    const rollingUpdate = set.spec?.updateStrategy?.rollingUpdate;
    if (rollingUpdate) {
      updateMin = rollingUpdate.partition ?? 0;
      try {
        maxUnavailable = getStatefulSetMaxUnavailable(rollingUpdate.maxUnavailable, replicaCount);
      } catch (error) {
        return { status, error };
      }
    }
    const parallel = allowsBurst(set); // PodManagementPolicy == Parallel
    const minReady = minReadySeconds(set);

    // Count the targets in [start, end] that are unavailable; for Parallel also those of them
    // that are old and not terminating.
    let unavailablePods = 0;
    let unavailablePodsNeedingUpdate = 0;
    for (let target = replicas.length - 1; target >= 0; target--) {
      const pod = replicas[target];
      if (isUnavailable(pod, minReady, now)) {
        unavailablePods++;
        if (parallel && getPodRevision(pod) !== updateRevision.metadata!.name && !isTerminating(pod)) unavailablePodsNeedingUpdate++;
      }
    }

    // Short circuit when above the budget and (Parallel) no progress is possible.
    if (unavailablePods >= maxUnavailable && unavailablePodsNeedingUpdate === 0) {
      if (unavailablePods > maxUnavailable) {
        infoS(this.log, 'StatefulSet found unavailablePods, more than the allowed maxUnavailable', {
          statefulSet: kObj(set),
          unavailablePods,
          unavailablePodsNeedingUpdate,
          maxUnavailable,
        });
      }
      return { status };
    }

    try {
      if (parallel) {
        // Phase 1: delete pods that are already unavailable on the old revision.
        for (let target = replicas.length - 1; target >= updateMin; target--) {
          const pod = replicas[target];
          if (getPodRevision(pod) !== updateRevision.metadata!.name && !isRunningAndAvailable(pod, minReady, now) && !isTerminating(pod)) {
            infoS(this.log, 'StatefulSet terminating unavailable Pod for update', { statefulSet: kObj(set), pod: kObj(pod) });
            await this.podControl.deleteStatefulPod(set, pod);
            status.currentReplicas = (status.currentReplicas ?? 0) - 1;
          }
        }
        // Phase 2: delete available old pods, within what is left of maxUnavailable.
        let remainingBudget = maxUnavailable - unavailablePods;
        for (let target = replicas.length - 1; target >= updateMin && remainingBudget > 0; target--) {
          const pod = replicas[target];
          if (getPodRevision(pod) !== updateRevision.metadata!.name && !isUnavailable(pod, minReady, now)) {
            infoS(this.log, 'StatefulSet terminating Pod for update', { statefulSet: kObj(set), pod: kObj(pod) });
            await this.podControl.deleteStatefulPod(set, pod);
            remainingBudget--;
            status.currentReplicas = (status.currentReplicas ?? 0) - 1;
          }
        }
        return { status };
      }

      // OrderedReady: one pass, high to low, within the budget.
      const podsToDelete = maxUnavailable - unavailablePods;
      let deletedPods = 0;
      for (let target = replicas.length - 1; target >= updateMin && deletedPods < podsToDelete; target--) {
        // Delete the Pod if it is not already terminating and its revision is not the target.
        if (getPodRevision(replicas[target]) !== updateRevision.metadata!.name && !isTerminating(replicas[target])) {
          infoS(this.log, 'StatefulSet terminating Pod for update', { statefulSet: kObj(set), pod: kObj(replicas[target]) });
          await this.podControl.deleteStatefulPod(set, replicas[target]);
          deletedPods++;
          status.currentReplicas = (status.currentReplicas ?? 0) - 1;
        }
      }
    } catch (error) {
      // DeleteStatefulPod already treats NotFound as success (v1.37).
      return { status, error };
    }
    return { status };
  }

  /**
   * updateStatefulSetStatus: completes a finished update, then writes the whole status only if
   * it differs from the stored one. With MaxUnavailableStatefulSet on, upstream computes
   * maxUnavailable here for its metrics, so a malformed value fails the write.
   */
  private async updateStatefulSetStatus(set: V1StatefulSet, status: V1StatefulSetStatus): Promise<void> {
    // Complete any in-progress update if necessary.
    completeUpdate(set, status);
    const rollingUpdate = set.spec?.updateStrategy?.rollingUpdate;
    if (FEATURE_GATES.MaxUnavailableStatefulSet && rollingUpdate) getStatefulSetMaxUnavailable(rollingUpdate.maxUnavailable, replicasOf(set));
    // If the status is not inconsistent, do not perform an update.
    if (!inconsistentStatus(set, status)) return;
    await this.statusUpdater.updateStatefulSetStatus(set, status);
  }
}

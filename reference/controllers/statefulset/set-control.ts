/**
 * The reconcile loop for one StatefulSet, ported from v1.37.2
 * pkg/controller/statefulset/stateful_set_control.go (defaultStatefulSetControl): revisions,
 * the replicas / condemned passes, the maxUnavailable rolling update
 * (updateStatefulSetAfterInvariantEstablished: MaxUnavailableStatefulSet is on by default
 * since 1.37, so the legacy one-pod loop is not ported), status and history truncation.
 * The Recreate strategy (StatefulSetRecreateStrategy, alpha, off) only gets the warning the
 * controller gives when the gate is off.
 */
import type { V1ControllerRevision, V1Pod, V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import type { Clock } from '../../clock.ts';
import { newAggregate } from '../../api-errors.ts';
import type { ControllerHistory } from './history.ts';
import { FEATURE_GATES } from './features.ts';
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
import type { StatusUpdater } from './status-updater.ts';

/** Realistic maximum of in-flight requests when processing in Parallel mode. */
export const MaxBatchSize = 500;

export interface ControlDeps {
  podControl: StatefulPodControl;
  history: ControllerHistory;
  statusUpdater: StatusUpdater;
  clock: Clock;
  log: (line: string) => void;
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
 */
export async function runForAll(count: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<{ exit: boolean; error?: unknown }> {
  if (monotonic) {
    for (let i = 0; i < count; i++) {
      try {
        if (await fn(i)) return { exit: true };
      } catch (error) {
        return { exit: true, error };
      }
    }
    return { exit: false };
  }
  try {
    await slowStartBatch(1, count, fn);
  } catch (error) {
    return { exit: true, error };
  }
  return { exit: false };
}

export class StatefulSetControl {
  constructor(private readonly d: ControlDeps) {}

  /** minReadySeconds as the health checks see it. */
  private minReadySeconds(set: V1StatefulSet): number {
    return set.spec?.minReadySeconds ?? 0;
  }

  /** allowsBurst: Parallel pod management. */
  private monotonic(set: V1StatefulSet): boolean {
    return set.spec?.podManagementPolicy !== 'Parallel';
  }

  listRevisions(set: V1StatefulSet): V1ControllerRevision[] {
    return this.d.history.listControllerRevisions(set);
  }

  /** AdoptOrphanRevisions. */
  async adoptOrphanRevisions(set: V1StatefulSet, revisions: V1ControllerRevision[]): Promise<void> {
    for (const r of revisions) await this.d.history.adoptControllerRevision(set, r);
  }

  /**
   * UpdateStatefulSet: performUpdate, then truncateHistory even when the update failed. Returns
   * the status the pass computed (undefined on error). The whole pass judges availability at
   * one instant, `nowMs` (upstream passes `now` down from syncStatefulSet).
   */
  async updateStatefulSet(setIn: V1StatefulSet, pods: V1Pod[], nowMs = this.d.clock.nowMs()): Promise<V1StatefulSetStatus | undefined> {
    const set = structuredClone(setIn);
    const revisions = sortControllerRevisions(this.listRevisions(set));
    const r = await this.performUpdate(set, pods, revisions, nowMs);
    let truncateError: unknown;
    try {
      await this.truncateHistory(set, pods, revisions, r.current, r.update);
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
  ): Promise<Outcome & { current?: V1ControllerRevision; update?: V1ControllerRevision }> {
    let current: V1ControllerRevision, update: V1ControllerRevision, collisionCount: number;
    try {
      ({ current, update, collisionCount } = await this.getStatefulSetRevisions(set, revisions));
    } catch (error) {
      return { error };
    }
    const { status, error } = await this.updateStatefulSetPods(set, current, update, collisionCount, pods, now);
    if (error !== undefined && !status) return { current, update, error };
    let statusError: unknown;
    try {
      await this.updateStatefulSetStatus(set, status!);
    } catch (err) {
      statusError = err;
      if (error !== undefined) this.d.log(`could not update status of ${set.metadata?.namespace}/${set.metadata?.name}: ${String(err)}`);
    }
    return { current, update, status, error: error ?? statusError };
  }

  /**
   * truncateHistory: deletes non-live revisions (not current, not update, not on any pod),
   * oldest first, until at most revisionHistoryLimit remain; a negative limit keeps everything.
   */
  private async truncateHistory(
    set: V1StatefulSet,
    pods: V1Pod[],
    revisions: V1ControllerRevision[],
    current: V1ControllerRevision | undefined,
    update: V1ControllerRevision | undefined,
  ): Promise<void> {
    const live = new Set<string>();
    if (current) live.add(current.metadata!.name!);
    if (update) live.add(update.metadata!.name!);
    for (const pod of pods) live.add(getPodRevision(pod));
    const history = revisions.filter((r) => !live.has(r.metadata!.name!));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    if (limit < 0 || history.length <= limit) return;
    for (const r of history.slice(0, history.length - limit)) await this.d.history.deleteControllerRevision(r);
  }

  /**
   * getStatefulSetRevisions: the update revision is the newest one if equal to the template,
   * an older equal one with its .revision bumped (rollback), the newest one if restoring it
   * gives the same template (StatefulSetSemanticRevisionComparison), or a newly created one.
   */
  async getStatefulSetRevisions(
    set: V1StatefulSet,
    revisions: V1ControllerRevision[],
  ): Promise<{ current: V1ControllerRevision; update: V1ControllerRevision; collisionCount: number }> {
    const revisionCount = revisions.length;
    sortControllerRevisions(revisions);
    const collisionCount = { value: set.status?.collisionCount ?? 0 };
    let update = newRevision(set, nextRevision(revisions), collisionCount.value);
    const equalRevisions = findEqualRevisions(revisions, update);
    const equalCount = equalRevisions.length;
    if (equalCount > 0 && equalRevision(revisions[revisionCount - 1], equalRevisions[equalCount - 1])) {
      // The template has not changed since the latest revision.
      update = revisions[revisionCount - 1];
    } else if (equalCount > 0) {
      // Roll back: reuse the equal revision and make it the newest.
      update = await this.d.history.updateControllerRevision(equalRevisions[equalCount - 1], update.revision);
    } else if (
      revisionCount > 0 &&
      FEATURE_GATES.StatefulSetSemanticRevisionComparison &&
      setMatchesLatestExistingRevision(set, update, revisions[revisionCount - 1])
    ) {
      // The template has not changed; the latest revision only differs in its encoding.
      update = revisions[revisionCount - 1];
    } else {
      update = await this.d.history.createControllerRevision(set, update, collisionCount);
    }
    const current = revisions.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount: collisionCount.value };
  }

  /**
   * updateStatefulSet (upstream name): splits pods into in-range replicas (placeholders for the
   * missing ones) and condemned ones, then runs the replica pass, the claim fix-up and the
   * condemned pass, and finally the rolling update. Scaling always precedes updates.
   */
  private async updateStatefulSetPods(
    set: V1StatefulSet,
    currentRevision: V1ControllerRevision,
    updateRevision: V1ControllerRevision,
    collisionCount: number,
    pods: V1Pod[],
    now: number,
  ): Promise<Outcome> {
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
      this.d.podControl.recorder.event(set, 'Warning', 'UnknownStrategy', message);
      return { error: new Error(message) };
    }

    const cur = currentRevision.metadata!.name!;
    const upd = updateRevision.metadata!.name!;
    const minReadySeconds = this.minReadySeconds(set);

    const status: V1StatefulSetStatus = {
      observedGeneration: set.metadata?.generation,
      currentRevision: cur,
      updateRevision: upd,
      collisionCount,
      replicas: 0,
    };
    // Conditions are carried over from the stored status (v1.37).
    if (set.status?.conditions?.length) status.conditions = [...set.status.conditions];
    updateStatus(status, minReadySeconds, cur, upd, now, pods);

    const start = getStartOrdinal(set);
    const split = partitionPods(set, pods);
    const condemned = split.condemned;
    // Fill the gaps in [start, end] with new pods at the revision newVersionedStatefulSetPod picks.
    const replicas: V1Pod[] = split.replicas.map(
      (pod, i) => pod ?? newVersionedStatefulSetPod(currentSet, updateSet, cur, upd, start + i),
    );

    // The first unavailable pod: the lowest unavailable replica, else the lowest unavailable condemned pod.
    let unavailable = 0;
    let firstUnavailablePod: V1Pod | undefined;
    for (const pod of replicas) {
      if (isUnavailable(pod, minReadySeconds, now)) {
        unavailable++;
        firstUnavailablePod ??= pod;
      }
    }
    for (let i = condemned.length - 1; i >= 0; i--) {
      if (isUnavailable(condemned[i], minReadySeconds, now)) {
        unavailable++;
        firstUnavailablePod ??= condemned[i];
      }
    }
    if (unavailable > 0) this.d.log(`${set.metadata?.namespace}/${set.metadata?.name} has ${unavailable} unavailable pods, first ${firstUnavailablePod?.metadata?.name}`);

    // A StatefulSet that is being deleted only gets its status refreshed.
    if (set.metadata?.deletionTimestamp) return { status };

    const monotonic = this.monotonic(set);
    const finish = (error?: unknown): Outcome => {
      updateStatus(status, minReadySeconds, cur, upd, now, replicas, condemned);
      return { status, error };
    };

    // First, each replica: create, repair, or (monotonic) wait.
    let r = await runForAll(replicas.length, (i) => this.processReplica(set, updateSet, monotonic, replicas, i, now), monotonic);
    if (r.exit || r.error !== undefined) return finish(r.error);

    // Fix the retention-policy refs of condemned pods' claims before deleting those pods.
    r = await runForAll(
      condemned.length,
      async (i) => {
        if (!(await this.d.podControl.claimsMatchRetentionPolicy(updateSet, condemned[i]))) {
          await this.d.podControl.updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
        }
        return false;
      },
      monotonic,
    );
    if (r.exit || r.error !== undefined) return finish(r.error);

    // Then scale down: in monotonic mode all replicas are Running, Ready and Available here.
    r = await runForAll(condemned.length, (i) => this.processCondemned(set, firstUnavailablePod, monotonic, condemned, i, now), monotonic);
    if (r.exit || r.error !== undefined) return finish(r.error);

    finish();

    // OnDelete (and Recreate): pods are only replaced when the user deletes them.
    const strategy = set.spec?.updateStrategy?.type;
    if (strategy === 'OnDelete' || strategy === 'Recreate') return { status };

    return this.rollingUpdate(set, replicas, updateRevision, status, now);
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
    const pod = replicas[i];
    const minReadySeconds = this.minReadySeconds(set);
    const pc = this.d.podControl;

    // Failed and Succeeded pods (evicted, or stopped by a node reboot) are deleted; the
    // replacement is created in a later sync, once the old object is gone.
    if (isTerminalPhase(pod)) {
      if (!pod.metadata?.deletionTimestamp) await pc.deleteStatefulPod(set, pod);
      return true;
    }

    if (!isCreated(pod)) {
      // A claim still owned by a condemned predecessor blocks the pod until it is collected.
      if (pc.podClaimIsStale(set, pod)) return true;
      await pc.createStatefulPod(set, pod);
      if (monotonic) return true;
    }

    // A Pending pod gets any missing claims recreated.
    if (isPending(pod)) await pc.createMissingPersistentVolumeClaims(set, pod);

    // Monotonic: wait for termination, Running+Ready, and availability, in that order.
    if (isTerminating(pod) && monotonic) return true;
    if (!isRunningAndReady(pod) && monotonic) return true;
    if (!isRunningAndAvailable(pod, minReadySeconds, now) && monotonic) return true;

    // Enforce identity, storage and claim ownership invariants.
    let retentionMatch: boolean;
    try {
      retentionMatch = await pc.claimsMatchRetentionPolicy(updateSet, pod);
    } catch {
      retentionMatch = true;
    }
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) return false;
    await pc.updateStatefulPod(updateSet, structuredClone(pod));
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
    const pod = condemned[i];
    if (isTerminating(pod)) {
      // Monotonic: successors must be completely gone before a pod is terminated.
      return monotonic;
    }
    // Monotonic: an unhealthy condemned pod is only deleted if it is the first unhealthy pod.
    if (!isRunningAndReady(pod) && monotonic && pod !== firstUnhealthyPod) return true;
    if (!isRunningAndAvailable(pod, this.minReadySeconds(set), now) && monotonic && pod !== firstUnhealthyPod) return true;
    this.d.log(`${set.metadata?.namespace}/${set.metadata?.name}: terminating ${pod.metadata?.name} for scale down`);
    await this.d.podControl.deleteStatefulPod(set, pod);
    return true;
  }

  /**
   * updateStatefulSetAfterInvariantEstablished (v1.37): count the unavailable in-range pods and,
   * for Parallel, those of them still on an old revision and not terminating. Nothing happens
   * while the unavailable pods use up maxUnavailable, unless (Parallel) some of them still
   * need the update. OrderedReady then deletes up to (maxUnavailable - unavailable) old,
   * non-terminating pods from the highest index down to the partition. Parallel deletes in two
   * phases over the same range: first every old pod that is not available (and not
   * terminating), whatever the budget, then available old pods within the remaining budget.
   */
  private async rollingUpdate(
    set: V1StatefulSet,
    replicas: V1Pod[],
    updateRevision: V1ControllerRevision,
    status: V1StatefulSetStatus,
    now: number,
  ): Promise<Outcome> {
    const rollingUpdate = set.spec?.updateStrategy?.rollingUpdate;
    let updateMin = 0;
    let maxUnavailable = 1;
    if (rollingUpdate) {
      updateMin = rollingUpdate.partition ?? 0;
      try {
        maxUnavailable = getStatefulSetMaxUnavailable(rollingUpdate.maxUnavailable, replicasOf(set));
      } catch (error) {
        return { status, error };
      }
    }
    const minReadySeconds = this.minReadySeconds(set);
    const parallel = !this.monotonic(set);
    const outdated = (pod: V1Pod) => getPodRevision(pod) !== updateRevision.metadata!.name;

    let unavailablePods = 0;
    let unavailablePodsNeedingUpdate = 0;
    for (const pod of replicas) {
      if (!isUnavailable(pod, minReadySeconds, now)) continue;
      unavailablePods++;
      if (parallel && outdated(pod) && !isTerminating(pod)) unavailablePodsNeedingUpdate++;
    }
    if (unavailablePods >= maxUnavailable && unavailablePodsNeedingUpdate === 0) return { status };

    const targets: number[] = [];
    for (let t = replicas.length - 1; t >= updateMin; t--) targets.push(t);
    const terminate = async (pod: V1Pod) => {
      this.d.log(`${set.metadata?.namespace}/${set.metadata?.name}: terminating ${pod.metadata?.name} for update`);
      await this.d.podControl.deleteStatefulPod(set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
    };

    try {
      if (parallel) {
        // Phase 1: old pods that are not available anyway.
        for (const t of targets) {
          const pod = replicas[t];
          if (outdated(pod) && !isRunningAndAvailable(pod, minReadySeconds, now) && !isTerminating(pod)) await terminate(pod);
        }
        // Phase 2: available old pods, within what is left of maxUnavailable.
        let remainingBudget = maxUnavailable - unavailablePods;
        for (const t of targets) {
          if (remainingBudget <= 0) break;
          const pod = replicas[t];
          if (outdated(pod) && !isUnavailable(pod, minReadySeconds, now)) {
            await terminate(pod);
            remainingBudget--;
          }
        }
        return { status };
      }

      // OrderedReady: one pass, high to low, within the budget.
      const podsToDelete = maxUnavailable - unavailablePods;
      let deletedPods = 0;
      for (const t of targets) {
        if (deletedPods >= podsToDelete) break;
        const pod = replicas[t];
        if (outdated(pod) && !isTerminating(pod)) {
          await terminate(pod);
          deletedPods++;
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
    completeUpdate(set, status);
    const rollingUpdate = set.spec?.updateStrategy?.rollingUpdate;
    if (FEATURE_GATES.MaxUnavailableStatefulSet && rollingUpdate) getStatefulSetMaxUnavailable(rollingUpdate.maxUnavailable, replicasOf(set));
    if (!inconsistentStatus(set, status)) return;
    await this.d.statusUpdater.updateStatefulSetStatus(set, status);
  }
}

/**
 * The split at the top of upstream updateStatefulSet: pods with an ordinal in [start, end] go
 * to their index in `replicas` (gaps stay undefined), other parseable ordinals are condemned
 * (sorted descending), and pods whose ordinal does not parse are ignored.
 */
export function partitionPods(set: V1StatefulSet, pods: V1Pod[]): { replicas: (V1Pod | undefined)[]; condemned: V1Pod[] } {
  const start = getStartOrdinal(set);
  const replicas: (V1Pod | undefined)[] = new Array(Math.max(0, replicasOf(set))).fill(undefined);
  const condemned: V1Pod[] = [];
  for (const pod of pods) {
    if (podInOrdinalRange(pod, set)) replicas[getOrdinal(pod) - start] = pod;
    else if (getOrdinal(pod) >= 0) condemned.push(pod);
  }
  condemned.sort(descendingOrdinal);
  return { replicas, condemned };
}

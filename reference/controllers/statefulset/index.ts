/**
 * The reference StatefulSet controller: a TypeScript port of kube-controller-manager's
 * StatefulSet controller that reaches the cluster only through the HTTP API (client-node).
 *
 * Ported from kubernetes/kubernetes v1.37.2 with its default feature gates (features.ts):
 *   pkg/controller/statefulset/stateful_set.go                (informers, handlers, sync, the
 *     availability requeues, StaleControllerConsistencyStatefulSet)
 *   pkg/controller/statefulset/stateful_set_control.go        (MaxBatchSize = 500, isUnavailable,
 *     updateStatefulSetAfterInvariantEstablished with MaxUnavailableStatefulSet on, completeUpdate)
 *   pkg/controller/statefulset/stateful_set_utils.go          (controller-ref PVC retention, pod-index
 *     label, ordinals.start, ApplyRevision restoring .spec, conditions in inconsistentStatus)
 *   pkg/controller/statefulset/stateful_pod_control.go        (ConflictingController; NotFound on
 *     delete is success)
 *   pkg/controller/statefulset/stateful_set_status_updater.go, pkg/controller/history/controller_history.go,
 *   pkg/controller/util/consistency/consistency.go, pkg/controller/controller_ref_manager.go (ClaimPods),
 *   pkg/controller/controller_utils.go (FindMinNextPodAvailabilityCheck), pkg/api/v1/pod/util.go (IsPodAvailable).
 * This file ports stateful_set.go: informers, event handlers, the work queue and sync().
 */
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  type V1ControllerRevision,
  type V1OwnerReference,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { type InformerHandle, type ComponentOptions, informersFor, WorkQueue, keyOf, splitKey } from '../runtime.ts';
import { errorMessage } from '../../api-errors.ts';
import { ConsistencyStore, NO_CONSISTENCY, compareResourceVersion } from './consistency.ts';
import { EventRecorder } from './events.ts';
import { ControllerHistory } from './history.ts';
import { FEATURE_GATES } from './features.ts';
import { findMinNextPodAvailabilityCheck, isPodReady } from './pod-health.ts';
import { StatefulPodControl } from './pod-control.ts';
import { isMemberOf } from './pod-identity.ts';
import { claimPods, recheckDeletionTimestamp } from './ref-manager.ts';
import { selectorIsValid, selectorMatches } from './selector.ts';
import { StatefulSetControl } from './set-control.ts';
import { StatusUpdater } from './status-updater.ts';

export interface StatefulSetControllerOptions extends ComponentOptions {
  /** Concurrent syncs (kube-controller-manager's --concurrent-statefulset-syncs, default 5). */
  workers?: number;
}

/**
 * client-go's Store.LastStoreSyncResourceVersion for an informer. client-go advances it before
 * the event handlers run; client-node's ListWatch only after its callbacks, and a handler here
 * may start a sync synchronously. So the newest event's resourceVersion is noted by a handler
 * registered before any other, and combined with the ListWatch's (which also covers lists).
 */
function lastStoreSyncResourceVersion<T extends KubernetesObject>(informer: InformerHandle<T>): () => string {
  let seen = '';
  const newer = (a: string, b: string) => (!b ? a : !a ? b : (compareResourceVersion(a, b) ?? 0) > 0 ? a : b);
  const note = (o: T) => (seen = newer(o.metadata?.resourceVersion ?? '', seen));
  informer.on('add', note).on('update', note).on('delete', note);
  return () => newer(informer.lastSyncResourceVersion(), seen);
}

export async function startStatefulSetController(kc: KubeConfig, opts: StatefulSetControllerOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  const sets = informers.informer<V1StatefulSet>('/apis/apps/v1/statefulsets', 'V1StatefulSet', () => apps.listStatefulSetForAllNamespaces());
  const pods = informers.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces());
  const claims = informers.informer<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims',
    'V1PersistentVolumeClaim',
    () => core.listPersistentVolumeClaimForAllNamespaces());
  const revisions = informers.informer<V1ControllerRevision>('/apis/apps/v1/controllerrevisions',
    'V1ControllerRevision',
    () => apps.listControllerRevisionForAllNamespaces());

  // StaleControllerConsistencyStatefulSet: the controller's writes are remembered per set, and a
  // set is only synced once these informers have caught up with them.
  const consistency = FEATURE_GATES.StaleControllerConsistencyStatefulSet
    ? new ConsistencyStore({
        pods: lastStoreSyncResourceVersion(pods),
        persistentvolumeclaims: lastStoreSyncResourceVersion(claims),
        statefulsets: lastStoreSyncResourceVersion(sets),
      })
    : NO_CONSISTENCY;
  /** RealPodControl.OnWrite for the adoption/release patches of ClaimPods. */
  const podWriteCallback = (pod: V1Pod) => {
    const ref = pod.metadata?.ownerReferences?.find((r) => r.controller);
    if (ref) consistency.wroteAt(`${pod.metadata?.namespace}/${ref.name}`, ref.uid, 'pods', pod.metadata?.resourceVersion);
  };

  const recorder = new EventRecorder(core, clock, log);
  const control = new StatefulSetControl({
    podControl: new StatefulPodControl(core, pods, claims, recorder, consistency),
    history: new ControllerHistory(apps, revisions),
    statusUpdater: new StatusUpdater(apps, sets, consistency),
    clock,
    log,
  });

  const inFlight = new Set<Promise<void>>();
  const queue = new WorkQueue(
    clock,
    (key) => {
      const p = sync(key).finally(() => inFlight.delete(p));
      inFlight.add(p);
      return p;
    },
    opts.workers ?? 5,
    (key, err) => log(`error syncing StatefulSet ${key}, requeuing: ${errorMessage(err)}`),
  );
  const enqueue = (set: V1StatefulSet) => queue.add(keyOf(set));

  /** resolveControllerRef: the set a controller ref points to, if it still exists with that UID. */
  const resolveControllerRef = (namespace: string | undefined, ref: V1OwnerReference): V1StatefulSet | undefined => {
    if (ref.kind !== 'StatefulSet') return undefined;
    const set = sets.get(ref.name, namespace);
    return set && set.metadata?.uid === ref.uid ? set : undefined;
  };
  const controllerOf = (pod: V1Pod) => pod.metadata?.ownerReferences?.find((r) => r.controller);

  /** getStatefulSetsForPod (lister GetPodStatefulSets): sets whose non-empty selector matches the pod. */
  const statefulSetsForPod = (pod: V1Pod): V1StatefulSet[] => {
    const matching = sets.list(pod.metadata?.namespace).filter((s) => {
      const sel = s.spec?.selector;
      const empty = !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
      return !empty && selectorMatches(sel, pod.metadata?.labels);
    });
    if (matching.length > 1) {
      log(`user error: more than one StatefulSet is selecting pods with labels: ${JSON.stringify(pod.metadata?.labels)}. Sets: ${matching.map((s) => s.metadata?.name).join(', ')}`);
    }
    return matching;
  };

  /** deletePod: only the controlling set cares. */
  const deletePod = (pod: V1Pod) => {
    const ref = controllerOf(pod);
    if (!ref) return;
    const set = resolveControllerRef(pod.metadata?.namespace, ref);
    if (set) enqueue(set);
  };

  /** addPod: a pod that shows up already terminating counts as a deletion. */
  const addPod = (pod: V1Pod) => {
    if (pod.metadata?.deletionTimestamp) return deletePod(pod);
    const ref = controllerOf(pod);
    if (ref) {
      const set = resolveControllerRef(pod.metadata?.namespace, ref);
      if (set) enqueue(set);
      return;
    }
    statefulSetsForPod(pod).forEach(enqueue);
  };

  /**
   * updatePod: sync the old and new controller; orphans whose labels or ref changed wake the
   * sets that might adopt them. A pod turning Ready requeues its set after minReadySeconds,
   * when it becomes available without any further pod event.
   */
  const updatePod = (cur: V1Pod, old?: V1Pod) => {
    if (old && cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const labelChanged = !old || JSON.stringify(cur.metadata?.labels ?? {}) !== JSON.stringify(old.metadata?.labels ?? {});
    const curRef = controllerOf(cur);
    const oldRef = old && controllerOf(old);
    const refChanged = !old || JSON.stringify(curRef ?? null) !== JSON.stringify(oldRef ?? null);
    if (refChanged && oldRef) {
      const set = resolveControllerRef(old!.metadata?.namespace, oldRef);
      if (set) enqueue(set);
    }
    if (curRef) {
      const set = resolveControllerRef(cur.metadata?.namespace, curRef);
      if (!set) return;
      enqueue(set);
      const minReadySeconds = set.spec?.minReadySeconds ?? 0;
      if (old && !isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) {
        queue.addAfter(keyOf(set), minReadySeconds * 1000);
      }
      return;
    }
    if (labelChanged || refChanged) statefulSetsForPod(cur).forEach(enqueue);
  };

  sets.on('add', enqueue).on('update', enqueue).on('delete', enqueue);
  pods.on('add', addPod).on('update', updatePod).on('delete', deletePod);

  /** adoptOrphanRevisions: orphan revisions matching the selector, after an uncached re-check of the set. */
  const adoptOrphanRevisions = async (set: V1StatefulSet) => {
    const orphans = control.listRevisions(set).filter((r) => !r.metadata?.ownerReferences?.some((o) => o.controller));
    if (orphans.length === 0) return;
    try {
      await canAdopt(set)();
    } catch (err) {
      throw new Error(`can't adopt ControllerRevisions: ${errorMessage(err)}`);
    }
    await control.adoptOrphanRevisions(set, orphans);
  };

  const canAdopt = (set: V1StatefulSet) =>
    recheckDeletionTimestamp(() => apps.readNamespacedStatefulSet({ name: set.metadata!.name!, namespace: set.metadata!.namespace! }), set);

  /** getPodsForStatefulSet: every pod in the namespace, claimed by selector and name (isMemberOf). */
  const getPodsForStatefulSet = (set: V1StatefulSet) =>
    claimPods(
      set,
      pods.list(set.metadata?.namespace),
      (pod) => selectorMatches(set.spec?.selector, pod.metadata?.labels) && isMemberOf(set, pod),
      { core, canAdopt: canAdopt(set), onPodWrite: podWriteCallback },
    );

  /**
   * sync: one pass over one StatefulSet, skipped (an error: retried with backoff) while the
   * informers have not yet seen the controller's own last writes for it.
   */
  async function sync(key: string): Promise<void> {
    consistency.ensureReady(key);
    const { namespace, name } = splitKey(key);
    const set = sets.get(name, namespace);
    if (!set) {
      consistency.clear(key);
      return; // deleted
    }
    // A selector that cannot be converted is a non-transient error: don't retry.
    if (!selectorIsValid(set.spec?.selector)) return;
    await adoptOrphanRevisions(set);
    const owned = await getPodsForStatefulSet(set);
    await syncStatefulSet(key, set, owned);
  }

  /**
   * syncStatefulSet: the pass at one instant `now`; while some Ready pods are not yet available,
   * one more sync when the first of them becomes available (at the latest after
   * minReadySeconds), a last line of defence should no pod event arrive then.
   */
  async function syncStatefulSet(key: string, set: V1StatefulSet, owned: V1Pod[]): Promise<void> {
    const now = clock.nowMs();
    const status = await control.updateStatefulSet(set, owned, now);
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) {
      const next = findMinNextPodAvailabilityCheck(owned, minReadySeconds, now, clock.nowMs()) ?? minReadySeconds * 1000;
      queue.addAfter(key, next);
    }
  }

  const watched = [sets, pods, claims, revisions];
  await Promise.all(watched.map((i) => i.start()));
  log('statefulset controller started');

  return {
    async stop() {
      queue.stop();
      await Promise.all([...inFlight].map((p) => p.catch(() => undefined)));
      await Promise.all(watched.map((i) => i.stop()));
      await recorder.flush();
    },
  };
}

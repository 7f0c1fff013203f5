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
 * This file ports stateful_set.go: StatefulSetController (its pod and set handlers, sync and
 * syncStatefulSet are methods, as upstream's) and NewStatefulSetController + Run
 * (startStatefulSetController: informers, the work queue, the wiring).
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
import type { Clock } from '../../clock.ts';
import { type InformerHandle, type ComponentOptions, type Lister, informersFor, WorkQueue, keyOf, splitKey } from '../runtime.ts';
import { errorMessage } from '../../api-errors.ts';
import { ConsistencyStore, NO_CONSISTENCY, compareResourceVersion } from './consistency.ts';
import { ApiEventRecorder } from './events.ts';
import { RealHistory } from './history.ts';
import { FEATURE_GATES } from '../../features.ts';
import { infoS, kObj, type Logger } from './klog.ts';
import { findMinNextPodAvailabilityCheck, isPodReady } from './pod-health.ts';
import { newStatefulPodControl } from './pod-control.ts';
import { isMemberOf } from './pod-identity.ts';
import { type PodControlInterface, RealPodControl, claimPods, recheckDeletionTimestamp } from './ref-manager.ts';
import { selectorIsValid, selectorMatches } from './selector.ts';
import { DefaultStatefulSetControl, type StatefulSetControlInterface } from './set-control.ts';
import { RealStatefulSetStatusUpdater } from './status-updater.ts';

export interface StatefulSetControllerOptions extends ComponentOptions {
  /** Concurrent syncs (kube-controller-manager's --concurrent-statefulset-syncs, default 5). */
  workers?: number;
}

/** What the StatefulSetController holds (the fields of upstream's struct); tests pass fakes. */
export interface StatefulSetControllerDeps {
  /** kubeClient, for canAdoptFunc's uncached GET of the set. */
  kubeClient: Pick<AppsV1Api, 'readNamespacedStatefulSet'>;
  control: StatefulSetControlInterface;
  /** controller.PodControlInterface: ClaimPods' adoption and release patches. */
  podControl: PodControlInterface;
  podLister: Lister<V1Pod>;
  setLister: Lister<V1StatefulSet>;
  queue: Pick<WorkQueue, 'add' | 'addAfter'>;
  clock: Clock;
  consistencyStore: ConsistencyStore;
  log: Logger;
}

/** StatefulSetController: the pod and set handlers, sync and syncStatefulSet of stateful_set.go. */
export class StatefulSetController {
  private readonly kubeClient: StatefulSetControllerDeps['kubeClient'];
  private readonly control: StatefulSetControlInterface;
  private readonly podControl: PodControlInterface;
  private readonly podLister: Lister<V1Pod>;
  private readonly setLister: Lister<V1StatefulSet>;
  private readonly queue: StatefulSetControllerDeps['queue'];
  private readonly clock: Clock;
  private readonly consistencyStore: ConsistencyStore;
  private readonly log: Logger;

  constructor(deps: StatefulSetControllerDeps) {
    ({
      kubeClient: this.kubeClient,
      control: this.control,
      podControl: this.podControl,
      podLister: this.podLister,
      setLister: this.setLister,
      queue: this.queue,
      clock: this.clock,
      consistencyStore: this.consistencyStore,
      log: this.log,
    } = deps);
  }

  /** addPod: a pod that shows up already terminating counts as a deletion. */
  addPod(pod: V1Pod): void {
    if (pod.metadata?.deletionTimestamp) return this.deletePod(pod);
    // A pod with a ControllerRef: only its controller cares.
    const controllerRef = getControllerOf(pod);
    if (controllerRef) {
      const set = this.resolveControllerRef(pod.metadata?.namespace, controllerRef);
      if (set) this.enqueueStatefulSet(set);
      return;
    }
    // An orphan: sync every matching set, so that one adopts it.
    for (const set of this.getStatefulSetsForPod(pod)) this.enqueueStatefulSet(set);
  }

  /**
   * updatePod: sync the old and new controller; orphans whose labels or ref changed wake the
   * sets that might adopt them. A pod turning Ready requeues its set after minReadySeconds,
   * when it becomes available without any further pod event. (The informer may give no old
   * object: then everything counts as changed.)
   */
  updatePod(old: V1Pod | undefined, cur: V1Pod): void {
    // Periodic resyncs send updates for every pod; two versions of one pod share a resourceVersion.
    if (old && cur.metadata?.resourceVersion === old.metadata?.resourceVersion) return;
    const labelChanged = !old || JSON.stringify(cur.metadata?.labels ?? {}) !== JSON.stringify(old.metadata?.labels ?? {});
    const curControllerRef = getControllerOf(cur);
    const oldControllerRef = old && getControllerOf(old);
    const controllerRefChanged = !old || JSON.stringify(curControllerRef ?? null) !== JSON.stringify(oldControllerRef ?? null);
    if (controllerRefChanged && oldControllerRef) {
      // The ControllerRef changed: sync the old controller, if any.
      const set = this.resolveControllerRef(old!.metadata?.namespace, oldControllerRef);
      if (set) this.enqueueStatefulSet(set);
    }
    if (curControllerRef) {
      const set = this.resolveControllerRef(cur.metadata?.namespace, curControllerRef);
      if (!set) return;
      this.enqueueStatefulSet(set);
      const minReadySeconds = set.spec?.minReadySeconds ?? 0;
      if (old && !isPodReady(old) && isPodReady(cur) && minReadySeconds > 0) {
        infoS(this.log, 'StatefulSet will be enqueued after minReadySeconds for availability check', { statefulSet: kObj(set), minReadySeconds });
        this.enqueueSSAfter(set, minReadySeconds * 1000);
      }
      return;
    }
    // An orphan whose labels or ControllerRef changed: sync any set that might adopt it now.
    if (labelChanged || controllerRefChanged) {
      for (const set of this.getStatefulSetsForPod(cur)) this.enqueueStatefulSet(set);
    }
  }

  /** deletePod: only the controlling set cares. */
  deletePod(pod: V1Pod): void {
    const controllerRef = getControllerOf(pod);
    if (!controllerRef) return;
    const set = this.resolveControllerRef(pod.metadata?.namespace, controllerRef);
    if (set) this.enqueueStatefulSet(set);
  }

  /** getPodsForStatefulSet: the namespace's pods, claimed by selector and name (isMemberOf). */
  getPodsForStatefulSet(set: V1StatefulSet): Promise<V1Pod[]> {
    return claimPods(
      set,
      this.podLister.list(set.metadata?.namespace),
      (pod) => selectorMatches(set.spec?.selector, pod.metadata?.labels) && isMemberOf(set, pod),
      { podControl: this.podControl, canAdopt: this.canAdoptFunc(set) },
    );
  }

  /** canAdoptFunc: RecheckDeletionTimestamp over an uncached GET of the set. */
  canAdoptFunc(set: V1StatefulSet): () => Promise<void> {
    return recheckDeletionTimestamp(() => this.kubeClient.readNamespacedStatefulSet({ name: set.metadata!.name!, namespace: set.metadata!.namespace! }), set);
  }

  /** adoptOrphanRevisions: orphan revisions matching the selector, after an uncached re-check of the set. */
  async adoptOrphanRevisions(set: V1StatefulSet): Promise<void> {
    const revisions = this.control.ListRevisions(set);
    const orphanRevisions = revisions.filter((r) => !getControllerOf(r));
    if (orphanRevisions.length > 0) {
      try {
        await this.canAdoptFunc(set)();
      } catch (err) {
        throw new Error(`can't adopt ControllerRevisions: ${errorMessage(err)}`);
      }
      await this.control.AdoptOrphanRevisions(set, orphanRevisions);
    }
  }

  /** getStatefulSetsForPod (lister GetPodStatefulSets): sets whose non-empty selector matches the pod. */
  getStatefulSetsForPod(pod: V1Pod): V1StatefulSet[] {
    const sets = this.setLister.list(pod.metadata?.namespace).filter((s) => {
      const sel = s.spec?.selector;
      const empty = !sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0);
      return !empty && selectorMatches(sel, pod.metadata?.labels);
    });
    if (sets.length > 1) {
      infoS(this.log, 'More than one StatefulSet is selecting pods with same labels', {
        podLabels: JSON.stringify(pod.metadata?.labels ?? {}),
        sets: sets.map((s) => s.metadata?.name).join(','),
      });
    }
    return sets;
  }

  /** resolveControllerRef: the set a controller ref points to, if it still exists with that UID. */
  resolveControllerRef(namespace: string | undefined, controllerRef: V1OwnerReference): V1StatefulSet | undefined {
    // Not even the right Kind: the set cannot be found by name.
    if (controllerRef.kind !== 'StatefulSet') return undefined;
    const set = this.setLister.get(controllerRef.name, namespace);
    // A set with that name but another UID is not the one the ref points to.
    return set && set.metadata?.uid === controllerRef.uid ? set : undefined;
  }

  /** enqueueStatefulSet: queues the set's namespace/name key. */
  enqueueStatefulSet(set: KubernetesObject): void {
    this.queue.add(keyOf(set));
  }

  /** enqueueSSAfter: queues the key after ms of the clock. */
  enqueueSSAfter(set: V1StatefulSet, ms: number): void {
    this.queue.addAfter(keyOf(set), ms);
  }

  /**
   * sync: one pass over one StatefulSet, skipped (an error: retried with backoff) while the
   * informers have not yet seen the controller's own last writes for it.
   */
  async sync(key: string): Promise<void> {
    this.consistencyStore.ensureReady(key);
    const { namespace, name } = splitKey(key);
    const set = this.setLister.get(name, namespace);
    if (!set) {
      this.consistencyStore.clear(key);
      infoS(this.log, 'StatefulSet has been deleted', { key });
      return;
    }
    // A selector that cannot be converted is a non-transient error: don't retry.
    if (!selectorIsValid(set.spec?.selector)) {
      infoS(this.log, 'Error converting StatefulSet selector', { key });
      return;
    }
    await this.adoptOrphanRevisions(set);
    const pods = await this.getPodsForStatefulSet(set);
    await this.syncStatefulSet(set, pods);
  }

  /**
   * syncStatefulSet: the pass at one instant `now`; while some Ready pods are not yet available,
   * one more sync when the first of them becomes available (at the latest after
   * minReadySeconds), a last line of defence should no pod event arrive then.
   */
  async syncStatefulSet(set: V1StatefulSet, pods: V1Pod[]): Promise<void> {
    const now = this.clock.nowMs();
    const status = await this.control.UpdateStatefulSet(set, pods, now);
    const minReadySeconds = set.spec?.minReadySeconds ?? 0;
    if (minReadySeconds > 0 && status && (status.readyReplicas ?? 0) !== (status.availableReplicas ?? 0)) {
      const nextSyncDuration = findMinNextPodAvailabilityCheck(pods, minReadySeconds, now, this.clock.nowMs()) ?? minReadySeconds * 1000;
      this.enqueueSSAfter(set, nextSyncDuration);
    }
  }
}

/** metav1.GetControllerOf. */
function getControllerOf(obj: KubernetesObject): V1OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller);
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

/** NewStatefulSetController + Run: informers, the real collaborators, the queue and its workers. */
export async function startStatefulSetController(kc: KubeConfig, opts: StatefulSetControllerOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);

  const setInformer = informers.informer<V1StatefulSet>('/apis/apps/v1/statefulsets', 'V1StatefulSet', () => apps.listStatefulSetForAllNamespaces());
  const podInformer = informers.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces());
  const pvcInformer = informers.informer<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims',
    'V1PersistentVolumeClaim',
    () => core.listPersistentVolumeClaimForAllNamespaces());
  const revInformer = informers.informer<V1ControllerRevision>('/apis/apps/v1/controllerrevisions',
    'V1ControllerRevision',
    () => apps.listControllerRevisionForAllNamespaces());

  // StaleControllerConsistencyStatefulSet: the controller's writes are remembered per set, and a
  // set is only synced once these informers have caught up with them.
  const consistencyStore = FEATURE_GATES.StaleControllerConsistencyStatefulSet
    ? new ConsistencyStore({
        pods: lastStoreSyncResourceVersion(podInformer),
        persistentvolumeclaims: lastStoreSyncResourceVersion(pvcInformer),
        statefulsets: lastStoreSyncResourceVersion(setInformer),
      })
    : NO_CONSISTENCY;
  /** RealPodControl.OnWrite for the adoption/release patches of ClaimPods. */
  const podWriteCallback = (pod: V1Pod) => {
    const ref = getControllerOf(pod);
    if (ref) consistencyStore.wroteAt(`${pod.metadata?.namespace}/${ref.name}`, ref.uid, 'pods', pod.metadata?.resourceVersion);
  };

  const recorder = new ApiEventRecorder(core, clock, log);
  const control = new DefaultStatefulSetControl(
    newStatefulPodControl(core, podInformer, pvcInformer, recorder, consistencyStore),
    new RealStatefulSetStatusUpdater(apps, setInformer, consistencyStore),
    new RealHistory(apps, revInformer),
    log,
  );

  const inFlight = new Set<Promise<void>>();
  const queue = new WorkQueue(
    clock,
    (key) => {
      const p = ssc.sync(key).finally(() => inFlight.delete(p));
      inFlight.add(p);
      return p;
    },
    opts.workers ?? 5,
    (key, err) => infoS(log, 'Error syncing StatefulSet, requeuing', { key, err: errorMessage(err) }),
  );
  const ssc: StatefulSetController = new StatefulSetController({
    kubeClient: apps,
    control,
    podControl: new RealPodControl(core, podWriteCallback),
    podLister: podInformer,
    setLister: setInformer,
    queue,
    clock,
    consistencyStore,
    log,
  });

  podInformer
    .on('add', (pod) => ssc.addPod(pod))
    .on('update', (cur, old) => ssc.updatePod(old, cur))
    .on('delete', (pod) => ssc.deletePod(pod));
  setInformer
    .on('add', (set) => ssc.enqueueStatefulSet(set))
    .on('update', (set) => ssc.enqueueStatefulSet(set))
    .on('delete', (set) => ssc.enqueueStatefulSet(set));

  const watched = [setInformer, podInformer, pvcInformer, revInformer];
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

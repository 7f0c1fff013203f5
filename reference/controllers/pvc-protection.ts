/**
 * The PVC protection controller of kube-controller-manager, after upstream v1.37.2
 * `pkg/controller/volume/pvcprotection/pvc_protection_controller.go`. The
 * StorageObjectInUseProtection admission plugin gives every new claim the finalizer
 * `kubernetes.io/pvc-protection`; a deleted claim stays Terminating until this controller
 * removes it, which it does once no pod uses the claim:
 * - a pod uses a claim for deletion purposes only once it is scheduled (`spec.nodeName` set),
 *   through a `persistentVolumeClaim` volume naming it, or through a generic ephemeral volume
 *   `<pod>-<volume>` the pod controls, unless the pod is shut down (deletionTimestamp with a
 *   zero grace period) (`podUsesPVCForDeletion`, `podIsShutDown`);
 * - the informer's pods are asked first; only if none uses the claim, a live list of the
 *   namespace's pods confirms it, one list shared by every claim of the namespace processed in
 *   the same batch (`isBeingUsedWith`, `askInformer`, `askAPIServer`, `LazyLivePodList`);
 * - keys are batched per namespace: a claim key stays in flight in the claim queue until its
 *   namespace batch has processed it, then is forgotten or retried with backoff
 *   (`pvcProcessingStore`);
 * - a claim without the finalizer and not being deleted gets it (`NeedToAddFinalizer`).
 * PersistentVolumeClaimUnusedSinceTime (beta, on by default in 1.37): a Bound claim not being
 * deleted carries the condition `Unused` (True/NoPodsUsingPVC when no pod that is not
 * terminated references it, False/PodUsingPVC otherwise) (`updateUnusedCondition`), and every
 * pod event enqueues the pod's claims.
 * Updates are JSON merge patches guarded by the resourceVersion read, which conflict exactly
 * when upstream's Update / UpdateStatus of a copy of the cached object would.
 */
import {
  CoreV1Api,
  KubeConfig,
  type V1ContainerStatus,
  type V1PersistentVolumeClaim,
  type V1PersistentVolumeClaimCondition,
  type V1Pod,
} from '@kubernetes/client-node';
import { rfc3339 } from '../clock.ts';
import { errorMessage } from '../api-errors.ts';
import { mergePatch } from './api-util.ts';
import { type ComponentOptions, informersFor, keyOf, splitKey, WorkQueue } from './runtime.ts';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
/** v1.PersistentVolumeClaimUnused. */
export const UNUSED_CONDITION = 'Unused';

export interface PvcProtectionOptions extends ComponentOptions {
  /** Namespace workers (kube-controller-manager runs 1). */
  workers?: number;
  /** The PersistentVolumeClaimUnusedSinceTime feature gate (default true, as in 1.37). */
  unusedSinceTime?: boolean;
}

/** protectionutil.IsDeletionCandidate */
export const isDeletionCandidate = (o: { metadata?: { deletionTimestamp?: Date; finalizers?: string[] } }, finalizer: string): boolean =>
  !!o.metadata?.deletionTimestamp && (o.metadata.finalizers ?? []).includes(finalizer);

/** protectionutil.NeedToAddFinalizer */
export const needToAddFinalizer = (o: { metadata?: { deletionTimestamp?: Date; finalizers?: string[] } }, finalizer: string): boolean =>
  !o.metadata?.deletionTimestamp && !(o.metadata?.finalizers ?? []).includes(finalizer);

/** ephemeral.VolumeClaimName */
const ephemeralClaimName = (pod: V1Pod, volumeName: string) => `${pod.metadata?.name ?? ''}-${volumeName}`;

/** ephemeral.VolumeIsForPod: same namespace and the pod is the claim's controller. */
const volumeIsForPod = (pod: V1Pod, pvc: V1PersistentVolumeClaim): boolean =>
  pvc.metadata?.namespace === pod.metadata?.namespace &&
  (pvc.metadata?.ownerReferences ?? []).some((r) => r.controller === true && r.uid === pod.metadata?.uid);

/** podIsShutDown: the kubelet is done with the pod (or it was force-deleted). */
export function podIsShutDown(pod: V1Pod): boolean {
  return !!pod.metadata?.deletionTimestamp && pod.metadata.deletionGracePeriodSeconds === 0;
}

/** volumeutil.IsPodTerminated */
export function isPodTerminated(pod: V1Pod): boolean {
  const notRunning = (statuses: V1ContainerStatus[] | undefined) => (statuses ?? []).every((s) => !!s.state?.terminated || !!s.state?.waiting);
  const status = pod.status ?? {};
  return (
    status.phase === 'Failed' ||
    status.phase === 'Succeeded' ||
    (!!pod.metadata?.deletionTimestamp &&
      notRunning(status.initContainerStatuses) &&
      notRunning(status.containerStatuses) &&
      notRunning(status.ephemeralContainerStatuses))
  );
}

/** podUsesPVCForDeletion */
export function podUsesPVCForDeletion(pod: V1Pod, pvc: V1PersistentVolumeClaim): boolean {
  if (!pod.spec?.nodeName) return false;
  return (pod.spec.volumes ?? []).some(
    (v) =>
      (v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === pvc.metadata?.name) ||
      (!podIsShutDown(pod) && !!v.ephemeral && ephemeralClaimName(pod, v.name) === pvc.metadata?.name && volumeIsForPod(pod, pvc)),
  );
}

/** podUsesPVCForUnusedSince */
export function podUsesPVCForUnusedSince(pod: V1Pod, pvc: V1PersistentVolumeClaim): boolean {
  if (isPodTerminated(pod)) return false;
  return (pod.spec?.volumes ?? []).some(
    (v) =>
      (v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === pvc.metadata?.name) ||
      (!!v.ephemeral && ephemeralClaimName(pod, v.name) === pvc.metadata?.name && volumeIsForPod(pod, pvc)),
  );
}

/** common.PodPVCIndexFunc: the `namespace/claim` keys of the claims a pod may use. */
export function podPVCKeys(pod: V1Pod): string[] {
  const keys: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    const claimName = v.persistentVolumeClaim ? v.persistentVolumeClaim.claimName : v.ephemeral ? ephemeralClaimName(pod, v.name) : '';
    if (claimName) keys.push(`${pod.metadata?.namespace ?? ''}/${claimName}`);
  }
  return keys;
}

type PodUsage = (pod: V1Pod, pvc: V1PersistentVolumeClaim) => boolean;

/** LazyLivePodList: the first successful live list of a namespace batch, reused by the rest. */
interface LazyLivePodList {
  cache?: V1Pod[];
}

/** A condition as it goes on the wire (metav1.Time in RFC 3339 seconds). */
function wireCondition(c: V1PersistentVolumeClaimCondition): Record<string, unknown> {
  const time = (t: unknown) => (t instanceof Date ? rfc3339(t) : t);
  return { ...c, lastProbeTime: time(c.lastProbeTime), lastTransitionTime: time(c.lastTransitionTime) };
}

export async function startPvcProtectionController(kc: KubeConfig, opts: PvcProtectionOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const unusedSinceTime = opts.unusedSinceTime ?? true;
  const core = kc.makeApiClient(CoreV1Api);

  const claims = informers.informer<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims', 'V1PersistentVolumeClaim', () => core.listPersistentVolumeClaimForAllNamespaces());
  const pods = informers.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces());
  let synced: Promise<unknown> = Promise.resolve();

  /** askInformer: the cached pods indexed under the claim's key (PodPVCIndex). */
  const askInformer = (pvc: V1PersistentVolumeClaim, podUsage: PodUsage): boolean => {
    const key = keyOf(pvc);
    return pods
      .list(pvc.metadata?.namespace)
      .some((pod) => podPVCKeys(pod).includes(key) && podUsage(pod, pvc));
  };

  /** askAPIServer: a live list, made once per namespace batch. */
  const askAPIServer = async (pvc: V1PersistentVolumeClaim, lazy: LazyLivePodList, podUsage: PodUsage): Promise<boolean> => {
    if (!lazy.cache) {
      try {
        lazy.cache = (await core.listNamespacedPod({ namespace: pvc.metadata?.namespace ?? '' })).items ?? [];
      } catch (err) {
        throw new Error(`live list of pods failed: ${errorMessage(err)}`);
      }
    }
    return lazy.cache.some((pod) => podUsage(pod, pvc));
  };

  const isBeingUsedWith = async (pvc: V1PersistentVolumeClaim, lazy: LazyLivePodList, podUsage: PodUsage): Promise<boolean> =>
    askInformer(pvc, podUsage) || askAPIServer(pvc, lazy, podUsage);

  const patchClaim = (pvc: V1PersistentVolumeClaim, body: Record<string, unknown>, status = false) => {
    const args = { name: pvc.metadata!.name!, namespace: pvc.metadata!.namespace!, body };
    return status ? core.patchNamespacedPersistentVolumeClaimStatus(args, mergePatch()) : core.patchNamespacedPersistentVolumeClaim(args, mergePatch());
  };

  const setFinalizers = async (pvc: V1PersistentVolumeClaim, finalizers: string[], what: string) => {
    await patchClaim(pvc, { metadata: { resourceVersion: pvc.metadata?.resourceVersion, finalizers } });
    log(`${what} protection finalizer ${keyOf(pvc)}`);
  };

  const setUnusedCondition = async (pvc: V1PersistentVolumeClaim, status: 'True' | 'False', reason: string, message: string) => {
    const condition = { type: UNUSED_CONDITION, status, lastTransitionTime: rfc3339(clock.now()), reason, message };
    const existing = pvc.status?.conditions ?? [];
    const conditions = existing.some((c) => c.type === UNUSED_CONDITION)
      ? existing.map((c) => (c.type === UNUSED_CONDITION ? condition : wireCondition(c)))
      : [...existing.map(wireCondition), condition];
    await patchClaim(pvc, { metadata: { resourceVersion: pvc.metadata?.resourceVersion }, status: { conditions } }, true);
    log(`${keyOf(pvc)}: ${UNUSED_CONDITION}=${status}`);
  };

  const updateUnusedCondition = async (pvc: V1PersistentVolumeClaim, isUsed: boolean) => {
    const existing = pvc.status?.conditions?.find((c) => c.type === UNUSED_CONDITION);
    if (isUsed && (!existing || existing.status === 'True')) {
      return setUnusedCondition(pvc, 'False', 'PodUsingPVC', 'A pod is currently referencing this PVC');
    }
    if (!isUsed && (!existing || existing.status !== 'True')) {
      return setUnusedCondition(pvc, 'True', 'NoPodsUsingPVC', 'No pods are currently referencing this PVC');
    }
  };

  const processPVC = async (namespace: string, name: string, lazy: LazyLivePodList): Promise<void> => {
    const pvc = claims.get(name, namespace);
    if (!pvc) return;
    if (unusedSinceTime && !pvc.metadata?.deletionTimestamp && pvc.status?.phase === 'Bound') {
      // Avoid conflict with the PV controller's binding.
      await updateUnusedCondition(pvc, await isBeingUsedWith(pvc, lazy, podUsesPVCForUnusedSince));
    }
    if (isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      if (!(await isBeingUsedWith(pvc, lazy, podUsesPVCForDeletion))) {
        return setFinalizers(pvc, (pvc.metadata?.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER), 'removed');
      }
      log(`keeping ${keyOf(pvc)}: it is being used`);
    }
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER)) {
      // The admission plugin adds it; this is for claims created without it.
      return setFinalizers(pvc, [...(pvc.metadata?.finalizers ?? []), PVC_PROTECTION_FINALIZER], 'added');
    }
  };

  // pvcProcessingStore: claim keys taken off the claim queue wait here, per namespace, until a
  // namespace worker processes the batch; each key is done (forgotten or retried) only then.
  const batches = new Map<string, Array<{ name: string; done: (err?: unknown) => void }>>();
  const processNamespace = async (namespace: string): Promise<void> => {
    await synced; // WaitForNamedCacheSync: no decision before both caches are filled
    const batch = batches.get(namespace) ?? [];
    batches.delete(namespace);
    const lazy: LazyLivePodList = {};
    for (const item of batch) {
      try {
        await processPVC(namespace, item.name, lazy);
        item.done();
      } catch (err) {
        item.done(err);
      }
    }
  };
  const namespaceQueue = new WorkQueue(clock, processNamespace, opts.workers ?? 1, (ns, err) => log(`namespace ${ns}: ${errorMessage(err)}`));
  const queue = new WorkQueue(
    clock,
    (key) =>
      new Promise<void>((resolve, reject) => {
        const { namespace, name } = splitKey(key);
        let batch = batches.get(namespace);
        if (!batch) {
          batches.set(namespace, (batch = []));
          namespaceQueue.add(namespace);
        }
        batch.push({ name, done: (err) => (err === undefined ? resolve() : reject(err)) });
      }),
    Number.POSITIVE_INFINITY,
    (key, err) => log(`PVC ${key} failed with: ${errorMessage(err)}`),
  );

  const pvcAddedUpdated = (pvc: V1PersistentVolumeClaim) => {
    if (unusedSinceTime && !pvc.status?.conditions?.some((c) => c.type === UNUSED_CONDITION)) queue.add(keyOf(pvc));
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER) || isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) queue.add(keyOf(pvc));
  };
  claims.on('add', pvcAddedUpdated).on('update', pvcAddedUpdated);

  /** enqueuePVCs: without the Unused tracking, only pods that can release a claim matter. */
  const enqueuePVCs = (pod: V1Pod, deleted: boolean) => {
    if (!unusedSinceTime && !deleted && !isPodTerminated(pod) && pod.spec?.nodeName) return;
    podPVCKeys(pod).forEach((key) => queue.add(key));
  };
  pods.on('add', (pod) => enqueuePVCs(pod, false));
  pods.on('delete', (pod) => enqueuePVCs(pod, true));
  pods.on('update', (pod, old) => {
    enqueuePVCs(pod, false);
    // An update may mask the deletion of a pod and the creation of another with its name.
    if (old && old.metadata?.uid !== pod.metadata?.uid) enqueuePVCs(old, true);
  });

  synced = Promise.all([claims.start(), pods.start()]);

  await synced;

  return {
    async stop() {
      queue.stop();
      namespaceQueue.stop();
      await Promise.all([claims.stop(), pods.stop()]);
    },
  };
}

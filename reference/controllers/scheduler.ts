/**
 * A scheduler for the reference target: binds pending pods to Ready, schedulable nodes through
 * the `pods/binding` subresource, like kube-scheduler's default profile reduced to what the
 * suite needs — taints/tolerations, node selector, required node affinity, volume binding
 * (bound PV node affinity, unbound Immediate claims block, WaitForFirstConsumer claims get
 * `volume.kubernetes.io/selected-node`), and spreading by pod count (least pods per node).
 *
 * Placement is chosen and "assumed" synchronously (no await in between), like the scheduler
 * cache's AssumePod, so many workers can bind in parallel without piling pods onto one node.
 */
import {
  CoreV1Api,
  KubeConfig,
  StorageV1Api,
  type V1Node,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1StorageClass,
} from '@kubernetes/client-node';
import { errorMessage, isConflict, isNotFound } from '../api-errors.ts';
import { mergePatch, strategicMergePatch } from './api-util.ts';
import { fitErrorMessage, nodeMismatch } from './node-selection.ts';
import { type ComponentOptions, informersFor, keyOf, splitKey, WorkQueue } from './runtime.ts';

export const DEFAULT_SCHEDULER = 'default-scheduler';
export const SELECTED_NODE_ANNOTATION = 'volume.kubernetes.io/selected-node';
/** Unschedulable pods are retried at least this often (upstream flushes them after 5 min). */
const UNSCHEDULABLE_RETRY_MS = 60_000;

type VolumePlan =
  | { ok: true; bound: V1PersistentVolume[]; delayed: V1PersistentVolumeClaim[] }
  | { ok: false; message: string; waitFor: string[] };

function isTerminal(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function claimNames(pod: V1Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => (v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName] : []));
}

export async function startScheduler(
  kc: KubeConfig,
  opts: ComponentOptions & { schedulerName?: string },
): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const schedulerName = opts.schedulerName ?? DEFAULT_SCHEDULER;
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);

  const pods = informers.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces());
  const nodes = informers.informer<V1Node>('/api/v1/nodes', 'V1Node', () => core.listNode());
  const claims = informers.informer<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims', 'V1PersistentVolumeClaim', () => core.listPersistentVolumeClaimForAllNamespaces());
  const volumes = informers.informer<V1PersistentVolume>('/api/v1/persistentvolumes', 'V1PersistentVolume', () => core.listPersistentVolume());
  const classes = informers.informer<V1StorageClass>('/apis/storage.k8s.io/v1/storageclasses', 'V1StorageClass', () => storage.listStorageClass());

  // Pods per node, counting pods bound on the server and pods this scheduler assumed.
  const podNode = new Map<string, string>();
  const podsPerNode = new Map<string, number>();
  const assumed = new Set<string>();
  const setPodNode = (uid: string, node: string | undefined) => {
    const old = podNode.get(uid);
    if (old === node) return;
    if (old) podsPerNode.set(old, (podsPerNode.get(old) ?? 1) - 1);
    if (node) {
      podNode.set(uid, node);
      podsPerNode.set(node, (podsPerNode.get(node) ?? 0) + 1);
    } else podNode.delete(uid);
  };

  // Pods waiting on something: a claim (by namespace/name), or any node change.
  const claimWaiters = new Map<string, Set<string>>();
  const unschedulable = new Set<string>();
  const waitOnClaims = (podKey: string, claimKeys: string[]) => {
    for (const c of claimKeys) {
      const set = claimWaiters.get(c) ?? new Set<string>();
      set.add(podKey);
      claimWaiters.set(c, set);
    }
  };
  const wakeClaim = (claimKey: string) => {
    const waiting = claimWaiters.get(claimKey);
    if (!waiting) return;
    claimWaiters.delete(claimKey);
    waiting.forEach((k) => queue.add(k));
  };
  const wakeUnschedulable = () => {
    const keys = [...unschedulable];
    unschedulable.clear();
    keys.forEach((k) => queue.add(k));
  };

  const needsScheduling = (pod: V1Pod) =>
    !pod.spec?.nodeName &&
    (pod.spec?.schedulerName ?? DEFAULT_SCHEDULER) === schedulerName &&
    !pod.metadata?.deletionTimestamp &&
    !isTerminal(pod);

  const planVolumes = (pod: V1Pod): VolumePlan => {
    const ns = pod.metadata?.namespace ?? '';
    const bound: V1PersistentVolume[] = [];
    const delayed: V1PersistentVolumeClaim[] = [];
    for (const name of claimNames(pod)) {
      const claimKey = `${ns}/${name}`;
      const pvc = claims.get(name, ns);
      if (!pvc) return { ok: false, message: `persistentvolumeclaim "${name}" not found`, waitFor: [claimKey] };
      if (pvc.metadata?.deletionTimestamp) return { ok: false, message: `persistentvolumeclaim "${name}" is being deleted`, waitFor: [claimKey] };
      const volumeName = pvc.spec?.volumeName;
      if (volumeName) {
        const pv = volumes.get(volumeName);
        if (!pv) return { ok: false, message: `pvc(s) bound to non-existent pv(s)`, waitFor: [claimKey] };
        bound.push(pv);
        continue;
      }
      const className = pvc.spec?.storageClassName ?? '';
      const sc = className ? classes.get(className) : undefined;
      if (sc?.volumeBindingMode === 'WaitForFirstConsumer') delayed.push(pvc);
      else return { ok: false, message: 'pod has unbound immediate PersistentVolumeClaims', waitFor: [claimKey] };
    }
    return { ok: true, bound, delayed };
  };

  const markUnschedulable = async (pod: V1Pod, message: string) => {
    const key = keyOf(pod);
    unschedulable.add(key);
    queue.addAfter(key, UNSCHEDULABLE_RETRY_MS);
    const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
    if (current?.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return;
    const condition = { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastTransitionTime: clock.now(), lastProbeTime: null };
    await core.patchNamespacedPodStatus(
      { name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { metadata: { uid: pod.metadata?.uid }, status: { conditions: [condition] } } },
      strategicMergePatch(),
    );
  };

  const selectNode = async (pvc: V1PersistentVolumeClaim, node: string) => {
    if (pvc.metadata?.annotations?.[SELECTED_NODE_ANNOTATION] === node) return;
    await core.patchNamespacedPersistentVolumeClaim(
      { name: pvc.metadata!.name!, namespace: pvc.metadata!.namespace!, body: { metadata: { annotations: { [SELECTED_NODE_ANNOTATION]: node } } } },
      mergePatch(),
    );
  };

  const schedule = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const pod = pods.get(name, namespace);
    if (!pod || !needsScheduling(pod) || assumed.has(pod.metadata?.uid ?? '')) return;
    const plan = planVolumes(pod);
    if (!plan.ok) {
      waitOnClaims(key, plan.waitFor);
      return markUnschedulable(pod, `0/${nodes.list().length} nodes are available: ${plan.message}.`);
    }
    const allNodes = nodes.list();
    const reasons: string[] = [];
    const feasible: V1Node[] = [];
    for (const node of allNodes) {
      const why = nodeMismatch(pod, node, plan.bound);
      if (why) reasons.push(why);
      else feasible.push(node);
    }
    if (feasible.length === 0) {
      return markUnschedulable(pod, allNodes.length === 0 ? 'no nodes available to schedule pods' : fitErrorMessage(allNodes.length, reasons));
    }
    // A claim that already has a selected node pins the pod there (a previous attempt chose it).
    const pinned = plan.delayed.map((c) => c.metadata?.annotations?.[SELECTED_NODE_ANNOTATION]).find((n) => n);
    const candidates = pinned ? feasible.filter((n) => n.metadata?.name === pinned) : feasible;
    if (candidates.length === 0) {
      return markUnschedulable(pod, `0/${allNodes.length} nodes are available: node(s) did not match the selected node of a WaitForFirstConsumer claim.`);
    }
    const chosen = candidates.reduce((best, n) =>
      (podsPerNode.get(n.metadata!.name!) ?? 0) < (podsPerNode.get(best.metadata!.name!) ?? 0) ? n : best,
    );
    const nodeName = chosen.metadata!.name!;
    if (plan.delayed.length > 0) {
      // VolumeBinding PreBind: hand the claims to the provisioner for this node, bind the pod
      // once they are bound (the claim updates wake the pod up).
      waitOnClaims(key, plan.delayed.map((c) => keyOf(c)));
      await Promise.all(plan.delayed.map((c) => selectNode(c, nodeName)));
      return;
    }
    const uid = pod.metadata?.uid ?? '';
    assumed.add(uid);
    setPodNode(uid, nodeName);
    unschedulable.delete(key);
    try {
      await core.createNamespacedPodBinding({
        name,
        namespace,
        body: {
          apiVersion: 'v1',
          kind: 'Binding',
          metadata: { name, namespace, uid },
          target: { apiVersion: 'v1', kind: 'Node', name: nodeName },
        },
      });
    } catch (err) {
      assumed.delete(uid);
      setPodNode(uid, undefined);
      if (isNotFound(err) || isConflict(err)) return; // gone, or bound by someone else
      throw err;
    }
  };

  const queue = new WorkQueue(clock, schedule, 16, (key, err) => log(`scheduling ${key} failed: ${errorMessage(err)}`));

  const observePod = (pod: V1Pod) => {
    const uid = pod.metadata?.uid ?? '';
    if (pod.spec?.nodeName) {
      assumed.delete(uid);
      setPodNode(uid, isTerminal(pod) ? undefined : pod.spec.nodeName);
    } else if (!assumed.has(uid)) setPodNode(uid, undefined);
    if (needsScheduling(pod)) queue.add(keyOf(pod));
  };
  pods.on('add', observePod).on('update', observePod);
  pods.on('delete', (pod) => {
    const uid = pod.metadata?.uid ?? '';
    assumed.delete(uid);
    setPodNode(uid, undefined);
    unschedulable.delete(keyOf(pod));
  });

  const schedulingRelevant = (n: V1Node) =>
    JSON.stringify([n.spec?.taints, n.spec?.unschedulable, n.metadata?.labels, n.status?.conditions?.find((c) => c.type === 'Ready')?.status]);
  // Heartbeats update nodes every few seconds; only changes the filters read wake pods up.
  const lastSeen = new Map<string, string>();
  const onNode = (n: V1Node) => {
    const relevant = schedulingRelevant(n);
    if (lastSeen.get(n.metadata?.name ?? '') === relevant) return;
    lastSeen.set(n.metadata?.name ?? '', relevant);
    wakeUnschedulable();
  };
  nodes.on('add', onNode).on('update', onNode);
  nodes.on('delete', (n) => {
    lastSeen.delete(n.metadata?.name ?? '');
    wakeUnschedulable();
  });
  const onClaim = (pvc: V1PersistentVolumeClaim) => wakeClaim(keyOf(pvc));
  claims.on('add', onClaim).on('update', onClaim).on('delete', onClaim);
  const onVolume = (pv: V1PersistentVolume) => {
    const ref = pv.spec?.claimRef;
    if (ref?.name) wakeClaim(`${ref.namespace ?? ''}/${ref.name}`);
  };
  volumes.on('add', onVolume).on('update', onVolume);
  classes.on('add', wakeUnschedulable).on('update', wakeUnschedulable);

  // Everything the filters read must be cached before the first pod is placed.
  await Promise.all([nodes.start(), claims.start(), volumes.start(), classes.start()]);
  await pods.start();

  return {
    async stop() {
      queue.stop();
      await Promise.all([pods.stop(), nodes.stop(), claims.stop(), volumes.stop(), classes.stop()]);
    },
  };
}

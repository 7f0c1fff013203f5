/**
 * The node lifecycle controller for the reference target (upstream
 * `pkg/controller/nodelifecycle/node_lifecycle_controller.go`), reduced to health monitoring:
 * - every 5 s (`nodeMonitorPeriod`) a node whose Lease and Ready heartbeat are both older than
 *   50 s (`nodeMonitorGracePeriod`, the default since v1.32) gets its kubelet conditions set to Unknown
 *   (`NodeStatusUnknown`, "Kubelet stopped posting node status.") and its pods marked not Ready
 *   (`MarkPodsNotReady`);
 * - taints follow the Ready condition (`doNoScheduleTaintingPass`/`doNoExecuteTaintingPass`):
 *   Unknown → `node.kubernetes.io/unreachable`, False → `node.kubernetes.io/not-ready`, both
 *   NoSchedule and NoExecute; True removes them, including the not-ready taint the real API
 *   server's admission puts on new nodes.
 * - Eviction (the taint manager): a pod is deleted when it tolerates the NoExecute taint only
 *   for `tolerationSeconds` and that time is over. Upstream, pods without such a toleration are
 *   evicted at once, but there every pod carries 300 s default tolerations added by the
 *   DefaultTolerationSeconds admission plugin; the reference API server may not add them, so
 *   pods without a toleration are left alone rather than evicted at once.
 * - Events (source node-controller, through ./event-recorder.ts): RegisteredNode and RemovingNode
 *   as nodes appear and go, NodeNotReady on a node whose Ready goes from True to Unknown and on
 *   each pod marked not Ready.
 */
import { CoordinationV1Api, CoreV1Api, KubeConfig, type V1Lease, type V1Node, type V1NodeCondition, type V1Pod, type V1Taint } from '@kubernetes/client-node';
import type { Timer } from '../clock.ts';
import { errorMessage, isConflict, isNotFound } from '../api-errors.ts';
import { mergePatch, strategicMergePatch } from './api-util.ts';
import { EventBroadcaster } from './event-recorder.ts';
import { tolerates } from './node-selection.ts';
import { type ComponentOptions, informersFor } from './runtime.ts';

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const MONITOR_PERIOD_MS = 5_000;
const GRACE_PERIOD_MS = 50_000;
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

function time(t: Date | string | undefined): number {
  return t ? new Date(t).getTime() : 0;
}

/** The taints the Ready condition calls for, keeping the others (and timeAdded of kept ones). */
export function desiredTaints(node: V1Node, now: Date): V1Taint[] {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  const managed = [UNREACHABLE_TAINT, NOT_READY_TAINT];
  const key = ready === 'Unknown' ? UNREACHABLE_TAINT : ready === 'False' ? NOT_READY_TAINT : undefined;
  const current = node.spec?.taints ?? [];
  const kept = current.filter((t) => !managed.includes(t.key) || t.key === key);
  if (!key) return kept;
  for (const effect of ['NoSchedule', 'NoExecute']) {
    if (!kept.some((t) => t.key === key && t.effect === effect)) kept.push(effect === 'NoExecute' ? { key, effect, timeAdded: now } : { key, effect });
  }
  return kept;
}

export async function startNodeLifecycleController(kc: KubeConfig, opts: ComponentOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const nodes = informers.informer<V1Node>('/api/v1/nodes', 'V1Node', () => core.listNode());
  const leases = informers.informer<V1Lease>('/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', 'V1Lease',
    () => coordination.listNamespacedLease({ namespace: 'kube-node-lease' }));
  const pods = informers.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces());
  const broadcaster = new EventBroadcaster(core, clock, log);
  const recorder = broadcaster.newRecorder('node-controller');
  /** controllerutil.RecordNodeEvent / RecordNodeStatusChange: Events on the Node (kept in "default"). */
  const nodeEvent = (name: string, uid: string | undefined, reason: string, message: string) =>
    recorder.eventFor({ apiVersion: 'v1', kind: 'Node', name, uid, namespace: '' }, 'Normal', reason, message);
  /** knownNodeSet: nodes seen, by name, with their uids. */
  const known = new Map<string, string | undefined>();

  const lastProbe = (node: V1Node): number => {
    const lease = leases.get(node.metadata?.name ?? '', 'kube-node-lease');
    const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
    return Math.max(time(lease?.spec?.renewTime), time(ready?.lastHeartbeatTime), time(node.metadata?.creationTimestamp));
  };

  const markUnknown = async (node: V1Node, now: Date) => {
    const name = node.metadata!.name!;
    log(`node ${name}: no heartbeat for ${GRACE_PERIOD_MS / 1000}s, conditions → Unknown`);
    // Reported once, when Ready goes from True to not True.
    const wasReady = node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    const conditions: V1NodeCondition[] = KUBELET_CONDITIONS.map((type) => {
      const old = node.status?.conditions?.find((c) => c.type === type);
      return {
        type,
        status: 'Unknown',
        reason: 'NodeStatusUnknown',
        message: 'Kubelet stopped posting node status.',
        lastHeartbeatTime: old?.lastHeartbeatTime ?? now,
        lastTransitionTime: now,
      };
    });
    await core.patchNodeStatus({ name, body: { status: { conditions } } }, strategicMergePatch());
    if (wasReady) nodeEvent(name, node.metadata?.uid, 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    // MarkPodsNotReady: nobody will report on these pods any more.
    await Promise.all(
      pods
        .list()
        .filter((p) => p.spec?.nodeName === name && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status !== 'False'))
        .map((p) => {
          const ready = p.status!.conditions!.find((c) => c.type === 'Ready')!;
          const condition = { ...ready, status: 'False', lastTransitionTime: now };
          return core
            .patchNamespacedPodStatus({ name: p.metadata!.name!, namespace: p.metadata!.namespace!, body: { status: { conditions: [condition] } } }, strategicMergePatch())
            .then((updated) =>
              recorder.eventFor(
                { apiVersion: 'v1', kind: 'Pod', name: p.metadata!.name, namespace: p.metadata!.namespace, uid: p.metadata?.uid, resourceVersion: updated.metadata?.resourceVersion },
                'Warning',
                'NodeNotReady',
                'Node is not ready',
              ),
            )
            .catch((err) => {
              if (!isNotFound(err)) throw err;
            });
        }),
    );
  };

  const syncTaints = async (node: V1Node, now: Date) => {
    const want = desiredTaints(node, now);
    const have = node.spec?.taints ?? [];
    const same = want.length === have.length && want.every((t) => have.some((h) => h.key === t.key && h.effect === t.effect && (h.value ?? '') === (t.value ?? '')));
    if (same) return;
    await core.patchNode(
      { name: node.metadata!.name!, body: { metadata: { resourceVersion: node.metadata?.resourceVersion }, spec: { taints: want.length ? want : null } } },
      mergePatch(),
    );
  };

  /** Taint-based eviction, for pods whose toleration of the NoExecute taint ran out. */
  const evict = async (node: V1Node, nowMs: number) => {
    const taints = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute' && (t.key === UNREACHABLE_TAINT || t.key === NOT_READY_TAINT));
    if (taints.length === 0) return;
    for (const pod of pods.list().filter((p) => p.spec?.nodeName === node.metadata?.name && !p.metadata?.deletionTimestamp)) {
      const expired = taints.some((taint) => {
        const tol = (pod.spec?.tolerations ?? []).find((t) => tolerates(t, taint));
        return tol?.tolerationSeconds !== undefined && tol.tolerationSeconds !== null && time(taint.timeAdded) + tol.tolerationSeconds * 1000 <= nowMs;
      });
      if (!expired) continue;
      log(`evicting pod ${pod.metadata?.namespace}/${pod.metadata?.name} from node ${node.metadata?.name}`);
      await core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: { preconditions: { uid: pod.metadata?.uid } } }).catch((err) => {
        if (!isNotFound(err) && !isConflict(err)) throw err;
      });
    }
  };

  let stopped = false;
  let timer: Timer | undefined;
  const monitor = async () => {
    const nowMs = clock.nowMs();
    const now = new Date(Math.floor(nowMs / 1000) * 1000);
    // monitorNodeHealth's classifyNodes: nodes new to the controller and nodes gone.
    const all = nodes.list();
    for (const node of all) {
      const name = node.metadata!.name!;
      if (known.has(name)) continue;
      known.set(name, node.metadata?.uid);
      nodeEvent(name, node.metadata?.uid, 'RegisteredNode', `Node ${name} event: Registered Node ${name} in Controller`);
    }
    for (const [name, uid] of known) {
      if (all.some((n) => n.metadata?.name === name)) continue;
      known.delete(name);
      nodeEvent(name, uid, 'RemovingNode', `Node ${name} event: Removing Node ${name} from Controller`);
    }
    for (const node of all) {
      try {
        const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
        if (ready && ready.status !== 'Unknown' && nowMs - lastProbe(node) > GRACE_PERIOD_MS) {
          await markUnknown(node, now);
          continue; // taints follow on the next pass, from the updated conditions
        }
        if (ready) await syncTaints(node, now);
        await evict(node, nowMs);
      } catch (err) {
        if (!isConflict(err)) log(`node ${node.metadata?.name}: ${errorMessage(err)}`);
      }
    }
  };
  const loop = () => {
    if (stopped) return;
    timer = clock.after(MONITOR_PERIOD_MS, () => void monitor().finally(loop));
  };

  await Promise.all([nodes.start(), leases.start(), pods.start()]);
  // Fresh Ready nodes should lose the admission's not-ready taint quickly, not after a period.
  nodes.on('update', (n) => {
    if (n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && n.spec?.taints?.some((t) => t.key === NOT_READY_TAINT || t.key === UNREACHABLE_TAINT)) {
      syncTaints(n, clock.now()).catch((err) => {
        if (!isConflict(err)) log(`node ${n.metadata?.name}: ${errorMessage(err)}`);
      });
    }
  });
  void monitor().finally(loop);

  return {
    async stop() {
      stopped = true;
      timer?.cancel();
      await Promise.all([nodes.stop(), leases.stop(), pods.stop()]);
      await broadcaster.flush();
    },
  };
}

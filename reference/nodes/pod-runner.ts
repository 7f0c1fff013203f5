/**
 * The pod half of a simulated kubelet: runs the pods bound to the simulator's nodes.
 *
 * Per pod: Pending → (startup delay) Running with an IP and kubelet conditions; Ready is
 * recomputed on every update (readiness gates, simulated probes); on deletion the containers
 * stop within the grace period, the pod gets its terminal phase and is deleted with grace 0 and
 * a UID precondition — the sequence of the kubelet's status manager since 1.27. A node that is
 * stopped does nothing for its pods until it is started again.
 */
import { CoreV1Api, KubeConfig, type V1Pod, type V1PodStatus } from '@kubernetes/client-node';
import type { Clock, Timer } from '../clock.ts';
import { errorMessage, isConflict, isNotFound } from '../api-errors.ts';
import { Limiter, strategicMergePatch } from '../controllers/api-util.ts';
import { admit } from './admission.ts';
import type { IpBlock } from './ip-allocator.ts';
import {
  IGNORE_SIGTERM_ANNOTATION,
  kubeletConditions,
  readinessDrift,
  runningStatus,
  seconds,
  terminatedStatus,
} from './pod-status.ts';

export interface NodeSlot {
  name: string;
  internalIP: string;
  ips: IpBlock;
  /** False while the node is stopped: its pods are neither run nor finished. */
  running: boolean;
}

export interface PodTiming {
  startupDelayMs: number;
  shutdownDelayMs: number;
}

interface PodRecord {
  uid: string;
  namespace: string;
  name: string;
  node: string;
  ip?: string;
  started: boolean;
  /** Passed the kubelet's admission (started pods were admitted by an earlier instance). */
  admitted: boolean;
  startTimer?: Timer;
  kill?: { deadlineMs: number; timer: Timer };
  /** Terminal status written and the grace-0 delete sent. */
  deleteSent: boolean;
}

const DEFAULT_GRACE_SECONDS = 30;
const RETRY_MS = 1000;

export class PodRunner {
  private readonly core: CoreV1Api;
  private readonly records = new Map<string, PodRecord>();
  private readonly limiter = new Limiter(32);
  private stopped = false;

  constructor(
    kc: KubeConfig,
    private readonly clock: Clock,
    private readonly nodes: Map<string, NodeSlot>,
    private readonly timing: PodTiming,
    /** The latest state of a pod, from the simulator's informer. */
    private readonly lookup: (namespace: string, name: string) => V1Pod | undefined,
    private readonly log: (s: string) => void,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
  }

  stop(): void {
    this.stopped = true;
    for (const rec of this.records.values()) this.cancelTimers(rec);
  }

  /** Informer add/update. */
  observe(pod: V1Pod): void {
    const slot = this.slotOf(pod);
    if (!slot || this.stopped) return;
    const rec = this.recordOf(pod, slot);
    if (!slot.running) return;
    if (pod.metadata?.deletionTimestamp) return this.scheduleKill(pod, rec);
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    if (!rec.admitted) return this.admit(pod, rec);
    if (!rec.started) return this.scheduleStart(rec);
    this.reconcileReadiness(pod);
  }

  /**
   * HandlePodAdditions' canAdmitPod against the node's active pods (admitted, not terminal, not
   * yet deleted): admitted pods start; a rejected one gets rejectPod's terminal status and is
   * never run (the StatefulSet controller, say, deletes and recreates it).
   */
  private admit(pod: V1Pod, rec: PodRecord): void {
    const active = [...this.records.values()]
      .filter((r) => r.node === rec.node && r.uid !== rec.uid && r.admitted && !r.deleteSent)
      .map((r) => this.current(r))
      .filter((p): p is V1Pod => !!p && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
    const rejection = admit(pod, active);
    if (!rejection) {
      rec.admitted = true;
      return this.scheduleStart(rec);
    }
    this.log(`pod ${rec.namespace}/${rec.name}: rejected by node ${rec.node}: ${rejection.message}`);
    this.patchStatus(pod, { phase: 'Failed', reason: rejection.reason, message: rejection.message }).catch((err) => {
      if (isNotFound(err)) return;
      this.log(`pod ${rec.namespace}/${rec.name}: rejection status failed, retrying: ${errorMessage(err)}`);
      this.clock.after(RETRY_MS, () => {
        const latest = this.current(rec);
        if (latest && !this.stopped) this.observe(latest);
      });
    });
  }

  /** Informer delete: the pod object is gone, so its IP can be handed out again. */
  forget(pod: V1Pod): void {
    const uid = pod.metadata?.uid ?? '';
    const rec = this.records.get(uid);
    const slot = this.nodes.get(pod.spec?.nodeName ?? '');
    if (rec) this.cancelTimers(rec);
    this.records.delete(uid);
    const ip = rec?.ip ?? pod.status?.podIP;
    if (ip) slot?.ips.release(ip);
  }

  /** A node stopped: drop its pending work; `resume` re-derives it from the pods. */
  pauseNode(node: string): void {
    for (const rec of this.records.values()) {
      if (rec.node === node) this.cancelTimers(rec);
    }
  }

  resumeNode(node: string, pods: V1Pod[]): void {
    for (const pod of pods) if (pod.spec?.nodeName === node) this.observe(pod);
  }

  /** Simulated readiness probe of all containers of a pod. */
  async setContainersReady(namespace: string, name: string, ready: boolean): Promise<void> {
    const pod = this.requirePod(namespace, name);
    if (pod.status?.phase !== 'Running') throw new Error(`pod ${namespace}/${name} is not Running (phase ${pod.status?.phase})`);
    const containerStatuses = (pod.status.containerStatuses ?? []).map((s) => ({ ...s, ready }));
    const now = seconds(this.clock.nowMs());
    const status: V1PodStatus = { containerStatuses, conditions: kubeletConditions(pod, containerStatuses, 'Running', now) };
    await this.patchStatus(pod, status);
  }

  /**
   * Containers die for good (crash with restartPolicy Never, eviction, node shutdown): the
   * kubelet writes terminated containers and the terminal phase; the pod object stays.
   */
  async failPod(namespace: string, name: string, phase: 'Failed' | 'Succeeded', reason?: string, message?: string): Promise<void> {
    const pod = this.requirePod(namespace, name);
    const rec = this.records.get(pod.metadata?.uid ?? '');
    if (rec?.startTimer) {
      rec.startTimer.cancel();
      rec.startTimer = undefined;
    }
    await this.patchStatus(pod, terminatedStatus(pod, phase === 'Succeeded' ? 0 : 137, seconds(this.clock.nowMs()), reason, message));
  }

  private requirePod(namespace: string, name: string): V1Pod {
    const pod = this.lookup(namespace, name);
    if (!pod) throw new Error(`pod ${namespace}/${name} not found`);
    if (!this.slotOf(pod)) throw new Error(`pod ${namespace}/${name} is not bound to a simulated node`);
    return pod;
  }

  private slotOf(pod: V1Pod): NodeSlot | undefined {
    const node = pod.spec?.nodeName;
    return node ? this.nodes.get(node) : undefined;
  }

  private recordOf(pod: V1Pod, slot: NodeSlot): PodRecord {
    const uid = pod.metadata?.uid ?? '';
    let rec = this.records.get(uid);
    if (!rec) {
      rec = {
        uid,
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        node: slot.name,
        started: false,
        admitted: false,
        deleteSent: false,
      };
      // A pod this simulator (or an earlier instance) already started: adopt its IP.
      const ip = pod.status?.podIP;
      if (ip && pod.status?.phase !== 'Pending') {
        rec.ip = ip;
        rec.started = true;
        rec.admitted = true;
        slot.ips.reserve(ip);
      }
      this.records.set(uid, rec);
    }
    return rec;
  }

  private cancelTimers(rec: PodRecord): void {
    rec.startTimer?.cancel();
    rec.startTimer = undefined;
    rec.kill?.timer.cancel();
    rec.kill = undefined;
  }

  private current(rec: PodRecord): V1Pod | undefined {
    const pod = this.lookup(rec.namespace, rec.name);
    return pod?.metadata?.uid === rec.uid ? pod : undefined;
  }

  private scheduleStart(rec: PodRecord, delayMs = this.timing.startupDelayMs): void {
    if (rec.startTimer) return;
    rec.startTimer = this.clock.after(delayMs, () => {
      rec.startTimer = undefined;
      void this.start(rec);
    });
  }

  private async start(rec: PodRecord): Promise<void> {
    const slot = this.nodes.get(rec.node);
    const pod = this.current(rec);
    if (!slot?.running || !pod || pod.metadata?.deletionTimestamp || rec.started || this.stopped) return;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return;
    rec.ip ??= slot.ips.allocate();
    const now = seconds(this.clock.nowMs());
    const status = runningStatus(pod, { podIP: rec.ip, hostIP: slot.internalIP, startTime: now, startedAt: now, containerIdPrefix: rec.uid, ready: true }, now);
    try {
      await this.patchStatus(pod, status);
      rec.started = true;
      // Events that arrived while the patch was in flight (the readiness gate set as soon as the
      // pod ran) were taken for a pod not yet started: catch up on the latest state now.
      const latest = this.current(rec);
      if (latest) this.reconcileReadiness(latest);
    } catch (err) {
      if (isNotFound(err)) return;
      this.log(`pod ${rec.namespace}/${rec.name}: start failed, retrying: ${errorMessage(err)}`);
      this.scheduleStart(rec, RETRY_MS);
    }
  }

  /** `NeedToReconcilePodReadiness`: recompute Ready from containers and gates, patch if it changed. */
  private reconcileReadiness(pod: V1Pod): void {
    if (pod.status?.phase !== 'Running' || !pod.status.containerStatuses?.length) return;
    const drift = readinessDrift(pod, seconds(this.clock.nowMs()));
    if (!drift) return;
    this.patchStatus(pod, { conditions: drift }).catch((err) => {
      if (isNotFound(err)) return;
      // The kubelet's status manager retries until the status is written; so does this.
      this.log(`pod ${pod.metadata?.namespace}/${pod.metadata?.name}: readiness update failed, retrying: ${errorMessage(err)}`);
      const uid = pod.metadata?.uid;
      this.clock.after(RETRY_MS, () => {
        const latest = this.lookup(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
        if (latest && latest.metadata?.uid === uid && !this.stopped) this.reconcileReadiness(latest);
      });
    });
  }

  private scheduleKill(pod: V1Pod, rec: PodRecord): void {
    if (rec.startTimer) {
      rec.startTimer.cancel();
      rec.startTimer = undefined;
    }
    if (rec.deleteSent) return;
    const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;
    const phase = pod.status?.phase;
    const hasRunningContainers = rec.started && phase !== 'Succeeded' && phase !== 'Failed';
    const ignoresSigterm = pod.metadata?.annotations?.[IGNORE_SIGTERM_ANNOTATION] === 'true';
    const delayMs = !hasRunningContainers ? 0 : ignoresSigterm ? grace * 1000 : Math.min(this.timing.shutdownDelayMs, grace * 1000);
    const deadlineMs = this.clock.nowMs() + delayMs;
    // A later delete may shorten the grace period; it never lengthens a running countdown.
    if (rec.kill && rec.kill.deadlineMs <= deadlineMs) return;
    rec.kill?.timer.cancel();
    rec.kill = { deadlineMs, timer: this.clock.after(delayMs, () => void this.finish(rec, ignoresSigterm)) };
  }

  private async finish(rec: PodRecord, killed: boolean): Promise<void> {
    const slot = this.nodes.get(rec.node);
    const pod = this.current(rec);
    if (!pod || !slot?.running || this.stopped) {
      rec.kill = undefined;
      return;
    }
    try {
      const phase = pod.status?.phase;
      if (phase !== 'Succeeded' && phase !== 'Failed') {
        // SIGTERM handled → exit 0 → Succeeded; SIGKILL at the end of the grace period → 137 → Failed.
        await this.patchStatus(pod, terminatedStatus(pod, killed ? 137 : 0, seconds(this.clock.nowMs())));
      }
      await this.limiter.run(() =>
        this.core.deleteNamespacedPod({
          name: rec.name,
          namespace: rec.namespace,
          gracePeriodSeconds: 0,
          body: { gracePeriodSeconds: 0, preconditions: { uid: rec.uid } },
        }),
      );
      rec.deleteSent = true;
    } catch (err) {
      // 404: already gone; 409: the UID precondition failed, a new pod has the name.
      if (isNotFound(err) || isConflict(err)) {
        rec.deleteSent = true;
        return;
      }
      this.log(`pod ${rec.namespace}/${rec.name}: termination failed, retrying: ${errorMessage(err)}`);
      rec.kill = { deadlineMs: this.clock.nowMs() + RETRY_MS, timer: this.clock.after(RETRY_MS, () => void this.finish(rec, killed)) };
    }
  }

  /**
   * Status goes through `pods/status` as a strategic-merge patch: conditions merge by type, so
   * conditions the kubelet does not own (readiness gates) survive. The UID in the patch is a
   * precondition, as in the kubelet's `statusutil.PatchPodStatus`: never touch a namesake pod.
   */
  private async patchStatus(pod: V1Pod, status: V1PodStatus): Promise<void> {
    const name = pod.metadata?.name ?? '';
    const namespace = pod.metadata?.namespace ?? '';
    await this.limiter.run(() => this.core.patchNamespacedPodStatus({ name, namespace, body: { metadata: { uid: pod.metadata?.uid }, status } }, strategicMergePatch()));
  }
}

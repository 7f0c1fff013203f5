/**
 * Readiness under the test's control. Harness pods carry a readiness gate of the suite's own
 * condition type; Ready is True only when the kubelet (real or simulated) sees that condition
 * True. This module sets the condition through the pod status API, which works the same on a
 * real kubelet: by default a pod is made ready as soon as it runs; a scenario can hold a pod
 * (or every pod) unready, make a ready pod unready, and release it later.
 */
import { CoreV1Api, PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import { isConflict, isNotFound } from '../reference/api-errors.ts';
import type { Clock } from '../reference/clock.ts';
import { rfc3339 } from '../reference/clock.ts';
import { condition, READINESS_GATE } from './pods.ts';
import type { Timeline } from './timeline.ts';

/** Backoff before a failed readiness write is tried again. */
const RETRY_MS = 250;

export class ReadinessController {
  private readonly held = new Set<string>();
  /** Pods held unready only from their next incarnation on: name → the UID left alone. */
  private readonly heldReplacements = new Map<string, string | undefined>();
  private holdAll = false;
  private stopped = false;
  /** Gate value we last wrote per pod UID, so each change is written once. */
  private readonly written = new Map<string, 'True' | 'False'>();
  private readonly unsubscribe: () => void;
  readonly errors: string[] = [];

  constructor(
    private readonly core: CoreV1Api,
    private readonly timeline: Timeline,
    private readonly clock: Clock,
  ) {
    this.unsubscribe = timeline.subscribe(() => this.reconcile());
  }

  stop(): void {
    this.stopped = true;
    this.unsubscribe();
  }

  /** Holds a pod unready (now and across re-creations with the same name) until released. */
  hold(pod: string): void {
    this.held.add(pod);
    this.reconcile();
  }

  /** Holds the pods that will replace a pod unready, leaving the pod running now alone. */
  holdReplacement(pod: string): void {
    this.heldReplacements.set(pod, this.timeline.get<V1Pod>('Pod', pod)?.metadata?.uid);
    this.reconcile();
  }

  release(pod: string): void {
    this.held.delete(pod);
    this.heldReplacements.delete(pod);
    this.reconcile();
  }

  holdEveryPod(): void {
    this.holdAll = true;
    this.reconcile();
  }

  releaseEveryPod(): void {
    this.holdAll = false;
    this.held.clear();
    this.heldReplacements.clear();
    this.reconcile();
  }

  isHeld(pod: string, uid?: string): boolean {
    if (this.heldReplacements.has(pod) && this.heldReplacements.get(pod) !== uid) return true;
    return this.holdAll || this.held.has(pod);
  }

  private reconcile(): void {
    for (const pod of this.timeline.list<V1Pod>('Pod')) {
      const gated = pod.spec?.readinessGates?.some((g) => g.conditionType === READINESS_GATE);
      if (!gated || pod.status?.phase !== 'Running' || pod.metadata?.deletionTimestamp) continue;
      const uid = pod.metadata!.uid!;
      const want = this.isHeld(pod.metadata!.name!, uid) ? 'False' : 'True';
      const current = condition(pod, READINESS_GATE)?.status;
      // An unheld pod with no gate condition yet is held back only by us: set it True.
      // A held pod without the condition is already unready: nothing to write.
      if (current === want || (want === 'False' && current === undefined)) continue;
      if (this.written.get(uid) === want) continue;
      this.written.set(uid, want);
      void this.write(pod, want);
    }
  }

  private async write(pod: V1Pod, status: 'True' | 'False'): Promise<void> {
    const { name, namespace, uid } = pod.metadata!;
    try {
      await this.core.patchNamespacedPodStatus(
        {
          name: name!,
          namespace: namespace!,
          body: {
            metadata: { uid },
            status: {
              conditions: [
                { type: READINESS_GATE, status, lastTransitionTime: rfc3339(this.clock.now()) as unknown as Date },
              ],
            },
          },
        },
        setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
      );
    } catch (err) {
      // The pod may be gone or replaced (uid precondition); forget the write so that a live pod
      // is retried — soon, not only at the namespace's next change, which may never come.
      this.written.delete(uid!);
      if (!isNotFound(err) && !isConflict(err)) this.errors.push(`setting ${READINESS_GATE}=${status} on ${name}: ${String(err)}`);
      if (!this.stopped) setTimeout(() => !this.stopped && this.reconcile(), RETRY_MS).unref();
    }
  }
}

/**
 * Pod phase, readiness and availability predicates, ported from v1.37.2
 * pkg/controller/statefulset/stateful_set_utils.go and pkg/api/v1/pod/util.go.
 * `nowMs` is passed in so callers use the reference Clock (never Date.now()).
 */
import type { V1Pod, V1PodCondition } from '@kubernetes/client-node';

/** podutil.GetPodReadyCondition */
export function podReadyCondition(pod: V1Pod): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

/** podutil.IsPodReady: the Ready condition is True. */
export function isPodReady(pod: V1Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/**
 * podutil.IsPodAvailable: Ready, and either minReadySeconds == 0 or the Ready condition's
 * lastTransitionTime + minReadySeconds is not after now (`Compare(now) <= 0` since v1.34: a pod
 * is available at exactly lastTransitionTime + minReadySeconds).
 */
export function isPodAvailable(pod: V1Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = timeMs(podReadyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 <= nowMs;
}

/**
 * controller.nextPodAvailabilityCheck (pkg/controller/controller_utils.go): milliseconds until a
 * Ready pod becomes available, or undefined when it is not Ready, has no transition time, or
 * is available already.
 */
export function nextPodAvailabilityCheck(pod: V1Pod, minReadySeconds: number, nowMs: number): number | undefined {
  if (!isPodReady(pod) || minReadySeconds <= 0) return undefined;
  const since = timeMs(podReadyCondition(pod)?.lastTransitionTime);
  if (since === undefined) return undefined;
  const next = since + minReadySeconds * 1000 - nowMs;
  return next > 0 ? next : undefined;
}

/**
 * controller.FindMinNextPodAvailabilityCheck: the earliest nextPodAvailabilityCheck among pods
 * as of the status evaluation (`evaluatedMs`), recomputed for that pod at `nowMs`; 0 when that
 * moment has already passed; undefined when no pod is waiting to become available.
 */
export function findMinNextPodAvailabilityCheck(pods: V1Pod[], minReadySeconds: number, evaluatedMs: number, nowMs: number): number | undefined {
  let min: number | undefined;
  let checkPod: V1Pod | undefined;
  for (const p of pods) {
    const next = nextPodAvailabilityCheck(p, minReadySeconds, evaluatedMs);
    if (next !== undefined && (min === undefined || next < min)) {
      min = next;
      checkPod = p;
    }
  }
  if (min === undefined || !checkPod) return undefined;
  return nextPodAvailabilityCheck(checkPod, minReadySeconds, nowMs) ?? 0;
}

/** isRunningAndReady: phase Running and Ready condition True. */
export function isRunningAndReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}

/** isRunningAndAvailable: upstream's body is just podutil.IsPodAvailable (no phase check). */
export function isRunningAndAvailable(pod: V1Pod, minReadySeconds: number, nowMs: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs);
}

/** isCreated: the API server has stored the pod (it sets phase Pending on create). */
export function isCreated(pod: V1Pod): boolean {
  return !!pod.status?.phase;
}

export function isPending(pod: V1Pod): boolean {
  return pod.status?.phase === 'Pending';
}

/** isTerminalPhase: phase Failed or Succeeded (v1.37 merged isFailed and isSucceeded). */
export function isTerminalPhase(pod: V1Pod): boolean {
  return pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';
}

/** isTerminating: the pod has a deletionTimestamp. */
export function isTerminating(pod: V1Pod): boolean {
  return pod.metadata?.deletionTimestamp != null;
}

/** isHealthy: running, ready and not terminating. */
export function isHealthy(pod: V1Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

/**
 * isUnavailable (used by the unavailable count and the maxUnavailable update loop):
 * not available for minReadySeconds, or terminating. Missing pods (placeholders with no phase)
 * are never Ready, so they count as unavailable too.
 */
export function isUnavailable(pod: V1Pod, minReadySeconds: number, nowMs: number): boolean {
  return !isRunningAndAvailable(pod, minReadySeconds, nowMs) || isTerminating(pod);
}

function timeMs(t: Date | string | undefined): number | undefined {
  if (t === undefined || t === null) return undefined;
  const ms = t instanceof Date ? t.getTime() : Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
}

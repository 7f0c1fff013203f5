/**
 * Pod phase, readiness and availability predicates, ported from
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
 * lastTransitionTime + minReadySeconds lies strictly before now.
 */
export function isPodAvailable(pod: V1Pod, minReadySeconds: number, nowMs: number): boolean {
  if (!isPodReady(pod)) return false;
  if (minReadySeconds === 0) return true;
  const since = timeMs(podReadyCondition(pod)?.lastTransitionTime);
  return since !== undefined && since + minReadySeconds * 1000 < nowMs;
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

export function isFailed(pod: V1Pod): boolean {
  return pod.status?.phase === 'Failed';
}

export function isSucceeded(pod: V1Pod): boolean {
  return pod.status?.phase === 'Succeeded';
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
 * isUnavailable (v1.35, used by the unavailable count and the maxUnavailable update loop):
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

/**
 * What a kubelet writes into a pod's status, as pure functions of the pod and the simulated
 * container state. The condition rules follow upstream `pkg/kubelet/status/generate.go`; the
 * terminal phase follows `getPhase` in `pkg/kubelet/kubelet_pods.go`.
 */
import type { V1ContainerStatus, V1Pod, V1PodCondition, V1PodStatus } from '@kubernetes/client-node';

/** Conditions the kubelet owns (`pkg/kubelet/types/pod_status.go`); all others are preserved. */
export const KUBELET_CONDITIONS = ['PodScheduled', 'PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready'];

/** Annotation of a simulated container that ignores SIGTERM: it is killed only when the grace period ends. */
export const IGNORE_SIGTERM_ANNOTATION = 'sim.statefulset-conformance.io/ignore-sigterm';

/** metav1.Time has second precision; write it as the API server would store it. */
export function seconds(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export function condition(pod: V1Pod, type: string): V1PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === type);
}

type Desired = Pick<V1PodCondition, 'type' | 'status' | 'reason' | 'message'>;

/**
 * Keeps lastTransitionTime (and lastProbeTime) unless the status flips, as the kubelet does:
 * StatefulSet minReadySeconds is measured from Ready's lastTransitionTime.
 */
export function withTransitionTime(pod: V1Pod, desired: Desired, now: Date): V1PodCondition {
  const old = condition(pod, desired.type);
  const lastTransitionTime = old && old.status === desired.status && old.lastTransitionTime ? old.lastTransitionTime : now;
  const c: V1PodCondition = { type: desired.type, status: desired.status, lastTransitionTime };
  if (old?.lastProbeTime !== undefined) c.lastProbeTime = old.lastProbeTime;
  if (desired.reason) c.reason = desired.reason;
  if (desired.message) c.message = desired.message;
  return c;
}

/** `GenerateContainersReadyCondition`: every regular container (and sidecar) reports ready. */
export function containersReadyCondition(pod: V1Pod, statuses: V1ContainerStatus[], phase: string): Desired {
  if (phase === 'Succeeded') return { type: 'ContainersReady', status: 'False', reason: 'PodCompleted' };
  if (phase === 'Failed') return { type: 'ContainersReady', status: 'False', reason: 'PodFailed' };
  const unready = (pod.spec?.containers ?? [])
    .map((c) => c.name)
    .filter((name) => !statuses.find((s) => s.name === name)?.ready);
  if (unready.length === 0) return { type: 'ContainersReady', status: 'True' };
  return {
    type: 'ContainersReady',
    status: 'False',
    reason: 'ContainersNotReady',
    message: `containers with unready status: [${unready.join(' ')}]`,
  };
}

/**
 * `GeneratePodReadyCondition`: ContainersReady's verdict when that is not True, otherwise every
 * readiness gate's condition must be present and True.
 */
export function readyCondition(pod: V1Pod, containersReady: Desired, conditions: V1PodCondition[]): Desired {
  if (containersReady.status !== 'True') {
    return { type: 'Ready', status: containersReady.status, reason: containersReady.reason, message: containersReady.message };
  }
  const unready: string[] = [];
  for (const gate of pod.spec?.readinessGates ?? []) {
    const c = conditions.find((x) => x.type === gate.conditionType);
    if (!c) unready.push(`corresponding condition of pod readiness gate "${gate.conditionType}" does not exist.`);
    else if (c.status !== 'True') unready.push(`the status of pod readiness gate "${gate.conditionType}" is not "True", but ${c.status}`);
  }
  if (unready.length > 0) return { type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: unready.join(', ') };
  return { type: 'Ready', status: 'True' };
}

/** The kubelet-owned conditions for a pod in `phase` whose containers report `statuses`. */
export function kubeletConditions(pod: V1Pod, statuses: V1ContainerStatus[], phase: string, now: Date): V1PodCondition[] {
  const running = phase === 'Running';
  const containersReady = containersReadyCondition(pod, statuses, phase);
  const ready = readyCondition(pod, containersReady, pod.status?.conditions ?? []);
  return [
    withTransitionTime(pod, { type: 'PodReadyToStartContainers', status: running ? 'True' : 'False' }, now),
    withTransitionTime(pod, { type: 'Initialized', status: 'True' }, now),
    withTransitionTime(pod, containersReady, now),
    withTransitionTime(pod, ready, now),
    withTransitionTime(pod, { type: 'PodScheduled', status: 'True' }, now),
  ];
}

export interface RunningContainers {
  containerIdPrefix: string;
  startedAt: Date;
  /** Simulated readiness probe result for all containers. */
  ready: boolean;
}

function imageId(image: string): string {
  let h = 0;
  for (const ch of image) h = (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0;
  return `sim.local/${image.split(':')[0]}@sha256:${h.toString(16).padStart(8, '0').repeat(8)}`;
}

export function runningContainerStatuses(pod: V1Pod, run: RunningContainers): V1ContainerStatus[] {
  return (pod.spec?.containers ?? []).map((c, i) => ({
    name: c.name,
    image: c.image ?? '',
    imageID: imageId(c.image ?? ''),
    containerID: `sim://${run.containerIdPrefix}-${i}`,
    ready: run.ready,
    started: true,
    restartCount: 0,
    state: { running: { startedAt: run.startedAt } },
  }));
}

/** Init containers ran to completion; restartable (sidecar) init containers keep running. */
export function initContainerStatuses(pod: V1Pod, run: RunningContainers): V1ContainerStatus[] {
  return (pod.spec?.initContainers ?? []).map((c, i) => {
    const sidecar = c.restartPolicy === 'Always';
    return {
      name: c.name,
      image: c.image ?? '',
      imageID: imageId(c.image ?? ''),
      containerID: `sim://${run.containerIdPrefix}-init-${i}`,
      ready: sidecar ? run.ready : false,
      started: sidecar,
      restartCount: 0,
      state: sidecar
        ? { running: { startedAt: run.startedAt } }
        : { terminated: { exitCode: 0, reason: 'Completed', startedAt: run.startedAt, finishedAt: run.startedAt } },
    };
  });
}

/**
 * Containers stopped: exit code 0 after a graceful SIGTERM, 137 when killed (ignored SIGTERM,
 * or a crash simulated with `failPod`).
 */
export function terminatedContainerStatuses(pod: V1Pod, exitCode: number, finishedAt: Date): V1ContainerStatus[] {
  const previous = pod.status?.containerStatuses ?? [];
  return (pod.spec?.containers ?? []).map((c, i) => {
    const old = previous.find((s) => s.name === c.name);
    return {
      name: c.name,
      image: c.image ?? '',
      imageID: old?.imageID ?? imageId(c.image ?? ''),
      containerID: old?.containerID ?? `sim://${pod.metadata?.uid ?? 'pod'}-${i}`,
      ready: false,
      started: false,
      restartCount: old?.restartCount ?? 0,
      state: {
        terminated: {
          exitCode,
          reason: exitCode === 0 ? 'Completed' : 'Error',
          startedAt: old?.state?.running?.startedAt ?? finishedAt,
          finishedAt,
          containerID: old?.containerID ?? `sim://${pod.metadata?.uid ?? 'pod'}-${i}`,
        },
      },
    };
  });
}

/**
 * The terminal phase of a pod whose containers all stopped while the pod is terminal (being
 * deleted, or evicted): `getPhase` with `podIsTerminal` → Succeeded iff every container exited 0.
 * That holds for restartPolicy Always too (kubelet ≥ 1.27, kubernetes PR #115331).
 */
export function terminalPhase(exitCode: number): 'Succeeded' | 'Failed' {
  return exitCode === 0 ? 'Succeeded' : 'Failed';
}

/** Status of a pod that started: Running with IPs and kubelet conditions. */
export function runningStatus(
  pod: V1Pod,
  run: RunningContainers & { podIP: string; hostIP: string; startTime: Date },
  now: Date,
): V1PodStatus {
  const containerStatuses = runningContainerStatuses(pod, run);
  return {
    phase: 'Running',
    hostIP: run.hostIP,
    hostIPs: [{ ip: run.hostIP }],
    podIP: run.podIP,
    podIPs: [{ ip: run.podIP }],
    startTime: run.startTime,
    qosClass: pod.status?.qosClass ?? 'BestEffort',
    conditions: kubeletConditions(pod, containerStatuses, 'Running', now),
    containerStatuses,
    initContainerStatuses: initContainerStatuses(pod, run),
  };
}

/** Status of a pod whose containers stopped for good. */
export function terminatedStatus(pod: V1Pod, exitCode: number, now: Date, reason?: string, message?: string): V1PodStatus {
  const phase = terminalPhase(exitCode);
  const containerStatuses = terminatedContainerStatuses(pod, exitCode, now);
  const status: V1PodStatus = {
    phase,
    conditions: kubeletConditions(pod, containerStatuses, phase, now),
    containerStatuses,
  };
  if (reason) status.reason = reason;
  if (message) status.message = message;
  return status;
}

/**
 * The Ready/ContainersReady conditions a running pod should have now, or undefined when those on
 * the object are already right (`NeedToReconcilePodReadiness`: re-evaluated on every update).
 */
export function readinessDrift(pod: V1Pod, now: Date): V1PodCondition[] | undefined {
  const statuses = pod.status?.containerStatuses ?? [];
  const containersReady = containersReadyCondition(pod, statuses, 'Running');
  const ready = readyCondition(pod, containersReady, pod.status?.conditions ?? []);
  const same = (d: Desired) => {
    const c = condition(pod, d.type);
    return c !== undefined && c.status === d.status && (c.reason ?? '') === (d.reason ?? '') && (c.message ?? '') === (d.message ?? '');
  };
  if (same(containersReady) && same(ready)) return undefined;
  return [withTransitionTime(pod, containersReady, now), withTransitionTime(pod, ready, now)];
}

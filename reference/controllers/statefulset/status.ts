/**
 * StatefulSet status arithmetic, ported from v1.37.2 pkg/controller/statefulset/
 * stateful_set_control.go (computeReplicaStatus, updateStatus) and stateful_set_utils.go
 * (inconsistentStatus, completeUpdate, getStatefulSetMaxUnavailable).
 */
import type { IntOrString, V1Pod, V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import { isCreated, isRunningAndAvailable, isRunningAndReady, isTerminating } from './pod-health.ts';
import { getPodRevision, replicasOf } from './pod-identity.ts';
import { canonicalJson } from './revisions.ts';

export interface ReplicaStatus {
  replicas: number;
  readyReplicas: number;
  availableReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
}

/**
 * computeReplicaStatus: replicas counts every created pod (terminating and condemned ones too);
 * ready/available count Running+Ready pods (terminating ones still count); current/updated
 * count only non-terminating pods by revision label (a pod counts in both when the revisions
 * are equal).
 */
export function computeReplicaStatus(
  pods: V1Pod[],
  minReadySeconds: number,
  currentRevision: string,
  updateRevision: string,
  nowMs: number,
): ReplicaStatus {
  const status: ReplicaStatus = { replicas: 0, readyReplicas: 0, availableReplicas: 0, currentReplicas: 0, updatedReplicas: 0 };
  for (const pod of pods) {
    if (isCreated(pod)) status.replicas++;
    if (isRunningAndReady(pod)) {
      status.readyReplicas++;
      if (isRunningAndAvailable(pod, minReadySeconds, nowMs)) status.availableReplicas++;
    }
    if (isCreated(pod) && !isTerminating(pod)) {
      const revision = getPodRevision(pod);
      if (revision === currentRevision) status.currentReplicas++;
      if (revision === updateRevision) status.updatedReplicas++;
    }
  }
  return status;
}

/** updateStatus: recomputes the counters of status over the given pod lists. */
export function updateStatus(
  status: V1StatefulSetStatus,
  minReadySeconds: number,
  currentRevision: string,
  updateRevision: string,
  nowMs: number,
  ...podLists: V1Pod[][]
): void {
  status.replicas = 0;
  status.readyReplicas = 0;
  status.availableReplicas = 0;
  status.currentReplicas = 0;
  status.updatedReplicas = 0;
  for (const list of podLists) {
    const s = computeReplicaStatus(list, minReadySeconds, currentRevision, updateRevision, nowMs);
    status.replicas += s.replicas;
    status.readyReplicas! += s.readyReplicas;
    status.availableReplicas! += s.availableReplicas;
    status.currentReplicas! += s.currentReplicas;
    status.updatedReplicas! += s.updatedReplicas;
  }
}

/**
 * inconsistentStatus: whether the computed status differs from the stored one in any field the
 * controller owns. collisionCount is not compared; conditions are (reflect.DeepEqual, v1.37).
 * The API never returns an empty conditions list (omitempty), so absent and [] are one value.
 */
export function inconsistentStatus(set: V1StatefulSet, status: V1StatefulSetStatus): boolean {
  const cur = set.status ?? { replicas: 0 };
  return (
    (status.observedGeneration ?? 0) > (cur.observedGeneration ?? 0) ||
    status.replicas !== (cur.replicas ?? 0) ||
    (status.currentReplicas ?? 0) !== (cur.currentReplicas ?? 0) ||
    (status.readyReplicas ?? 0) !== (cur.readyReplicas ?? 0) ||
    (status.updatedReplicas ?? 0) !== (cur.updatedReplicas ?? 0) ||
    (status.currentRevision ?? '') !== (cur.currentRevision ?? '') ||
    (status.availableReplicas ?? 0) !== (cur.availableReplicas ?? 0) ||
    (status.updateRevision ?? '') !== (cur.updateRevision ?? '') ||
    !conditionsEqual(cur.conditions, status.conditions)
  );
}

function conditionsEqual(a: V1StatefulSetStatus['conditions'], b: V1StatefulSetStatus['conditions']): boolean {
  if (!a?.length || !b?.length) return !a?.length && !b?.length;
  return canonicalJson(a) === canonicalJson(b);
}

/**
 * completeUpdate (v1.37; completeRollingUpdate before): once updated == ready == replicas ==
 * spec.replicas the update revision becomes current, under every update strategy (OnDelete
 * too since 1.37). Availability is not required (upstream issue #136831). The Recreate
 * strategy's Progressing condition is not ported: StatefulSetRecreateStrategy is alpha, off.
 */
export function completeUpdate(set: V1StatefulSet, status: V1StatefulSetStatus): void {
  const replicas = replicasOf(set);
  if (
    status.updatedReplicas === replicas &&
    status.readyReplicas === replicas &&
    status.replicas === replicas
  ) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/**
 * getStatefulSetMaxUnavailable: intstr.GetScaledValueFromIntOrPercent(value ?? 1, replicas,
 * roundUp=false), floored at 1. Percentages round DOWN (the API docs say up).
 */
export function getStatefulSetMaxUnavailable(maxUnavailable: IntOrString | undefined, replicaCount: number): number {
  const value = maxUnavailable ?? 1;
  let n: number;
  if (typeof value === 'number') n = value;
  else {
    const m = /^(-?[0-9]+)%$/.exec(value);
    if (!m) throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or a percentage`);
    n = Math.floor((Number(m[1]) * replicaCount) / 100);
  }
  return n < 1 ? 1 : n;
}

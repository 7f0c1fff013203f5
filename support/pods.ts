/**
 * Facts about pods as a StatefulSet controller sees them, computed from API objects only,
 * so that assertions mean the same thing on every target.
 */
import type { V1Pod, V1PersistentVolumeClaim, V1StatefulSet } from '@kubernetes/client-node';

/** The readiness-gate condition the harness owns (see support/readiness.ts). */
export const READINESS_GATE = 'statefulset-conformance.io/ready';

export function condition(pod: V1Pod, type: string) {
  return pod.status?.conditions?.find((c) => c.type === type);
}

export function isReady(pod: V1Pod): boolean {
  return condition(pod, 'Ready')?.status === 'True';
}

export function isRunningAndReady(pod: V1Pod): boolean {
  return pod.status?.phase === 'Running' && isReady(pod);
}

export function isTerminating(pod: V1Pod | V1PersistentVolumeClaim): boolean {
  return pod.metadata?.deletionTimestamp != null;
}

/** Running, Ready and not terminating: upstream's `isHealthy`. */
export function isHealthy(pod: V1Pod): boolean {
  return isRunningAndReady(pod) && !isTerminating(pod);
}

export function revisionOf(pod: V1Pod): string | undefined {
  return pod.metadata?.labels?.['controller-revision-hash'];
}

/** Parses `<parent>-<ordinal>` the way upstream's getParentNameAndOrdinal does. */
export function parseOrdinal(name: string): { parent: string; ordinal: number } | undefined {
  const m = /^(.*)-([0-9]+)$/.exec(name);
  if (!m) return undefined;
  const ordinal = Number(m[2]);
  return Number.isSafeInteger(ordinal) && ordinal <= 2 ** 31 - 1 ? { parent: m[1], ordinal } : undefined;
}

export function ordinalOf(name: string): number {
  const parsed = parseOrdinal(name);
  if (!parsed) throw new Error(`"${name}" is not a StatefulSet pod name (<set>-<ordinal>)`);
  return parsed.ordinal;
}

/** Pod names of a set for the ordinals [start, start+replicas). */
export function podNames(set: string, replicas: number, start = 0): string[] {
  return Array.from({ length: replicas }, (_, i) => `${set}-${start + i}`);
}

/** Is this pod owned (as controller) by the given StatefulSet? */
export function ownedBy(obj: V1Pod | V1PersistentVolumeClaim, set: V1StatefulSet | undefined): boolean {
  const ref = obj.metadata?.ownerReferences?.find((r) => r.controller);
  return !!ref && !!set && ref.kind === 'StatefulSet' && ref.uid === set.metadata?.uid;
}

/** A one-line description of a pod's state, used in timelines and failure messages. */
export function describePod(pod: V1Pod): string {
  const parts = [
    pod.status?.phase ?? 'NoPhase',
    isReady(pod) ? 'ready' : 'not-ready',
    pod.spec?.nodeName ? `node=${pod.spec.nodeName}` : 'unscheduled',
  ];
  const rev = revisionOf(pod);
  if (rev) parts.push(`rev=${rev}`);
  if (isTerminating(pod)) parts.push('terminating');
  if (pod.metadata?.finalizers?.length) parts.push(`finalizers=${pod.metadata.finalizers.join(',')}`);
  return parts.join(' ');
}

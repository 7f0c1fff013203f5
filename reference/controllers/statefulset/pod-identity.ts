/**
 * Stateful identity of pods: names, ordinals, identity labels, hostname/subdomain, storage
 * volumes and the construction of new pods. Ported from v1.37.2
 * pkg/controller/statefulset/stateful_set_utils.go (getParentNameAndOrdinal …
 * newVersionedStatefulSetPod) and pkg/controller/controller_utils.go (GetPodFromTemplate).
 */
import type { V1OwnerReference, V1PersistentVolumeClaim, V1Pod, V1StatefulSet, V1Volume } from '@kubernetes/client-node';

export const StatefulSetPodNameLabel = 'statefulset.kubernetes.io/pod-name';
export const PodIndexLabel = 'apps.kubernetes.io/pod-index';
export const StatefulSetRevisionLabel = 'controller-revision-hash';

/** statefulPodRegex: greedy parent name, decimal ordinal at the end. */
const statefulPodRegex = /(.*)-([0-9]+)$/;
const MAX_INT32 = 2 ** 31 - 1;

/**
 * getParentNameAndOrdinal: parent '' and ordinal -1 when the name does not parse; an ordinal
 * that overflows int32 (strconv.ParseInt(s, 10, 32)) keeps the parent but yields -1.
 */
export function getParentNameAndOrdinal(name: string | undefined): { parent: string; ordinal: number } {
  const m = statefulPodRegex.exec(name ?? '');
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return { parent: m[1], ordinal: n <= MAX_INT32 ? n : -1 };
}

export function getOrdinal(pod: V1Pod): number {
  return getParentNameAndOrdinal(pod.metadata?.name).ordinal;
}

export function getParentName(pod: V1Pod): string {
  return getParentNameAndOrdinal(pod.metadata?.name).parent;
}

export function replicasOf(set: V1StatefulSet): number {
  return set.spec?.replicas ?? 1;
}

/** getStartOrdinal: spec.ordinals.start, 0 when ordinals is unset. */
export function getStartOrdinal(set: V1StatefulSet): number {
  return set.spec?.ordinals ? (set.spec.ordinals.start ?? 0) : 0;
}

/** getEndOrdinal: last ordinal in range (inclusive). */
export function getEndOrdinal(set: V1StatefulSet): number {
  return getStartOrdinal(set) + replicasOf(set) - 1;
}

export function podInOrdinalRange(pod: V1Pod, set: V1StatefulSet): boolean {
  const ordinal = getOrdinal(pod);
  return ordinal >= getStartOrdinal(set) && ordinal <= getEndOrdinal(set);
}

export function getPodName(set: V1StatefulSet, ordinal: number): string {
  return `${set.metadata?.name}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<template>-<set>-<ordinal>`. */
export function getPersistentVolumeClaimName(set: V1StatefulSet, claim: V1PersistentVolumeClaim, ordinal: number): string {
  return `${claim.metadata?.name}-${set.metadata?.name}-${ordinal}`;
}

/** isMemberOf: the pod's name parses to this set's name. */
export function isMemberOf(set: V1StatefulSet, pod: V1Pod): boolean {
  return getParentName(pod) === set.metadata?.name;
}

/** identityMatches: name, namespace and the pod-name label (pod-index is deliberately not checked). */
export function identityMatches(set: V1StatefulSet, pod: V1Pod): boolean {
  const { parent, ordinal } = getParentNameAndOrdinal(pod.metadata?.name);
  return (
    ordinal >= 0 &&
    set.metadata?.name === parent &&
    pod.metadata?.name === getPodName(set, ordinal) &&
    pod.metadata?.namespace === set.metadata?.namespace &&
    pod.metadata?.labels?.[StatefulSetPodNameLabel] === pod.metadata?.name
  );
}

/** storageMatches: every claim template has a volume of that name pointing at the right claim. */
export function storageMatches(set: V1StatefulSet, pod: V1Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map((pod.spec?.volumes ?? []).map((v) => [v.name, v]));
  for (const claim of set.spec?.volumeClaimTemplates ?? []) {
    const volume = volumes.get(claim.metadata?.name ?? '');
    if (volume?.persistentVolumeClaim?.claimName !== getPersistentVolumeClaimName(set, claim, ordinal)) return false;
  }
  return true;
}

/**
 * getPersistentVolumeClaims: the claims the pod needs, keyed by template name. Labels are the
 * template's labels overlaid with selector.matchLabels (matchExpressions are ignored).
 */
export function getPersistentVolumeClaims(set: V1StatefulSet, pod: V1Pod): Map<string, V1PersistentVolumeClaim> {
  const ordinal = getOrdinal(pod);
  const claims = new Map<string, V1PersistentVolumeClaim>();
  for (const template of set.spec?.volumeClaimTemplates ?? []) {
    const claim = structuredClone(template);
    claim.metadata = { ...claim.metadata };
    claim.metadata.name = getPersistentVolumeClaimName(set, template, ordinal);
    claim.metadata.namespace = set.metadata?.namespace;
    claim.metadata.labels = { ...(claim.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    claims.set(template.metadata?.name ?? '', claim);
  }
  return claims;
}

/** updateStorage: claim volumes first, then the pod's other volumes whose names don't clash. */
export function updateStorage(set: V1StatefulSet, pod: V1Pod): void {
  const claims = getPersistentVolumeClaims(set, pod);
  const volumes: V1Volume[] = [];
  for (const [name, claim] of claims) {
    volumes.push({ name, persistentVolumeClaim: { claimName: claim.metadata?.name ?? '', readOnly: false } });
  }
  for (const v of pod.spec?.volumes ?? []) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? { containers: [] }), volumes };
}

/** updateIdentity: name, namespace, pod-name and pod-index labels. */
export function updateIdentity(set: V1StatefulSet, pod: V1Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata ??= {};
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata?.namespace;
  pod.metadata.labels ??= {};
  pod.metadata.labels[StatefulSetPodNameLabel] = pod.metadata.name;
  pod.metadata.labels[PodIndexLabel] = String(ordinal);
}

/** initIdentity: updateIdentity plus the immutable hostname/subdomain, set only on creation. */
export function initIdentity(set: V1StatefulSet, pod: V1Pod): void {
  updateIdentity(set, pod);
  pod.spec ??= { containers: [] };
  pod.spec.hostname = pod.metadata?.name;
  pod.spec.subdomain = set.spec?.serviceName;
}

export function getPodRevision(pod: V1Pod): string {
  return pod.metadata?.labels?.[StatefulSetRevisionLabel] ?? '';
}

export function setPodRevision(pod: V1Pod, revision: string): void {
  pod.metadata ??= {};
  pod.metadata.labels ??= {};
  pod.metadata.labels[StatefulSetRevisionLabel] = revision;
}

/** metav1.NewControllerRef(set, apps/v1 StatefulSet). */
export function controllerRefFor(set: V1StatefulSet): V1OwnerReference {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    name: set.metadata?.name ?? '',
    uid: set.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** controller.GetPodFromTemplate + newStatefulSetPod: template copy, controller ref, identity, storage. */
export function newStatefulSetPod(set: V1StatefulSet, ordinal: number): V1Pod {
  const template = set.spec?.template;
  const pod: V1Pod = {
    metadata: {
      labels: { ...(template?.metadata?.labels ?? {}) },
      annotations: { ...(template?.metadata?.annotations ?? {}) },
      generateName: `${set.metadata?.name}-`,
      ownerReferences: [controllerRefFor(set)],
      name: getPodName(set, ordinal),
    },
    spec: structuredClone(template?.spec ?? { containers: [] }),
  };
  if (template?.metadata?.finalizers?.length) pod.metadata!.finalizers = [...template.metadata.finalizers];
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: pods below the partition (relative to ordinals.start) are built
 * from currentSet at currentRevision, everything else from updateSet at updateRevision. The Go
 * condition is `A && B || C` (&& binds tighter), kept verbatim: with a nil rollingUpdate block
 * the split point is status.currentReplicas; OnDelete always yields updateRevision.
 */
export function newVersionedStatefulSetPod(
  currentSet: V1StatefulSet,
  updateSet: V1StatefulSet,
  currentRevision: string,
  updateRevision: string,
  ordinal: number,
): V1Pod {
  const strategy = currentSet.spec?.updateStrategy;
  const rollingUpdate = strategy?.rollingUpdate;
  const start = getStartOrdinal(currentSet);
  const partition = rollingUpdate?.partition ?? 0;
  const useCurrent =
    ((strategy?.type ?? 'RollingUpdate') === 'RollingUpdate' &&
      rollingUpdate == null &&
      ordinal < start + (currentSet.status?.currentReplicas ?? 0)) ||
    (rollingUpdate != null && ordinal < start + partition);
  const pod = newStatefulSetPod(useCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, useCurrent ? currentRevision : updateRevision);
  return pod;
}

/** descendingOrdinal / ascendingOrdinal sort comparators. */
export const descendingOrdinal = (a: V1Pod, b: V1Pod): number => getOrdinal(b) - getOrdinal(a);
export const ascendingOrdinal = (a: V1Pod, b: V1Pod): number => getOrdinal(a) - getOrdinal(b);

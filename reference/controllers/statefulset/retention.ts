/**
 * PersistentVolumeClaim retention policy: which ownerReferences a pod's claims must carry.
 * Ported from v1.37.2 pkg/controller/statefulset/stateful_set_utils.go
 * (getPersistentVolumeClaimRetentionPolicy, matchesRef, hasUnexpectedController,
 * hasNonControllerOwner, isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod, hasOwnerRef,
 * hasStaleOwnerRef, addControllerRef): the controller-ref form (unchanged since v1.32).
 *
 *   Retain/Retain          no refs from set or pod
 *   whenDeleted=Delete     controller ref to the set on in-range claims
 *   whenScaled=Delete      controller ref to the pod once the pod is condemned (out of range)
 */
import type {
  V1OwnerReference,
  V1PersistentVolumeClaim,
  V1Pod,
  V1StatefulSet,
  V1StatefulSetPersistentVolumeClaimRetentionPolicy,
} from '@kubernetes/client-node';
import { podInOrdinalRange } from './pod-identity.ts';

interface Kind {
  apiVersion: string;
  kind: string;
}
export const statefulSetKind: Kind = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
export const podKind: Kind = { apiVersion: 'v1', kind: 'Pod' };

type Owner = { metadata?: { name?: string; uid?: string } };
const uidOf = (o: Owner) => o.metadata?.uid ?? '';

export function getPersistentVolumeClaimRetentionPolicy(set: V1StatefulSet): Required<V1StatefulSetPersistentVolumeClaimRetentionPolicy> {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  if (!p) return { whenDeleted: 'Retain', whenScaled: 'Retain' };
  return { whenDeleted: p.whenDeleted ?? 'Retain', whenScaled: p.whenScaled ?? 'Retain' };
}

/** matchesRef: same group/version, kind and name (UID not compared). */
export function matchesRef(ref: V1OwnerReference, obj: Owner, kind: Kind): boolean {
  return ref.apiVersion === kind.apiVersion && ref.kind === kind.kind && ref.name === obj.metadata?.name;
}

/** hasOwnerRef: any ref with owner's UID (controller or not). */
export function hasOwnerRef(target: V1PersistentVolumeClaim, owner: Owner): boolean {
  const uid = uidOf(owner);
  return (target.metadata?.ownerReferences ?? []).some((r) => r.uid === uid);
}

/** hasStaleOwnerRef: the first ref matching owner's kind and name carries another UID. */
export function hasStaleOwnerRef(target: V1PersistentVolumeClaim, owner: Owner, kind: Kind): boolean {
  for (const ref of target.metadata?.ownerReferences ?? []) {
    if (matchesRef(ref, owner, kind)) return ref.uid !== uidOf(owner);
  }
  return false;
}

/**
 * hasUnexpectedController: with a non-Retain policy, a ref to this set/pod name with the wrong
 * UID, or any other controller ref, means somebody else manages the claim.
 */
export function hasUnexpectedController(claim: V1PersistentVolumeClaim, set: V1StatefulSet, pod: V1Pod): boolean {
  const policy = getPersistentVolumeClaimRetentionPolicy(set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata?.ownerReferences ?? []) {
    if (matchesRef(ref, set, statefulSetKind)) {
      if (ref.uid !== uidOf(set)) return true;
      continue;
    }
    if (matchesRef(ref, pod, podKind)) {
      if (ref.uid !== uidOf(pod)) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

/** hasNonControllerOwner: set or pod owns the claim through a plain (non-controller) ref. */
export function hasNonControllerOwner(claim: V1PersistentVolumeClaim, set: V1StatefulSet, pod: V1Pod): boolean {
  return (claim.metadata?.ownerReferences ?? []).some(
    (r) => (r.uid === uidOf(set) || r.uid === uidOf(pod)) && !r.controller,
  );
}

/**
 * isClaimOwnerUpToDate: false when the claim's refs disagree with the policy. Stale refs and
 * foreign controllers (without our refs) are left alone, i.e. reported as up to date.
 */
export function isClaimOwnerUpToDate(claim: V1PersistentVolumeClaim, set: V1StatefulSet, pod: V1Pod): boolean {
  if (hasStaleOwnerRef(claim, set, statefulSetKind) || hasStaleOwnerRef(claim, pod, podKind)) return true;
  if (hasUnexpectedController(claim, set, pod)) {
    return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  }
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const policy = getPersistentVolumeClaimRetentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  const setRef = hasOwnerRef(claim, set);
  const podRef = hasOwnerRef(claim, pod);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Delete') return setRef && !podRef;
  if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Retain') return !setRef && scaledDown === podRef;
  if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Delete') return scaledDown !== setRef && scaledDown === podRef;
  // Retain/Retain, and unknown policies treated as Retain.
  return !setRef && !podRef;
}

/** addControllerRef: append a controller ref to owner unless one with its UID is present. */
export function addControllerRef(refs: V1OwnerReference[], owner: Owner, kind: Kind): V1OwnerReference[] {
  if (refs.some((r) => r.uid === uidOf(owner))) return refs;
  return [...refs, { ...kind, name: owner.metadata?.name ?? '', uid: uidOf(owner), controller: true, blockOwnerDeletion: true }];
}

/**
 * updateClaimOwnerRefForSetAndPod: the ownerReferences the claim should carry. Our set/pod refs
 * are scrubbed first; with a foreign controller nothing is added back.
 */
export function claimOwnerRefsForPolicy(claim: V1PersistentVolumeClaim, set: V1StatefulSet, pod: V1Pod): V1OwnerReference[] {
  const unexpectedController = hasUnexpectedController(claim, set, pod);
  let refs = (claim.metadata?.ownerReferences ?? []).filter(
    (r) => !(matchesRef(r, set, statefulSetKind) || matchesRef(r, pod, podKind)),
  );
  if (unexpectedController) return refs;
  const policy = getPersistentVolumeClaimRetentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (policy.whenScaled === 'Retain' && policy.whenDeleted === 'Delete') {
    refs = addControllerRef(refs, set, statefulSetKind);
  } else if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Retain') {
    if (scaledDown) refs = addControllerRef(refs, pod, podKind);
  } else if (policy.whenScaled === 'Delete' && policy.whenDeleted === 'Delete') {
    refs = scaledDown ? addControllerRef(refs, pod, podKind) : addControllerRef(refs, set, statefulSetKind);
  }
  return refs;
}

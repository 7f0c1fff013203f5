import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1OwnerReference, V1PersistentVolumeClaim, V1StatefulSet } from '@kubernetes/client-node';
import {
  claimOwnerRefsForPolicy,
  hasStaleOwnerRef,
  hasUnexpectedController,
  isClaimOwnerUpToDate,
  podKind,
} from '../reference/controllers/statefulset/retention.ts';
import { newStatefulSetPod } from '../reference/controllers/statefulset/pod-identity.ts';
import { makeSet } from './statefulset-fixtures.ts';

function setWith(whenDeleted: 'Retain' | 'Delete', whenScaled: 'Retain' | 'Delete', replicas = 2): V1StatefulSet {
  return makeSet({ replicas, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } });
}
function podOf(set: V1StatefulSet, ord: number) {
  const p = newStatefulSetPod(set, ord);
  p.metadata!.uid = `pod-uid-${ord}`;
  return p;
}
const claim = (refs: V1OwnerReference[] = []): V1PersistentVolumeClaim => ({ metadata: { name: 'data-web-1', namespace: 'ns', ownerReferences: refs } });
const setRef: V1OwnerReference = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true };
const podRef = (ord: number, uid = `pod-uid-${ord}`): V1OwnerReference => ({ apiVersion: 'v1', kind: 'Pod', name: `web-${ord}`, uid, controller: true, blockOwnerDeletion: true });

describe('StatefulSet PVC retention ownerRefs (isClaimOwnerUpToDate, updateClaimOwnerRefForSetAndPod)', () => {
  it('Retain/Retain: no refs; our refs are removed', () => {
    const set = setWith('Retain', 'Retain');
    assert.ok(isClaimOwnerUpToDate(claim(), set, podOf(set, 1)));
    assert.ok(!isClaimOwnerUpToDate(claim([setRef]), set, podOf(set, 1)));
    assert.deepEqual(claimOwnerRefsForPolicy(claim([setRef]), set, podOf(set, 1)), []);
  });

  it('whenDeleted=Delete: controller ref to the set', () => {
    const set = setWith('Delete', 'Retain');
    assert.ok(!isClaimOwnerUpToDate(claim(), set, podOf(set, 1)));
    assert.deepEqual(claimOwnerRefsForPolicy(claim(), set, podOf(set, 1)), [setRef]);
    assert.ok(isClaimOwnerUpToDate(claim([setRef]), set, podOf(set, 1)));
    // A plain (non-controller) ref is upgraded.
    assert.ok(!isClaimOwnerUpToDate(claim([{ ...setRef, controller: false }]), set, podOf(set, 1)));
  });

  it('whenScaled=Delete: pod ref only once the pod is condemned, removed if scaled back up', () => {
    const set = setWith('Retain', 'Delete', 1);
    const condemned = podOf(set, 1);
    assert.ok(!isClaimOwnerUpToDate(claim(), set, condemned));
    assert.deepEqual(claimOwnerRefsForPolicy(claim(), set, condemned), [podRef(1)]);
    const scaledUp = setWith('Retain', 'Delete', 2);
    assert.ok(isClaimOwnerUpToDate(claim(), scaledUp, podOf(scaledUp, 1)));
    assert.ok(!isClaimOwnerUpToDate(claim([podRef(1)]), scaledUp, podOf(scaledUp, 1)));
    assert.deepEqual(claimOwnerRefsForPolicy(claim([podRef(1)]), scaledUp, podOf(scaledUp, 1)), []);
  });

  it('both Delete: set ref in range, pod ref (and no set ref) when condemned', () => {
    const inRange = setWith('Delete', 'Delete', 2);
    assert.deepEqual(claimOwnerRefsForPolicy(claim(), inRange, podOf(inRange, 1)), [setRef]);
    const scaledDown = setWith('Delete', 'Delete', 1);
    assert.deepEqual(claimOwnerRefsForPolicy(claim([setRef]), scaledDown, podOf(scaledDown, 1)), [podRef(1)]);
  });

  it('stale refs (same name, other UID) leave the claim alone and make it stale for a new pod', () => {
    const set = setWith('Retain', 'Delete', 2);
    const stale = claim([podRef(1, 'old-uid')]);
    assert.ok(hasStaleOwnerRef(stale, podOf(set, 1), podKind));
    assert.ok(isClaimOwnerUpToDate(stale, set, podOf(set, 1)));
    const fresh = newStatefulSetPod(set, 1); // not created yet: no UID
    assert.ok(hasStaleOwnerRef(stale, fresh, podKind));
  });

  it('a foreign controller: our refs scrubbed, nothing added; non-controller foreign refs kept', () => {
    const set = setWith('Delete', 'Retain');
    const foreign: V1OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u', controller: true };
    assert.ok(hasUnexpectedController(claim([foreign]), set, podOf(set, 1)));
    assert.ok(isClaimOwnerUpToDate(claim([foreign]), set, podOf(set, 1)));
    assert.ok(!isClaimOwnerUpToDate(claim([foreign, { ...setRef, controller: false }]), set, podOf(set, 1)));
    assert.deepEqual(claimOwnerRefsForPolicy(claim([foreign, { ...setRef, controller: false }]), set, podOf(set, 1)), [foreign]);
    const plain = { ...foreign, controller: false };
    assert.deepEqual(claimOwnerRefsForPolicy(claim([plain]), set, podOf(set, 1)), [plain, setRef]);
    assert.ok(!hasUnexpectedController(claim([foreign]), setWith('Retain', 'Retain'), podOf(set, 1)), 'Retain tolerates other controllers');
  });
});

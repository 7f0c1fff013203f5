import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import {
  completeUpdate,
  computeReplicaStatus,
  getStatefulSetMaxUnavailable,
  inconsistentStatus,
} from '../reference/controllers/statefulset/status.ts';
import {
  findMinNextPodAvailabilityCheck,
  isPodAvailable,
  isTerminalPhase,
  isUnavailable,
  nextPodAvailabilityCheck,
} from '../reference/controllers/statefulset/pod-health.ts';
import { newStatefulSetPod, setPodRevision } from '../reference/controllers/statefulset/pod-identity.ts';
import { makeSet, readyPod } from './statefulset-fixtures.ts';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function pod(ord: number, revision: string, opts: { readyFor?: number; phase?: string; terminating?: boolean } = {}): V1Pod {
  const p = newStatefulSetPod(makeSet(), ord);
  setPodRevision(p, revision);
  if (opts.readyFor !== undefined) readyPod(p, NOW - opts.readyFor * 1000);
  else p.status = { phase: opts.phase ?? 'Pending' };
  if (opts.terminating) p.metadata!.deletionTimestamp = new Date(NOW);
  return p;
}

describe('StatefulSet status (computeReplicaStatus, inconsistentStatus, completeUpdate)', () => {
  it('counts terminating pods in replicas/ready but not in current/updated', () => {
    const pods = [pod(0, 'a', { readyFor: 100 }), pod(1, 'b', { readyFor: 100 }), pod(2, 'a', { readyFor: 100, terminating: true }), pod(3, 'a', { phase: 'Pending' })];
    assert.deepEqual(computeReplicaStatus(pods, 0, 'a', 'b', NOW), {
      replicas: 4,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 2,
      updatedReplicas: 1,
    });
  });

  it('a pod counts as current and updated when the revisions are equal; placeholders are not counted', () => {
    const placeholder = newStatefulSetPod(makeSet(), 1);
    assert.deepEqual(computeReplicaStatus([pod(0, 'a', { readyFor: 5 }), placeholder], 0, 'a', 'a', NOW), {
      replicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      currentReplicas: 1,
      updatedReplicas: 1,
    });
  });

  it('availability needs Ready for at least minReadySeconds (IsPodAvailable: lastTransitionTime + minReadySeconds <= now)', () => {
    assert.ok(!isPodAvailable(pod(0, 'a', { readyFor: 9.999 }), 10, NOW));
    assert.ok(isPodAvailable(pod(0, 'a', { readyFor: 10 }), 10, NOW), 'available at exactly minReadySeconds');
    assert.ok(isPodAvailable(pod(0, 'a', { readyFor: 11 }), 10, NOW));
    assert.ok(isPodAvailable(pod(0, 'a', { readyFor: 0 }), 0, NOW));
    assert.equal(computeReplicaStatus([pod(0, 'a', { readyFor: 5 })], 10, 'a', 'a', NOW).availableReplicas, 0);
    assert.ok(isUnavailable(pod(0, 'a', { readyFor: 100, terminating: true }), 0, NOW), 'terminating is unavailable');
    assert.ok(isUnavailable(newStatefulSetPod(makeSet(), 0), 0, NOW), 'a missing pod is unavailable');
  });

  it('inconsistentStatus compares the controller-owned fields and (since 1.37) the conditions, not collisionCount', () => {
    const set = makeSet();
    const conditions = [{ type: 'X', status: 'True', lastTransitionTime: new Date(NOW) }];
    set.status = { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, currentRevision: 'a', updateRevision: 'a', observedGeneration: 1, collisionCount: 0, conditions };
    const same = { ...set.status, conditions: structuredClone(conditions), collisionCount: 5 };
    assert.ok(!inconsistentStatus(set, same));
    assert.ok(inconsistentStatus(set, { ...same, observedGeneration: 2 }));
    assert.ok(inconsistentStatus(set, { ...same, availableReplicas: 2 }));
    assert.ok(inconsistentStatus(set, { ...same, updateRevision: 'b' }));
    assert.ok(inconsistentStatus(set, { ...same, conditions: undefined }), 'dropping the conditions is a change');
    assert.ok(inconsistentStatus(set, { ...same, conditions: [{ ...conditions[0], status: 'False' }] }));
    const bare = makeSet();
    bare.status = { ...set.status, conditions: undefined };
    assert.ok(!inconsistentStatus(bare, { ...same, conditions: [] }), 'no conditions and [] are the same (omitempty)');
  });

  it('completeUpdate when updated == ready == replicas == spec.replicas (availability ignored), OnDelete included (1.37)', () => {
    const set = makeSet();
    const status = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, availableReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeUpdate(set, status);
    assert.equal(status.currentRevision, 'b');
    assert.equal(status.currentReplicas, 3);
    const partial = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeUpdate(set, partial);
    assert.equal(partial.currentRevision, 'a');
    const onDelete = makeSet({ updateStrategy: { type: 'OnDelete' } });
    const s3 = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeUpdate(onDelete, s3);
    assert.equal(s3.currentRevision, 'b', 'OnDelete completes too (completeRollingUpdate required RollingUpdate before 1.37)');
    assert.equal(s3.currentReplicas, 3);
    const s4 = { replicas: 3, readyReplicas: 3, updatedReplicas: 2, currentReplicas: 1, currentRevision: 'a', updateRevision: 'b' };
    completeUpdate(onDelete, s4);
    assert.equal(s4.currentRevision, 'a');
  });

  it('isTerminalPhase: Failed and Succeeded', () => {
    assert.ok(isTerminalPhase(pod(0, 'a', { phase: 'Failed' })));
    assert.ok(isTerminalPhase(pod(0, 'a', { phase: 'Succeeded' })));
    assert.ok(!isTerminalPhase(pod(0, 'a', { phase: 'Running' })));
  });

  it('FindMinNextPodAvailabilityCheck: the earliest pod to become available, 0 once that moment has passed', () => {
    const pods = [pod(0, 'a', { readyFor: 100 }), pod(1, 'a', { readyFor: 5 }), pod(2, 'a', { readyFor: 8 }), pod(3, 'a', { phase: 'Pending' })];
    assert.equal(nextPodAvailabilityCheck(pods[1], 10, NOW), 5000);
    assert.equal(nextPodAvailabilityCheck(pods[0], 10, NOW), undefined, 'available already');
    assert.equal(nextPodAvailabilityCheck(pods[3], 10, NOW), undefined, 'not ready');
    assert.equal(findMinNextPodAvailabilityCheck(pods, 10, NOW, NOW), 2000);
    assert.equal(findMinNextPodAvailabilityCheck(pods, 10, NOW, NOW + 500), 1500, 'recomputed at the later now');
    assert.equal(findMinNextPodAvailabilityCheck(pods, 10, NOW, NOW + 60_000), 0);
    assert.equal(findMinNextPodAvailabilityCheck([pods[0], pods[3]], 10, NOW, NOW), undefined);
    assert.equal(findMinNextPodAvailabilityCheck(pods, 0, NOW, NOW), undefined);
  });

  it('maxUnavailable: default 1, percentages round down, at least 1', () => {
    assert.equal(getStatefulSetMaxUnavailable(undefined, 5), 1);
    assert.equal(getStatefulSetMaxUnavailable(3, 5), 3);
    assert.equal(getStatefulSetMaxUnavailable('25%', 10), 2);
    assert.equal(getStatefulSetMaxUnavailable('50%', 5), 2);
    assert.equal(getStatefulSetMaxUnavailable('10%', 5), 1);
    assert.equal(getStatefulSetMaxUnavailable('100%', 4), 4);
    assert.throws(() => getStatefulSetMaxUnavailable('3', 4));
  });
});

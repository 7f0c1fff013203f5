import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import {
  completeRollingUpdate,
  computeReplicaStatus,
  getStatefulSetMaxUnavailable,
  inconsistentStatus,
} from '../reference/controllers/statefulset/status.ts';
import { isPodAvailable, isUnavailable } from '../reference/controllers/statefulset/pod-health.ts';
import { Mutants } from '../reference/controllers/statefulset/mutants.ts';
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

describe('StatefulSet status (computeReplicaStatus, inconsistentStatus, completeRollingUpdate)', () => {
  it('counts terminating pods in replicas/ready but not in current/updated', () => {
    const pods = [pod(0, 'a', { readyFor: 100 }), pod(1, 'b', { readyFor: 100 }), pod(2, 'a', { readyFor: 100, terminating: true }), pod(3, 'a', { phase: 'Pending' })];
    assert.deepEqual(computeReplicaStatus(pods, 0, 'a', 'b', NOW), {
      replicas: 4,
      readyReplicas: 3,
      availableReplicas: 3,
      currentReplicas: 2,
      updatedReplicas: 1,
    });
    const mutated = computeReplicaStatus(pods, 0, 'a', 'b', NOW, new Mutants(['status-excludes-terminating']));
    assert.equal(mutated.replicas, 3);
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

  it('availability needs Ready for strictly more than minReadySeconds', () => {
    assert.ok(!isPodAvailable(pod(0, 'a', { readyFor: 10 }), 10, NOW));
    assert.ok(isPodAvailable(pod(0, 'a', { readyFor: 11 }), 10, NOW));
    assert.ok(isPodAvailable(pod(0, 'a', { readyFor: 0 }), 0, NOW));
    assert.equal(computeReplicaStatus([pod(0, 'a', { readyFor: 5 })], 10, 'a', 'a', NOW).availableReplicas, 0);
    assert.ok(isUnavailable(pod(0, 'a', { readyFor: 100, terminating: true }), 0, NOW), 'terminating is unavailable');
    assert.ok(isUnavailable(newStatefulSetPod(makeSet(), 0), 0, NOW), 'a missing pod is unavailable');
  });

  it('inconsistentStatus compares the controller-owned fields only', () => {
    const set = makeSet();
    set.status = { replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, currentRevision: 'a', updateRevision: 'a', observedGeneration: 1, collisionCount: 0, conditions: [{ type: 'X', status: 'True' }] };
    const same = { ...set.status, conditions: undefined, collisionCount: 5 };
    assert.ok(!inconsistentStatus(set, same));
    assert.ok(inconsistentStatus(set, { ...same, observedGeneration: 2 }));
    assert.ok(inconsistentStatus(set, { ...same, availableReplicas: 2 }));
    assert.ok(inconsistentStatus(set, { ...same, updateRevision: 'b' }));
  });

  it('completeRollingUpdate when updated == ready == replicas == spec.replicas (availability ignored)', () => {
    const set = makeSet();
    const status = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, availableReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(set, status);
    assert.equal(status.currentRevision, 'b');
    assert.equal(status.currentReplicas, 3);
    const partial = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(set, partial);
    assert.equal(partial.currentRevision, 'a');
    const onDelete = makeSet({ updateStrategy: { type: 'OnDelete' } });
    const s3 = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
    completeRollingUpdate(onDelete, s3);
    assert.equal(s3.currentRevision, 'a');
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

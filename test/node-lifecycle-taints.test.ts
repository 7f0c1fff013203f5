import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node } from '@kubernetes/client-node';
import { desiredTaints } from '../reference/controllers/node-lifecycle.ts';

const now = new Date('2026-01-01T00:00:00Z');
const node = (ready: string, taints: NonNullable<V1Node['spec']>['taints'] = []): V1Node => ({
  metadata: { name: 'n' },
  spec: { taints },
  status: { conditions: [{ type: 'Ready', status: ready }] },
});

test('Ready=Unknown adds unreachable NoSchedule and NoExecute; Ready=True removes condition taints only', () => {
  const unknown = desiredTaints(node('Unknown', [{ key: 'custom', effect: 'NoSchedule' }]), now);
  assert.deepEqual(unknown.map((t) => `${t.key}:${t.effect}`), ['custom:NoSchedule', 'node.kubernetes.io/unreachable:NoSchedule', 'node.kubernetes.io/unreachable:NoExecute']);
  assert.equal(unknown.find((t) => t.effect === 'NoExecute')?.timeAdded, now);
  const back = desiredTaints(node('True', unknown), now);
  assert.deepEqual(back.map((t) => t.key), ['custom']);
  assert.deepEqual(desiredTaints(node('True', [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]), now), []);
  assert.deepEqual(desiredTaints(node('False'), now).map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/not-ready:NoExecute']);
});

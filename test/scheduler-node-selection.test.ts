import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node, V1PersistentVolume, V1Pod } from '@kubernetes/client-node';
import { fitErrorMessage, nodeMismatch, tolerates } from '../reference/controllers/node-selection.ts';

function node(name: string, extra: Partial<V1Node['spec']> = {}, ready = 'True', labels: Record<string, string> = {}): V1Node {
  return {
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
    spec: { ...extra },
    status: { conditions: [{ type: 'Ready', status: ready }] },
  };
}
const pod = (spec: Partial<V1Pod['spec']> = {}): V1Pod => ({ metadata: { name: 'p' }, spec: { containers: [], ...spec } });

test('taints: NoSchedule blocks unless tolerated; PreferNoSchedule does not', () => {
  const tainted = node('a', { taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] });
  assert.match(nodeMismatch(pod(), tainted, [])!, /untolerated taint/);
  assert.equal(nodeMismatch(pod({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' }] }), tainted, []), undefined);
  assert.equal(nodeMismatch(pod(), node('b', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), []), undefined);
  assert.ok(tolerates({ operator: 'Exists' }, { key: 'anything', effect: 'NoExecute' }));
  assert.ok(!tolerates({ key: 'k', value: 'v1' }, { key: 'k', value: 'v2', effect: 'NoSchedule' }));
});

test('not-ready and unschedulable nodes are skipped', () => {
  assert.match(nodeMismatch(pod(), node('a', {}, 'Unknown'), [])!, /not ready/);
  assert.match(nodeMismatch(pod(), node('a', { unschedulable: true }), [])!, /unschedulable/);
});

test('nodeSelector, required node affinity and PV node affinity', () => {
  const n = node('a', {}, 'True', { zone: 'z1' });
  assert.equal(nodeMismatch(pod({ nodeSelector: { zone: 'z1' } }), n, []), undefined);
  assert.match(nodeMismatch(pod({ nodeSelector: { zone: 'z2' } }), n, [])!, /affinity\/selector/);
  const affinity = (values: string[]) =>
    pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values }] }] } } } });
  assert.equal(nodeMismatch(affinity(['a']), n, []), undefined);
  assert.ok(nodeMismatch(affinity(['b']), n, []));
  const pv: V1PersistentVolume = {
    spec: { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['b'] }] }] } } },
  };
  assert.match(nodeMismatch(pod(), n, [pv])!, /volume node affinity conflict/);
  assert.equal(nodeMismatch(pod(), node('b'), [pv]), undefined);
});

test('FitError message counts reasons like kube-scheduler', () => {
  assert.equal(
    fitErrorMessage(3, ['node(s) were not ready', 'node(s) were not ready', "node(s) didn't match Pod's node affinity/selector"]),
    "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 node(s) were not ready.",
  );
});

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Api, V1Node, V1Pod } from '@kubernetes/client-node';
import { startNodeLifecycleController } from '../reference/controllers/node-lifecycle.ts';
import type { Informer } from '../reference/controllers/runtime.ts';
import { startNodeSimulator, type NodeSimulator } from '../reference/nodes/index.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

let env: TestCluster;
let core: CoreV1Api;
let sim: NodeSimulator;
let nodes: Informer<V1Node>;
let pods: Informer<V1Pod>;

before(async () => {
  env = await startTestCluster({ namespace: 'nl', scale: 100 });
  core = env.core;
  sim = env.add(await startNodeSimulator(env.kc, { ...env.opts, nodes: 2 }));
  env.add(await startNodeLifecycleController(env.kc, env.opts));
  [nodes, pods] = await Promise.all([
    env.informer<V1Node>('/api/v1/nodes', 'V1Node', () => core.listNode()),
    env.informer<V1Pod>('/api/v1/namespaces/nl/pods', 'V1Pod', () => core.listNamespacedPod({ namespace: 'nl' })),
  ]);
});

after(() => env.stop());

const ready = (o: { status?: { conditions?: Array<{ type: string; status: string }> } } | undefined) => o?.status?.conditions?.find((c) => c.type === 'Ready')?.status;

test('a node that stops heartbeating goes Unknown and unreachable, its pods unready; it recovers when restarted', async () => {
  await core.createNamespacedPod({ namespace: 'nl', body: { metadata: { name: 'p' }, spec: { nodeName: 'sim-node-1', containers: [{ name: 'c', image: 'pause' }] } } });
  await until(pods, (all) => ready(all[0]) === 'True', 'pod Ready');
  await sim.stopNode('sim-node-1');
  const lost = await until(nodes, (all) => all.find((n) => n.metadata?.name === 'sim-node-1' && ready(n) === 'Unknown' && (n.spec?.taints?.length ?? 0) === 2), 'node unreachable', 3000);
  assert.deepEqual(lost?.spec?.taints?.map((t) => `${t.key}:${t.effect}`).sort(), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
  assert.equal(lost?.status?.conditions?.find((c) => c.type === 'Ready')?.reason, 'NodeStatusUnknown');
  await until(pods, (all) => ready(all[0]) === 'False', 'pod marked not ready');
  assert.equal(ready(nodes.get('sim-node-0')), 'True', 'the other node is untouched');

  await sim.startNode('sim-node-1');
  await until(nodes, (all) => all.some((n) => n.metadata?.name === 'sim-node-1' && ready(n) === 'True' && !n.spec?.taints?.length), 'node back, taints gone');
  await until(pods, (all) => ready(all[0]) === 'True', 'the kubelet reports the pod Ready again');
});

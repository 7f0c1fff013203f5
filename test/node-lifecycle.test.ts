import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoreV1Api, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { startNodeLifecycleController } from '../reference/controllers/node-lifecycle.ts';
import { Informer } from '../reference/controllers/runtime.ts';
import { startNodeSimulator, type NodeSimulator } from '../reference/nodes/index.ts';
import { startTestApiServer, until } from './nodes-harness.ts';

let env: Awaited<ReturnType<typeof startTestApiServer>>;
let core: CoreV1Api;
let sim: NodeSimulator;
let nodes: Informer<V1Node>;
let pods: Informer<V1Pod>;
const stops: Array<{ stop(): Promise<void> }> = [];

before(async () => {
  env = await startTestApiServer(100);
  core = env.kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'nl' } } });
  sim = await startNodeSimulator(env.kc, { clock: env.clock, nodes: 2 });
  stops.push(sim, await startNodeLifecycleController(env.kc, { clock: env.clock }));
  nodes = new Informer<V1Node>(env.kc, '/api/v1/nodes', 'V1Node', () => core.listNode(), env.clock);
  pods = new Informer<V1Pod>(env.kc, '/api/v1/namespaces/nl/pods', 'V1Pod', () => core.listNamespacedPod({ namespace: 'nl' }), env.clock);
  await Promise.all([nodes.start(), pods.start()]);
  stops.push(nodes, pods);
});

after(async () => {
  for (const s of stops.reverse()) await s.stop();
  await env.api.close();
});

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

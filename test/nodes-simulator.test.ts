import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { CoordinationV1Api, type CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { strategicMergePatch } from '../reference/controllers/api-util.ts';
import type { Informer } from '../reference/controllers/runtime.ts';
import { startScheduler } from '../reference/controllers/scheduler.ts';
import { startNodeSimulator, type NodeSimulator } from '../reference/nodes/index.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

const GATE = 'conformance.example.com/ready';
let env: TestCluster;
let core: CoreV1Api;
let sim: NodeSimulator;
let pods: Informer<V1Pod>;

const cond = (p: V1Pod | undefined, type: string) => p?.status?.conditions?.find((c) => c.type === type);
const named = (name: string) => (all: V1Pod[]) => all.find((p) => p.metadata?.name === name);

function podManifest(name: string, opts: { gate?: boolean; annotations?: Record<string, string>; grace?: number } = {}): V1Pod {
  return {
    metadata: { name, annotations: opts.annotations },
    spec: {
      containers: [{ name: 'app', image: 'registry.k8s.io/pause:3.10' }],
      readinessGates: opts.gate ? [{ conditionType: GATE }] : undefined,
      terminationGracePeriodSeconds: opts.grace ?? 30,
    },
  };
}

before(async () => {
  env = await startTestCluster({ namespace: 'sim' });
  core = env.core;
  env.add(await startScheduler(env.kc, env.opts));
  sim = env.add(await startNodeSimulator(env.kc, { ...env.opts, nodes: 3 }));
  pods = await env.informer<V1Pod>('/api/v1/namespaces/sim/pods', 'V1Pod', () => core.listNamespacedPod({ namespace: 'sim' }));
});

after(() => env.stop());

test('nodes register Ready with an InternalIP, a pod CIDR and a renewed lease', async () => {
  const nodes = (await core.listNode()).items;
  assert.deepEqual(nodes.map((n) => n.metadata?.name).sort(), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
  for (const n of nodes) {
    assert.equal(cond(n as unknown as V1Pod, 'Ready')?.status, 'True');
    assert.equal(n.metadata?.labels?.['kubernetes.io/hostname'], n.metadata?.name);
    assert.match(n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '', /^172\.18\.0\.\d+$/);
    assert.match(n.spec?.podCIDR ?? '', /^10\.2(4[4-9]|5\d)\.\d+\.0\/20$/);
  }
  const leases = await env.kc.makeApiClient(CoordinationV1Api).listNamespacedLease({ namespace: 'kube-node-lease' });
  assert.equal(leases.items.length, 3);
  assert.ok(leases.items.every((l) => l.spec?.renewTime && l.metadata?.ownerReferences?.[0]?.kind === 'Node'));
});

test('a pod runs; Ready waits for its readiness gate; gate conditions survive kubelet patches', async () => {
  await core.createNamespacedPod({ namespace: 'sim', body: podManifest('gated', { gate: true }) });
  const running = await until(pods, (all) => {
    const p = named('gated')(all);
    return p?.status?.phase === 'Running' ? p : undefined;
  }, 'gated Running');
  assert.ok(running?.spec?.nodeName?.startsWith('sim-node-'));
  assert.match(running?.status?.podIP ?? '', /^10\.2\d\d\./);
  assert.equal(running?.status?.containerStatuses?.[0]?.ready, true);
  assert.equal(cond(running, 'ContainersReady')?.status, 'True');
  assert.deepEqual(
    [cond(running, 'Ready')?.status, cond(running, 'Ready')?.reason],
    ['False', 'ReadinessGatesNotReady'],
  );

  await core.patchNamespacedPodStatus(
    { name: 'gated', namespace: 'sim', body: { status: { conditions: [{ type: GATE, status: 'True', lastTransitionTime: env.clock.now() }] } } },
    strategicMergePatch(),
  );
  const ready = await until(pods, (all) => {
    const p = named('gated')(all);
    return cond(p, 'Ready')?.status === 'True' ? p : undefined;
  }, 'gated Ready');
  assert.equal(cond(ready, GATE)?.status, 'True', 'the gate condition is still there');

  await core.patchNamespacedPodStatus(
    { name: 'gated', namespace: 'sim', body: { status: { conditions: [{ type: GATE, status: 'False', lastTransitionTime: env.clock.now() }] } } },
    strategicMergePatch(),
  );
  const unready = await until(pods, (all) => {
    const p = named('gated')(all);
    return cond(p, 'Ready')?.status === 'False' ? p : undefined;
  }, 'gated unready again');
  assert.equal(cond(unready, 'Ready')?.message, `the status of pod readiness gate "${GATE}" is not "True", but False`);
});

test('simulated readiness probe flips ContainersReady and Ready', async () => {
  await core.createNamespacedPod({ namespace: 'sim', body: podManifest('probe') });
  await until(pods, (all) => cond(named('probe')(all), 'Ready')?.status === 'True', 'probe Ready');
  await sim.setContainersReady('sim', 'probe', false);
  const p = await until(pods, (all) => {
    const x = named('probe')(all);
    return cond(x, 'Ready')?.status === 'False' ? x : undefined;
  }, 'probe unready');
  assert.equal(cond(p, 'ContainersReady')?.reason, 'ContainersNotReady');
  await sim.setContainersReady('sim', 'probe', true);
  await until(pods, (all) => cond(named('probe')(all), 'Ready')?.status === 'True', 'probe Ready again');
});

test('pods spread over nodes with unique IPs', async () => {
  await Promise.all(Array.from({ length: 6 }, (_, i) => core.createNamespacedPod({ namespace: 'sim', body: podManifest(`spread-${i}`) })));
  const running = (all: V1Pod[]) => all.filter((p) => p.metadata?.name?.startsWith('spread-') && p.status?.phase === 'Running');
  await until(pods, (all) => running(all).length === 6, 'six spread pods Running');
  const perNode = new Map<string, number>();
  for (const p of running(pods.list())) perNode.set(p.spec!.nodeName!, (perNode.get(p.spec!.nodeName!) ?? 0) + 1);
  assert.ok(perNode.size === 3 && [...perNode.values()].every((n) => n >= 1), `spread: ${JSON.stringify([...perNode])}`);
  const ips = pods.list().filter((p) => p.status?.podIP).map((p) => p.status!.podIP!);
  assert.equal(new Set(ips).size, ips.length);
});

test('graceful deletion: containers stop, phase Succeeded, then the object is removed', async () => {
  await core.createNamespacedPod({ namespace: 'sim', body: podManifest('bye') });
  await until(pods, (all) => named('bye')(all)?.status?.phase === 'Running', 'bye Running');
  const phases: string[] = [];
  pods.on('update', (p) => {
    if (p.metadata?.name === 'bye' && p.metadata.deletionTimestamp) phases.push(p.status?.phase ?? '');
  });
  await core.deleteNamespacedPod({ name: 'bye', namespace: 'sim' });
  await until(pods, (all) => !named('bye')(all), 'bye gone');
  assert.ok(phases.includes('Succeeded'), `phases seen while terminating: ${phases}`);
});

test('a pod that ignores SIGTERM is killed at the end of its grace period and ends Failed', async () => {
  await core.createNamespacedPod({
    namespace: 'sim',
    body: podManifest('stubborn', { grace: 10, annotations: { 'sim.statefulset-conformance.io/ignore-sigterm': 'true' } }),
  });
  await until(pods, (all) => named('stubborn')(all)?.status?.phase === 'Running', 'stubborn Running');
  const deletedAt = env.clock.nowMs();
  let failedAt = 0;
  pods.on('update', (p) => {
    if (p.metadata?.name === 'stubborn' && p.status?.phase === 'Failed' && !failedAt) failedAt = env.clock.nowMs();
  });
  await core.deleteNamespacedPod({ name: 'stubborn', namespace: 'sim' });
  await until(pods, (all) => !named('stubborn')(all), 'stubborn gone');
  assert.ok(failedAt - deletedAt >= 9_000, `killed after ${(failedAt - deletedAt) / 1000}s simulated, grace is 10s`);
});

test('failPod writes a terminal phase with terminated containers', async () => {
  await core.createNamespacedPod({ namespace: 'sim', body: podManifest('crash') });
  await until(pods, (all) => named('crash')(all)?.status?.phase === 'Running', 'crash Running');
  await sim.failPod('sim', 'crash', 'Failed', 'Evicted', 'The node was low on resource: memory.');
  const p = await until(pods, (all) => {
    const x = named('crash')(all);
    return x?.status?.phase === 'Failed' ? x : undefined;
  }, 'crash Failed');
  assert.equal(p?.status?.reason, 'Evicted');
  assert.ok(p?.status?.containerStatuses?.[0]?.state?.terminated);
  assert.equal(cond(p, 'Ready')?.status, 'False');
});

test('a stopped node leaves its deleted pods Terminating; starting it finishes them', async () => {
  await core.createNamespacedPod({ namespace: 'sim', body: podManifest('stranded') });
  const running = await until(pods, (all) => {
    const p = named('stranded')(all);
    return p?.status?.phase === 'Running' ? p : undefined;
  }, 'stranded Running');
  const node = running!.spec!.nodeName!;
  await sim.stopNode(node);
  await core.deleteNamespacedPod({ name: 'stranded', namespace: 'sim', gracePeriodSeconds: 1 });
  // Well past the grace period and the shutdown delay, in simulated time.
  await new Promise<void>((resolve) => env.clock.after(10_000, resolve));
  const still = pods.list().find((p) => p.metadata?.name === 'stranded');
  assert.ok(still?.metadata?.deletionTimestamp, 'still there, Terminating');
  assert.equal(still?.status?.phase, 'Running');
  await sim.startNode(node);
  await until(pods, (all) => !named('stranded')(all), 'stranded gone after the node came back');
});

test('a pod bound to a node whose host port another pod holds is rejected (NodePorts); once the holder is gone, a new pod runs', async () => {
  const withPort = (name: string, node: string): V1Pod => {
    const pod = podManifest(name);
    pod.spec!.nodeName = node;
    pod.spec!.containers[0]!.ports = [{ containerPort: 21017, hostPort: 21017, name: 'conflict' }];
    return pod;
  };
  await core.createNamespacedPod({ namespace: 'sim', body: withPort('port-holder', 'sim-node-1') });
  await until(pods, (all) => named('port-holder')(all)?.status?.phase === 'Running', 'port-holder Running');
  await core.createNamespacedPod({ namespace: 'sim', body: withPort('port-taker', 'sim-node-1') });
  const rejected = await until(pods, (all) => {
    const p = named('port-taker')(all);
    return p?.status?.phase === 'Failed' ? p : undefined;
  }, 'port-taker Failed');
  assert.equal(rejected?.status?.reason, 'NodePorts');
  assert.equal(rejected?.status?.message, "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports");
  assert.equal(rejected?.status?.podIP, undefined, 'never ran');
  // The same port on another node is free.
  await core.createNamespacedPod({ namespace: 'sim', body: withPort('port-elsewhere', 'sim-node-2') });
  await until(pods, (all) => named('port-elsewhere')(all)?.status?.phase === 'Running', 'port-elsewhere Running');
  await core.deleteNamespacedPod({ name: 'port-holder', namespace: 'sim', gracePeriodSeconds: 0 });
  await until(pods, (all) => !named('port-holder')(all), 'port-holder gone');
  await core.createNamespacedPod({ namespace: 'sim', body: withPort('port-taker-2', 'sim-node-1') });
  await until(pods, (all) => named('port-taker-2')(all)?.status?.phase === 'Running', 'port-taker-2 Running once the port is free');
});

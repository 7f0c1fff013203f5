import { after, before, test } from 'node:test';
import { CoreV1Api, type V1ConfigMap, type V1Namespace, type V1Pod } from '@kubernetes/client-node';
import { startNamespaceController } from '../reference/controllers/namespace.ts';
import { Informer } from '../reference/controllers/runtime.ts';
import { startScheduler } from '../reference/controllers/scheduler.ts';
import { startNodeSimulator } from '../reference/nodes/index.ts';
import { startTestApiServer, until } from './nodes-harness.ts';

let env: Awaited<ReturnType<typeof startTestApiServer>>;
let core: CoreV1Api;
const stops: Array<{ stop(): Promise<void> }> = [];

before(async () => {
  env = await startTestApiServer(50);
  core = env.kc.makeApiClient(CoreV1Api);
  const opts = { clock: env.clock };
  stops.push(await startNamespaceController(env.kc, opts), await startScheduler(env.kc, opts));
  stops.push(await startNodeSimulator(env.kc, { clock: env.clock, nodes: 2 }));
});

after(async () => {
  for (const s of stops.reverse()) await s.stop();
  await env.api.close();
});

test('namespace deletion removes its objects (pods finished by the kubelet) and then the namespace', async () => {
  const namespaces = new Informer<V1Namespace>(env.kc, '/api/v1/namespaces', 'V1Namespace', () => core.listNamespace(), env.clock);
  const pods = new Informer<V1Pod>(env.kc, '/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces(), env.clock);
  const cms = new Informer<V1ConfigMap>(env.kc, '/api/v1/configmaps', 'V1ConfigMap', () => core.listConfigMapForAllNamespaces(), env.clock);
  await Promise.all([namespaces.start(), pods.start(), cms.start()]);
  try {
    await core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'c1' } } });
    await core.createNamespacedPod({ namespace: 'doomed', body: { metadata: { name: 'p1' }, spec: { containers: [{ name: 'c', image: 'pause' }] } } });
    await until(pods, (all) => all.some((p) => p.metadata?.name === 'p1' && p.status?.phase === 'Running'), 'p1 Running');
    await core.deleteNamespace({ name: 'doomed' });
    await until(pods, (all) => !all.some((p) => p.metadata?.namespace === 'doomed'), 'pods of doomed gone');
    await until(cms, (all) => !all.some((c) => c.metadata?.namespace === 'doomed'), 'configmaps of doomed gone');
    await until(namespaces, (all) => !all.some((n) => n.metadata?.name === 'doomed'), 'namespace doomed gone', 1500);
  } finally {
    await Promise.all([namespaces.stop(), pods.stop(), cms.stop()]);
  }
});

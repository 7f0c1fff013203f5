import { after, before, test } from 'node:test';
import type { CoreV1Api, V1ConfigMap, V1Namespace, V1Pod } from '@kubernetes/client-node';
import { startNamespaceController } from '../reference/controllers/namespace.ts';
import { Informer } from '../reference/controllers/runtime.ts';
import { startScheduler } from '../reference/controllers/scheduler.ts';
import { startNodeSimulator } from '../reference/nodes/index.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

let env: TestCluster;
let core: CoreV1Api;

before(async () => {
  env = await startTestCluster();
  core = env.core;
  env.add(await startNamespaceController(env.kc, env.opts));
  env.add(await startScheduler(env.kc, env.opts));
  env.add(await startNodeSimulator(env.kc, { ...env.opts, nodes: 2 }));
});

after(() => env.stop());

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

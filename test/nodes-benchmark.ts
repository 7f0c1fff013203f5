/**
 * Manual benchmark (not a test): N pods created at once, time until all are Running and Ready.
 * `node --import tsx test/nodes-benchmark.ts 1000 [precreate]`; with `precreate` the scheduler
 * and the simulator start only after all pods exist, which measures them alone.
 */
import { CoreV1Api, type V1Pod } from '@kubernetes/client-node';
import { Informer } from '../reference/controllers/runtime.ts';
import { startScheduler } from '../reference/controllers/scheduler.ts';
import { startNodeSimulator } from '../reference/nodes/index.ts';
import { startTestApiServer } from './nodes-harness.ts';

const N = Number(process.argv[2] ?? 1000);
const env = await startTestApiServer(20);
const core = env.kc.makeApiClient(CoreV1Api);
await core.createNamespace({ body: { metadata: { name: 'bench' } } });
const PRECREATE = process.argv[3] === 'precreate';
let sched: { stop(): Promise<void> } | undefined;
let sim: { stop(): Promise<void> } | undefined;
const startComponents = async () => {
  sched = await startScheduler(env.kc, { clock: env.clock });
  sim = await startNodeSimulator(env.kc, { clock: env.clock, nodes: 3 });
};
if (!PRECREATE) await startComponents();
const pods = new Informer<V1Pod>(env.kc, '/api/v1/namespaces/bench/pods', 'V1Pod', () => core.listNamespacedPod({ namespace: 'bench' }), env.clock);
await pods.start();
const t0 = Date.now();
let ready = 0;
const seen = new Set<string>();
const done = new Promise<void>((resolve) => {
  pods.on('update', (p) => {
    if (!seen.has(p.metadata!.name!) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')) {
      seen.add(p.metadata!.name!);
      if (++ready === N) resolve();
    }
  });
});
const PREBOUND = process.argv[4] === 'prebound';
const body = (i: number): V1Pod => ({ metadata: { name: `p-${i}` }, spec: { nodeName: PREBOUND ? `sim-node-${i % 3}` : undefined, containers: [{ name: 'c', image: 'pause' }] } });
const created = Array.from({ length: N }, (_, i) => i);
await Promise.all(Array.from({ length: 16 }, async () => {
  for (let i = created.shift(); i !== undefined; i = created.shift()) await core.createNamespacedPod({ namespace: 'bench', body: body(i) });
}));
console.log(`created ${N} pods in ${Date.now() - t0} ms`);
const t1 = Date.now();
if (PRECREATE) await startComponents();
await done;
console.log(`${N} pods Ready ${Date.now() - t0} ms after the first create, ${Date.now() - t1} ms after the last`);
await pods.stop();
await sim?.stop();
await sched?.stop();
await env.api.close();

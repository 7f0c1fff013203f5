/**
 * API server throughput and latency, the same client code against each server: pods created per
 * second (one client, then many concurrent ones), the latency of listing every pod stored,
 * resident memory with them stored, and watch delivery latency under a steady event rate.
 */
import { CoreV1Api, type KubeConfig, type V1ServiceAccount } from '@kubernetes/client-node';
import { setTimeout as delay } from 'node:timers/promises';
import { KeepAliveClient } from './http-client.ts';
import { memoryOf, settle } from './proc.ts';
import { watchUntil } from '../../support/watch-until.ts';

export interface ApiBenchOptions {
  /** Pods stored in the end (and listed): sequential + concurrent creates. */
  pods: number;
  /** Of those, how many are created by one client, one after another. */
  sequential: number;
  /** Concurrent clients for the rest. */
  concurrency: number;
  /** Watch test: events per second, and for how long. */
  watchRate: number;
  watchSeconds: number;
  /** How many list calls to time. */
  listRepeats: number;
  /** Pods created through client-node, sequentially and then by `concurrency` clients (0 to skip). */
  clientNodeSequential: number;
  clientNodeConcurrent: number;
}

export interface LatencySummary {
  p50: number;
  p99: number;
  max: number;
}

export interface ApiBenchResult {
  server: string;
  client: string;
  createSequentialPerSec: number;
  createConcurrentPerSec: number;
  concurrency: number;
  listPods: number;
  /** Pods stored when memory is read (the listed ones and the warm-up's). */
  storedPods: number;
  listMs: { median: number; min: number };
  listMiB: number;
  /** Resident memory of the server's processes once the pods are stored (MiB). */
  memoryMiB: number;
  watch: { targetRate: number; achievedRate: number; events: number; delivered: number; latencyMs: LatencySummary; writeLatencyMs: LatencySummary };
  clientNode?: { createSequentialPerSec: number; createConcurrentPerSec: number };
}

export interface ApiBenchEnv {
  label: string;
  kc: KubeConfig;
  /** The server's processes (kube-apiserver and etcd; the reference API server). */
  pids: number[];
  /** Every process of that side, waited on to be quiet before each timed phase (default pids). */
  settlePids?: number[];
  /** Pods need the namespace's `default` ServiceAccount (real kube-apiserver). */
  waitServiceAccount: boolean;
  log: (line: string) => void;
}

const pod = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } });
const configMap = (name: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' } });
const WARMUP = 2000;
const WARMUP_NAMESPACE = 'bench-warmup';
const podName = (i: number): string => `p-${String(i).padStart(6, '0')}`;

export function percentiles(values: number[]): LatencySummary {
  if (!values.length) return { p50: NaN, p99: NaN, max: NaN };
  const s = [...values].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
  return { p50: round(at(0.5), 2), p99: round(at(0.99), 2), max: round(s[s.length - 1]!, 2) };
}

async function namespace(env: ApiBenchEnv, client: KeepAliveClient, name: string, serviceAccount: boolean): Promise<void> {
  const r = await client.request('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }));
  if (r.status !== 201) throw new Error(`${env.label}: creating namespace ${name}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
  if (serviceAccount && env.waitServiceAccount) {
    await watchUntil<V1ServiceAccount>(env.kc, `/api/v1/namespaces/${name}/serviceaccounts`, (m) => m.has(`${name}/default`), 60_000, `serviceaccount default in ${name}`);
  }
}

/** Runs `total` jobs on `workers` concurrent loops; returns the elapsed seconds. */
async function concurrently(total: number, workers: number, job: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(workers, total) }, async () => {
      for (let i = next++; i < total; i = next++) await job(i);
    }),
  );
  return (performance.now() - t0) / 1000;
}

/**
 * Benchmarks the servers side by side: every phase runs on each server in turn, and the create
 * phases alternate between them in rounds, so that a change in the machine's load falls on both.
 */
export async function benchApiServers(envs: ApiBenchEnv[], o: ApiBenchOptions, rounds = 2): Promise<ApiBenchResult[]> {
  const ns = 'bench-api';
  const sides = await Promise.all(
    envs.map(async (env) => ({ env, client: await KeepAliveClient.fromKubeConfig(env.kc, o.concurrency + 8), seqSeconds: 0, concSeconds: 0, list: [] as number[], listBytes: 0 })),
  );
  // Before each timed phase every side is left to go quiet: work one server still does after its
  // phase (controllers catching up, compaction) must not land in the next server's figures.
  const quiet = () => settle(envs.flatMap((e) => e.settlePids ?? e.pids));
  try {
    const create = async (side: (typeof sides)[number], i: number, namespace = ns): Promise<void> => {
      const r = await side.client.request('POST', `/api/v1/namespaces/${namespace}/pods`, pod(podName(i)));
      if (r.status !== 201) throw new Error(`${side.env.label}: creating pod ${podName(i)}: HTTP ${r.status} ${r.body.slice(0, 300)}`);
    };
    for (const side of sides) {
      await namespace(side.env, side.client, ns, true);
      // Warm-up, not counted: connections, caches, and V8's JIT (the reference runs its first
      // few hundred requests unoptimised), in a namespace of its own.
      await namespace(side.env, side.client, WARMUP_NAMESPACE, true);
      for (let i = 0; i < WARMUP / 2; i++) await create(side, i, WARMUP_NAMESPACE);
      await concurrently(WARMUP / 2, o.concurrency, (i) => create(side, WARMUP / 2 + i, WARMUP_NAMESPACE));
    }
    const concurrent = o.pods - o.sequential;
    const slice = (total: number, r: number): [number, number] => [Math.floor((total * r) / rounds), Math.floor((total * (r + 1)) / rounds)];
    for (let r = 0; r < rounds; r++) {
      const [from, to] = slice(o.sequential, r);
      for (const side of sides) {
        await quiet();
        const t0 = performance.now();
        for (let i = from; i < to; i++) await create(side, i);
        side.seqSeconds += (performance.now() - t0) / 1000;
      }
    }
    for (let r = 0; r < rounds; r++) {
      const [from, to] = slice(concurrent, r);
      for (const side of sides) {
        await quiet();
        side.concSeconds += await concurrently(to - from, o.concurrency, (i) => create(side, o.sequential + from + i));
      }
    }
    for (const side of sides) {
      side.env.log(`${side.env.label}: ${o.sequential} pods created sequentially in ${side.seqSeconds.toFixed(1)} s, ${concurrent} by ${o.concurrency} clients in ${side.concSeconds.toFixed(1)} s`);
    }

    // Watch latency before the big lists, whose garbage would otherwise be collected (in the
    // load generator too) in the middle of it.
    const watches: Array<ApiBenchResult['watch']> = [];
    for (const side of sides) {
      await quiet();
      const watch = await watchLatency(side.env, side.client, o.watchRate, o.watchSeconds);
      side.env.log(`${side.env.label}: watch p50 ${watch.latencyMs.p50} ms, p99 ${watch.latencyMs.p99} ms at ${watch.achievedRate}/s`);
      watches.push(watch);
    }

    for (let k = 0; k < o.listRepeats; k++) {
      for (const side of sides) {
        if (k === 0) await quiet();
        const t0 = performance.now();
        const r = await side.client.request('GET', `/api/v1/namespaces/${ns}/pods`);
        side.list.push(performance.now() - t0);
        if (r.status !== 200) throw new Error(`${side.env.label}: list: HTTP ${r.status}`);
        if (k === 0) {
          const items = (JSON.parse(r.body) as { items: unknown[] }).items.length;
          if (items !== o.pods) throw new Error(`${side.env.label}: listed ${items} pods, expected ${o.pods}`);
          side.listBytes = Buffer.byteLength(r.body);
        }
      }
    }
    const results: ApiBenchResult[] = [];
    for (const side of sides) {
      const { env } = side;
      const memoryMiB = Math.round(env.pids.reduce((sum, pid) => sum + (memoryOf(pid)?.rssMiB ?? 0), 0));
      env.log(`${env.label}: list of ${o.pods} pods in ${percentiles(side.list).p50} ms (median); ${memoryMiB} MiB resident`);
      results.push({
        server: env.label,
        client: 'node:http(s) with one keep-alive agent',
        createSequentialPerSec: round(o.sequential / side.seqSeconds),
        createConcurrentPerSec: round(concurrent / side.concSeconds),
        concurrency: o.concurrency,
        listPods: o.pods,
        storedPods: o.pods + WARMUP,
        listMs: { median: percentiles(side.list).p50, min: round(Math.min(...side.list), 2) },
        listMiB: round(side.listBytes / 1024 / 1024),
        memoryMiB,
        watch: watches[results.length]!,
      });
    }
    if (o.clientNodeSequential > 0 || o.clientNodeConcurrent > 0) {
      for (const [i, side] of sides.entries()) {
        await quiet();
        results[i]!.clientNode = await clientNodeCreates(side.env, side.client, o);
      }
    }
    return results;
  } finally {
    for (const side of sides) side.client.close();
  }
}

/**
 * ConfigMaps are created at a steady rate (open loop: each send is due at t0 + i/rate, however
 * slow earlier ones are) while one watch streams them; each event's latency is its arrival
 * minus the moment its create was sent.
 */
async function watchLatency(env: ApiBenchEnv, client: KeepAliveClient, rate: number, seconds: number): Promise<ApiBenchResult['watch']> {
  const ns = 'bench-watch';
  await namespace(env, client, ns, false);
  const listed = await client.request('GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`);
  const rv = (JSON.parse(listed.body) as { metadata: { resourceVersion: string } }).metadata.resourceVersion;
  const total = Math.round(rate * seconds);
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  const writeLatencies: number[] = [];
  let delivered = 0;
  let allDelivered!: () => void;
  const done = new Promise<void>((resolve) => (allDelivered = resolve));
  const close = await client.watch(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}`, (line) => {
    const now = performance.now();
    const ev = JSON.parse(line) as { type: string; object: { metadata?: { name?: string } } };
    if (ev.type !== 'ADDED') return;
    const sent = sentAt.get(ev.object.metadata?.name ?? '');
    if (sent === undefined) return;
    latencies.push(now - sent);
    if (++delivered === total) allDelivered();
  });
  try {
    const inflight = new Set<Promise<void>>();
    const t0 = performance.now();
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait >= 1) await delay(wait);
      if (inflight.size >= 512) await Promise.race(inflight);
      const name = `cm-${i}`;
      const sent = performance.now();
      sentAt.set(name, sent);
      const p = client.request('POST', `/api/v1/namespaces/${ns}/configmaps`, configMap(name)).then((r) => {
        if (r.status !== 201) throw new Error(`${env.label}: creating configmap ${name}: HTTP ${r.status} ${r.body.slice(0, 200)}`);
        writeLatencies.push(performance.now() - sent);
      });
      inflight.add(p);
      void p.finally(() => inflight.delete(p)).catch(() => undefined);
    }
    await Promise.all(inflight);
    const achievedRate = round(total / ((performance.now() - t0) / 1000));
    const deadline = setTimeout(() => allDelivered(), 30_000);
    await done;
    clearTimeout(deadline);
    if (delivered < total) env.log(`${env.label}: only ${delivered} of ${total} watch events arrived within 30 s`);
    return { targetRate: rate, achievedRate, events: total, delivered, latencyMs: percentiles(latencies), writeLatencyMs: percentiles(writeLatencies) };
  } finally {
    close();
  }
}

/** The same creates through @kubernetes/client-node (a new connection per request). */
async function clientNodeCreates(env: ApiBenchEnv, client: KeepAliveClient, o: ApiBenchOptions): Promise<NonNullable<ApiBenchResult['clientNode']>> {
  const ns = 'bench-client-node';
  await namespace(env, client, ns, true);
  const core = env.kc.makeApiClient(CoreV1Api);
  const body = (i: number) => JSON.parse(pod(`c-${String(i).padStart(6, '0')}`)) as object;
  for (let i = 0; i < 10; i++) await core.createNamespacedPod({ namespace: ns, body: body(1e6 + i) });
  const t0 = performance.now();
  for (let i = 0; i < o.clientNodeSequential; i++) await core.createNamespacedPod({ namespace: ns, body: body(i) });
  const seq = (performance.now() - t0) / 1000;
  const conc = await concurrently(o.clientNodeConcurrent, o.concurrency, async (i) => {
    await core.createNamespacedPod({ namespace: ns, body: body(o.clientNodeSequential + i) });
  });
  env.log(`${env.label}: client-node: ${o.clientNodeSequential} sequential creates in ${seq.toFixed(1)} s, ${o.clientNodeConcurrent} by ${o.concurrency} clients in ${conc.toFixed(1)} s`);
  return { createSequentialPerSec: round(o.clientNodeSequential / seq), createConcurrentPerSec: round(o.clientNodeConcurrent / conc) };
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

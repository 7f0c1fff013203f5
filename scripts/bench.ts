/**
 * `npm run bench [-- options]`: the reference control plane against the real one, side by side
 * in one run, on this machine. Writes reports/bench.json and reports/bench.md and prints the
 * table. Every comparison is a ratio of two figures measured in this run; nothing here is a
 * test, and no test asserts a timing.
 *
 *   1. Suite speed: the suite's wall time on the reference target and on the control-plane
 *      target over the same scenarios: by default the whole suite on both (about 15 minutes on
 *      the control plane); `--suite-subset areas` (the default with --quick) is one guarantee per
 *      area, DEFAULT_SUBSET, and `--suite-subset '<tags>'` any other selection.
 *   2. API server: the reference API server against kube-apiserver + etcd — pods created per
 *      second by one client and by --concurrency clients, listing --pods pods, resident memory
 *      with them stored, watch delivery latency at --watch-rate events/s.
 *   3. Controller scale: a Parallel StatefulSet 0→--parallel-replicas ready and an OrderedReady
 *      one 0→--ordered-replicas, with the control plane's peak memory; then the whole reference
 *      plane brought to --stored-pods ready pods (default 10,000), its memory at rest and peak.
 *
 * Options:
 *   --skip-suites --skip-api --skip-controllers   leave a section out
 *   --skip-control-plane                          reference figures only (no ratios)
 *   --suite-subset all|areas|<tag expression>     the scenarios both suites run (default all)
 *   --reference-clock-scale N                     the reference suite's clock (default: the target's, 30)
 *   --pods N (10000) --sequential N (2000) --concurrency N (32) --watch-rate N (1000) --watch-seconds N (5)
 *   --parallel-replicas N (1000) --ordered-replicas N (100) --stored-pods N (10000; 0 leaves it out)
 *   --cpu-prof                                    profile the reference processes (reports/bench/profiles/)
 *   --quick                                       small sizes, for trying the script out
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunningControlPlane } from '../support/control-plane/index.ts';
import type { ApiBenchOptions, ApiBenchResult } from './bench/apiserver.ts';
import type { ScaleCase, ScaleResult } from './bench/controllers.ts';
import type { Subject } from './bench/proc.ts';
import type { SuiteRun } from './lib/suite-run.ts';
import { intOption, parseCli } from './lib/cli.ts';

/** One guarantee from each area of the catalogue: 21 scenarios, about a fifth of the suite. */
export const DEFAULT_SUBSET = [
  'G-01', 'G-09', 'G-13', 'G-23', 'G-27', 'G-31', 'G-38', 'G-41', 'G-50', 'G-58', 'G-63',
].map((g) => `@guarantee:${g}`).join(' or ');

const { values } = parseCli({
  name: 'bench',
  usage: new URL(import.meta.url),
  options: {
    'skip-suites': { type: 'boolean', default: false },
    'skip-api': { type: 'boolean', default: false },
    'skip-controllers': { type: 'boolean', default: false },
    'skip-control-plane': { type: 'boolean', default: false },
    'suite-subset': { type: 'string' },
    'reference-clock-scale': { type: 'string' },
    pods: { type: 'string' },
    sequential: { type: 'string' },
    concurrency: { type: 'string', default: '32' },
    'watch-rate': { type: 'string', default: '1000' },
    'watch-seconds': { type: 'string' },
    'parallel-replicas': { type: 'string' },
    'ordered-replicas': { type: 'string' },
    'stored-pods': { type: 'string' },
    'cpu-prof': { type: 'boolean', default: false },
    quick: { type: 'boolean', default: false },
  },
});

// The rest is loaded once the options are known: --help and a bad option cost no more than node.
const { KubeConfig } = await import('@kubernetes/client-node');
type KubeConfig = InstanceType<typeof KubeConfig>;
const { kubeConfigFor } = await import('../reference/index.ts');
const { assertBinaries, controlPlaneBinDir } = await import('../support/control-plane/binaries.ts');
const { startControlPlane } = await import('../support/control-plane/index.ts');
const { waitNodesSchedulable } = await import('../support/control-plane/nodes.ts');
const { DEFAULT_CLOCK_SCALE } = await import('../support/targets/index.ts');
const { benchApiServers } = await import('./bench/apiserver.ts');
const { round, runScaleCase } = await import('./bench/controllers.ts');
const { busyShare, cpuTimes, machineLoad, memoryOf, settle, startSubject } = await import('./bench/proc.ts');
const { summarise } = await import('./bench/profile-summary.ts');
const { planSelection } = await import('./lib/plan.ts');
const { runSuite } = await import('./lib/suite-run.ts');

const quick = values.quick;
/** A numeric option (a usage error unless a whole number), else its default, or its --quick default. */
const num = (option: keyof typeof values, dflt: number, quickValue: number): number => {
  const v = values[option];
  return typeof v === 'string' ? intOption('bench', option, v) : quick ? quickValue : dflt;
};
const apiOptions: ApiBenchOptions = {
  pods: num('pods', 10_000, 2000),
  sequential: num('sequential', 2000, 300),
  concurrency: intOption('bench', 'concurrency', values.concurrency, 1),
  watchRate: intOption('bench', 'watch-rate', values['watch-rate'], 1),
  watchSeconds: num('watch-seconds', 5, 2),
  listRepeats: 5,
  clientNodeSequential: quick ? 100 : 300,
  clientNodeConcurrent: quick ? 300 : 1000,
};
const scaleCases: ScaleCase[] = [
  { policy: 'OrderedReady', replicas: num('ordered-replicas', 100, 20) },
  { policy: 'Parallel', replicas: num('parallel-replicas', 1000, 200) },
];
/** The memory goal's "with 10,000 pods stored", for the whole reference plane (reference only). */
const storedPods = num('stored-pods', 10_000, 2000);
const subsetOption = values['suite-subset'] ?? (quick ? 'areas' : 'all');
const subset = subsetOption === 'areas' ? DEFAULT_SUBSET : subsetOption;
if (!values['skip-suites'] && subset !== 'all') {
  // A subset that matches nothing is a mistake: say so now, not after the other sections.
  const selection = await planSelection('reference', [], subset);
  if ('problem' in selection) {
    console.error(`bench: --suite-subset: ${selection.problem}`);
    process.exit(1);
  }
}
if (values['reference-clock-scale'] !== undefined) intOption('bench', 'reference-clock-scale', values['reference-clock-scale'], 1);
const profileDir = 'reports/bench/profiles';
const log = (line: string): void => console.error(`bench: ${line}`);

// ---- the control plane, if built ------------------------------------------------------------

const binDir = controlPlaneBinDir();
let controlPlaneMissing: string | undefined = values['skip-control-plane'] ? 'skipped (--skip-control-plane)' : undefined;
if (!controlPlaneMissing) {
  try {
    assertBinaries(binDir, ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'coredns']);
  } catch (err) {
    controlPlaneMissing = `not built (${(err as Error).message.split('\n')[0]}); \`npm run control-plane:build\``;
  }
}

async function withControlPlane<T>(withScheduler: boolean, fn: (cp: RunningControlPlane, kc: KubeConfig) => Promise<T>): Promise<T> {
  const cp = await startControlPlane({ binDir, withDns: false, withScheduler, log: (l) => log(l) });
  try {
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    return await fn(cp, kc);
  } finally {
    await cp.stop();
  }
}

const nodeArgs = (section: string): string[] => (values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', join(profileDir, section)] : []);

/** The heaviest functions of the profiles a section wrote (reference processes only). */
function profileOf(section: string): Array<{ fn: string; selfMs: number; totalMs: number }> | undefined {
  const dir = join(profileDir, section);
  if (!values['cpu-prof'] || !existsSync(dir)) return undefined;
  const files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'));
  // The main thread's profile is the largest (the others are tsx's loader thread).
  const main = files.map((f) => join(dir, f)).sort((a, b) => readFileSync(b).length - readFileSync(a).length)[0];
  if (!main) return undefined;
  const s = summarise(JSON.parse(readFileSync(main, 'utf8')));
  return s.self.filter((r) => !r.fn.startsWith('(idle)')).slice(0, 15);
}

// ---- 1. suites --------------------------------------------------------------------------------

interface SuiteSide {
  target: string;
  wallSeconds: number;
  processSeconds: number;
  scenarios: number;
  ran: number;
  passed: number;
  failed: string[];
}

interface SuiteSection {
  selection: string;
  /** REFERENCE_CLOCK_SCALE for the reference runs, when not the target's default. */
  referenceClockScale?: number;
  /** The whole reference suite, for the < 30 s goal. */
  referenceFull?: SuiteSide;
  reference?: SuiteSide;
  controlPlane?: SuiteSide;
  /** Scenarios that ran (not skipped) on both targets, and their summed Cucumber durations. */
  common?: { scenarios: number; referenceSeconds: number; controlPlaneSeconds: number; ratio: number };
  /** Each common scenario's duration on both targets, slowest ratio first. */
  perScenario?: Array<{ scenario: string; referenceSeconds: number; controlPlaneSeconds: number; ratio: number }>;
  wallRatio?: number;
  controlPlaneMissing?: string;
}

const side = (r: SuiteRun): SuiteSide => ({
  target: r.target,
  wallSeconds: round(r.wallSeconds, 1),
  processSeconds: round(r.processSeconds, 1),
  scenarios: r.scenarios.length,
  ran: r.scenarios.filter((s) => s.outcome !== 'skipped').length,
  passed: r.scenarios.filter((s) => s.outcome === 'passed').length,
  failed: r.scenarios.filter((s) => s.outcome !== 'passed' && s.outcome !== 'skipped').map((s) => `${s.uri}:${s.line} ${s.name}`),
});

async function suites(): Promise<SuiteSection> {
  const all = subset === 'all';
  const tags = all ? undefined : subset;
  const section: SuiteSection = { selection: all ? 'the whole suite' : `tagged subset: ${subset}` };
  const scale = values['reference-clock-scale'];
  const env = scale ? { REFERENCE_CLOCK_SCALE: scale } : undefined;
  if (scale) section.referenceClockScale = Number(scale);
  log('suite: the whole reference suite');
  const full = await runSuite({ target: 'reference', format: 'summary', env });
  section.referenceFull = side(full);
  let ref = full;
  if (!all) {
    log(`suite: the reference suite, subset ${subset}`);
    ref = await runSuite({ target: 'reference', tags, format: 'summary', env });
  }
  section.reference = side(ref);
  if (controlPlaneMissing) {
    section.controlPlaneMissing = controlPlaneMissing;
    return section;
  }
  log(`suite: the control-plane suite, ${all ? 'whole suite' : `subset ${subset}`}`);
  const cp = await runSuite({ target: 'control-plane', tags, format: 'summary' });
  section.controlPlane = side(cp);
  const key = (s: { uri: string; line: number; name: string }) => `${s.uri}:${s.line}:${s.name}`;
  const cpRan = new Map(cp.scenarios.filter((s) => s.outcome !== 'skipped').map((s) => [key(s), s]));
  const common = ref.scenarios.filter((s) => s.outcome !== 'skipped' && cpRan.has(key(s)));
  const refSeconds = common.reduce((t, s) => t + s.durationMs, 0) / 1000;
  const cpSeconds = common.reduce((t, s) => t + cpRan.get(key(s))!.durationMs, 0) / 1000;
  section.common = { scenarios: common.length, referenceSeconds: round(refSeconds, 1), controlPlaneSeconds: round(cpSeconds, 1), ratio: round(cpSeconds / refSeconds, 1) };
  section.perScenario = common
    .map((s) => {
      const r = s.durationMs / 1000;
      const c = cpRan.get(key(s))!.durationMs / 1000;
      return { scenario: `${s.uri}:${s.line} ${s.name}`, referenceSeconds: round(r, 2), controlPlaneSeconds: round(c, 2), ratio: round(c / Math.max(r, 0.001), 1) };
    })
    .sort((a, b) => a.ratio - b.ratio);
  section.wallRatio = round(cp.wallSeconds / ref.wallSeconds, 1);
  return section;
}

// ---- 2. API servers ---------------------------------------------------------------------------

interface ApiSection {
  options: ApiBenchOptions;
  reference?: ApiBenchResult;
  controlPlane?: ApiBenchResult & { serverVersion: string };
  ratios?: Record<string, number>;
  controlPlaneMissing?: string;
  profile?: ReturnType<typeof profileOf>;
}

async function apiServers(): Promise<ApiSection> {
  const section: ApiSection = { options: apiOptions };
  log('api: the reference API server (its own process)');
  const subject = await startSubject(['api'], { label: 'reference API server', nodeArgs: nodeArgs('api') });
  try {
    const reference = { label: 'reference', kc: kubeConfigFor(subject.url), pids: [subject.pid], waitServiceAccount: false, log };
    if (controlPlaneMissing) {
      section.controlPlaneMissing = controlPlaneMissing;
      [section.reference] = await benchApiServers([reference], apiOptions);
    } else {
      log('api: kube-apiserver + etcd (with kube-controller-manager, which creates the ServiceAccounts pods need); phases alternate between the servers');
      await withControlPlane(false, async (cp, kc) => {
        const real = {
          label: 'kube-apiserver',
          kc,
          pids: [cp.pids['kube-apiserver']!, cp.pids.etcd!],
          settlePids: Object.values(cp.pids).filter((p): p is number => p !== undefined),
          waitServiceAccount: true,
          log,
        };
        const [r, c] = await benchApiServers([reference, real], apiOptions);
        section.reference = r;
        section.controlPlane = { ...c!, serverVersion: cp.serverVersion };
      });
    }
  } finally {
    await subject.stop();
  }
  section.profile = profileOf('api');
  if (!section.controlPlane) return section;
  const r = section.reference!;
  const c = section.controlPlane;
  section.ratios = {
    createSequential: round(r.createSequentialPerSec / c.createSequentialPerSec, 1),
    createConcurrent: round(r.createConcurrentPerSec / c.createConcurrentPerSec, 1),
    list: round(c.listMs.median / r.listMs.median, 1),
    memory: round(c.memoryMiB / r.memoryMiB, 1),
    watchP50: round(c.watch.latencyMs.p50 / r.watch.latencyMs.p50, 1),
    watchP99: round(c.watch.latencyMs.p99 / r.watch.latencyMs.p99, 1),
    ...(r.clientNode && c.clientNode
      ? {
          clientNodeSequential: round(r.clientNode.createSequentialPerSec / c.clientNode.createSequentialPerSec, 1),
          clientNodeConcurrent: round(r.clientNode.createConcurrentPerSec / c.clientNode.createConcurrentPerSec, 1),
        }
      : {}),
  };
  return section;
}

// ---- 3. controllers ---------------------------------------------------------------------------

interface ControllerSection {
  cases: ScaleCase[];
  reference?: ScaleResult[];
  controlPlane?: ScaleResult[];
  ratios?: Record<string, number>;
  controlPlaneMissing?: string;
  profile?: ReturnType<typeof profileOf>;
  /** A fresh reference plane brought to --stored-pods ready pods; its memory at rest, and after a full GC. */
  stored?: ScaleResult & { restMiB: number; collectedMiB: number };
}

async function controllers(): Promise<ControllerSection> {
  const section: ControllerSection = { cases: scaleCases, reference: [] };
  log('controllers: the reference control plane (its own process; clock scale 1, pods start at once)');
  const plane = await startPlane(nodeArgs('controllers'));
  const kcRef = kubeConfigFor(plane.url);
  const runReference = async (c: ScaleCase, i: number): Promise<void> => {
    const r = await runScaleCase({ kc: kcRef, pids: [plane.pid], waitServiceAccount: false, deadlineMs: 600_000 }, c, `bench-scale-${i}`);
    log(`controllers: reference ${c.policy} 0→${c.replicas} ready in ${r.seconds} s, peak ${r.peakMiB} MiB`);
    section.reference!.push(r);
  };
  try {
    if (controlPlaneMissing) {
      section.controlPlaneMissing = controlPlaneMissing;
      for (const [i, c] of scaleCases.entries()) await runReference(c, i);
    } else {
      log('controllers: the control plane (KCM and kube-scheduler with upstream defaults) + the node simulator in its own process; cases alternate between the planes');
      section.controlPlane = await withControlPlane(true, async (cp, kc) => {
        let nodes: Subject | undefined;
        try {
          nodes = await startSubject(['nodes', '--kubeconfig', cp.kubeconfigPath, '--kubelet-version', cp.serverVersion, '--pod-startup-ms', '0'], { label: 'node simulator' });
          // The simulator process registers its default three nodes.
          await waitNodesSchedulable(kc, ['sim-node-0', 'sim-node-1', 'sim-node-2']);
          const pids = (['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler'] as const).map((c) => cp.pids[c]!);
          const out: ScaleResult[] = [];
          // Each case starts with both planes quiet (the previous case's after-work done).
          const quiet = () => settle([plane.pid, ...pids, nodes!.pid]);
          for (const [i, c] of scaleCases.entries()) {
            await quiet();
            await runReference(c, i);
            await quiet();
            const r = await runScaleCase({ kc, pids, helperPids: [nodes.pid], waitServiceAccount: true, deadlineMs: 900_000 }, c, `bench-scale-${i}`);
            log(`controllers: control plane ${c.policy} 0→${c.replicas} ready in ${r.seconds} s, peak ${r.peakMiB} MiB (+${r.helperPeakMiB} MiB node simulator)`);
            out.push(r);
          }
          return out;
        } finally {
          await nodes?.stop();
        }
      });
    }
  } finally {
    await plane.stop();
  }
  if (storedPods > 0) section.stored = await storedPodsCase();
  section.profile = profileOf('controllers');
  if (!section.controlPlane) return section;
  section.ratios = Object.fromEntries(
    scaleCases.map((c, i) => [`${c.policy}-${c.replicas}`, round(section.controlPlane![i]!.seconds / section.reference![i]!.seconds, 1)]),
  );
  return section;
}

/** The reference plane in a process of its own, at clock scale 1, its pods starting at once. */
function startPlane(nodeArgs: string[]): Promise<Subject> {
  return startSubject(['plane', '--clock-scale', '1', '--pod-startup-ms', '0'], { label: 'reference control plane', nodeArgs });
}

/**
 * The whole reference plane (API server, controllers, simulated kubelets: one process) holding
 * --stored-pods pods: a fresh plane, so no earlier case's garbage counts. Reference only: the
 * control plane would take many minutes to start that many pods.
 */
async function storedPodsCase(): Promise<ScaleResult & { restMiB: number; collectedMiB: number }> {
  const plane = await startPlane(['--expose-gc', ...nodeArgs('stored')]);
  try {
    const r = await runScaleCase({ kc: kubeConfigFor(plane.url), pids: [plane.pid], waitServiceAccount: false, deadlineMs: 900_000 }, { policy: 'Parallel', replicas: storedPods }, 'bench-stored');
    await settle([plane.pid]);
    const restMiB = round(memoryOf(plane.pid)?.rssMiB ?? NaN);
    const collectedMiB = round(await plane.collectedRss());
    log(`controllers: reference plane holding ${storedPods} pods: ready in ${r.seconds} s; ${restMiB} MiB at rest, ${collectedMiB} MiB after a full GC, peak ${r.peakMiB} MiB`);
    return { ...r, restMiB, collectedMiB };
  } finally {
    await plane.stop();
  }
}

// ---- run ----------------------------------------------------------------------------------------

if (values['cpu-prof']) rmSync(profileDir, { recursive: true, force: true });
const startedAt = new Date().toISOString();
const loadBefore = machineLoad();
log(`machine: ${loadBefore.cores} cores, load average ${loadBefore.loadavg.join(' / ')}; busiest other processes: ${loadBefore.others.join(', ') || 'none'}`);
const sections: Record<string, { busyShare: number; seconds: number }> = {};
async function timed<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const c0 = cpuTimes();
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    sections[name] = { busyShare: busyShare(c0, cpuTimes()), seconds: round((performance.now() - t0) / 1000, 1) };
  }
}
const report = {
  startedAt,
  node: process.version,
  machine: { cores: loadBefore.cores, loadBefore },
  suites: values['skip-suites'] ? undefined : await timed('suites', suites),
  api: values['skip-api'] ? undefined : await timed('api', apiServers),
  controllers: values['skip-controllers'] ? undefined : await timed('controllers', controllers),
  loadAfter: machineLoad(),
  sections,
};
mkdirSync('reports', { recursive: true });
writeFileSync('reports/bench.json', `${JSON.stringify(report, null, 2)}\n`);
const md = renderMarkdown(report);
writeFileSync('reports/bench.md', md);
console.log(`\n${md}`);
log('wrote reports/bench.json and reports/bench.md');

// ---- the table ----------------------------------------------------------------------------------

function renderMarkdown(r: typeof report): string {
  const rows: string[][] = [];
  const row = (what: string, ref: string, cp: string, ratio: string, goal: string) => rows.push([what, ref, cp, ratio, goal]);
  const x = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? '—' : `${n}×`);
  const s = r.suites;
  if (s) {
    row('whole reference suite, wall time', `${s.referenceFull!.wallSeconds} s (${s.referenceFull!.passed}/${s.referenceFull!.scenarios} passed)`, '', '', 'reference < 30 s');
    if (s.controlPlane) {
      row(`suite wall time, ${s.selection === 'the whole suite' ? 'whole suite' : 'subset'} (${s.reference!.scenarios} scenarios)`, `${s.reference!.wallSeconds} s`, `${s.controlPlane.wallSeconds} s`, x(s.wallRatio), '≥ 20×');
      row(`scenario time, the ${s.common!.scenarios} scenarios run on both`, `${s.common!.referenceSeconds} s`, `${s.common!.controlPlaneSeconds} s`, x(s.common!.ratio), '≥ 20×');
    }
  }
  const a = r.api;
  if (a) {
    const ref = a.reference!;
    const cp = a.controlPlane;
    const q = a.ratios ?? {};
    row('pods created/s, 1 client', `${ref.createSequentialPerSec}`, `${cp?.createSequentialPerSec ?? '—'}`, x(q.createSequential), '≥ 5×');
    row(`pods created/s, ${ref.concurrency} clients`, `${ref.createConcurrentPerSec}`, `${cp?.createConcurrentPerSec ?? '—'}`, x(q.createConcurrent), '≥ 5×');
    row(`list ${ref.listPods} pods (${ref.listMiB} MiB / ${cp?.listMiB ?? '—'} MiB), median`, `${ref.listMs.median} ms`, cp ? `${cp.listMs.median} ms` : '—', x(q.list), '');
    row(`resident memory, ${ref.storedPods} pods stored`, `${ref.memoryMiB} MiB`, cp ? `${cp.memoryMiB} MiB (kube-apiserver + etcd)` : '—', x(q.memory), 'reference < 500 MB');
    row(`watch latency p50 at ${ref.watch.achievedRate}/${cp?.watch.achievedRate ?? '—'} events/s`, `${ref.watch.latencyMs.p50} ms`, cp ? `${cp.watch.latencyMs.p50} ms` : '—', x(q.watchP50), '');
    row('watch latency p99', `${ref.watch.latencyMs.p99} ms`, cp ? `${cp.watch.latencyMs.p99} ms` : '—', x(q.watchP99), 'reference < 5 ms');
    if (ref.clientNode) {
      row('pods created/s through client-node, 1 client', `${ref.clientNode.createSequentialPerSec}`, `${cp?.clientNode?.createSequentialPerSec ?? '—'}`, x(q.clientNodeSequential), '');
      row(`pods created/s through client-node, ${ref.concurrency} clients`, `${ref.clientNode.createConcurrentPerSec}`, `${cp?.clientNode?.createConcurrentPerSec ?? '—'}`, x(q.clientNodeConcurrent), '');
    }
  }
  const c = r.controllers;
  if (c) {
    c.cases.forEach((k, i) => {
      const ref = c.reference![i]!;
      const cp = c.controlPlane?.[i];
      row(
        `${k.policy} StatefulSet 0→${k.replicas} ready (peak memory)`,
        `${ref.seconds} s (${ref.peakMiB} MiB)`,
        cp ? `${cp.seconds} s (${cp.peakMiB} MiB + ${cp.helperPeakMiB} MiB simulator)` : '—',
        x(c.ratios?.[`${k.policy}-${k.replicas}`]),
        k.policy === 'Parallel' && k.replicas === 1000 ? 'reference < 10 s' : '',
      );
    });
    if (c.stored) {
      row(
        `reference plane holding ${c.stored.replicas} pods: resident memory at rest / after a full GC (peak while starting them)`,
        `${c.stored.restMiB} / ${c.stored.collectedMiB} MiB (${c.stored.peakMiB} MiB)`,
        '',
        '',
        c.stored.replicas === 10_000 ? 'reference < 500 MB' : '',
      );
    }
  }
  const missing = r.suites?.controlPlaneMissing ?? r.api?.controlPlaneMissing ?? r.controllers?.controlPlaneMissing;
  const lines = [
    `Run ${r.startedAt} on ${r.machine.cores} cores, Node ${r.node}. Load average before ${r.machine.loadBefore.loadavg.join(' / ')}, after ${r.loadAfter.loadavg.join(' / ')}; ` +
      `all cores busy ${Object.entries(r.sections).map(([k, v]) => `${Math.round(v.busyShare * 100)}% during ${k} (${v.seconds} s)`).join(', ')}.` +
      (r.machine.loadBefore.others.length ? ` Other processes at the start: ${r.machine.loadBefore.others.join(', ')}.` : ''),
    '',
    '| measure | reference | control plane | ratio | goal |',
    '|---|---|---|---|---|',
    ...rows.map((cells) => `| ${cells.join(' | ')} |`),
    '',
  ];
  if (missing) lines.push(`Control plane: ${missing}.`, '');
  if (s && s.controlPlane) {
    lines.push(
      `Suites: ${s.selection}. Reference clock scale ${s.referenceClockScale ?? `default (${DEFAULT_CLOCK_SCALE})`}: a scenario that mostly waits out simulated time (grace periods, minReadySeconds) runs at most that much faster. The wall time includes start-up (the control plane's bring-up); the reference runs 2 workers, the control plane 1 (their profiles). ` +
        `Scenario time sums Cucumber's per-scenario durations over the scenarios both ran.` +
        (s.reference!.failed.length || s.controlPlane.failed.length ? ` Failed: reference ${s.reference!.failed.length}, control plane ${s.controlPlane.failed.length}.` : ''),
      '',
    );
  }
  if (a) {
    lines.push(
      `API: load generated by ${a.reference!.client} (plain HTTP to the reference, HTTPS with a client certificate to kube-apiserver ${a.controlPlane?.serverVersion ?? ''}); ` +
        'client-node rows use @kubernetes/client-node 1.x, which opens a new connection per request. Both servers in their own processes; kube-controller-manager runs beside kube-apiserver (it creates the ServiceAccount pods need). ' +
        'Watch latency: from sending a ConfigMap create to its ADDED event on an open watch, creates sent at a steady rate.',
      '',
    );
  }
  if (c) {
    lines.push(
      'Controllers: the node simulator starts pods at once on both; the reference runs at clock scale 1 in its own process (API server, controllers, simulator); the control plane is etcd, kube-apiserver, kube-controller-manager and kube-scheduler with upstream defaults (client QPS limits included), memory is the sum of their peaks.',
      '',
    );
  }
  return lines.join('\n');
}

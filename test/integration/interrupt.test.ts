/**
 * Interrupts and leftovers (support/interrupt.ts, scripts/clean.ts), end to end: the conformance
 * runner as a child process, on the reference target, on the cluster target (the "cluster" being
 * the reference control plane served by scripts/reference-server.ts behind a kubeconfig) and,
 * when its binaries are built, on the control-plane target.
 *
 * - A SIGINT or SIGTERM mid-scenario: the run exits 130/143 soon after, its reports cover what
 *   finished (the interrupted scenario failed "interrupted …", the rest skipped), no child
 *   process is left (on the control-plane target: etcd, kube-apiserver and the rest, with their
 *   data), and every namespace it created is deleted.
 * - Cucumber's parallel workers each create their own namespaces.
 * - After a SIGKILL, `npm run clean` removes the labelled namespaces the run left and nothing
 *   unlabelled.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig, Watch, type V1Namespace } from '@kubernetes/client-node';
import { readLedger, unclosed, type LedgerEntry } from '../../support/interrupt.ts';
import { ROOT, alive, descendants, finished, killRun, sandbox, startRunner, survivors, type Runner } from '../runner-helpers.ts';
import { BINARIES, binaryPath, controlPlaneBinDir } from '../../support/control-plane/binaries.ts';

const MANAGED = 'app.kubernetes.io/managed-by=statefulset-conformance';
const RUN_ID = 'statefulset-conformance.io/run-id';
const WORKER = 'statefulset-conformance.io/worker';

/** scripts/reference-server.ts as a child process: resolves with its kubeconfig once it prints `ready`. */
async function startServer(dir: string): Promise<{ kubeconfig: string; child: ChildProcess; stop(): Promise<void> }> {
  const kubeconfig = join(dir, 'kubeconfig');
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/reference-server.ts', '--kubeconfig', kubeconfig], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`reference server not ready in 60s: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/^ready /m.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`reference server exited (${code}) before it was ready`));
    });
  });
  return {
    kubeconfig,
    child,
    async stop() {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A watch of the harness's namespaces on a cluster, with event-driven waits. */
class Namespaces {
  /** Namespaces that exist now. */
  readonly seen = new Map<string, V1Namespace>();
  /** Labels of every namespace ever seen. */
  readonly history = new Map<string, Record<string, string>>();
  /** Namespaces whose deletion began (or that are gone). */
  readonly closing = new Set<string>();
  private readonly listeners = new Set<() => void>();
  private abort?: AbortController;

  constructor(private readonly kc: KubeConfig) {}

  async start(): Promise<void> {
    const list = await this.kc.makeApiClient(CoreV1Api).listNamespace({ labelSelector: MANAGED });
    for (const ns of list.items) this.note('ADDED', ns);
    this.abort = await new Watch(this.kc).watch(
      '/api/v1/namespaces',
      { labelSelector: MANAGED, resourceVersion: list.metadata?.resourceVersion },
      (phase: string, ns: V1Namespace) => this.note(phase, ns),
      () => undefined,
    );
  }

  private note(phase: string, ns: V1Namespace): void {
    const name = ns.metadata!.name!;
    this.history.set(name, ns.metadata?.labels ?? {});
    if (phase === 'DELETED') this.seen.delete(name);
    else this.seen.set(name, ns);
    if (phase === 'DELETED' || ns.metadata?.deletionTimestamp) this.closing.add(name);
    for (const l of this.listeners) l();
  }

  /** Names of a run's scenario namespaces (not the DNS probe's) ever seen. */
  ofRun(runId: string): string[] {
    return [...this.history].filter(([, l]) => l[RUN_ID] === runId && !l['statefulset-conformance.io/role']).map(([n]) => n);
  }

  /** A run's scenario namespaces that exist and are not being deleted. */
  running(runId: string): string[] {
    return this.ofRun(runId).filter((n) => this.seen.has(n) && !this.closing.has(n));
  }

  stop(): void {
    this.abort?.abort();
  }

  until(what: string, check: () => boolean, ms = 60_000): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (fn: () => void) => {
        clearTimeout(timer);
        this.listeners.delete(evaluate);
        fn();
      };
      const evaluate = () => {
        if (check()) done(resolve);
      };
      const timer = setTimeout(
        () => done(() => reject(new Error(`${what} within ${ms / 1000}s; namespaces: ${[...this.seen.keys()].join(', ') || 'none'}`))),
        ms,
      );
      this.listeners.add(evaluate);
      evaluate();
    });
  }
}

/** Waits until a scenario has finished (its namespace went) and another is running, then signals. */
async function interruptMidScenario(run: Runner, signal: NodeJS.Signals, opts: { group: boolean }, when: () => Promise<void>): Promise<number[]> {
  await when();
  const children = descendants(run.child.pid!);
  assert.ok(children.length > 0, 'the runner has child processes (workers, esbuild)');
  // As a terminal's Ctrl-C does (the whole process group), or as CI does (the runner alone).
  process.kill(opts.group ? -run.child.pid! : run.child.pid!, signal);
  return children;
}

/** Mid-run: a scenario has finished, and another is in a 30-second "nothing happens" step. */
const LONG_STEP = 'pod "web-2" is not created for 30 seconds';
function midRun(run: Runner, reportDir: string): Promise<void> {
  return run.waitForMessages(reportDir, 'a scenario finished and another is in a long step', (p) => p.finished >= 1 && p.running.includes(LONG_STEP), 120_000);
}

function assertInterruptedReport(run: Runner, name: string, signal: NodeJS.Signals): void {
  const { scenarios } = run.report(name);
  const by = (o: string) => scenarios.filter((s) => s.outcome === o);
  assert.ok(by('passed').length >= 1, `a scenario finished before the signal: ${JSON.stringify(scenarios, null, 1)}`);
  assert.ok(by('failed').length >= 1, 'the scenario running at the signal is reported as interrupted');
  for (const s of by('failed')) assert.match(s.reason ?? '', /interrupted while/, `${s.name} failed only because it was interrupted`);
  assert.ok(by('skipped').length >= 1, 'scenarios not started are skipped');
  for (const s of by('skipped')) assert.match(s.reason ?? '', new RegExp(`run interrupted by ${signal}`));
  // Cucumber's own reports were written too.
  for (const f of ['cucumber.xml', 'cucumber.json', 'cucumber.html']) assert.ok(existsSync(join(run.dir, 'reports', name, f)), `${f} written`);
  assert.match(readFileSync(join(run.dir, 'reports', name, 'cucumber.xml'), 'utf8'), /<testsuite /);
}

describe('interrupts on the cluster target', { concurrency: false }, () => {
  let dir: string;
  let server: Awaited<ReturnType<typeof startServer>>;
  let kc: KubeConfig;
  let namespaces: Namespaces;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sts-interrupt-'));
    server = await startServer(dir);
    kc = new KubeConfig();
    kc.loadFromFile(server.kubeconfig);
    namespaces = new Namespaces(kc);
    await namespaces.start();
  });
  after(async () => {
    namespaces?.stop();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  for (const { signal, parallel, group } of [
    { signal: 'SIGINT' as const, parallel: 2, group: true },
    { signal: 'SIGINT' as const, parallel: 2, group: false },
    { signal: 'SIGTERM' as const, parallel: 1, group: false },
  ]) {
    test(`${signal} to the ${group ? 'process group (Ctrl-C)' : 'runner alone'}, ${parallel} worker(s): no namespace and no process left, reports written`, async () => {
      const box = sandbox();
      const ledger = join(box, 'ledger.ndjson');
      const runId = `int${signal.toLowerCase()}${parallel}${group ? 'g' : ''}`;
      const run = startRunner(box, ['--target', 'cluster', '--parallel', String(parallel), 'features/ordered-ready.feature'], {
        ...process.env,
        KUBECONFIG: server.kubeconfig,
        STATEFULSET_CONFORMANCE_LEDGER: ledger,
        CONFORMANCE_RUN_ID: runId,
      }, { detached: group });
      try {
        const children = await interruptMidScenario(run, signal, { group }, () => midRun(run, 'cluster'));
        const started = Date.now();
        const { code } = await finished(run, 90_000);
        const took = Date.now() - started;
        assert.equal(code, signal === 'SIGINT' ? 130 : 143, run.output());
        assert.ok(took < 60_000, `the run stopped ${took} ms after the signal`);
        assert.match(run.output(), new RegExp(`interrupted by ${signal}: reports cover the scenarios that finished`));
        assert.doesNotMatch(run.output(), /second SIG\w+: |could not delete/);
        assertInterruptedReport(run, 'cluster', signal);

        // No child process is left.
        assert.deepEqual(children.filter(alive), [], 'every child process of the runner has exited');

        // Every namespace it created is being deleted, then gone; the ledger says each was closed.
        const entries = readLedger(ledger).filter((e) => e.runId === runId);
        const created = new Set(entries.filter((e) => !e.closed).map((e) => e.namespace));
        assert.ok(created.size >= 2);
        assert.deepEqual(unclosed(entries), [], 'every namespace in the ledger was closed');
        await namespaces.until('every namespace of the run is deleted', () => [...created].every((n) => !namespaces.seen.has(n)), 60_000);

        if (parallel > 1) {
          // Cucumber's parallel workers each created namespaces of their own.
          const pids = new Set(entries.filter((e) => !e.closed && !e.namespace.startsWith('sts-dns-')).map((e) => e.pid));
          assert.ok(pids.size >= 2, `namespaces were created by ${pids.size} worker process(es)`);
        }
      } finally {
        killRun(run, group);
        rmSync(box, { recursive: true, force: true });
      }
    });
  }

  test('Cucumber\'s parallel workers each get their own namespaces', async () => {
    const box = sandbox();
    const ledger = join(box, 'ledger.ndjson');
    const runId = 'parallel-ns';
    const run = startRunner(box, ['--target', 'cluster', '--parallel', '2', 'features/identity.feature:6', 'features/identity.feature:12', 'features/identity.feature:39'], {
      ...process.env,
      KUBECONFIG: server.kubeconfig,
      STATEFULSET_CONFORMANCE_LEDGER: ledger,
      CONFORMANCE_RUN_ID: runId,
    });
    try {
      const { code } = await finished(run);
      assert.equal(code, 0, run.output());
      const entries = readLedger(ledger).filter((e) => !e.closed && !e.namespace.startsWith('sts-dns-'));
      const byPid = new Map<number, string[]>();
      for (const e of entries) byPid.set(e.pid, [...(byPid.get(e.pid) ?? []), e.namespace]);
      assert.equal(entries.length, 3, 'one namespace per scenario');
      assert.equal(new Set(entries.map((e) => e.namespace)).size, 3, 'no namespace shared between scenarios');
      assert.equal(byPid.size, 2, 'both workers created namespaces');
      const workerLabels = new Set(namespaces.ofRun(runId).map((n) => namespaces.history.get(n)![WORKER]));
      assert.deepEqual([...workerLabels].sort(), ['0', '1'], "namespaces carry their worker's label");
      assert.deepEqual(unclosed(readLedger(ledger)), [], 'all deleted on success');
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });

  test('after a SIGKILL, npm run clean removes the labelled namespaces the run left, and nothing unlabelled', async () => {
    const box = sandbox();
    const ledger = join(box, 'ledger.ndjson');
    const runId = 'killed';
    const core = kc.makeApiClient(CoreV1Api);
    // Someone else's namespaces: unlabelled, and labelled by another tool.
    await core.createNamespace({ body: { metadata: { name: 'users-own' } } });
    await core.createNamespace({ body: { metadata: { name: 'other-tool', labels: { 'app.kubernetes.io/managed-by': 'helm' } } } });
    // A run still going on this host (per the ledger): its namespace is kept.
    await core.createNamespace({ body: { metadata: { name: 'live-run-ns', labels: { 'app.kubernetes.io/managed-by': 'statefulset-conformance', [RUN_ID]: 'live' } } } });
    const server0 = kc.getCurrentCluster()!.server;
    const live: LedgerEntry = { time: new Date().toISOString(), runId: 'live', namespace: 'live-run-ns', target: 'cluster', server: server0, pid: process.pid, host: hostname() };
    writeFileSync(ledger, JSON.stringify(live) + '\n');

    const run = startRunner(box, ['--target', 'cluster', '--parallel', '2', 'features/ordered-ready.feature'], {
      ...process.env,
      KUBECONFIG: server.kubeconfig,
      STATEFULSET_CONFORMANCE_LEDGER: ledger,
      CONFORMANCE_RUN_ID: runId,
    }, { detached: true });
    try {
      await namespaces.until('two scenarios running', () => namespaces.running(runId).length >= 2, 120_000);
      const children = descendants(run.child.pid!);
      process.kill(-run.child.pid!, 'SIGKILL');
      await finished(run);
      assert.deepEqual(await survivors(children), [], 'SIGKILL ended the whole run');
      const left = namespaces.running(runId);
      assert.ok(left.length >= 2, 'the killed run left namespaces behind');
      assert.ok(unclosed(readLedger(ledger)).some((e) => e.runId === runId), 'the ledger records them');

      // --dry-run deletes nothing.
      const dry = await cleanCli(['--dry-run'], server.kubeconfig, ledger);
      assert.equal(dry.code, 0, dry.out);
      for (const n of left) assert.match(dry.out, new RegExp(`would delete namespace ${n} \\(run ${runId}\\)`));
      assert.deepEqual(namespaces.running(runId).sort(), [...left].sort());

      const { code, out } = await cleanCli([], server.kubeconfig, ledger);
      assert.equal(code, 0, out);
      for (const n of left) assert.match(out, new RegExp(`deleted namespace ${n} \\(run ${runId}\\)`));
      assert.match(out, /kept namespace live-run-ns: run live is still going on this host/);
      await namespaces.until('the killed run\'s namespaces are gone', () => left.every((n) => !namespaces.seen.has(n)), 60_000);
      const names = (await core.listNamespace()).items.map((ns) => ns.metadata!.name!);
      for (const n of ['users-own', 'other-tool', 'live-run-ns', 'default', 'kube-system']) assert.ok(names.includes(n), `${n} is untouched`);
      assert.ok(!unclosed(readLedger(ledger)).some((e) => e.runId === runId), 'the ledger no longer lists them');
      assert.ok(unclosed(readLedger(ledger)).some((e) => e.runId === 'live'), 'the live run stays in the ledger');
    } finally {
      killRun(run, true);
      for (const name of ['users-own', 'other-tool', 'live-run-ns']) await core.deleteNamespace({ name }).catch(() => undefined);
      rmSync(box, { recursive: true, force: true });
    }
  });
});

/** `npm run clean` (scripts/clean.ts) as a child process. */
function cleanCli(args: string[], kubeconfig: string, ledger: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/clean.ts', ...args], {
      cwd: ROOT,
      env: { ...process.env, KUBECONFIG: kubeconfig, STATEFULSET_CONFORMANCE_LEDGER: ledger },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    child.stderr!.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });
}

describe('interrupts on the reference target', { concurrency: false }, () => {
  for (const { signal, parallel } of [
    { signal: 'SIGINT' as const, parallel: 2 },
    { signal: 'SIGTERM' as const, parallel: 1 },
  ]) {
    test(`${signal}, ${parallel} worker(s): reports written, no process left`, async () => {
      const box = sandbox();
      // Real time, so that scenarios last long enough to be interrupted midway.
      const run = startRunner(box, ['--target', 'reference', '--parallel', String(parallel), 'features/ordered-ready.feature'], {
        ...process.env,
        REFERENCE_CLOCK_SCALE: '1',
      });
      try {
        // Progress prints a character per step: after a few, scenarios have finished and others run.
        const children = await interruptMidScenario(run, signal, { group: false }, () => midRun(run, 'reference'));
        const { code } = await finished(run, 90_000);
        assert.equal(code, signal === 'SIGINT' ? 130 : 143, run.output());
        assertInterruptedReport(run, 'reference', signal);
        assert.doesNotMatch(run.output(), /second SIG\w+: |could not delete/);
        assert.deepEqual(children.filter(alive), [], 'every child process of the runner has exited');
        assert.equal(existsSync(join(box, 'reports', 'reference', 'cucumber.ndjson')), true);
      } finally {
        killRun(run);
        rmSync(box, { recursive: true, force: true });
      }
    });
  }
});

describe('an interrupted run and the matrix', { concurrency: false }, () => {
  test('a run interrupted after a finished one leaves the finished run in the matrix and keeps its own beside it', async () => {
    const box = sandbox();
    try {
      const first = startRunner(box, ['--target', 'reference', 'features/identity.feature:6'], process.env);
      assert.equal((await finished(first, 120_000)).code, 0, first.output());
      const before = readFileSync(join(box, 'reports', 'conformance-reference.json'), 'utf8');
      const matrixBefore = readFileSync(join(box, 'reports', 'conformance.md'), 'utf8');
      const second = startRunner(box, ['--target', 'reference', '--parallel', '1', 'features/ordered-ready.feature'], { ...process.env, REFERENCE_CLOCK_SCALE: '1' });
      try {
        await interruptMidScenario(second, 'SIGINT', { group: false }, () => midRun(second, 'reference'));
        assert.equal((await finished(second, 90_000)).code, 130, second.output());
      } finally {
        killRun(second);
      }
      assert.equal(readFileSync(join(box, 'reports', 'conformance-reference.json'), 'utf8'), before, 'the finished run is still the matrix\'s reference run');
      assert.match(second.output(), /the matrix keeps the previous reference run; this interrupted run's results are in reports\/conformance-reference\.interrupted\.json/);
      const interrupted = JSON.parse(readFileSync(join(box, 'reports', 'conformance-reference.interrupted.json'), 'utf8')) as { interrupted?: string; scenarios: unknown[] };
      assert.equal(interrupted.interrupted, 'SIGINT');
      assert.ok(interrupted.scenarios.length > 1, 'the interrupted run keeps what it ran');
      const matrixAfter = readFileSync(join(box, 'reports', 'conformance.md'), 'utf8');
      // The matrix is rewritten (its run list is the same), never with the interrupted run's outcomes.
      assert.equal(matrixAfter.split('\n').filter((l) => l.startsWith('- **')).join('\n'), matrixBefore.split('\n').filter((l) => l.startsWith('- **')).join('\n'));
    } finally {
      rmSync(box, { recursive: true, force: true });
    }
  });
});

const binDir = controlPlaneBinDir();
const built = BINARIES.every((b) => existsSync(binaryPath(binDir, b)));

/** A process's command line, or '' once it is gone. */
function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

// Real upstream binaries (etcd, kube-apiserver, …) are the runner's descendants here: Ctrl-C must
// stop every one of them and remove their data, or a user's machine fills with strays.
describe('interrupts on the control-plane target', { concurrency: false, skip: !built && `no binaries in ${binDir}` }, () => {
  for (const { signal, group } of [
    { signal: 'SIGINT' as const, group: true },
    { signal: 'SIGTERM' as const, group: false },
  ]) {
    test(`${signal} to the ${group ? 'process group (Ctrl-C)' : 'runner alone'} mid-scenario: reports written, every upstream process stopped, its data removed`, { timeout: 300_000 }, async () => {
      const box = sandbox();
      const tmp = join(box, 'tmp');
      mkdirSync(tmp);
      // One worker: with three planes, a Ctrl-C to the whole group (their processes too) once took
      // the wind-down past its grace on a loaded machine, and no report was written (open).
      const run = startRunner(box, ['--target', 'control-plane', '--parallel', '1', 'features/ordered-ready.feature'], { ...process.env, TMPDIR: tmp }, { detached: group });
      try {
        // What runs is read before the signal: Ctrl-C reaches the whole group, upstream binaries too.
        let upstream: Array<{ pid: number; command: string }> = [];
        const children = await interruptMidScenario(run, signal, { group }, async () => {
          await midRun(run, 'control-plane');
          upstream = descendants(run.child.pid!).map((pid) => ({ pid, command: cmdline(pid) })).filter((p) => /\/(etcd|kube-apiserver|kube-controller-manager|kube-scheduler) /.test(p.command));
        });
        // Each parallel worker runs a plane of its own: the same four components per plane.
        const names = upstream.map((p) => p.command.split(' ')[0]!.split('/').pop()!);
        const count = (n: string) => names.filter((x) => x === n).length;
        const planes = count('etcd');
        assert.ok(planes >= 1, `the upstream components run under the runner: ${names.join(', ')}`);
        for (const n of ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler']) assert.equal(count(n), planes, `one ${n} per plane: ${names.join(', ')}`);
        const dataDirs = upstream.flatMap((p) => [...p.command.matchAll(/--data-dir=(\S+)/g)].map((m) => m[1]!));
        assert.equal(dataDirs.length, planes, 'each etcd has a data dir');
        const { code } = await finished(run, 120_000);
        assert.equal(code, signal === 'SIGINT' ? 130 : 143, run.output());
        assertInterruptedReport(run, 'control-plane', signal);
        assert.deepEqual(await survivors(children), [], 'every process the run started has exited');
        for (const dir of dataDirs) assert.equal(existsSync(dir), false, `etcd's data dir ${dir} removed`);
        // (tsx keeps its compile cache there too: not ours.)
        assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('sts-')), [], 'the control plane removed its run directory (PKI, kubeconfigs, logs)');
      } finally {
        killRun(run, group);
        rmSync(box, { recursive: true, force: true });
      }
    });
  }
});

/** Resolves with the descendants of `pid` once `check` holds for them (re-read from /proc every 50 ms). */
async function processTree(pid: number, what: string, check: (tree: Array<{ pid: number; command: string }>) => boolean, ms = 60_000): Promise<Array<{ pid: number; command: string }>> {
  const deadline = Date.now() + ms;
  for (;;) {
    const tree = descendants(pid).map((p) => ({ pid: p, command: cmdline(p) }));
    if (check(tree)) return tree;
    if (Date.now() > deadline) throw new Error(`${what} within ${ms / 1000}s; processes: ${tree.map((p) => p.command).join('\n')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The measuring tools run suites in child processes (scripts/lib/children.ts): a signal sent to
// the tool alone, as CI sends it, must not leave a suite running behind it.
describe('interrupting a measuring tool', { concurrency: false }, () => {
  test('SIGTERM to npm run flake-check alone: its suite run winds down and nothing is left', { timeout: 120_000 }, async () => {
    const box = sandbox();
    const run = startRunner(box, ['--runs', '1', '--control-plane-runs', '0', 'features/ordered-ready.feature'], { ...process.env, REFERENCE_CLOCK_SCALE: '1' }, { script: 'scripts/flake-check.ts' });
    try {
      // The suite child and its two Cucumber workers.
      const tree = await processTree(run.child.pid!, 'a suite run with its workers', (t) => t.filter((p) => /suite-child\.ts|cucumber/.test(p.command)).length >= 2);
      run.child.kill('SIGTERM');
      const { signal } = await finished(run, 90_000);
      assert.equal(signal, 'SIGTERM', run.output());
      assert.match(run.output(), /SIGTERM: stopping 1 child process/);
      assert.deepEqual(await survivors(tree.map((p) => p.pid)), [], 'every process under the tool has exited');
    } finally {
      killRun(run);
      rmSync(box, { recursive: true, force: true });
    }
  });
});

/**
 * `npm run test:cluster:local -- [conformance options and paths…]`
 *
 * CI for the `cluster` target on a machine without Docker: starts `npm run local-cluster`
 * (the local upstream control plane with simulated nodes and storage, scripts/local-cluster.ts),
 * runs the suite on the `cluster` target (what `npm run test:cluster` runs) with KUBECONFIG
 * pointing at it — the harness reaches it only
 * through that kubeconfig, as it would a user's cluster — and tears the cluster down on every
 * exit path: success, failure, Ctrl-C, SIGTERM, and (through its stdin) this script dying.
 * Exits with the suite's exit code.
 *
 * The local cluster runs in a process group of its own, so that a Ctrl-C reaches the suite
 * (which then deletes its namespaces through the API server) before the cluster stops. A
 * SIGINT/SIGTERM sent to this script alone is passed on to the suite. (Signal this script or
 * its process group, not an `npm run` in front of it: npm exits at once on SIGTERM and its
 * `sh -c` does not pass the signal on.)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseCli } from './lib/cli.ts';
import { RUNNER_OPTIONS } from './lib/runner-options.ts';

// The runner's options but --target (the cluster target, always), checked before a cluster starts.
const { target: _target, ...suiteOptions } = RUNNER_OPTIONS;
const { values, positionals } = parseCli({
  name: 'test:cluster:local',
  usage: new URL(import.meta.url),
  options: { ...suiteOptions, 'real-nodes': { type: 'boolean', default: false } },
  allowPositionals: true,
});
const { planSelection } = await import('./lib/plan.ts');
const selection = await planSelection('cluster', positionals, values.tags);
if ('problem' in selection) {
  console.error(`test:cluster:local: ${selection.problem}`);
  process.exit(1);
}

const START_DEADLINE_MS = 180_000;
const STOP_DEADLINE_MS = 60_000;

// `--real-nodes` (npm run test:real-nodes): real kubelets, the plane in a network namespace of
// the run's own; the suite runs inside it too, reports as `real-nodes`, and makes node faults
// through the cluster's node hook (STS_NODE_HOOK), as a user's run would.
const realNodes = process.argv.includes('--real-nodes');
const suiteArgs = process.argv.slice(2).filter((a) => a !== '--real-nodes');
const label = realNodes ? 'test:real-nodes' : 'test:cluster:local';
const log = (line: string) => process.stderr.write(`${label}: ${line}\n`);
const dir = mkdtempSync(join(tmpdir(), 'sts-local-cluster-'));
const kubeconfig = join(dir, 'kubeconfig');
const started = Date.now();

const cluster = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-cluster.ts', '--kubeconfig', kubeconfig, '--exit-with-stdin', ...(realNodes ? ['--real-nodes'] : [])], {
  stdio: ['pipe', 'pipe', 'inherit'],
  detached: true,
});
const clusterExited = new Promise<number | null>((resolve) => cluster.on('exit', (code) => resolve(code)));
let suite: ChildProcess | undefined;
let signalled: NodeJS.Signals | undefined;

const onSignal = (signal: NodeJS.Signals) => {
  signalled ??= signal;
  if (suite && suite.exitCode === null) {
    // npm and the runner get a terminal's Ctrl-C themselves; a signal sent to this script alone is forwarded.
    suite.kill(signal);
  } else {
    void teardown().then(() => process.exit(signal === 'SIGTERM' ? 143 : 130));
  }
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

let tearingDown: Promise<void> | undefined;
/** Stops the local cluster: SIGTERM, then SIGKILL to its whole process group at the deadline. */
function teardown(): Promise<void> {
  tearingDown ??= (async () => {
    if (cluster.exitCode === null && cluster.signalCode === null) {
      cluster.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([
        clusterExited.then(() => true),
        new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), STOP_DEADLINE_MS))),
      ]);
      clearTimeout(timer);
      if (!stopped) {
        log(`the local cluster did not stop within ${STOP_DEADLINE_MS / 1000}s: killing its process group`);
        try {
          process.kill(-cluster.pid!, 'SIGKILL');
        } catch {
          // gone
        }
        await clusterExited;
      }
    }
    rmSync(dir, { recursive: true, force: true });
  })();
  return tearingDown;
}

/** Resolves when the cluster prints `ready <kubeconfig> [netns <name>]` (to the netns); rejects if it exits first or at the deadline. */
function ready(): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`the local cluster was not ready within ${START_DEADLINE_MS / 1000}s`)), START_DEADLINE_MS);
    cluster.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /^ready \S+(?: netns (\S+))?$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    void clusterExited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the local cluster exited (code ${code}) before it was ready`));
    });
  });
}

let code = 1;
try {
  const netns = await ready();
  log(`local cluster ready in ${((Date.now() - started) / 1000).toFixed(1)}s; running the cluster target (npm run test:cluster) with KUBECONFIG=${kubeconfig}`);
  if (!signalled) {
    const suiteStarted = Date.now();
    // `npm run test:cluster` without the npm and sh layers in between: npm exits at once on a
    // SIGTERM and sh does not pass it on, which would leave the runner going while we stop the
    // cluster under it. The runner gets the signal itself and is what we wait for.
    // Real nodes are the run's own: @disruptive scenarios (node faults, cordons) run, each alone.
    const realNodeArgs = realNodes ? ['--report-name', 'real-nodes', '--disruptive'] : [];
    const runner = [process.execPath, '--import', 'tsx', 'scripts/conformance.ts', '--target', 'cluster', ...realNodeArgs, ...suiteArgs];
    // nsenter execs the runner in place (no process between us), so signals reach it as before.
    const [cmd, ...args] = netns ? ['nsenter', `--net=/run/netns/${netns}`, '--', ...runner] : runner;
    suite = spawn(cmd!, args, {
      stdio: 'inherit',
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        STATEFULSET_CONFORMANCE_LEDGER: join(dir, 'ledger.ndjson'),
        ...(realNodes ? { STS_NODE_HOOK: join(dir, 'node-hook.cjs') } : {}),
      },
    });
    code = await new Promise<number>((resolve) => suite!.on('exit', (c, sig) => resolve(c ?? (sig === 'SIGTERM' ? 143 : 130))));
    log(`suite finished with exit code ${code} in ${((Date.now() - suiteStarted) / 1000).toFixed(0)}s`);
  } else {
    code = signalled === 'SIGTERM' ? 143 : 130;
  }
} catch (err) {
  log((err as Error).message);
  code = 1;
} finally {
  await teardown();
  log(`local cluster stopped; ${((Date.now() - started) / 1000).toFixed(0)}s in all`);
}
process.exit(code);

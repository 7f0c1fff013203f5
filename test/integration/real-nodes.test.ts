/**
 * Real nodes leave nothing behind (support/control-plane/real-nodes.ts, netns.ts):
 * - `npm run test:real-nodes`, Ctrl-C mid-scenario: exit 130, the reports cover what finished,
 *   and every process, network namespace, cgroup and directory of the run is gone;
 * - `local-cluster --real-nodes` killed with SIGKILL (no handler runs: kubelets, containerd and
 *   the control plane are orphaned), then `npm run clean -- --host`: the same, nothing left.
 * Needs root, the Debian packages of .ci/run and `npm run control-plane:build`; skipped without.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { binaryPath, controlPlaneBinDir } from '../../support/control-plane/binaries.ts';
import { cgroupV1Hierarchies, pidsInCgroup, pidsInNetns, type HostRecord } from '../../support/control-plane/netns.ts';
import { ROOT, descendants, finished, killRun, sandbox, startRunner, survivors } from '../runner-helpers.ts';

const binDir = controlPlaneBinDir();
const missing = [
  process.getuid?.() !== 0 && 'root',
  !existsSync(binaryPath(binDir, 'kubelet')) && `kubelet in ${binDir}`,
  !existsSync('/usr/bin/containerd') && 'containerd',
  !existsSync('/usr/lib/cni/bridge') && 'the CNI plugins',
].filter(Boolean);
const skip = missing.length > 0 && `needs ${missing.join(', ')}`;

/** The host records (XDG_STATE_HOME/statefulset-conformance/real-nodes/*.json) of runs under `state`. */
function records(state: string): HostRecord[] {
  const dir = join(state, 'statefulset-conformance', 'real-nodes');
  if (!existsSync(dir)) return [];
  return readdirSync(dir).map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as HostRecord);
}

/** Everything a recorded run made that still exists on the host. */
function leftovers(rec: HostRecord): string[] {
  const out: string[] = [];
  for (const ns of rec.netns) {
    if (existsSync(join('/run/netns', ns))) out.push(`netns ${ns}`);
    for (const pid of pidsInNetns(ns)) out.push(`pid ${pid} in netns ${ns}`);
  }
  for (const root of rec.cgroupRoots) {
    for (const h of cgroupV1Hierarchies()) if (existsSync(join('/sys/fs/cgroup', h, root))) out.push(`cgroup ${h}${root}`);
    for (const pid of pidsInCgroup(root)) out.push(`pid ${pid} in cgroup ${root}`);
  }
  for (const dir of rec.dirs) if (existsSync(dir)) out.push(`dir ${dir}`);
  const mounts = readFileSync('/proc/mounts', 'utf8').split('\n').filter((l) => rec.dirs.some((d) => l.includes(d)));
  out.push(...mounts.map((m) => `mount ${m}`));
  return out;
}

describe('real nodes leave nothing behind', { concurrency: false, skip }, () => {
  const boxes: string[] = [];
  after(() => {
    for (const b of boxes) rmSync(b, { recursive: true, force: true });
  });

  test('Ctrl-C to npm run test:real-nodes mid-scenario: exit 130, reports written, no process, namespace, cgroup or directory left', { timeout: 400_000 }, async () => {
    const box = sandbox();
    boxes.push(box);
    const tmp = join(box, 'tmp');
    const state = join(box, 'state');
    mkdirSync(tmp);
    const env = { ...process.env, TMPDIR: tmp, XDG_STATE_HOME: state };
    const run = startRunner(box, ['--real-nodes', 'features/ordered-ready.feature'], env, { script: 'scripts/test-cluster-local.ts', detached: true });
    try {
      await run.waitForMessages('real-nodes', 'a scenario finished and another is in a long step', (p) => p.finished >= 1 && p.running.some((s) => / is not created for \d+ seconds/.test(s)), 300_000);
      const [rec] = records(state);
      assert.ok(rec, 'the run wrote its host record before making anything');
      assert.equal(rec.netns.length, 4, 'a plane namespace and three node namespaces');
      assert.ok(leftovers(rec).some((l) => l.startsWith('pid ')), 'kubelets and containerd run in the recorded namespaces');
      const children = descendants(run.child.pid!);
      process.kill(-run.child.pid!, 'SIGINT');
      const { code } = await finished(run, 120_000);
      assert.equal(code, 130, run.output());
      const { scenarios } = run.report('real-nodes');
      assert.ok(scenarios.some((s) => s.outcome === 'passed'), 'a scenario passed before the signal');
      assert.ok(scenarios.some((s) => s.outcome === 'skipped' && /run interrupted by SIGINT/.test(s.reason ?? '')), 'the rest were skipped');
      assert.deepEqual(await survivors(children), [], 'every process the run started has exited');
      assert.deepEqual(leftovers(rec), [], 'nothing of the run is left on the host');
      assert.deepEqual(records(state), [], 'the host record is removed');
      assert.deepEqual(readdirSync(tmp).filter((f) => f.startsWith('sts-')), [], 'no run directory left');
    } finally {
      killRun(run, true);
    }
  });

  test('SIGKILL of local-cluster --real-nodes, then npm run clean -- --host: nothing left', { timeout: 240_000 }, async () => {
    const box = sandbox();
    boxes.push(box);
    const tmp = join(box, 'tmp');
    const state = join(box, 'state');
    mkdirSync(tmp);
    const env = { ...process.env, TMPDIR: tmp, XDG_STATE_HOME: state };
    const cluster = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-cluster.ts', '--real-nodes', '--kubeconfig', join(tmp, 'kubeconfig')], {
      cwd: box,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready within 120s:\n${out}`)), 120_000);
      const onData = (d: Buffer): void => {
        out += d;
        if (/^ready /m.test(out)) {
          clearTimeout(timer);
          resolve();
        }
      };
      cluster.stdout!.on('data', onData);
      cluster.stderr!.on('data', onData);
      cluster.on('exit', (c) => {
        clearTimeout(timer);
        reject(new Error(`local-cluster exited (${c}) before it was ready:\n${out}`));
      });
    });
    const [rec] = records(state);
    assert.ok(rec, 'host record written');
    // A kill -9 of the run's own processes: no handler runs, so its components are orphaned.
    for (const pid of [cluster.pid!, ...descendants(cluster.pid!)].filter((p) => /local-cluster\.ts|nsenter/.test(cmdline(p))))
      process.kill(pid, 'SIGKILL');
    await new Promise((r) => cluster.once('exit', r));
    assert.ok(leftovers(rec).length > 0, 'the killed run left processes, namespaces and directories');
    const clean = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/clean.ts', '--host'], { cwd: ROOT, env, encoding: 'utf8', timeout: 60_000 });
    assert.equal(clean.status, 0, clean.stderr);
    assert.match(clean.stdout, new RegExp(`removed what real-node run ${rec.id} `));
    assert.deepEqual(leftovers(rec), [], 'clean removed everything the run made');
    assert.deepEqual(records(state), [], 'and its record');
  });
});

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

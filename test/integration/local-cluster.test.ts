/**
 * `npm run test:cluster:local` (scripts/test-cluster-local.ts): the cluster target against the
 * local upstream control plane, torn down on every exit path. Here: a SIGTERM mid-scenario ends
 * the suite (exit 143, reports written) and then the control plane — no process is left. Needs
 * the binaries of `npm run control-plane:build`; skipped without them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { controlPlaneBinDir } from '../../support/control-plane/binaries.ts';
import { descendants, finished, killRun, sandbox, startRunner, survivors } from '../runner-helpers.ts';

const bin = controlPlaneBinDir();
const built = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'coredns'].every((b) => existsSync(join(bin, b)));

test('SIGTERM to test:cluster:local (scripts/test-cluster-local.ts) mid-scenario: the suite stops and reports, then the local cluster stops; nothing is left', { skip: !built && `no control-plane binaries in ${bin} (npm run control-plane:build)` }, async () => {
  const box = sandbox();
  const run = startRunner(box, ['features/ordered-ready.feature'], { ...process.env }, { script: 'scripts/test-cluster-local.ts' });
  const { child } = run;
  try {
    await run.waitForMessages('cluster', 'a scenario finished and another is in a long step', (p) => p.finished >= 1 && p.running.includes('pod "web-2" is not created for 30 seconds'), 240_000);
    const processes = descendants(child.pid!);
    assert.ok(processes.length >= 6, 'the wrapper runs the suite and the local cluster (etcd, kube-apiserver, …)');
    child.kill('SIGTERM');
    const { code } = await finished(run, 180_000);
    assert.equal(code, 143, run.output());
    assert.match(run.output(), /interrupted by SIGTERM: reports cover the scenarios that finished/);
    assert.match(run.output(), /test:cluster:local: local cluster stopped/);
    const { scenarios } = run.report('cluster');
    assert.ok(scenarios.some((s) => s.outcome === 'passed'));
    assert.ok(scenarios.some((s) => s.outcome === 'skipped' && /run interrupted by SIGTERM/.test(s.reason ?? '')));
    assert.deepEqual(await survivors(processes), [], 'every process the wrapper started has exited');
  } finally {
    killRun(run);
    rmSync(box, { recursive: true, force: true });
  }
});


/**
 * The kind target's run end to end (`npm run test:kind`): the conformance runner as a child
 * process against stub `kind` and `docker` executables (test/kind-stub.ts) whose "cluster" is a
 * reference control plane — create, run, delete; reuse; --keep-cluster; SIGINT mid-scenario.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { CoreV1Api } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../../support/labels.ts';
import { Kind, KIND_CONFIG_PATH } from '../../support/kind/index.ts';
import { startReferenceControlPlane, type ReferenceControlPlane } from '../../reference/index.ts';
import { argvOf, stubEnv } from '../kind-stub.ts';
import { finished, killRun, sandbox, startRunner, type ScenarioResult } from '../runner-helpers.ts';

/** Runs the conformance runner on the kind target in a sandbox; its exit code, output and report. */
async function runKind(env: NodeJS.ProcessEnv, args: string[]): Promise<{ code: number | null; out: string; report: { scenarios: ScenarioResult[] } }> {
  const dir = sandbox();
  try {
    const run = startRunner(dir, ['--target', 'kind', ...args], { ...env, STATEFULSET_CONFORMANCE_LEDGER: join(dir, 'ledger.ndjson') });
    const { code } = await finished(run);
    let report = { scenarios: [] as ScenarioResult[] };
    try {
      report = run.report('kind');
    } catch {
      // asserted on by the caller
    }
    return { code, out: run.output(), report };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('the kind target run', { concurrency: false }, () => {
  let plane: ReferenceControlPlane;
  before(async () => {
    plane = await startReferenceControlPlane({ clockScale: 1 });
  });
  after(async () => {
    await plane?.stop();
  });

  const ONE_SCENARIO = ['features/identity.feature:6', '--parallel', '1'];

  test('kind missing: one line saying what to install, exit 1, no report', async () => {
    const { env } = stubEnv({ KIND: '/nonexistent/kind' });
    const { code, out, report } = await runKind(env, ['features/identity.feature']);
    assert.equal(code, 1, out);
    assert.match(out, /^conformance: kind: kind is not installed: install kind.*--skip-unavailable/m);
    assert.doesNotMatch(out, /\n\s+at /, 'no stack trace');
    assert.deepEqual(report.scenarios, [], 'no report written');
  });

  test('kind missing with --skip-unavailable: the run is skipped, not failed, each scenario with the reason', async () => {
    const { env } = stubEnv({ KIND: '/nonexistent/kind' });
    const { code, out, report } = await runKind(env, ['features/identity.feature', '--skip-unavailable']);
    assert.equal(code, 0, out);
    assert.match(out, /kind is not installed: install kind/);
    assert.ok(report.scenarios.length > 0);
    for (const s of report.scenarios) {
      assert.equal(s.outcome, 'skipped');
      assert.match(s.reason ?? '', /target kind is unavailable: kind is not installed: install kind/);
    }
  });

  test('Docker missing: one line likewise; skipped with --skip-unavailable', async () => {
    const { env } = stubEnv({ DOCKER: '/nonexistent/docker' });
    const failed = await runKind(env, ONE_SCENARIO);
    assert.equal(failed.code, 1, failed.out);
    assert.match(failed.out, /^conformance: kind: .*docker is not installed/m);
    const { code, out, report } = await runKind(env, [...ONE_SCENARIO, '--skip-unavailable']);
    assert.equal(code, 0, out);
    assert.deepEqual(report.scenarios.map((s) => s.outcome), ['skipped']);
    assert.match(report.scenarios[0].reason ?? '', /docker is not installed/);
  });

  test('creates the cluster, runs the scenarios on it through its kubeconfig, deletes it', async () => {
    const { env, calls } = stubEnv({ STUB_KIND_SERVER: plane.url });
    const { code, out, report } = await runKind({ ...env, STS_KIND_CLUSTER: 'sts-run' }, ONE_SCENARIO);
    assert.equal(code, 0, out);
    assert.deepEqual(report.scenarios.map((s) => s.outcome), ['passed']);
    const kindCalls = argvOf(calls()).filter((c) => c.startsWith('kind') && c !== 'kind version');
    assert.equal(kindCalls[0], 'kind get clusters');
    assert.equal(kindCalls[1], `kind create cluster --name sts-run --config ${KIND_CONFIG_PATH} --wait 180s`);
    assert.ok(kindCalls.includes('kind get kubeconfig --name sts-run'));
    assert.equal(kindCalls.at(-1), 'kind delete cluster --name sts-run');
  });

  test('--keep-cluster keeps the cluster it created', async () => {
    const { env, calls } = stubEnv({ STUB_KIND_SERVER: plane.url });
    const { code, out } = await runKind({ ...env, STS_KIND_CLUSTER: 'sts-keep' }, [...ONE_SCENARIO, '--keep-cluster']);
    assert.equal(code, 0, out);
    assert.ok(argvOf(calls()).some((c) => c.startsWith('kind create cluster --name sts-keep')));
    assert.ok(!argvOf(calls()).some((c) => c.startsWith('kind delete')), 'no delete');
    assert.match(out, /keeping cluster "sts-keep" \(--keep-cluster\)/);
  });

  test('SIGINT mid-scenario: the run winds down, writes its reports and deletes the cluster it created', async () => {
    const { env, calls } = stubEnv({ STUB_KIND_SERVER: plane.url });
    const dir = sandbox();
    const run = startRunner(dir, ['--target', 'kind', '--parallel', '1', 'features/ordered-ready.feature'], {
      ...env,
      STS_KIND_CLUSTER: 'sts-int',
      STATEFULSET_CONFORMANCE_LEDGER: join(dir, 'ledger.ndjson'),
    });
    try {
      // The plane behind the stub runs on real time, so a scenario lasts long enough to interrupt.
      await run.waitForMessages('kind', 'a scenario finished and another is running', (p) => p.finished >= 1 && p.running.length > 0);
      assert.ok(!argvOf(calls()).some((c) => c.startsWith('kind delete')), 'the cluster is up while scenarios run');
      run.child.kill('SIGINT');
      const { code } = await finished(run, 90_000);
      assert.equal(code, 130, run.output());
      const outcomes = run.report('kind').scenarios.map((s) => s.outcome);
      assert.ok(outcomes.includes('passed') && outcomes.includes('skipped'), `finished scenarios reported, the rest skipped: ${outcomes.join(', ')}`);
      assert.equal(argvOf(calls()).filter((c) => c.startsWith('kind ')).at(-1), 'kind delete cluster --name sts-int');
      const left = (await plane.kubeConfig.makeApiClient(CoreV1Api).listNamespace({ labelSelector: `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}` })).items.filter((n) => !n.metadata?.deletionTimestamp);
      assert.deepEqual(left.map((n) => n.metadata?.name), [], 'no namespace of the run is left');
    } finally {
      killRun(run);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an existing cluster of the same name is reused and left in place', async () => {
    const { env, calls } = stubEnv({ STUB_KIND_SERVER: plane.url });
    await new Kind({ name: 'sts-mine', env }).create();
    const before = calls().length;
    const { code, out } = await runKind({ ...env, STS_KIND_CLUSTER: 'sts-mine' }, ONE_SCENARIO);
    assert.equal(code, 0, out);
    const later = argvOf(calls().slice(before));
    assert.ok(!later.some((c) => c.startsWith('kind create') || c.startsWith('kind delete')), later.join('\n'));
    assert.match(out, /reusing kind cluster "sts-mine"/);
  });
});

/**
 * The kind wrapper (support/kind/index.ts) and the kind target's run, against stub `kind` and
 * `docker` executables (test/fixtures/kind-stub) that record their arguments and print what
 * kind and docker print: no Docker engine runs on the machines this suite is developed on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE } from '../support/labels.ts';
import { Kind, KIND_CONFIG, KIND_CONFIG_PATH, kindAvailability } from '../support/kind/index.ts';
import { startReferenceControlPlane, type ReferenceControlPlane } from '../reference/index.ts';
import { ROOT, finished, killRun, sandbox, startRunner, type ScenarioResult } from './runner-helpers.ts';

const STUBS = resolve(ROOT, 'test/fixtures/kind-stub');

interface Call {
  tool: 'kind' | 'docker';
  argv: string[];
  config?: string;
}

/** A fresh stub world: its own state and call log. */
function stubEnv(extra: Record<string, string> = {}): { env: NodeJS.ProcessEnv; calls: () => Call[]; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'sts-kind-stub-'));
  const log = join(dir, 'calls.ndjson');
  const env = {
    ...process.env,
    KIND: join(STUBS, 'kind'),
    DOCKER: join(STUBS, 'docker'),
    STUB_NODE: process.execPath,
    STUB_LOG: log,
    STUB_STATE: join(dir, 'state.json'),
    ...extra,
  };
  const calls = () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Call)
      : [];
  return { env, calls, dir };
}

const argvOf = (calls: Call[]) => calls.map((c) => `${c.tool} ${c.argv.join(' ')}`);

describe('kind availability', () => {
  test('kind missing: says what to install', async () => {
    const { env } = stubEnv({ KIND: '/nonexistent/kind' });
    const a = await kindAvailability({ env });
    assert.equal(a.ok, false);
    assert.match(!a.ok ? a.reason : '', /kind is not installed: install kind \(https:\/\/kind\.sigs\.k8s\.io/);
  });

  test('docker missing: says what to install', async () => {
    const { env } = stubEnv({ DOCKER: '/nonexistent/docker' });
    const a = await kindAvailability({ env });
    assert.equal(a.ok, false);
    assert.match(!a.ok ? a.reason : '', /docker is not installed .*install Docker \(https:\/\/docs\.docker\.com/);
  });

  test('Docker engine down: says so, with docker info\'s own words', async () => {
    const { env } = stubEnv({ STUB_DOCKER_DOWN: '1' });
    const a = await kindAvailability({ env });
    assert.equal(a.ok, false);
    assert.match(!a.ok ? a.reason : '', /the Docker engine is not running \(docker info: Cannot connect to the Docker daemon/);
  });

  test('both present and the engine up', async () => {
    const { env } = stubEnv();
    const a = await kindAvailability({ env });
    assert.deepEqual(a, { ok: true, kindVersion: 'kind v0.29.0 go1.24.2 linux/amd64', dockerVersion: '27.3.1' });
  });
});

describe('Kind wrapper', () => {
  test('creates a cluster of one control-plane node and three workers from a config, then reuses it', async () => {
    const { env, calls } = stubEnv();
    const kind = new Kind({ name: 'sts-a', env });
    assert.deepEqual(await kind.ensure(), { created: true });
    const create = calls().find((c) => c.tool === 'kind' && c.argv[0] === 'create')!;
    assert.deepEqual(create.argv.slice(0, 4), ['create', 'cluster', '--name', 'sts-a']);
    assert.deepEqual(create.argv.slice(4), ['--config', KIND_CONFIG_PATH, '--wait', '180s']);
    assert.equal(create.config, KIND_CONFIG);
    assert.deepEqual([...create.config!.matchAll(/role: (\S+)/g)].map((m) => m[1]), ['control-plane', 'worker', 'worker', 'worker']);
    assert.deepEqual(await kind.nodes(), ['sts-a-control-plane', 'sts-a-worker', 'sts-a-worker2', 'sts-a-worker3']);

    // Same name again: reused, never created twice.
    const before = calls().length;
    assert.deepEqual(await new Kind({ name: 'sts-a', env }).ensure(), { created: false });
    assert.deepEqual(argvOf(calls().slice(before)), ['kind get clusters']);
  });

  test('a node image can be chosen', async () => {
    const { env, calls } = stubEnv({ KIND_NODE_IMAGE: 'kindest/node:v1.34.0' });
    await new Kind({ name: 'sts-img', env }).create();
    const create = calls().find((c) => c.argv[0] === 'create')!;
    assert.deepEqual(create.argv.slice(-2), ['--image', 'kindest/node:v1.34.0']);
  });

  test('exports the kubeconfig to a file of its own, readable only by the user', async () => {
    const { env, dir } = stubEnv();
    const kind = new Kind({ name: 'sts-b', env });
    await kind.create();
    const file = await kind.writeKubeconfig(join(dir, 'kubeconfig'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    assert.equal(kc.getCurrentContext(), 'kind-sts-b');
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:39877');
  });

  test('kubeconfig of a cluster that does not exist: kind\'s error, with the command', async () => {
    const { env } = stubEnv();
    await assert.rejects(new Kind({ name: 'nope', env }).kubeconfig(), /kind get kubeconfig --name nope failed: ERROR: could not locate any control plane nodes for cluster named 'nope'/);
  });

  test('stops and starts a node\'s container for node faults, and refuses anything not a node of the cluster', async () => {
    const { env, calls } = stubEnv();
    const kind = new Kind({ name: 'sts-c', env });
    await kind.create();
    const before = calls().length;
    await kind.stopNode('sts-c-worker2');
    await kind.startNode('sts-c-worker2');
    assert.deepEqual(
      argvOf(calls().slice(before)).filter((c) => c.startsWith('docker')),
      ['docker stop sts-c-worker2', 'docker start sts-c-worker2'],
    );
    const n = calls().length;
    await assert.rejects(kind.stopNode('some-other-container'), /"some-other-container" is not a node of kind cluster "sts-c" \(nodes: sts-c-control-plane, sts-c-worker, sts-c-worker2, sts-c-worker3\)/);
    assert.equal(calls().slice(n).filter((c) => c.tool === 'docker').length, 0, 'docker is never called for a container that is not a node');
  });

  test('a failed create removes what it left, and says what kind said', async () => {
    const { env, calls } = stubEnv({ STUB_KIND_CREATE_FAILS: '1' });
    const kind = new Kind({ name: 'sts-bad', env });
    await assert.rejects(kind.create(), /kind create cluster --name sts-bad .* failed: .*ERROR: failed to create cluster: failed to init node with kubeadm/);
    assert.deepEqual(argvOf(calls()).slice(-1), ['kind delete cluster --name sts-bad']);
    assert.equal(await kind.exists(), false);
  });

  test('deletes the cluster', async () => {
    const { env, calls } = stubEnv();
    const kind = new Kind({ name: 'sts-d', env });
    await kind.create();
    await kind.delete();
    assert.deepEqual(argvOf(calls()).slice(-1), ['kind delete cluster --name sts-d']);
    assert.equal(await kind.exists(), false);
  });
});

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

  test('kind missing: the run is skipped, not failed, and the message says what to install', async () => {
    const { env } = stubEnv({ KIND: '/nonexistent/kind' });
    const { code, out, report } = await runKind(env, ['features/identity.feature']);
    assert.equal(code, 0, out);
    assert.match(out, /kind is not installed: install kind/);
    assert.ok(report.scenarios.length > 0);
    for (const s of report.scenarios) {
      assert.equal(s.outcome, 'skipped');
      assert.match(s.reason ?? '', /target kind is unavailable: kind is not installed: install kind/);
    }
  });

  test('Docker missing: skipped likewise', async () => {
    const { env } = stubEnv({ DOCKER: '/nonexistent/docker' });
    const { code, out, report } = await runKind(env, ONE_SCENARIO);
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

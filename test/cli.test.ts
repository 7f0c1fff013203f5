/**
 * The scripts' command lines (scripts/lib/cli.ts, scripts/lib/plan.ts), each script a child
 * process in a sandbox (test/runner-helpers.ts) whose cache, binaries, ledger and kubeconfig all
 * point into it, so that anything a script did would show there:
 * - `--help` prints the usage and exits 0, having done nothing;
 * - an unknown option is one line on stderr and exit code 2;
 * - the runner's problems found before Cucumber starts — a feature path that does not exist,
 *   no scenario matching, a feature file that does not parse, an unbuilt control plane, a cluster
 *   that can't be used (kubeconfig, context, reachability) — are one line and exit code 1, and no
 *   report is written.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { ROOT, sandbox } from './runner-helpers.ts';

/** Every script that takes options, and the name its errors start with. */
const SCRIPTS: Record<string, string> = {
  'scripts/conformance.ts': 'conformance',
  'scripts/control-plane-build.ts': 'control-plane:build',
  'scripts/mutants.ts': 'mutants',
  'scripts/mutation.ts': 'mutation',
  'scripts/bench.ts': 'bench',
  'scripts/flake-check.ts': 'flake-check',
  'scripts/clean.ts': 'clean',
  'scripts/local-cluster.ts': 'local-cluster',
  'scripts/test-cluster-local.ts': 'test:cluster:local',
  'scripts/reference-server.ts': 'serve',
  'scripts/steps-catalogue.ts': 'steps',
  'scripts/e2e-upstream.ts': 'e2e:upstream',
};

const box = sandbox();
// The runner's fixture features live under test/.
symlinkSync(join(ROOT, 'test'), join(box, 'test'));
const linked = readdirSync(box).sort();
const env: NodeJS.ProcessEnv = {
  ...process.env,
  STS_CACHE_DIR: join(box, 'cache'),
  STS_CONTROL_PLANE_BIN_DIR: join(box, 'bin'),
  STATEFULSET_CONFORMANCE_LEDGER: join(box, 'ledger.ndjson'),
  KUBECONFIG: join(box, 'kubeconfig'),
};
after(() => rmSync(box, { recursive: true, force: true }));

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(script: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: box, env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    // A script that ignored its arguments would go on (build, serve, run the suite): stop it.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** The one line a script printed on stderr (fails when it printed more, e.g. a stack). */
function oneLine(exit: Exit): string {
  const lines = exit.stderr.split('\n').filter((l) => l.trim());
  assert.equal(lines.length, 1, `one line on stderr, got:\n${exit.stderr}`);
  return lines[0]!;
}

/** What the sandbox holds beyond the links to the checkout: what the scripts wrote. */
const written = () => readdirSync(box).filter((f) => !linked.includes(f));

describe('every script: --help and unknown options', { concurrency: 2 }, () => {
  for (const [script, name] of Object.entries(SCRIPTS)) {
    test(`${script} --help prints its usage and exits 0`, async () => {
      const exit = await run(script, ['--help']);
      assert.equal(exit.code, 0, exit.stderr);
      assert.match(exit.stdout, /npm run /, 'the usage names the npm script');
      assert.equal(exit.stderr, '');
    });

    test(`${script} --no-such-option: one line, exit 2`, async () => {
      const exit = await run(script, ['--no-such-option']);
      assert.equal(exit.code, 2, exit.stderr);
      assert.match(oneLine(exit), new RegExp(`^${name}: .*'--no-such-option'.*\\(--help for usage\\)$`, 'i'));
      assert.equal(exit.stdout, '');
    });
  }

  after(() => assert.deepEqual(written(), [], 'no script wrote anything (reports, caches, binaries, kubeconfigs)'));
});

describe('the runner: problems found before Cucumber starts', { concurrency: 2 }, () => {
  const runner = (args: string[], extraEnv?: NodeJS.ProcessEnv) => run('scripts/conformance.ts', args, extraEnv);

  test('a feature path that does not exist', async () => {
    const exit = await runner(['features/no-such.feature']);
    assert.equal(exit.code, 1);
    assert.equal(oneLine(exit), 'conformance: no such feature file or directory: features/no-such.feature');
  });

  test('a tag expression that matches no scenario', async () => {
    const exit = await runner(['--tags', '@no-such-tag']);
    assert.equal(exit.code, 1);
    assert.equal(oneLine(exit), 'conformance: no scenario matched: features/ with tags "(not @wip) and (@no-such-tag)"');
  });

  test('a feature file that does not parse: its file, line and column', async () => {
    const exit = await runner(['test/fixtures/bad-input/unparsable.feature']);
    assert.equal(exit.code, 1);
    assert.equal(oneLine(exit), 'conformance: test/fixtures/bad-input/unparsable.feature:7:7: inconsistent cell count within the table');
  });

  for (const target of ['control-plane', 'hybrid']) {
    test(`--target ${target} without binaries names the build command`, async () => {
      const bin = join(box, 'empty-bin');
      mkdirSync(bin, { recursive: true });
      try {
        const exit = await runner(['--target', target, 'features/identity.feature'], { STS_CONTROL_PLANE_BIN_DIR: bin });
        assert.equal(exit.code, 1);
        assert.match(oneLine(exit), /^conformance: control-plane binaries missing in .*empty-bin: etcd, kube-apiserver, .*`npm run control-plane:build`/);
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });
  }

  // The cluster target's problems, checked by the runner once (not by every worker, with stacks).
  const kubeconfig = (server: string) =>
    `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "${server}"}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n` +
    `current-context: x\nusers:\n- name: u\n  user: {token: t}\n`;
  const cases: [string, string | undefined, string[], RegExp][] = [
    ['no kubeconfig', undefined, [], /^conformance: cluster: no kubeconfig: .*kubeconfig does not exist \(set KUBECONFIG .*\(--skip-unavailable reports the run as skipped instead\)$/],
    ['an unreadable kubeconfig', 'clusters: [', [], /^conformance: cluster: kubeconfig .* could not be read: /],
    ['a context that is not in the kubeconfig', kubeconfig('https://127.0.0.1:1'), ['--context', 'nope'], /^conformance: cluster: context "nope" is not in kubeconfig .* \(it has: x\)/],
    ['an unreachable cluster', kubeconfig('https://127.0.0.1:1'), [], /^conformance: cluster: cannot reach the cluster of context "x" .*ECONNREFUSED.*; start the cluster, or choose another with --context or KUBECONFIG/],
  ];
  for (const [what, file, args, expected] of cases) {
    test(`--target cluster with ${what}: one line with its fix, exit 1`, async () => {
      const path = join(box, `kubeconfig-${what.replace(/\W+/g, '-')}`);
      if (file !== undefined) writeFileSync(path, file);
      try {
        const exit = await runner(['--target', 'cluster', 'features/identity.feature', ...args], { KUBECONFIG: file === undefined ? join(box, 'kubeconfig') : path });
        assert.equal(exit.code, 1, exit.stderr);
        assert.match(oneLine(exit), expected);
      } finally {
        rmSync(path, { force: true });
      }
    });
  }

  test('a bad --parallel is a usage error', async () => {
    const exit = await runner(['--parallel', 'two']);
    assert.equal(exit.code, 2);
    assert.equal(oneLine(exit), 'conformance: --parallel must be a whole number ≥ 0, not "two" (--help for usage)');
  });

  after(() => assert.deepEqual(written(), [], 'no report written'));
});

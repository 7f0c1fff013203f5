/**
 * `npm run e2e:upstream -- [--target reference|control-plane] [--parallel <n>] [--focus <regex>] [--rebuild] [--build-only] [--verbose]`
 *
 * Upstream's own StatefulSet e2e tests (k8s.io/kubernetes@v1.37.2 test/e2e/apps/statefulset.go)
 * as a second judge of a target:
 *   1. builds `e2e.test` at the pinned release into the control-plane binaries' cache, or reuses
 *      it (support/upstream-e2e/build.ts; --rebuild forces a build, --build-only stops there);
 *   2. starts the target: `reference` is the reference plane as `npm run serve` runs it, in a
 *      process of its own with a kubeconfig; `control-plane` is upstream's plane at the pinned
 *      release with simulated nodes, as `npm run local-cluster` runs it;
 *   3. runs the `[sig-apps] StatefulSet` tests the target can run, by name, in --parallel
 *      e2e.test processes at once (default 3; each test has its own namespace), then the
 *      [Serial] ones alone; the rest are skipped, each with its reason
 *      (support/upstream-e2e/catalogue.ts: tests that exec into pods or need real containers,
 *      and alpha / [Feature:OffByDefault] tests);
 *   4. reads the JUnit XML it writes and writes reports/e2e-upstream-<target>.json and .md (each
 *      test: result, reason or failure, duration), keeps e2e.test's log and JUnit and the
 *      target's log in reports/e2e-upstream-<target>/, and folds the results into
 *      reports/conformance.md and .html beside the guarantees (features/guarantees.json `upstream`).
 *
 * --focus narrows the run to the tests whose catalogue name (after "[sig-apps] StatefulSet ")
 * matches the JavaScript regular expression (the others are reported as not selected). Exit code: 0 when no test that ran failed, 1 otherwise (or when e2e.test
 * could not run), 2 on a usage error. SIGINT/SIGTERM interrupt every e2e.test (each cleans up its
 * namespaces and writes its report), then stop the target; the reports cover what finished and
 * the exit code is 130/143. No process this run started outlives it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync, createWriteStream, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import { intOption, parseCli, usageError } from './lib/cli.ts';

// How each target starts: a process that writes a kubeconfig and prints "ready …" once it serves.
const TARGETS = {
  reference: { containerRuntime: false, offByDefaultGates: false, start: ['scripts/reference-server.ts'] },
  // Upstream's control plane with the project's simulated nodes (scripts/local-cluster.ts): the
  // oracle for the API-level tests, and for what the reference passes.
  'control-plane': { containerRuntime: false, offByDefaultGates: false, start: ['scripts/local-cluster.ts', '--exit-with-stdin'] },
} as const;
type TargetName = keyof typeof TARGETS;

const { values } = parseCli({
  name: 'e2e:upstream',
  usage: new URL(import.meta.url),
  options: {
    target: { type: 'string', default: 'reference' },
    focus: { type: 'string' },
    rebuild: { type: 'boolean', default: false },
    'build-only': { type: 'boolean', default: false },
    verbose: { type: 'boolean', short: 'v', default: false },
    parallel: { type: 'string', default: '3' },
  },
});
const parallel = intOption('e2e:upstream', 'parallel', values.parallel, 1);
if (!(values.target in TARGETS))
  usageError('e2e:upstream', `unknown target "${values.target}"; choose one of ${Object.keys(TARGETS).join(', ')} (real nodes are not wired up yet)`);
const target = values.target as TargetName;
if (values.focus !== undefined) {
  try {
    new RegExp(values.focus);
  } catch (err) {
    usageError('e2e:upstream', `--focus is not a regular expression: ${(err as Error).message}`);
  }
}

// Loaded once the options are known: --help and a bad option cost no more than node.
const { controlPlaneBinDir, binaryPath } = await import('../support/control-plane/binaries.ts');
const { ensureE2eTest } = await import('../support/upstream-e2e/build.ts');
const { UPSTREAM_PREFIX, UPSTREAM_TESTS, namePattern, skipReason } = await import('../support/upstream-e2e/catalogue.ts');
type UpstreamTestT = (typeof UPSTREAM_TESTS)[number];
const { parseJUnit } = await import('../support/upstream-e2e/junit.ts');
const { collectResults, renderUpstreamMarkdown, summaryLine, unknownTests } = await import('../support/upstream-e2e/report.ts');
const { writeConformanceReports } = await import('../support/report/write.ts');

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string) => process.stderr.write(`[e2e:upstream] ${line}\n`);

// Signals: stop e2e.test first (Ginkgo's interrupt deletes its namespaces and writes the JUnit),
// then the target. Children run in process groups of their own so that a terminal's Ctrl-C
// reaches them in that order, through this process, and never the target before e2e.test.
const children = new Set<ChildProcess>();
let interrupted: NodeJS.Signals | undefined;
const abort = new AbortController();
const e2eChildren = new Set<ChildProcess>();
const onSignal = (sig: NodeJS.Signals) => {
  if (interrupted) {
    log(`${sig} again: killing every child now`);
    for (const c of children) killGroup(c, 'SIGKILL');
    process.exit(128 + (sig === 'SIGINT' ? 2 : 15));
  }
  interrupted = sig;
  log(`${sig}: interrupting e2e.test, then stopping the ${target} target`);
  abort.abort();
  for (const c of e2eChildren) killGroup(c, 'SIGINT');
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
process.on('exit', () => {
  for (const c of children) killGroup(c, 'SIGKILL');
});

function killGroup(child: ChildProcess, sig: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(-child.pid, sig);
  } catch {
    /* already gone */
  }
}

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  return new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));
}

/** SIGTERM to the child's group, SIGKILL after graceMs. */
async function stopChild(child: ChildProcess, graceMs = 15_000): Promise<void> {
  killGroup(child, 'SIGTERM');
  const timer = setTimeout(() => killGroup(child, 'SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

// 1. e2e.test
const binDir = controlPlaneBinDir();
let build;
try {
  build = await ensureE2eTest(binDir, { force: values.rebuild, verbose: values.verbose, log, signal: abort.signal });
} catch (err) {
  log(interrupted ? `interrupted by ${interrupted} while building e2e.test` : `ERROR: ${(err as Error).message}`);
  process.exit(interrupted ? 128 + (interrupted === 'SIGINT' ? 2 : 15) : 1);
}
log(`${build.path}: ${build.version}${build.builtMs !== undefined ? ` (built in ${Math.round(build.builtMs / 1000)} s)` : ' (cached)'}`);
if (values['build-only']) process.exit(0);

const kubectl = binaryPath(binDir, 'kubectl');
if (!existsSync(kubectl)) {
  log(`ERROR: ${kubectl} is missing: upstream's tests run kubectl of the same release (\`npm run control-plane:build\` builds it)`);
  process.exit(1);
}

// 2. the target
const outDir = join(repo, 'reports', `e2e-upstream-${target}`);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const scratch = mkdtempSync(join(tmpdir(), 'sts-e2e-upstream-'));
const kubeconfig = join(scratch, 'kubeconfig');
const startedAt = new Date().toISOString();
const targetLog = createWriteStream(join(outDir, `${target}.log`));
const serve = track(
  spawn(process.execPath, ['--import', 'tsx', join(repo, TARGETS[target].start[0]), ...TARGETS[target].start.slice(1), '--kubeconfig', kubeconfig], {
    cwd: repo,
    // A pipe, not /dev/null: local-cluster's --exit-with-stdin stops the cluster when we are gone.
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
  }),
);
serve.stderr!.pipe(targetLog);
const ready = await new Promise<boolean>((resolveReady) => {
  const lines = createInterface({ input: serve.stdout! });
  lines.on('line', (line) => {
    targetLog.write(`${line}\n`);
    if (line.startsWith('ready ')) resolveReady(true);
  });
  serve.once('exit', () => resolveReady(false));
  abort.signal.addEventListener('abort', () => resolveReady(false));
});
let exitCode = 0;
try {
  if (!ready) {
    if (!interrupted) log(`ERROR: the ${target} target did not start: see ${join(outDir, `${target}.log`)}`);
    exitCode = 1;
  } else {
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const server = kc.getCurrentCluster()!.server;
    const serverVersion = await kc
      .makeApiClient(VersionApi)
      .getCode()
      .then((v) => v.gitVersion)
      .catch(() => undefined);
    log(`${target} target at ${server} (${serverVersion ?? 'unknown version'})`);
    exitCode = await runE2e(server, serverVersion);
  }
} finally {
  await stopChild(serve);
  targetLog.end();
  rmSync(scratch, { recursive: true, force: true });
}
if (interrupted) exitCode = interrupted === 'SIGINT' ? 130 : 143;
process.exit(exitCode);

/** One e2e.test process running `tests` (exactly these, by name); its JUnit goes to its own folder. */
async function runBatch(label: string, tests: readonly UpstreamTestT[]): Promise<{ code: number | null; signal: NodeJS.Signals | null; reportDir: string }> {
  const reportDir = join(outDir, label);
  mkdirSync(reportDir, { recursive: true });
  const args = [
    `--kubeconfig=${kubeconfig}`,
    '--provider=skeleton',
    `--kubectl-path=${kubectl}`,
    `--report-dir=${reportDir}`,
    '--disable-log-dump',
    `--ginkgo.focus=${namePattern(tests)}`,
    '--ginkgo.no-color',
    '--ginkgo.v',
    '--ginkgo.timeout=2h',
  ];
  const e2eLog = createWriteStream(join(reportDir, 'e2e.log'));
  e2eLog.write(`# ${build!.path} ${args.map((a) => `'${a}'`).join(' ')}\n`);
  const child = track(spawn(build!.path, args, { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'], detached: true }));
  e2eChildren.add(child);
  child.stderr!.pipe(e2eLog, { end: false });
  // One line per test: its name when it starts, its result when it ends.
  const lines = createInterface({ input: child.stdout! });
  const linesDone = new Promise((r) => lines.once('close', r));
  lines.on('line', (line) => {
    e2eLog.write(`${line}\n`);
    // A test's name as it starts; not Ginkgo's failure summaries ("... [It] ...", "[AfterEach]").
    if (line.startsWith(UPSTREAM_PREFIX) && !/ \[(It|BeforeEach|AfterEach|JustBeforeEach|DeferCleanup)\b/.test(line)) log(`  [${label}] ${line.slice(UPSTREAM_PREFIX.length).replace(/ \[sig-apps[^\]]*\]$/, '')}`);
    const done = /^• (\[(FAILED|PANICKED|INTERRUPTED|TIMEDOUT)\] )?\[([\d.]+) seconds\]/.exec(line);
    if (done) log(`  [${label}]   ${done[2]?.toLowerCase() ?? 'passed'} in ${Math.round(Number(done[3]))} s`);
  });
  const { code, signal } = await exited(child);
  await linesDone;
  await new Promise((r) => e2eLog.end(r));
  return { code, signal, reportDir };
}

/**
 * Runs the tests the target can run: in `--parallel` e2e.test processes at once against the one
 * target (Ginkgo's own parallel mode needs its CLI; separate processes share nothing but the
 * cluster, and each test has its own namespace), then the [Serial] ones alone, as upstream's
 * parallel runs do.
 */
async function runE2e(server: string, serverVersion: string | undefined): Promise<number> {
  const abilities = TARGETS[target];
  const focus = values.focus === undefined ? undefined : new RegExp(values.focus);
  const runnable = UPSTREAM_TESTS.filter((t) => skipReason(t, abilities) === undefined && (!focus || focus.test(t.name)));
  const serial = runnable.filter((t) => t.name.includes('[Serial]'));
  const shards: UpstreamTestT[][] = Array.from({ length: Math.min(parallel, runnable.length - serial.length) }, () => []);
  runnable.filter((t) => !serial.includes(t)).forEach((t, i) => shards[i % shards.length]!.push(t));
  log(
    `e2e.test ${build!.version}: ${runnable.length} of ${UPSTREAM_TESTS.length} StatefulSet tests on ${target}` +
      ` (${shards.length} process(es) at once, then ${serial.length} [Serial] alone); logs: ${outDir}/*/e2e.log`,
  );
  const batches = await Promise.all(shards.map((tests, i) => runBatch(`p${i + 1}`, tests)));
  if (serial.length && !interrupted) batches.push(await runBatch('serial', serial));

  const junitFiles = batches.flatMap((b) => readdirSync(b.reportDir).filter((f) => /^junit.*\.xml$/.test(f)).map((f) => join(b.reportDir, f)));
  const broken = batches.filter((b) => !readdirSync(b.reportDir).some((f) => /^junit.*\.xml$/.test(f)));
  for (const b of broken) log(`ERROR: e2e.test ${b.signal ? `was killed by ${b.signal}` : `exited ${b.code}`} and wrote no JUnit report; see ${join(b.reportDir, 'e2e.log')}`);
  if (!junitFiles.length) return 1;
  const cases = junitFiles.flatMap((f) => parseJUnit(readFileSync(f, 'utf8')));
  const code = broken.length ? 1 : (batches.find((b) => b.code !== 0)?.code ?? 0);
  const signal = batches.find((b) => b.signal)?.signal ?? null;
  const unknown = unknownTests(cases);
  if (unknown.length) log(`WARNING: StatefulSet tests the catalogue does not know (support/upstream-e2e/catalogue.ts): ${unknown.join('; ')}`);
  const tests = collectResults(cases, UPSTREAM_TESTS, abilities, focus ? `not selected by --focus ${values.focus}` : undefined);
  const run = { target, e2eVersion: `e2e.test ${build!.version}`, serverVersion, startedAt, ...(interrupted ? { interrupted } : {}), tests };
  const { loadCatalogue } = await import('../support/report/conformance.ts');
  // An interrupted run never replaces a finished one in the conformance report: it is kept beside it.
  const name = `e2e-upstream-${target}${interrupted ? '.interrupted' : ''}`;
  writeFileSync(join(repo, 'reports', `${name}.json`), `${JSON.stringify(run, null, 2)}\n`);
  writeFileSync(join(repo, 'reports', `${name}.md`), renderUpstreamMarkdown(run, loadCatalogue(join(repo, 'features', 'guarantees.json'))));
  writeConformanceReports(join(repo, 'reports'), loadCatalogue(join(repo, 'features', 'guarantees.json')));
  const failed = tests.filter((t) => t.outcome === 'failed');
  console.log(`\ne2e:upstream ${target}: ${summaryLine(run)}. Reports: reports/${name}.md, reports/conformance.md`);
  for (const t of failed) console.log(`  FAILED ${t.name}\n    ${(t.failure ?? '').split('\n')[0]}`);
  if (failed.length) return 1;
  if (code !== 0 && !interrupted) {
    log(`e2e.test exited ${code ?? signal} with no failed StatefulSet test: see ${join(outDir, 'e2e.log')}`);
    return 1;
  }
  return 0;
}

/**
 * `npm run conformance -- [--target <reference|control-plane|hybrid|cluster|kind>] [--tags <expr>] [--parallel <n>] [paths…]`
 *
 * Runs the suite through Cucumber's API on one target and writes the conformance report:
 * reports/<target>/ (Cucumber's HTML, JSON, JUnit and messages), reports/conformance-<target>.json,
 * and reports/conformance.{md,html} merging every target run found in reports/.
 *
 * Real clusters: `--context <ctx>` (else the current context of $KUBECONFIG / ~/.kube/config),
 * `--disruptive` to run @disruptive scenarios, `--keep-cluster` to keep a kind cluster this run
 * created. SIGINT/SIGTERM stop after the running scenario, skip the rest, remove the namespaces,
 * still write the reports and exit 130/143 (support/interrupt.ts).
 *
 * Before Cucumber starts, the runner checks what the target needs — the kubeconfig, context,
 * reachability, credentials and permissions of a cluster; kind and Docker; the control-plane
 * binaries — and prints each problem once, in one line with its fix, exiting 1 with no report.
 * `--skip-unavailable` instead reports every scenario as skipped with the reason, and exits 0
 * (for CI that runs a target only where it exists).
 *
 * Each failing scenario gets a swimlane picture of its namespace in Cucumber's HTML report;
 * `--swimlanes` attaches one to passing scenarios too. Its text timeline keeps the start and the
 * end (the middle elided past 400 entries); `--timeline-by-object` groups it by object.
 *
 * Also: `--report-name <name>` (write reports/conformance-<name>.json instead of the target's name).
 * The control-plane target takes `--release v1.N.M` (binaries of another 1.34–1.37 release, built
 * by `npm run control-plane:build -- --release v1.N.M`; reported as control-plane-v1.N.M) and
 * `--feature-gates Name=true,…` (passed to its API server, controller manager and scheduler).
 * Paths may carry line numbers (features/identity.feature:6). No scenario matching the paths
 * and tags is an error (exit 1), as is an unbuilt control plane; a bad option exits 2.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TargetRun } from '../support/report/conformance.ts';
import { intOption, parseCli, usageError } from './lib/cli.ts';
import { RUNNER_OPTIONS } from './lib/runner-options.ts';
import { ENV_TARGET_UNAVAILABLE } from '../support/targets/target.ts';

const TARGETS = { reference: 'reference', 'control-plane': 'control-plane', hybrid: 'hybrid', cluster: 'cluster', kind: 'kind' } as const;

const { values, positionals } = parseCli({
  name: 'conformance',
  usage: new URL(import.meta.url),
  options: { ...RUNNER_OPTIONS, release: { type: 'string' }, 'feature-gates': { type: 'string' } },
  allowPositionals: true,
});
const profile = TARGETS[values.target as keyof typeof TARGETS];
if (!profile) usageError('conformance', `unknown target "${values.target}"; choose one of ${Object.keys(TARGETS).join(', ')}`);

// --release and --feature-gates pick what the control-plane target's processes run; the workers
// read them from the environment. The hybrid target's StatefulSet controller is the reference's,
// which models the pinned release only.
const { ENV_FEATURE_GATES, ENV_RELEASE, K8S_VERSION, isFeatureGateList, parseRelease } = await import('../support/control-plane/binaries.ts');
for (const option of ['release', 'feature-gates'] as const) {
  if (values[option] !== undefined && profile !== 'control-plane')
    usageError('conformance', `--${option} applies to the control-plane target (the processes it starts), not to ${profile}`);
}
if (values.release !== undefined) {
  try {
    parseRelease(values.release);
  } catch (err) {
    usageError('conformance', `--release: ${(err as Error).message}`);
  }
  process.env[ENV_RELEASE] = values.release;
}
if (values['feature-gates'] !== undefined) {
  if (!isFeatureGateList(values['feature-gates']))
    usageError('conformance', `--feature-gates takes Name=true|false[,Name=true|false…], not "${values['feature-gates']}"`);
  process.env[ENV_FEATURE_GATES] = values['feature-gates'];
}
const parallel = values.parallel === undefined ? undefined : intOption('conformance', 'parallel', values.parallel);

/** A problem found before Cucumber starts: one line, exit 1, no report written. */
function fail(message: string): never {
  console.error(`conformance: ${message}`);
  process.exit(1);
}

// An unbuilt control plane is one line naming the build, not a hook error in every worker.
if (profile === 'control-plane' || profile === 'hybrid') {
  const { assertBinaries, controlPlaneBinDir } = await import('../support/control-plane/binaries.ts');
  const { TARGET_BINARIES } = await import('../support/control-plane/index.ts');
  try {
    assertBinaries(controlPlaneBinDir(), TARGET_BINARIES);
  } catch (err) {
    fail((err as Error).message);
  }
}

// Loaded once the options are known: --help and a bad option cost no more than node.
const { loadConfiguration, runCucumber } = await import('@cucumber/cucumber/api');
const { ENV_WORKER_PIDS_DIR, exitCodeFor, installInterruptHandlers, interruptedBy, interruptSignal } = await import('../support/interrupt.ts');
const { ResultCollector, guaranteeCounts, loadCatalogue } = await import('../support/report/conformance.ts');
const { writeConformanceReports } = await import('../support/report/write.ts');
const { differential, renderDifferential } = await import('../support/report/differential.ts');
const { planRun } = await import('./lib/plan.ts');

process.env.CONFORMANCE_RUN_ID ??= randomBytes(4).toString('hex');
// Which target the run is on, for support code loaded before any World exists (support/hooks.ts).
process.env.CONFORMANCE_TARGET = profile;
const worldParameters = {
  ...(values.context ? { context: values.context } : {}),
  ...(values.disruptive ? { disruptive: true } : {}),
  ...(values['keep-cluster'] ? { keepCluster: true } : {}),
  ...(values.swimlanes ? { swimlanes: true } : {}),
  ...(values['timeline-by-object'] ? { timelineByObject: true } : {}),
};
const { runConfiguration } = await loadConfiguration({
  profiles: [profile],
  provided: {
    ...(positionals.length ? { paths: positionals } : {}),
    ...(values.tags ? { tags: values.tags } : {}),
    ...(parallel !== undefined ? { parallel } : {}),
    worldParameters,
  },
});
// --report-name: Cucumber's own reports go to reports/<name>/ too (real-nodes beside cluster).
// Another release than the pinned one reports under its own name: a column of its own.
const reportName = values['report-name'] ?? (process.env[ENV_RELEASE] && process.env[ENV_RELEASE] !== K8S_VERSION ? `${profile}-${process.env[ENV_RELEASE]}` : profile);
if (reportName !== profile) {
  const files = runConfiguration.formats.files;
  runConfiguration.formats.files = Object.fromEntries(Object.entries(files).map(([file, f]) => [file.replace(`reports/${profile}/`, `reports/${reportName}/`), f]));
}
// No scenario matched (a typo in a path or a tag), or a feature file does not parse: say so, run nothing.
const plan = await planRun(runConfiguration);
if ('problem' in plan) fail(plan.problem);

// A cluster that can't be used is one line, once, not a hook error with a stack in every worker.
if (profile === 'cluster') {
  const { ClusterTarget } = await import('../support/targets/cluster.ts');
  const problem = await new ClusterTarget({ context: values.context }).check();
  if (problem) unavailable(problem);
}

// Signals: wind down gracefully (support/interrupt.ts); workers register for forwarding here.
installInterruptHandlers();
const workerPids = mkdtempSync(join(tmpdir(), 'sts-workers-'));
process.env[ENV_WORKER_PIDS_DIR] = workerPids;

// kind: the cluster is created (or reused) once, before Cucumber forks its workers.
const kind = profile === 'kind' ? await prepareKind(!!values['keep-cluster']) : undefined;

const collector = new ResultCollector();
const startedAt = new Date().toISOString();
let success = false;
try {
  if (!interruptedBy()) ({ success } = await runCucumber(runConfiguration, undefined, (envelope) => collector.add(envelope)));
} finally {
  rmSync(workerPids, { recursive: true, force: true });
  await kind?.cleanup();
}

const run: TargetRun = { target: reportName, serverVersion: collector.serverVersion, startedAt, scenarios: collector.results() };
mkdirSync('reports', { recursive: true });
// An interrupted run never replaces a finished run's results in the matrix: it is kept beside them.
const runFile = `reports/conformance-${reportName}.json`;
const aborted = interruptedBy() && existsSync(runFile) && !(JSON.parse(readFileSync(runFile, 'utf8')) as TargetRun).interrupted;
if (interruptedBy()) run.interrupted = interruptedBy();
writeFileSync(aborted ? `reports/conformance-${reportName}.interrupted.json` : runFile, JSON.stringify(run, null, 2));
if (aborted) console.error(`the matrix keeps the previous ${reportName} run; this interrupted run's results are in reports/conformance-${reportName}.interrupted.json`);
const catalogue = loadCatalogue();
// The matrix of every target run in reports/, and upstream's e2e results beside it.
const runs = writeConformanceReports('reports', catalogue);
const comparisons = differential(runs);
if (comparisons.length) writeFileSync('reports/differential.md', renderDifferential(comparisons));

const count = (o: string) => run.scenarios.filter((s) => s.outcome === o).length;
const uncovered = Object.keys(catalogue).filter((id) => !run.scenarios.some((s) => s.guarantees.includes(id)));
const g = guaranteeCounts(run, catalogue);
// Undefined, pending and ambiguous steps fail a strict run: say so rather than "0 failed".
const unfinished = (['undefined', 'pending', 'ambiguous'] as const).filter((o) => count(o)).map((o) => `, ${count(o)} ${o}`).join('');
console.log(
  `\n${reportName}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped${unfinished}; ` +
    `guarantees: ${g.passed} passed of ${g.exercised} exercised (${g.total} in the catalogue). Report: reports/conformance.md`,
);
if (count('undefined')) console.error(`undefined steps: Cucumber printed a TypeScript snippet for each above; docs/steps.md lists the steps that exist`);
for (const c of comparisons) console.log(`differential ${c.baseline} vs ${c.other}: ${c.compared} scenarios compared, ${c.differing.length} differ, ${c.timingOnly.length} in timing only (reports/differential.md)`);
// A whole-suite run must cover the whole catalogue: a guarantee without a scenario fails it.
const wholeSuite = !positionals.length && !values.tags;
if (wholeSuite && uncovered.length) console.error(`uncovered guarantees (no scenario is tagged with them): ${uncovered.join(', ')}`);
process.exitCode = success && !(wholeSuite && uncovered.length) ? 0 : 1;
const interrupted = interruptedBy();
if (interrupted) {
  console.error(`interrupted by ${interrupted}: reports cover the scenarios that finished; the rest are skipped`);
  process.exitCode = exitCodeFor(interrupted);
}

/**
 * The target can't run here: one line and exit 1, or with --skip-unavailable, every scenario
 * reported as skipped with the reason (support/targets/target.ts).
 */
function unavailable(reason: string): void {
  if (!values['skip-unavailable']) fail(`${profile}: ${reason} (--skip-unavailable reports the run as skipped instead)`);
  console.error(`${profile}: ${reason}\n${profile}: --skip-unavailable: every scenario is reported as skipped with this reason`);
  process.env[ENV_TARGET_UNAVAILABLE] = reason;
}

/** Creates or reuses the kind cluster for the workers, or says why it can't (unavailable()). */
async function prepareKind(keepCluster: boolean): Promise<{ cleanup(): Promise<void> }> {
  const { prepareKindCluster, ENV_KUBECONFIG } = await import('../support/targets/kind.ts');
  // A Ctrl-C during `kind create cluster` stops it and removes the partial cluster.
  const prepared = await prepareKindCluster({ log: (line) => console.error(`kind: ${line}`), signal: interruptSignal });
  if (prepared.unavailable) {
    unavailable(prepared.unavailable);
    return { cleanup: async () => undefined };
  }
  process.env[ENV_KUBECONFIG] = prepared.kubeconfig;
  return {
    async cleanup() {
      rmSync(prepared.kubeconfig!, { force: true });
      if (!prepared.created) return console.error(`kind: keeping cluster "${prepared.kind!.name}": it existed before this run`);
      if (keepCluster) return console.error(`kind: keeping cluster "${prepared.kind!.name}" (--keep-cluster); \`kind delete cluster --name ${prepared.kind!.name}\` removes it`);
      await prepared.kind!.delete();
    },
  };
}

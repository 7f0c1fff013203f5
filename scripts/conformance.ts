/**
 * `npm run conformance -- --target <reference|control-plane|cluster|kind> [paths…] [--tags expr]`
 *
 * Runs the suite through Cucumber's API on one target and writes the conformance report:
 * reports/<target>/ (Cucumber's HTML, JSON, JUnit and messages), reports/conformance-<target>.json,
 * and reports/conformance.{md,html} merging every target run found in reports/.
 */
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ResultCollector, loadCatalogue, renderHtml, renderMarkdown, type TargetRun } from '../support/report/conformance.ts';
import { differential, renderDifferential } from '../support/report/differential.ts';

const TARGETS = { reference: 'reference', 'control-plane': 'control-plane', hybrid: 'hybrid', cluster: 'cluster', kind: 'kind' } as const;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: 'string', default: 'reference' },
    tags: { type: 'string' },
    parallel: { type: 'string' },
    context: { type: 'string' },
    disruptive: { type: 'boolean', default: false },
    'keep-cluster': { type: 'boolean', default: false },
    mutants: { type: 'string' },
    'report-name': { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(readFileSync(new URL(import.meta.url)).toString().split('*/')[0]);
  process.exit(0);
}
const profile = TARGETS[values.target as keyof typeof TARGETS];
if (!profile) {
  console.error(`unknown target "${values.target}"; choose one of ${Object.keys(TARGETS).join(', ')}`);
  process.exit(2);
}

process.env.CONFORMANCE_RUN_ID ??= randomBytes(4).toString('hex');
const worldParameters = {
  ...(values.context ? { context: values.context } : {}),
  ...(values.disruptive ? { disruptive: true } : {}),
  ...(values['keep-cluster'] ? { keepCluster: true } : {}),
  ...(values.mutants ? { mutants: values.mutants.split(',') } : {}),
};
const { runConfiguration } = await loadConfiguration({
  profiles: [profile],
  provided: {
    ...(positionals.length ? { paths: positionals } : {}),
    ...(values.tags ? { tags: values.tags } : {}),
    ...(values.parallel ? { parallel: Number(values.parallel) } : {}),
    worldParameters,
  },
});

const collector = new ResultCollector();
const startedAt = new Date().toISOString();
const { success } = await runCucumber(runConfiguration, undefined, (envelope) => collector.add(envelope));

const reportName = values['report-name'] ?? profile;
const run: TargetRun = { target: reportName, serverVersion: collector.serverVersion, startedAt, scenarios: collector.results() };
mkdirSync('reports', { recursive: true });
writeFileSync(`reports/conformance-${reportName}.json`, JSON.stringify(run, null, 2));
const runs = readdirSync('reports')
  .filter((f) => /^conformance-.+\.json$/.test(f))
  .map((f) => JSON.parse(readFileSync(`reports/${f}`, 'utf8')) as TargetRun);
const catalogue = loadCatalogue();
writeFileSync('reports/conformance.md', renderMarkdown(runs, catalogue));
writeFileSync('reports/conformance.html', renderHtml(runs, catalogue));
const comparisons = differential(runs);
if (comparisons.length) writeFileSync('reports/differential.md', renderDifferential(comparisons));

const count = (o: string) => run.scenarios.filter((s) => s.outcome === o).length;
const uncovered = Object.keys(catalogue).filter((id) => !run.scenarios.some((s) => s.guarantees.includes(id)));
console.log(
  `\n${reportName}: ${count('passed')} passed, ${count('failed')} failed, ${count('skipped')} skipped; ` +
    `${Object.keys(catalogue).length - uncovered.length}/${Object.keys(catalogue).length} guarantees covered. Report: reports/conformance.md`,
);
for (const c of comparisons) console.log(`differential ${c.baseline} vs ${c.other}: ${c.compared} scenarios compared, ${c.differing.length} differ (reports/differential.md)`);
// A whole-suite run must cover the whole catalogue: a guarantee without a scenario fails it.
const wholeSuite = !positionals.length && !values.tags;
if (wholeSuite && uncovered.length) console.error(`uncovered guarantees (no scenario is tagged with them): ${uncovered.join(', ')}`);
process.exitCode = success && !(wholeSuite && uncovered.length) ? 0 : 1;

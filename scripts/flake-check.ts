/**
 * `npm run flake-check [-- --runs N] [--control-plane-runs N] [--tags expr] [paths…]`
 *
 * Runs the suite again and again — on the reference target 20 times by default, on the
 * control-plane target 3 times when it is built (0 otherwise) — each run in a fresh process,
 * and prints every scenario's pass rate per target as a table, flaky ones first. Writes
 * reports/flake-check.json and reports/flake-check.md (the user's other reports are left alone).
 * Exits 1 when any scenario failed at least once.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { assertBinaries, controlPlaneBinDir } from '../support/control-plane/binaries.ts';
import type { Outcome } from '../support/report/conformance.ts';
import { intOption, parseCli } from './lib/cli.ts';
import { runSuite } from './lib/suite-run.ts';

const { values, positionals } = parseCli({
  name: 'flake-check',
  usage: new URL(import.meta.url),
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '20' },
    'control-plane-runs': { type: 'string' },
    tags: { type: 'string' },
  },
});
const referenceRuns = intOption('flake-check', 'runs', values.runs);
// A selection that matches nothing is a mistake: say so once, not after a run of nothing.
const { planSelection } = await import('./lib/plan.ts');
const selection = await planSelection('reference', positionals, values.tags);
if ('problem' in selection) {
  console.error(`flake-check: ${selection.problem}`);
  process.exit(1);
}

let controlPlaneNote: string | undefined;
let controlPlaneRuns = values['control-plane-runs'] === undefined ? 3 : intOption('flake-check', 'control-plane-runs', values['control-plane-runs']);
if (values['control-plane-runs'] === undefined) {
  try {
    assertBinaries(controlPlaneBinDir(), ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'coredns']);
  } catch {
    controlPlaneRuns = 0;
    controlPlaneNote = 'the control plane is not built (`npm run control-plane:build`), so only the reference target ran';
  }
}
const plan: Array<{ target: string; runs: number }> = [
  { target: 'reference', runs: referenceRuns },
  { target: 'control-plane', runs: controlPlaneRuns },
].filter((p) => p.runs > 0);

interface Tally {
  name: string;
  uri: string;
  line: number;
  runs: number;
  passed: number;
  failed: number;
  skipped: number;
  /** The first lines of each distinct failure message. */
  failures: string[];
}

const tallies = new Map<string, Map<string, Tally>>();
const runLog: Array<{ target: string; run: number; seconds: number; passed: number; failed: number; skipped: number; exitCode: number | null }> = [];
const startedAt = new Date().toISOString();

for (const { target, runs } of plan) {
  const byScenario = new Map<string, Tally>();
  tallies.set(target, byScenario);
  for (let run = 1; run <= runs; run++) {
    const r = await runSuite({ target, tags: values.tags, paths: positionals, stdio: 'ignore' });
    const count = (o: Outcome) => r.scenarios.filter((s) => s.outcome === o).length;
    const failed = r.scenarios.filter((s) => s.outcome !== 'passed' && s.outcome !== 'skipped');
    runLog.push({ target, run, seconds: Math.round(r.wallSeconds * 10) / 10, passed: count('passed'), failed: failed.length, skipped: count('skipped'), exitCode: r.exitCode });
    console.log(
      `${target} run ${run}/${runs}: ${count('passed')} passed, ${failed.length} failed, ${count('skipped')} skipped (${r.wallSeconds.toFixed(1)} s)` +
        failed.map((f) => `\n  ✗ ${f.uri}:${f.line} ${f.name}`).join(''),
    );
    for (const s of r.scenarios) {
      const key = `${s.uri}:${s.line}:${s.name}`;
      const t = byScenario.get(key) ?? { name: s.name, uri: s.uri, line: s.line, runs: 0, passed: 0, failed: 0, skipped: 0, failures: [] };
      byScenario.set(key, t);
      t.runs++;
      if (s.outcome === 'passed') t.passed++;
      else if (s.outcome === 'skipped') t.skipped++;
      else {
        t.failed++;
        const first = (s.reason ?? s.outcome).split('\n')[0]!;
        if (!t.failures.includes(first)) t.failures.push(first);
      }
    }
  }
}

// ---- report ---------------------------------------------------------------------------------------

const targets = [...tallies.keys()];
const keys = [...new Set(targets.flatMap((t) => [...tallies.get(t)!.keys()]))];
const rate = (t: Tally | undefined): number | undefined => (t && t.runs - t.skipped > 0 ? t.passed / (t.runs - t.skipped) : undefined);
const worst = (key: string): number => Math.min(...targets.map((t) => rate(tallies.get(t)!.get(key)) ?? 1));
keys.sort((a, b) => worst(a) - worst(b) || a.localeCompare(b, 'en', { numeric: true }));
const cell = (t: Tally | undefined): string => {
  if (!t) return '—';
  if (t.runs === t.skipped) return `skipped (${t.runs})`;
  const r = rate(t)!;
  return `${r === 1 ? '' : '⚠️ '}${Math.round(r * 1000) / 10}% (${t.passed}/${t.runs - t.skipped})`;
};
const flaky = keys.filter((k) => worst(k) < 1);
const info = (k: string) => targets.map((t) => tallies.get(t)!.get(k)).find(Boolean)!;
const md = [
  '# Flake check',
  '',
  `${startedAt}: ${plan.map((p) => `${p.runs} run${p.runs === 1 ? '' : 's'} on ${p.target}`).join(', ')}` +
    `${values.tags ? `, tags ${values.tags}` : ''}. ${flaky.length ? `**${flaky.length} scenario${flaky.length === 1 ? '' : 's'} failed at least once.**` : 'Every scenario passed every run.'}`,
  ...(controlPlaneNote ? ['', `Note: ${controlPlaneNote}.`] : []),
  '',
  `| scenario | ${targets.join(' | ')} |`,
  `|---|${targets.map(() => '---').join('|')}|`,
  ...keys.map((k) => {
    const s = info(k);
    return `| ${s.uri}:${s.line} ${s.name.replace(/\|/g, '\\|')} | ${targets.map((t) => cell(tallies.get(t)!.get(k))).join(' | ')} |`;
  }),
  '',
  ...(flaky.length
    ? [
        '## Failures',
        '',
        ...flaky.flatMap((k) =>
          targets.flatMap((t) => {
            const x = tallies.get(t)!.get(k);
            return x?.failures.length ? [`- ${t}, ${x.uri}:${x.line} ${x.name}: ${x.failures.map((f) => `\`${f.replace(/`/g, "'")}\``).join('; ')}`] : [];
          }),
        ),
        '',
      ]
    : []),
].join('\n');

mkdirSync('reports', { recursive: true });
writeFileSync(
  'reports/flake-check.json',
  `${JSON.stringify({ startedAt, plan, tags: values.tags, controlPlaneNote, runs: runLog, scenarios: Object.fromEntries(targets.map((t) => [t, [...tallies.get(t)!.values()]])) }, null, 2)}\n`,
);
writeFileSync('reports/flake-check.md', md);
console.log(`\n${md}`);
console.log('Report: reports/flake-check.md, reports/flake-check.json');
process.exitCode = flaky.length ? 1 : 0;

/**
 * `npm run mutants [-- options]`: proves the suite has teeth. A mutant (scripts/mutants/) is a
 * deliberately broken variant of the plane, kept as exact-text edits out of the production code.
 * Each one is applied to a scratch copy of the repository, which must still type-check, and the
 * suite runs in that copy up to its first failure: some scenario must fail. The unmutated copy
 * runs first and must pass. Scratch copies are removed, on Ctrl-C too.
 *
 *   --list          print the mutants, one a line (name, component, area, description); exit
 *   --only a,b      run only these mutants
 *   --target t      reference (default), or hybrid: the mutants that declare it (the StatefulSet
 *                   controller's), the reference controller on the real kube-apiserver (needs
 *                   `npm run control-plane:build`)
 *   --full          run each mutant's whole suite instead of stopping at its first failure: the
 *                   report then names every scenario that catches it (slower)
 *   --first-from f  a report of an earlier run (e.g. reports/mutants.json from the reference):
 *                   each mutant first runs only the scenarios that caught it there, and the whole
 *                   suite only when none of them fails. A hybrid mutant then costs one scenario
 *                   instead of the suite up to its first failure (7 min for the first one tried)
 *   --check         only apply and type-check the mutants (no suite runs): finds stale ones
 *   -h, --help      this text
 *
 * Writes reports/mutants.json and reports/mutants.md (mutants-hybrid.* on hybrid): each mutant's
 * name, component, area, description, outcome, the scenarios that caught it with their failure
 * messages, and why a stale one is stale. Exit code 0 when every mutant run is caught, 1 when
 * one survives or is stale (its text to replace is gone or not unique, or the mutated tree no
 * longer type-checks), 2 on bad usage or when the unmutated suite fails.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ScenarioResult } from '../support/report/conformance.ts';
import { interruptedBy, onCleanup } from './lib/children.ts';
import { runSuite } from './lib/suite-run.ts';
import { MUTANTS, type Mutant, type MutantTarget } from './mutants/index.ts';
import { applyEdits, malformed } from './mutants/mutant.ts';
import { copyProject, copyScratch, projectFiles, writeFiles } from './mutants/scratch.ts';
import { MutantTypeChecker } from './mutants/type-check.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

function usageError(message: string): never {
  console.error(`mutants: ${message} (--help for usage)`);
  process.exit(2);
}

let parsed;
try {
  parsed = parseArgs({
    strict: true,
    allowPositionals: false,
    options: {
      list: { type: 'boolean', default: false },
      only: { type: 'string' },
      target: { type: 'string', default: 'reference' },
      full: { type: 'boolean', default: false },
      check: { type: 'boolean', default: false },
      'first-from': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
} catch (err) {
  usageError((err as Error).message);
}
const { values } = parsed;
if (values.help) {
  console.log(usage());
  process.exit(0);
}
if (values.list) {
  const w = (k: keyof Mutant) => Math.max(...MUTANTS.map((m) => String(m[k]).length));
  for (const m of MUTANTS) console.log(`${m.name.padEnd(w('name'))}  ${m.component.padEnd(w('component'))}  ${m.description}`);
  process.exit(0);
}
if (values.target !== 'reference' && values.target !== 'hybrid') usageError(`unknown target "${values.target}": use reference or hybrid`);
const target = values.target as MutantTarget;

let selected = [...MUTANTS];
if (values.only !== undefined) {
  const names = values.only.split(',').map((n) => n.trim()).filter(Boolean);
  if (!names.length) usageError('--only needs mutant names');
  const unknown = names.filter((n) => !MUTANTS.some((m) => m.name === n));
  if (unknown.length) usageError(`unknown mutant ${unknown.join(', ')} (npm run mutants -- --list)`);
  selected = MUTANTS.filter((m) => names.includes(m.name));
}
const notOnTarget = selected.filter((m) => !m.targets.includes(target));
if (values.only !== undefined && notOnTarget.length) usageError(`${notOnTarget.map((m) => m.name).join(', ')} do not run on ${target}`);
selected = selected.filter((m) => m.targets.includes(target));
if (notOnTarget.length) console.log(`${notOnTarget.length} mutants do not run on ${target}; running the ${selected.length} that do`);

/** --first-from: each mutant's catching scenarios (feature:line) in an earlier report. */
const firstFrom = new Map<string, string[]>();
if (values['first-from'] !== undefined) {
  if (values.full) usageError('--first-from and --full exclude each other: --full runs every scenario for every mutant');
  let earlier: { mutants?: { name: string; caughtBy?: { at: string }[] }[] };
  try {
    earlier = JSON.parse(readFileSync(values['first-from'], 'utf8'));
  } catch (err) {
    usageError(`--first-from ${values['first-from']}: ${(err as Error).message}`);
  }
  for (const m of earlier.mutants ?? []) if (m.caughtBy?.length) firstFrom.set(m.name, [...new Set(m.caughtBy.map((c) => c.at))]);
}

interface Catch {
  scenario: string;
  /** feature file:line */
  at: string;
  /** How the scenario failed (first lines). */
  failure?: string;
}

interface Outcome {
  name: string;
  component: string;
  area: string;
  description: string;
  outcome: 'caught' | 'survived' | 'stale' | 'type-checks';
  caughtBy: Catch[];
  /** Why the mutant is stale. */
  stale?: string;
  seconds: number;
}

const work = mkdtempSync(join(tmpdir(), 'sts-mutants-'));
onCleanup(() => rmSync(work, { recursive: true, force: true }));
const started = performance.now();
const startedAt = new Date().toISOString();

// The unmutated copy: it must type-check and pass. Mutants are applied to copies of it.
const baseline = join(work, 'baseline');
copyProject(ROOT, projectFiles(ROOT), baseline);
const checker = new MutantTypeChecker(baseline);
const baselineErrors = checker.projectErrors();
if (baselineErrors.length) fail(`the unmutated tree does not type-check, so no mutant can be judged:\n${baselineErrors.slice(0, 5).join('\n')}`);
// Every mutant is applied and type-checked first (about a second each): stale ones show at once.
const outcomes: Outcome[] = [];
const mutated = new Map<string, Map<string, string>>();
for (const m of selected) {
  const outcome: Outcome = { name: m.name, component: m.component, area: m.area, description: m.description, outcome: 'stale', caughtBy: [], seconds: 0 };
  outcomes.push(outcome);
  const t0 = performance.now();
  const result = prepare(m);
  outcome.seconds = (performance.now() - t0) / 1000;
  if (typeof result === 'string') {
    outcome.stale = result;
    console.log(`${label('stale').padEnd(8)} ${m.name.padEnd(32)} ${result.replace(/\n/g, '\n         ')}`);
  } else {
    outcome.outcome = 'type-checks';
    mutated.set(m.name, result);
  }
}
if (values.check) console.log(`${mutated.size}/${outcomes.length} mutants apply and type-check`);

if (!values.check) {
  const run = await suite(baseline);
  const failed = failures(run.scenarios);
  if (failed.length) fail(`the unmutated suite fails on ${target} (${failed.map((f) => f.name).join('; ')}): fix that before measuring mutants`);
  const passed = run.scenarios.filter((s) => s.outcome === 'passed').length;
  if (!passed) fail(`the unmutated suite passed no scenario on ${target}: ${run.scenarios.find((s) => s.reason)?.reason ?? 'nothing ran'}`);
  console.log(`baseline: ${passed} scenarios pass on ${target} (${run.processSeconds.toFixed(0)}s)`);

  for (const outcome of outcomes) {
    const files = mutated.get(outcome.name);
    if (!files) continue;
    const t0 = performance.now();
    const failed = await suiteWith(outcome.name, files, firstFrom.get(outcome.name));
    outcome.caughtBy = failed.map((f) => ({ scenario: f.name, at: `${f.uri}:${f.line}`, failure: f.reason }));
    outcome.outcome = failed.length ? 'caught' : 'survived';
    outcome.seconds += (performance.now() - t0) / 1000;
    const first = outcome.caughtBy[0];
    const by = first ? `${first.scenario} (${first.at})${failed.length > 1 ? ` and ${failed.length - 1} more` : ''}` : '';
    console.log(`${label(outcome.outcome).padEnd(8)} ${outcome.name.padEnd(32)} ${by} (${outcome.seconds.toFixed(0)}s)`);
  }
}

const minutes = (performance.now() - started) / 60_000;
const count = (o: Outcome['outcome']) => outcomes.filter((x) => x.outcome === o).length;
if (values.check) {
  process.exitCode = count('stale') ? 1 : 0;
} else {
  const suffix = target === 'reference' ? '' : `-${target}`;
  mkdirSync(join(ROOT, 'reports'), { recursive: true });
  const report = { target, startedAt, minutes: Number(minutes.toFixed(1)), full: values.full, caught: count('caught'), total: outcomes.length, mutants: outcomes };
  writeFileSync(join(ROOT, `reports/mutants${suffix}.json`), JSON.stringify(report, null, 2) + '\n');
  writeFileSync(join(ROOT, `reports/mutants${suffix}.md`), markdown(outcomes, minutes));
  console.log(
    `\n${count('caught')}/${outcomes.length} mutants caught on ${target}` +
      `${count('survived') ? `, ${count('survived')} survived` : ''}${count('stale') ? `, ${count('stale')} stale` : ''} ` +
      `(${minutes.toFixed(1)} min). Report: reports/mutants${suffix}.md`,
  );
  process.exitCode = count('caught') === outcomes.length ? 0 : 1;
}

/** m's mutated files (repository path -> text), or why m is stale. */
function prepare(m: Mutant): Map<string, string> | string {
  const bad = malformed(m);
  if (bad) return bad;
  const applied = applyEdits(m, (file) => readFileSync(join(baseline, file), 'utf8'));
  if ('stale' in applied) return applied.stale;
  const errors = checker.check(applied.files);
  if (errors.length) return `the mutated tree does not type-check:\n${errors.slice(0, 5).join('\n')}`;
  return applied.files;
}

/**
 * The suite in a copy of the baseline carrying the mutated files: the scenarios that failed.
 * With `first` (scenarios that caught the mutant before), those run alone first.
 */
async function suiteWith(name: string, files: Map<string, string>, first?: string[]): Promise<ScenarioResult[]> {
  const dir = join(work, name);
  try {
    copyScratch(baseline, dir);
    writeFiles(dir, files);
    let failed = first ? failures((await suite(dir, first)).scenarios) : [];
    if (!failed.length) failed = failures((await suite(dir)).scenarios);
    // Failure stacks name the scratch copy's files: keep them as repository paths.
    return failed.map((f) => ({ ...f, reason: f.reason?.replaceAll(`${dir}/`, '') }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One suite run in the copy at dir, on the chosen target. */
async function suite(dir: string, paths?: string[]) {
  try {
    return await runSuite({ target, cwd: dir, failFast: !values.full, stdio: 'ignore', paths });
  } catch (err) {
    // A signal: the children wind down and the tool dies of it (scripts/lib/children.ts).
    if (interruptedBy()) await new Promise(() => undefined);
    throw err;
  }
}

function failures(scenarios: ScenarioResult[]): ScenarioResult[] {
  return scenarios.filter((s) => s.outcome !== 'passed' && s.outcome !== 'skipped');
}

function label(o: Outcome['outcome']): string {
  return { caught: 'caught', survived: 'SURVIVED', stale: 'STALE', 'type-checks': 'ok' }[o];
}

function markdown(list: Outcome[], minutes: number): string {
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\s*\n\s*/g, ' ');
  const first = (s = '') => cell(s.split('\n').find((l) => l.trim()) ?? '').slice(0, 200);
  const lines = [
    `# Mutants (${target})`,
    '',
    `${count('caught')} of ${list.length} deliberately broken variants were caught by the suite on ${target} ` +
      `(${minutes.toFixed(1)} min${values.full ? ', whole suite per mutant' : ', each run stopped at its first failure'}).`,
    '',
    '| mutant | component | area | what it breaks | outcome | caught by | how it failed |',
    '|---|---|---|---|---|---|---|',
    ...list.map((o) =>
      [
        o.name,
        o.component,
        o.area,
        cell(o.description),
        o.outcome === 'caught' ? '✅ caught' : o.outcome === 'stale' ? '⚠️ stale' : '❌ survived',
        o.caughtBy.map((c) => `${cell(c.scenario)} (${c.at})`).join('<br>'),
        o.stale ? first(o.stale) : o.caughtBy.map((c) => first(c.failure)).join('<br>'),
      ].join(' | ').replace(/^/, '| ').concat(' |'),
    ),
  ];
  const stale = list.filter((o) => o.outcome === 'stale');
  if (stale.length) lines.push('', '## Stale', '', ...stale.map((o) => `- **${o.name}**: ${cell(o.stale ?? '')}`));
  return lines.join('\n') + '\n';
}

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function usage(): string {
  const text = readFileSync(fileURLToPath(import.meta.url), 'utf8');
  return /\/\*\*([\s\S]*?)\*\//.exec(text)![1].split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
}

/**
 * `npm run mutants [-- --only a,b]`: proves the suite has teeth. Runs the reference suite once
 * as it is (it must pass), then once per deliberately broken variant of the reference
 * StatefulSet controller (reference/controllers/statefulset/mutants.ts), stopping each run at
 * its first failure. A mutant is caught when some scenario fails. Writes reports/mutants.md
 * and reports/mutants.json; exits non-zero if any mutant survives.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MUTANTS, type MutantName } from '../reference/controllers/statefulset/mutants.ts';
import { ResultCollector, type ScenarioResult } from '../support/report/conformance.ts';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const names = (values.only?.split(',') ?? Object.keys(MUTANTS)) as MutantName[];
for (const n of names) if (!(n in MUTANTS)) throw new Error(`unknown mutant "${n}"; known: ${Object.keys(MUTANTS).join(', ')}`);

interface Outcome {
  mutant: string;
  area: string;
  description: string;
  caught: boolean;
  by?: string;
  seconds: number;
}

/** Runs the reference suite with the given mutants switched on; returns the failed scenarios. */
async function runSuite(label: string, mutants: string[]): Promise<{ failed: ScenarioResult[]; seconds: number }> {
  const messages = `reports/mutants/${label}.ndjson`;
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['node_modules/@cucumber/cucumber/bin/cucumber.js', '-p', 'reference', '--fail-fast', '--format', `message:${messages}`, '--format', 'summary'],
      { env: { ...process.env, REFERENCE_MUTANTS: mutants.join(',') }, stdio: ['ignore', 'ignore', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', () => resolve());
  });
  const collector = new ResultCollector();
  for (const line of readFileSync(messages, 'utf8').split('\n')) if (line) collector.add(JSON.parse(line));
  const failed = collector.results().filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped');
  return { failed, seconds: (Date.now() - started) / 1000 };
}

mkdirSync('reports/mutants', { recursive: true });
const baseline = await runSuite('baseline', []);
if (baseline.failed.length) {
  console.error(`the unmutated suite fails (${baseline.failed.map((f) => f.name).join('; ')}): fix that before measuring mutants`);
  process.exit(2);
}
console.log(`baseline: suite passes (${baseline.seconds.toFixed(0)}s)`);

const outcomes: Outcome[] = [];
for (const mutant of names) {
  const { failed, seconds } = await runSuite(mutant, [mutant]);
  const by = failed[0] ? `${failed[0].name} (${failed[0].uri}:${failed[0].line})` : undefined;
  outcomes.push({ mutant, ...MUTANTS[mutant], caught: failed.length > 0, by, seconds });
  console.log(`${failed.length ? 'caught  ' : 'SURVIVED'} ${mutant.padEnd(32)} ${by ?? ''} (${seconds.toFixed(0)}s)`);
}

const caught = outcomes.filter((o) => o.caught).length;
const lines = [
  '# Mutants',
  '',
  `${caught} of ${outcomes.length} deliberately broken controllers were caught by the suite.`,
  '',
  '| mutant | area | what it breaks | caught by |',
  '|---|---|---|---|',
  ...outcomes.map((o) => `| ${o.mutant} | ${o.area} | ${o.description} | ${o.caught ? `✅ ${o.by}` : '❌ survived'} |`),
];
writeFileSync('reports/mutants.md', lines.join('\n') + '\n');
writeFileSync('reports/mutants.json', JSON.stringify(outcomes, null, 2));
console.log(`\n${caught}/${outcomes.length} mutants caught. Report: reports/mutants.md`);
process.exitCode = caught === outcomes.length ? 0 : 1;

/**
 * `npm run mutants [-- --only a,b]`: proves the suite has teeth. Runs the reference suite once
 * as it is (it must pass), then once per deliberately broken variant of the reference
 * StatefulSet controller (reference/controllers/statefulset/mutants.ts), stopping each run at
 * its first failure. A mutant is caught when some scenario fails. Writes reports/mutants.md
 * and reports/mutants.json; exits non-zero if any mutant survives.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { MUTANTS, type MutantName } from '../reference/controllers/statefulset/mutants.ts';
import type { ScenarioResult } from '../support/report/conformance.ts';
import { runSuite } from './lib/suite-run.ts';

const { values } = parseArgs({ options: { only: { type: 'string' } } });
const names = (values.only?.split(',') ?? Object.keys(MUTANTS)) as MutantName[];
for (const n of names) if (!(n in MUTANTS)) throw new Error(`unknown mutant "${n}"; known: ${Object.keys(MUTANTS).join(', ')}`);

interface Outcome {
  mutant: string;
  area: string;
  description: string;
  caught: boolean;
  by?: string;
  /** How the catching scenario failed (first lines). */
  failure?: string;
  seconds: number;
}

/** The reference suite with the given mutants switched on, up to its first failure: the failed scenarios. */
async function mutatedSuite(mutants: string[]): Promise<{ failed: ScenarioResult[]; seconds: number }> {
  const run = await runSuite({ target: 'reference', failFast: true, env: { REFERENCE_MUTANTS: mutants.join(',') }, stdio: 'ignore' });
  const failed = run.scenarios.filter((r) => r.outcome !== 'passed' && r.outcome !== 'skipped');
  return { failed, seconds: run.processSeconds };
}

mkdirSync('reports', { recursive: true });
const baseline = await mutatedSuite([]);
if (baseline.failed.length) {
  console.error(`the unmutated suite fails (${baseline.failed.map((f) => f.name).join('; ')}): fix that before measuring mutants`);
  process.exit(2);
}
console.log(`baseline: suite passes (${baseline.seconds.toFixed(0)}s)`);

const outcomes: Outcome[] = [];
for (const mutant of names) {
  const { failed, seconds } = await mutatedSuite([mutant]);
  const by = failed[0] ? `${failed[0].name} (${failed[0].uri}:${failed[0].line})` : undefined;
  outcomes.push({ mutant, ...MUTANTS[mutant], caught: failed.length > 0, by, failure: failed[0]?.reason, seconds });
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

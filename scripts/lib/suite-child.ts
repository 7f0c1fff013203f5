/**
 * One run of the suite in a process of its own, for the benchmark, the flake check and mutants:
 *
 *   node --import tsx scripts/lib/suite-child.ts --target <profile> --out <result.json> [--tags expr] [--parallel n] [--fail-fast] [paths…]
 *
 * Uses the target's Cucumber profile but none of its report files (the user's reports/ stay as
 * they are): only a summary on stdout and the per-scenario results (support/report's
 * ResultCollector) with the wall time, written to --out.
 */
import { loadConfiguration, runCucumber } from '@cucumber/cucumber/api';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { ResultCollector, type ScenarioResult } from '../../support/report/conformance.ts';
import { planRun } from './plan.ts';

export interface SuiteChildResult {
  target: string;
  success: boolean;
  /** From just before Cucumber loads the support code to the end of the run. */
  wallSeconds: number;
  serverVersion?: string;
  scenarios: ScenarioResult[];
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    target: { type: 'string', default: 'reference' },
    out: { type: 'string' },
    tags: { type: 'string' },
    parallel: { type: 'string' },
    format: { type: 'string', default: 'summary' },
    'fail-fast': { type: 'boolean', default: false },
  },
});
if (!values.out) throw new Error('--out is required');

process.env.CONFORMANCE_RUN_ID ??= randomBytes(4).toString('hex');
// As scripts/conformance.ts: support/hooks.ts schedules @disruptive scenarios by target.
process.env.CONFORMANCE_TARGET = values.target;
const started = performance.now();
const { runConfiguration } = await loadConfiguration({
  profiles: [values.target!],
  provided: {
    ...(positionals.length ? { paths: positionals } : {}),
    ...(values.tags ? { tags: values.tags } : {}),
    ...(values.parallel ? { parallel: Number(values.parallel) } : {}),
    ...(values['fail-fast'] ? { failFast: true } : {}),
  },
});
runConfiguration.formats = { stdout: values.format!, files: {}, publish: false, options: {} };
const plan = await planRun(runConfiguration);
if ('problem' in plan) {
  console.error(`suite run: ${plan.problem}`);
  process.exit(1);
}

const collector = new ResultCollector();
const { success } = await runCucumber(runConfiguration, undefined, (envelope) => collector.add(envelope));
const result: SuiteChildResult = {
  target: values.target!,
  success,
  wallSeconds: (performance.now() - started) / 1000,
  serverVersion: collector.serverVersion,
  scenarios: collector.results(),
};
mkdirSync(dirname(values.out), { recursive: true });
writeFileSync(values.out, JSON.stringify(result, null, 2));
process.exitCode = success ? 0 : 1;

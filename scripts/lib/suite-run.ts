/**
 * Runs the suite once on a target in a child process (scripts/lib/suite-child.ts) and returns
 * its per-scenario results and wall time. Used by `npm run bench`, `npm run flake-check` and
 * `npm run mutants`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { track } from './children.ts';
import type { SuiteChildResult } from './suite-child.ts';

export type { SuiteChildResult } from './suite-child.ts';

export interface SuiteRunOptions {
  /** Cucumber profile: reference, control-plane, … */
  target: string;
  tags?: string;
  paths?: string[];
  parallel?: number;
  /** Cucumber formatter for the child's stdout (default summary). */
  format?: string;
  /** Where the child's stdout/stderr go (default: inherited). */
  stdio?: 'inherit' | 'ignore';
  env?: Record<string, string>;
  /** Stop at the first failed scenario (the rest are reported skipped). */
  failFast?: boolean;
  /** The tree to run: a copy of the repository (default: the current directory). */
  cwd?: string;
}

export interface SuiteRun extends SuiteChildResult {
  /** Process wall time, start-up included, in seconds. */
  processSeconds: number;
  exitCode: number | null;
}

export async function runSuite(o: SuiteRunOptions): Promise<SuiteRun> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-suite-'));
  const out = join(dir, 'result.json');
  const args = ['--import', 'tsx', 'scripts/lib/suite-child.ts', '--target', o.target, '--out', out, '--format', o.format ?? 'summary'];
  if (o.tags) args.push('--tags', o.tags);
  if (o.parallel !== undefined) args.push('--parallel', String(o.parallel));
  if (o.failFast) args.push('--fail-fast');
  args.push(...(o.paths ?? []));
  const t0 = performance.now();
  try {
    const exitCode = await new Promise<number | null>((resolve, reject) => {
      const child = track(spawn(process.execPath, args, { cwd: o.cwd, stdio: ['ignore', o.stdio ?? 'inherit', o.stdio ?? 'inherit'], env: { ...process.env, ...o.env } }));
      child.on('error', reject);
      child.on('exit', (code) => resolve(code));
    });
    const processSeconds = (performance.now() - t0) / 1000;
    let result: SuiteChildResult;
    try {
      result = JSON.parse(readFileSync(out, 'utf8')) as SuiteChildResult;
    } catch {
      throw new Error(`the ${o.target} suite run exited (${exitCode}) without results`);
    }
    return { ...result, processSeconds, exitCode };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

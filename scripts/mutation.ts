/**
 * `npm run mutation -- <file[:start-end]>… [--force] [--dry-run]`
 *
 * StrykerJS over a part of the reference plane: every mutant Stryker can make in the given
 * lines, each run against the scenarios of the reference suite that reach it (per-scenario
 * coverage); a mutant no scenario notices survives. Opt-in and scoped: the whole StatefulSet
 * port is ~2,400 mutants at up to a minute each, so name a function's lines.
 *
 *   <file>              mutate a whole file under reference/
 *   <file>:<a>-<b>      mutate lines a to b of it (1-based, inclusive); <file>:<a> is line a
 *   --force             retest every mutant in scope instead of reusing earlier results
 *   --dry-run           only the initial run: check the suite passes and record coverage
 *   -h, --help          this text
 *
 * e.g. npm run mutation -- reference/controllers/statefulset/set-control.ts:330-349 (processCondemned)
 *
 * Incremental: results are kept in reports/mutation/stryker-incremental.json, and a rerun only
 * tests mutants whose code or covering feature files changed (results for other ranges are
 * kept too). Delete that file, or pass --force, to start over. The report is
 * reports/mutation/mutation.html (and .json); Stryker runs in a sandbox copy under
 * .cache/stryker/, so the suite's own reports (reports/reference/ …) are left alone.
 * Configuration: stryker.config.mjs and the `mutation` profile of cucumber.mjs.
 *
 * Ctrl-C (SIGINT/SIGTERM) reaches Stryker and its test runner, and the sandbox is removed.
 * Exit code: Stryker's (0 once the run completed, survivors or not), 2 on bad usage.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCli, usageError } from './lib/cli.ts';
import { interruptedBy, onCleanup, track } from './lib/children.ts';

const NAME = 'mutation';
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const STRYKER = join(ROOT, 'node_modules/@stryker-mutator/core/bin/stryker.js');
const REPORT = 'reports/mutation/mutation.json';

const { values, positionals } = parseCli({
  name: NAME,
  usage: new URL(import.meta.url),
  allowPositionals: true,
  options: {
    force: { type: 'boolean', default: false },
    'dry-run': { type: 'boolean', default: false },
  },
});
if (!positionals.length) usageError(NAME, 'name a file or file:start-end to mutate (the whole plane is thousands of mutants)');

/** A range to mutate: a repository-relative file and, optionally, its lines. */
interface Scope {
  file: string;
  lines?: [number, number];
}

const scopes = positionals.map(parseScope);
if (!existsSync(STRYKER)) {
  console.error(`${NAME}: StrykerJS is not installed (npm install)`);
  process.exit(1);
}

/** `file`, `file:a` or `file:a-b`, checked against the file itself. */
function parseScope(arg: string): Scope {
  const m = /^(.*?)(?::(\d+)(?:-(\d+))?)?$/.exec(arg)!;
  const path = m[1]!;
  // npm runs scripts in the package root; a relative path is meant from where npm was called.
  const abs = resolve(process.env.INIT_CWD ?? process.cwd(), path);
  const file = relative(ROOT, abs).split(sep).join('/');
  if (isAbsolute(file) || file.startsWith('../') || !file.startsWith('reference/')) usageError(NAME, `${arg}: only files under reference/ (the plane the suite tests) are mutated`);
  if (!existsSync(abs) || !statSync(abs).isFile()) usageError(NAME, `${arg}: no such file`);
  if (!file.endsWith('.ts')) usageError(NAME, `${arg}: not a TypeScript file`);
  if (m[2] === undefined) return { file };
  const start = Number(m[2]);
  const end = m[3] === undefined ? start : Number(m[3]);
  const lineCount = readFileSync(abs, 'utf8').split('\n').length;
  if (start < 1 || end < start) usageError(NAME, `${arg}: lines must be start-end with 1 ≤ start ≤ end`);
  if (end > lineCount) usageError(NAME, `${arg}: ${file} has ${lineCount} lines`);
  return { file, lines: [start, end] };
}

// Stryker's own range syntax is file:start-end too; this run's sandbox is its own directory.
const mutate = scopes.map((s) => (s.lines ? `${s.file}:${s.lines[0]}-${s.lines[1]}` : s.file)).join(',');
const tempDir = `.cache/stryker/run-${process.pid}`;
onCleanup(() => rmSync(join(ROOT, tempDir), { recursive: true, force: true }));
const args = [STRYKER, 'run', 'stryker.config.mjs', '--mutate', mutate, '--tempDirName', tempDir];
if (values.force) args.push('--force');
if (values['dry-run']) args.push('--dryRunOnly');

const child = track(spawn(process.execPath, args, { cwd: ROOT, stdio: 'inherit' }));
const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.once('exit', (code, signal) => done({ code, signal })));
// On a signal children.ts waits for Stryker, cleans up and ends this process with the signal.
if (interruptedBy()) await new Promise(() => undefined);
if (exit.code === 0 && !values['dry-run']) summarize();
process.exitCode = exit.code ?? 1;

/** Killed/survived per scope, from Stryker's JSON report (which also holds other ranges' results). */
function summarize(): void {
  let report: { files: Record<string, { mutants: { status: string; location: { start: { line: number } } }[] }> };
  try {
    report = JSON.parse(readFileSync(join(ROOT, REPORT), 'utf8'));
  } catch {
    return;
  }
  for (const s of scopes) {
    const mutants = (report.files[s.file]?.mutants ?? []).filter((m) => !s.lines || (m.location.start.line >= s.lines[0] && m.location.start.line <= s.lines[1]));
    const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
    const detected = count('Killed', 'Timeout');
    const valid = mutants.length - count('CompileError', 'RuntimeError', 'Ignored');
    const score = valid ? ((100 * detected) / valid).toFixed(1) : '-';
    console.log(
      `${s.file}${s.lines ? `:${s.lines[0]}-${s.lines[1]}` : ''}: ${mutants.length} mutants, ${count('Killed')} killed, ${count('Timeout')} timed out, ` +
        `${count('Survived')} survived, ${count('NoCoverage')} not covered; score ${score}%`,
    );
  }
  console.log(`Report: ${REPORT.replace(/json$/, 'html')}`);
}

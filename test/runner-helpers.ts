/**
 * Running the conformance runner (scripts/conformance.ts) as a child process in tests, in a
 * sandbox: a temporary directory whose code folders link to the checkout's, so that the run's
 * reports/ are the test's own and never overwrite a user's.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, watch } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '..');
const LINKED = ['cucumber.mjs', 'tsx-register.mjs', 'package.json', 'tsconfig.json', 'node_modules', 'features', 'steps', 'support', 'reference', 'scripts'];

/** A directory that runs like the checkout, with reports of its own. */
export function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'sts-run-'));
  for (const name of LINKED) symlinkSync(join(ROOT, name), join(dir, name));
  return dir;
}

export interface ScenarioResult {
  name: string;
  outcome: string;
  reason?: string;
}

export interface Runner {
  child: ChildProcess;
  dir: string;
  /** stdout and stderr so far. */
  output(): string;
  /** Resolves once `re` appears in the output (rejects when the run exits first, or at the deadline). */
  waitFor(re: RegExp, ms?: number): Promise<void>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** reports/conformance-<name>.json of the run. */
  report(name: string): { scenarios: ScenarioResult[] };
  /**
   * Resolves once the run's message stream (reports/<reportDir>/cucumber.ndjson, written as the
   * run goes) satisfies `check`: e.g. a scenario finished and a given step is running.
   */
  waitForMessages(reportDir: string, what: string, check: (p: RunProgress) => boolean, ms?: number): Promise<void>;
}

export interface RunProgress {
  /** Scenarios finished so far. */
  finished: number;
  /** Texts of the steps started and not yet finished. */
  running: string[];
}

/** What the Cucumber message stream says so far. */
export function readProgress(file: string): RunProgress {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return { finished: 0, running: [] };
  }
  const stepText = new Map<string, string>();
  const testStepText = new Map<string, string>();
  const running = new Map<string, string>();
  let finished = 0;
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    let m: Record<string, any>;
    try {
      m = JSON.parse(line);
    } catch {
      continue; // a line being written
    }
    if (m.pickle) for (const st of m.pickle.steps) stepText.set(st.id, st.text);
    if (m.testCase) for (const ts of m.testCase.testSteps) if (ts.pickleStepId) testStepText.set(ts.id, stepText.get(ts.pickleStepId) ?? '');
    if (m.testStepStarted) running.set(`${m.testStepStarted.testCaseStartedId}/${m.testStepStarted.testStepId}`, testStepText.get(m.testStepStarted.testStepId) ?? '(hook)');
    if (m.testStepFinished) running.delete(`${m.testStepFinished.testCaseStartedId}/${m.testStepFinished.testStepId}`);
    if (m.testCaseFinished) finished++;
  }
  return { finished, running: [...running.values()] };
}

/** Starts `node --import tsx scripts/conformance.ts …` in `dir` (a sandbox). */
export function startRunner(dir: string, args: string[], env: NodeJS.ProcessEnv, opts: { detached?: boolean; script?: string } = {}): Runner {
  const child = spawn(process.execPath, ['--import', 'tsx', opts.script ?? 'scripts/conformance.ts', ...args], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: opts.detached ?? false,
  });
  let out = '';
  const listeners = new Set<() => void>();
  const onData = (d: Buffer) => {
    out += d.toString();
    for (const l of listeners) l();
  };
  child.stdout!.on('data', onData);
  child.stderr!.on('data', onData);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  let hasExited = false;
  void exited.then(() => {
    hasExited = true;
    for (const l of listeners) l();
  });
  return {
    child,
    dir,
    output: () => out,
    exited,
    waitFor(re, ms = 120_000) {
      return new Promise((done, fail) => {
        const check = () => {
          if (re.test(out)) finish(() => done());
          else if (hasExited) finish(() => fail(new Error(`the run exited before ${re} appeared:\n${out}`)));
        };
        const timer = setTimeout(() => finish(() => fail(new Error(`${re} did not appear within ${ms / 1000}s:\n${out}`))), ms);
        const finish = (fn: () => void) => {
          clearTimeout(timer);
          listeners.delete(check);
          fn();
        };
        listeners.add(check);
        check();
      });
    },
    report(name) {
      return JSON.parse(readFileSync(join(dir, 'reports', `conformance-${name}.json`), 'utf8'));
    },
    waitForMessages(reportDir, what, check, ms = 120_000) {
      const folder = join(dir, 'reports', reportDir);
      mkdirSync(folder, { recursive: true });
      const file = join(folder, 'cucumber.ndjson');
      return new Promise((done, fail) => {
        const evaluate = () => {
          if (check(readProgress(file))) finish(() => done());
          else if (hasExited) finish(() => fail(new Error(`the run exited before ${what}:\n${out}`)));
        };
        const watcher = watch(folder, () => evaluate());
        const timer = setTimeout(() => finish(() => fail(new Error(`not ${what} within ${ms / 1000}s: ${JSON.stringify(readProgress(file))}\n${out}`))), ms);
        const finish = (fn: () => void) => {
          clearTimeout(timer);
          watcher.close();
          listeners.delete(evaluate);
          fn();
        };
        listeners.add(evaluate);
        evaluate();
      });
    },
  };
}

/** Resolves with the run's exit, killing it at the deadline. */
export async function finished(run: Runner, ms = 240_000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  const timer = setTimeout(() => run.child.kill('SIGKILL'), ms);
  try {
    return await run.exited;
  } finally {
    clearTimeout(timer);
  }
}

/** All descendants of a process (Linux /proc). */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (!children.has(ppid)) children.set(ppid, []);
      children.get(ppid)!.push(Number(entry));
    } catch {
      // gone
    }
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const c of children.get(p) ?? []) {
      out.push(c);
      walk(c);
    }
  };
  walk(pid);
  return out;
}

/** Whether a process exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Resolves with the pids still alive once all have exited or at the deadline. Processes that are
 * not our children cannot be waited on, so this re-checks /proc every 50 ms until then.
 */
export async function survivors(pids: number[], ms = 5_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = pids.filter(alive);
    if (!left.length || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Kills a run that is still going (its process group when it was started detached). */
export function killRun(run: Runner, group = false): void {
  if (run.child.exitCode !== null || run.child.signalCode !== null) return;
  try {
    process.kill(group ? -run.child.pid! : run.child.pid!, 'SIGKILL');
  } catch {
    // gone
  }
}

/**
 * Child processes of the measuring tools (bench, flake-check, mutants). On SIGINT or SIGTERM
 * every child still running gets the same signal — a suite child then winds down as
 * support/interrupt.ts does, removing its namespaces and any control plane it started — and once
 * they have exited the tool dies of the signal. Without this, a signal sent to the tool alone
 * (as CI sends it) would leave its children running.
 */
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
const cleanups: (() => void)[] = [];
let installed = false;
/** The signal the tool is winding down on, once one came. */
let stoppingOn: NodeJS.Signals | undefined;

/** How long children get to wind down before they are killed. */
const WIND_DOWN_MS = 60_000;

/** Tracks a child until it exits; returns it. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  install();
  return child;
}

/**
 * Runs fn (synchronous: scratch files to remove) when the tool ends: at its exit, or on
 * SIGINT/SIGTERM once its children have wound down, before it dies of the signal.
 */
export function onCleanup(fn: () => void): void {
  cleanups.push(fn);
  install();
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', runCleanups);
}

function runCleanups(): void {
  for (const fn of cleanups.splice(0)) {
    try {
      fn();
    } catch (err) {
      console.error(`cleanup failed: ${(err as Error).message}`);
    }
  }
}

/** The signal the tool is winding down on: its children were signalled and it will die of it. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return stoppingOn;
}

function onSignal(sig: NodeJS.Signals): void {
  if (stoppingOn) return;
  stoppingOn = sig;
  const children = [...running].filter((c) => c.exitCode === null && c.signalCode === null);
  if (children.length) console.error(`${sig}: stopping ${children.length} child process(es)`);
  const exited = children.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
  for (const c of children) c.kill(sig);
  const killer = setTimeout(() => {
    for (const c of children) c.kill('SIGKILL');
  }, WIND_DOWN_MS);
  void Promise.all(exited).then(() => {
    clearTimeout(killer);
    runCleanups();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Other handlers (a control plane started in this process) still run theirs and re-raise;
    // with none left, this re-raise ends the process with the signal's default action.
    process.kill(process.pid, sig);
  });
}

/**
 * Child processes of the measuring tools (bench, flake-check, mutants). On SIGINT or SIGTERM
 * every child still running gets the same signal — a suite child then winds down as
 * support/interrupt.ts does, removing its namespaces and any control plane it started — and once
 * they have exited the tool dies of the signal. Without this, a signal sent to the tool alone
 * (as CI sends it) would leave its children running.
 */
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let installed = false;
let stopping = false;

/** How long children get to wind down before they are killed. */
const WIND_DOWN_MS = 60_000;

/** Tracks a child until it exits; returns it. */
export function track(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  if (!installed) {
    installed = true;
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }
  return child;
}

function onSignal(sig: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  const children = [...running].filter((c) => c.exitCode === null && c.signalCode === null);
  if (children.length) console.error(`${sig}: stopping ${children.length} child process(es)`);
  const exited = children.map((c) => new Promise<void>((resolve) => c.once('exit', () => resolve())));
  for (const c of children) c.kill(sig);
  const killer = setTimeout(() => {
    for (const c of children) c.kill('SIGKILL');
  }, WIND_DOWN_MS);
  void Promise.all(exited).then(() => {
    clearTimeout(killer);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    // Other handlers (a control plane started in this process) still run theirs and re-raise;
    // with none left, this re-raise ends the process with the signal's default action.
    process.kill(process.pid, sig);
  });
}

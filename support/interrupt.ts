/**
 * Namespaces survive nothing the harness did not mean, and an interrupted run still reports.
 *
 * Interrupts. Every process of a run installs these handlers: the runner (scripts/conformance.ts,
 * which is also the only worker when the run is not parallel) and each of Cucumber's parallel
 * workers (forked children). On the first SIGINT or SIGTERM a process winds down gracefully:
 *   - `interruptSignal` aborts, so the waits of the scenario that is running fail at once
 *     ("interrupted while waiting for …"), and its After hook deletes its namespace as usual;
 *   - every scenario not yet started is skipped ("run interrupted by SIGINT", support/hooks.ts);
 *   - the runner forwards the signal to its workers (they register their pids in
 *     `$STS_WORKER_PIDS_DIR`), Cucumber finishes, its reports and the conformance report are
 *     written for what finished, and the runner exits 130 (SIGINT) or 143 (SIGTERM).
 * One Ctrl-C reaches a process several times within milliseconds (the terminal signals the whole
 * process group, and npm and tsx relay it too), so signals within `REPEAT_DEBOUNCE_MS` count as
 * one. A later second signal, a graceful wind-down that overruns `STS_INTERRUPT_GRACE_MS`, or a
 * worker losing its runner (IPC disconnect) end the process the hard way: delete every namespace
 * it still tracks, bounded by `STS_INTERRUPT_CLEANUP_MS`, say what is left, and exit.
 *
 * The ledger. On real clusters each namespace is appended to a crash-safe ledger *before* it is
 * created, and a `closed` record is appended once its deletion was accepted, so that after a
 * SIGKILL or a crash `npm run clean` can say which runs left something behind (clean itself
 * deletes by label, never by ledger alone). The ledger is `$STATEFULSET_CONFORMANCE_LEDGER`,
 * else `${XDG_STATE_HOME:-~/.local/state}/statefulset-conformance/ledger.ndjson`: outside the
 * checkout, so that it outlives `git clean` and serves every checkout on the host.
 */
import { appendFileSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { isNotFound } from '../reference/api-errors.ts';
import { RUN_ID_LABEL } from './labels.ts';

/** Where parallel workers register their pids for the runner to forward signals to. */
export const ENV_WORKER_PIDS_DIR = 'STS_WORKER_PIDS_DIR';

const envMs = (name: string, fallback: number): number => {
  const v = Number(process.env[name]);
  return Number.isFinite(v) && v > 0 ? v : fallback;
};
/** How long deleting namespaces may take on the hard path before the process exits anyway. */
const CLEANUP_BUDGET_MS = envMs('STS_INTERRUPT_CLEANUP_MS', 10_000);
/** How long a graceful wind-down may take before the hard path. */
const GRACE_MS = envMs('STS_INTERRUPT_GRACE_MS', 60_000);
/** Signals this close together are one interrupt (one Ctrl-C, relayed). */
const REPEAT_DEBOUNCE_MS = 1_000;

export interface LedgerEntry {
  time: string;
  runId: string;
  namespace: string;
  target: string;
  context?: string;
  server?: string;
  pid: number;
  host: string;
  /** A record that the namespace's deletion was accepted (it is no longer left behind). */
  closed?: boolean;
}

export function ledgerPath(): string {
  if (process.env.STATEFULSET_CONFORMANCE_LEDGER) return process.env.STATEFULSET_CONFORMANCE_LEDGER;
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'statefulset-conformance', 'ledger.ndjson');
}

/** Every record of the ledger, in order (lines torn by a crash mid-write are skipped). */
export function readLedger(path = ledgerPath()): LedgerEntry[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  const entries: LedgerEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    try {
      entries.push(JSON.parse(line) as LedgerEntry);
    } catch {
      // a line torn by a crash mid-write: skip it
    }
  }
  return entries;
}

/** The namespaces the ledger says were created and not yet closed: what may be left behind. */
export function unclosed(entries: LedgerEntry[]): LedgerEntry[] {
  const key = (e: LedgerEntry) => `${e.server ?? ''}\u0000${e.namespace}`;
  const open = new Map<string, LedgerEntry>();
  for (const e of entries) {
    if (e.closed) open.delete(key(e));
    else open.set(key(e), e);
  }
  return [...open.values()];
}

export function writeLedger(entries: LedgerEntry[], path = ledgerPath()): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, entries.map((e) => JSON.stringify(e) + '\n').join(''));
}

function appendLedger(entry: LedgerEntry): void {
  const path = ledgerPath();
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, JSON.stringify(entry) + '\n');
}

/** Whether a run recorded on this host is still going (its process is alive). */
export function isLive(entry: LedgerEntry): boolean {
  if (entry.host !== hostname()) return false;
  try {
    process.kill(entry.pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process nobody has reaped yet (a zombie) still answers signal 0.
  try {
    const stat = readFileSync(`/proc/${entry.pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust signal 0
  }
}

interface Tracked {
  kc: KubeConfig;
  creating?: Promise<unknown>;
  ledger?: LedgerEntry;
}

interface State {
  open: Map<string, Tracked>;
  installed: boolean;
  interrupted?: NodeJS.Signals;
  interruptedAt: number;
  hardExit: boolean;
  controller: AbortController;
}

// On globalThis: the runner and, when not parallel, Cucumber's support code may load this module
// through two loaders; one process must have one state.
const STATE_KEY = Symbol.for('statefulset-conformance.interrupt');
const state: State = ((globalThis as Record<symbol, unknown>)[STATE_KEY] as State | undefined) ??
  ((globalThis as Record<symbol, unknown>)[STATE_KEY] = {
    open: new Map(),
    installed: false,
    interruptedAt: 0,
    hardExit: false,
    controller: new AbortController(),
  } satisfies State) as State;

/** Aborted at the first SIGINT/SIGTERM: waits listen to it. */
export const interruptSignal: AbortSignal = state.controller.signal;

/** The signal that interrupted this run, if any. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return state.interrupted;
}

/** The exit code of a process ended by `signal`, by shell convention. */
export function exitCodeFor(signal: NodeJS.Signals): number {
  return signal === 'SIGTERM' ? 143 : signal === 'SIGINT' ? 130 : 1;
}

export interface OpenOptions {
  /** Target name; namespaces on real clusters (cluster, kind) are written to the ledger. */
  target: string;
  labels: Record<string, string>;
}

const LEDGERED_TARGETS = new Set(['cluster', 'kind']);

/**
 * Creates a namespace through `create`, after recording it in the ledger (real clusters) and
 * tracking it for deletion on interrupt.
 */
export async function openTrackedNamespace<T>(kc: KubeConfig, name: string, opts: OpenOptions, create: () => Promise<T>): Promise<T> {
  if (state.interrupted) throw new Error(`interrupted by ${state.interrupted}: not creating namespace ${name}`);
  installInterruptHandlers();
  const tracked: Tracked = { kc };
  if (LEDGERED_TARGETS.has(opts.target)) {
    tracked.ledger = {
      time: new Date().toISOString(),
      runId: opts.labels[RUN_ID_LABEL] ?? 'unknown',
      namespace: name,
      target: opts.target,
      context: kc.getCurrentContext() || undefined,
      server: kc.getCurrentCluster()?.server,
      pid: process.pid,
      host: hostname(),
    };
    appendLedger(tracked.ledger);
  }
  state.open.set(name, tracked);
  const creating = create();
  tracked.creating = creating.catch(() => undefined);
  try {
    return await creating;
  } catch (err) {
    closeTrackedNamespace(name);
    throw err;
  }
}

/** The namespace was deleted (or its deletion accepted): no longer ours to clean up. */
export function closeTrackedNamespace(name: string): void {
  const tracked = state.open.get(name);
  state.open.delete(name);
  if (tracked?.ledger) {
    try {
      appendLedger({ ...tracked.ledger, time: new Date().toISOString(), closed: true });
    } catch {
      // the ledger only helps `npm run clean` report; deletion by label does not need it
    }
  }
}

/** Namespaces this process opened and has not closed. */
export function openNamespaces(): string[] {
  return [...state.open.keys()];
}

const log = (line: string) => process.stderr.write(`statefulset-conformance[${process.pid}]: ${line}\n`);

/**
 * Installs the SIGINT/SIGTERM handlers (idempotent). Called by the runner and by the support
 * code of every worker (support/hooks.ts) before anything is created.
 */
export function installInterruptHandlers(): void {
  if (state.installed) return;
  state.installed = true;
  process.on('SIGINT', () => onSignal('SIGINT'));
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  if (process.send) {
    // A Cucumber worker whose runner died: nobody will tell it to stop.
    process.on('disconnect', () => void hardCleanup('disconnect'));
    registerWorker();
  }
}

/** Parallel workers tell the runner their pid, so that it can forward a signal sent only to it. */
function registerWorker(): void {
  const dir = process.env[ENV_WORKER_PIDS_DIR];
  if (!dir || process.env.CUCUMBER_PARALLEL !== 'true') return;
  try {
    mkdirSync(dir, { recursive: true });
    const file = join(dir, String(process.pid));
    writeFileSync(file, `${process.ppid}\n`);
    process.on('exit', () => rmSync(file, { force: true }));
  } catch {
    // no forwarding: a terminal's Ctrl-C still reaches the workers directly
  }
}

/** Sends the signal to the workers registered in $STS_WORKER_PIDS_DIR by children of this process. */
function forwardToWorkers(signal: NodeJS.Signals): void {
  const dir = process.env[ENV_WORKER_PIDS_DIR];
  if (!dir) return;
  let pids: string[] = [];
  try {
    pids = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of pids) {
    const pid = Number(name);
    if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) continue;
    try {
      // Only our own children: each worker wrote its parent's pid into its file.
      if (Number(readFileSync(join(dir, name), 'utf8').trim()) !== process.pid) continue;
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

function onSignal(signal: NodeJS.Signals): void {
  const now = Date.now();
  if (state.interrupted) {
    if (now - state.interruptedAt < REPEAT_DEBOUNCE_MS) return; // the same Ctrl-C, relayed
    forwardToWorkers(signal);
    void hardCleanup(`second ${signal}`);
    return;
  }
  state.interrupted = signal;
  state.interruptedAt = now;
  log(`${signal}: stopping after the running scenario (its waits are cut short); a second ${signal} stops at once`);
  forwardToWorkers(signal);
  state.controller.abort(new Error(`interrupted by ${signal}`));
  // The wind-down is bounded; the timer does not keep the process alive.
  setTimeout(() => void hardCleanup(`${signal}: graceful stop took over ${GRACE_MS / 1000}s`), GRACE_MS).unref();
}

/** Deletes what this process still tracks (bounded in time) and exits. */
async function hardCleanup(reason: string): Promise<void> {
  if (state.hardExit) return;
  state.hardExit = true;
  state.interrupted ??= 'SIGTERM';
  const code = reason === 'disconnect' ? 1 : exitCodeFor(state.interrupted);
  const names = openNamespaces();
  if (names.length) log(`${reason}: deleting ${names.length} namespace(s): ${names.join(', ')}`);
  const cleanup = Promise.allSettled(
    names.map(async (name) => {
      const tracked = state.open.get(name)!;
      await tracked.creating;
      try {
        await tracked.kc.makeApiClient(CoreV1Api).deleteNamespace({ name });
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
      closeTrackedNamespace(name);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([cleanup, new Promise((r) => (timer = setTimeout(r, CLEANUP_BUDGET_MS)))]);
  clearTimeout(timer);
  const left = openNamespaces();
  if (left.length) log(`could not delete ${left.join(', ')} in time — remove them with \`npm run clean\``);
  process.exit(code);
}

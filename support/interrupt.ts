/**
 * Namespaces survive nothing the harness did not mean. Every process that creates a namespace
 * (the Cucumber process, or each parallel worker — forked children that receive the
 * terminal's Ctrl-C too) tracks what it opened here, and on SIGINT, SIGTERM, or losing its
 * parent (a worker whose coordinator was killed) deletes them, bounded in time, then exits.
 * A second signal exits at once and prints what is left and how to remove it.
 *
 * On real clusters each namespace is also appended to a crash-safe ledger *before* it is
 * created, so that `npm run clean` can tell which runs left something behind even after a
 * SIGKILL or a crash (clean itself deletes by label, never by ledger alone). The ledger is
 * `$STATEFULSET_CONFORMANCE_LEDGER`, else `${XDG_STATE_HOME:-~/.local/state}/statefulset-conformance/ledger.ndjson`:
 * outside the checkout, so that it outlives `git clean` and serves every checkout on the host.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';

export const RUN_ID_LABEL = 'statefulset-conformance.io/run-id';

/** How long cleanup after a signal may take before the process exits anyway. */
const CLEANUP_BUDGET_MS = Number(process.env.STS_INTERRUPT_CLEANUP_MS ?? 10_000);

export interface LedgerEntry {
  time: string;
  runId: string;
  namespace: string;
  target: string;
  context?: string;
  server?: string;
  pid: number;
  host: string;
}

export function ledgerPath(): string {
  if (process.env.STATEFULSET_CONFORMANCE_LEDGER) return process.env.STATEFULSET_CONFORMANCE_LEDGER;
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'statefulset-conformance', 'ledger.ndjson');
}

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

export function writeLedger(entries: LedgerEntry[], path = ledgerPath()): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, entries.map((e) => JSON.stringify(e) + '\n').join(''));
}

/** Whether a run recorded on this host is still going (its process is alive). */
export function isLive(entry: LedgerEntry): boolean {
  if (entry.host !== hostname()) return false;
  try {
    process.kill(entry.pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

interface Tracked {
  kc: KubeConfig;
  creating?: Promise<unknown>;
}

const open = new Map<string, Tracked>();
let installed = false;
let interrupted = false;

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
  if (interrupted) throw new Error(`interrupted: not creating namespace ${name}`);
  install();
  if (LEDGERED_TARGETS.has(opts.target)) {
    const entry: LedgerEntry = {
      time: new Date().toISOString(),
      runId: opts.labels[RUN_ID_LABEL] ?? 'unknown',
      namespace: name,
      target: opts.target,
      context: kc.getCurrentContext() || undefined,
      server: kc.getCurrentCluster()?.server,
      pid: process.pid,
      host: hostname(),
    };
    const path = ledgerPath();
    mkdirSync(dirname(path), { recursive: true });
    appendFileSync(path, JSON.stringify(entry) + '\n');
  }
  const tracked: Tracked = { kc };
  open.set(name, tracked);
  const creating = create();
  tracked.creating = creating.catch(() => undefined);
  try {
    return await creating;
  } catch (err) {
    open.delete(name);
    throw err;
  }
}

/** The namespace was deleted (or deletion was requested): no longer ours to clean up. */
export function closeTrackedNamespace(name: string): void {
  open.delete(name);
}

/** Namespaces this process opened and has not closed. */
export function openNamespaces(): string[] {
  return [...open.keys()];
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('SIGINT', () => void onInterrupt('SIGINT'));
  process.on('SIGTERM', () => void onInterrupt('SIGTERM'));
  // A Cucumber worker whose coordinator died: nobody will tell it to stop.
  if (process.send) process.on('disconnect', () => void onInterrupt('disconnect'));
}

const log = (line: string) => process.stderr.write(`statefulset-conformance[${process.pid}]: ${line}\n`);

async function onInterrupt(reason: string): Promise<void> {
  const code = reason === 'SIGTERM' ? 143 : 130;
  if (interrupted) {
    const left = openNamespaces();
    if (left.length) log(`second ${reason}: exiting without cleanup; left behind: ${left.join(', ')} — remove them with \`npm run clean\``);
    process.exit(code);
  }
  interrupted = true;
  const names = openNamespaces();
  if (names.length) log(`${reason}: deleting ${names.length} namespace(s): ${names.join(', ')}`);
  const cleanup = Promise.allSettled(
    names.map(async (name) => {
      const tracked = open.get(name)!;
      await tracked.creating;
      try {
        await tracked.kc.makeApiClient(CoreV1Api).deleteNamespace({ name });
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      }
      open.delete(name);
    }),
  );
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([cleanup, new Promise((r) => (timer = setTimeout(r, CLEANUP_BUDGET_MS)))]);
  clearTimeout(timer);
  const left = openNamespaces();
  if (left.length) log(`could not delete ${left.join(', ')} in time — remove them with \`npm run clean\``);
  process.exit(code);
}

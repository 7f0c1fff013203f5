/**
 * Processes for the benchmark: spawning a subject (scripts/bench/serve.ts) and waiting for it
 * to serve, stopping it, and reading its memory from /proc.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { track } from '../lib/children.ts';

export interface Subject {
  pid: number;
  url: string;
  child: ChildProcess;
  /** Resident memory after a full garbage collection (the subject must run with --expose-gc), MiB. */
  collectedRss(): Promise<number>;
  stop(): Promise<void>;
}

/** Spawns `node --import tsx scripts/bench/serve.ts <args>` and resolves once it prints its URL. */
export async function startSubject(args: string[], opts: { nodeArgs?: string[]; deadlineMs?: number; label: string }): Promise<Subject> {
  const child = track(
    spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'scripts/bench/serve.ts', ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-4000);
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${opts.label} did not start within ${(opts.deadlineMs ?? 60_000) / 1000} s: ${stderr}`)), opts.deadlineMs ?? 60_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve((JSON.parse(line) as { url: string }).url);
      } catch {
        reject(new Error(`${opts.label} printed ${line}`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${opts.label} exited (${code}) before serving: ${stderr}`));
    });
  });
  const later: Array<(line: string) => void> = [];
  lines.on('line', (line) => later.shift()?.(line));
  const collectedRss = () =>
    new Promise<number>((resolve, reject) => {
      later.push((line) => {
        const r = JSON.parse(line) as { rssMiB: number; collected: boolean };
        if (r.collected) resolve(r.rssMiB);
        else reject(new Error(`${opts.label} runs without --expose-gc`));
      });
      child.kill('SIGUSR2');
    });
  return { pid: child.pid!, url, child, collectedRss, stop: () => stopChild(child) };
}

/** SIGTERM, then SIGKILL if it has not exited within the deadline. */
export function stopChild(child: ChildProcess, deadlineMs = 15_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), deadlineMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Resident set size now and at its peak (VmHWM), in MiB; undefined when /proc is unreadable. */
export function memoryOf(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rssMiB: kb('VmRSS') / 1024, peakMiB: kb('VmHWM') / 1024 };
  } catch {
    return undefined;
  }
}

/** Resets a process's peak RSS (VmHWM) to its current RSS (Linux `clear_refs` 5); false if not allowed. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/**
 * Tracks the peak resident memory of a set of processes over a phase: resets each one's VmHWM
 * at the start and reads it at the end; where resetting is not allowed it samples VmRSS.
 */
export class PeakMemory {
  private readonly sampled = new Map<number, number>();
  private readonly timer: NodeJS.Timeout;
  private readonly resettable: Set<number>;

  constructor(private readonly pids: number[]) {
    this.resettable = new Set(pids.filter((p) => resetPeak(p)));
    this.timer = setInterval(() => this.sample(), 100);
    this.timer.unref();
    this.sample();
  }

  private sample(): void {
    for (const pid of this.pids) {
      const m = memoryOf(pid);
      if (m) this.sampled.set(pid, Math.max(this.sampled.get(pid) ?? 0, m.rssMiB));
    }
  }

  /** Sum over the processes of each one's peak, in MiB. */
  finish(): number {
    clearInterval(this.timer);
    this.sample();
    let total = 0;
    for (const pid of this.pids) {
      const m = memoryOf(pid);
      total += this.resettable.has(pid) && m ? Math.max(m.peakMiB, this.sampled.get(pid) ?? 0) : (this.sampled.get(pid) ?? 0);
    }
    return Math.round(total);
  }
}

/** CPU time of the whole machine, to report how busy it was over a phase (ours and everyone else's). */
export function cpuTimes(): { busy: number; total: number } {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    busy += t.user + t.nice + t.sys + t.irq;
    total += t.user + t.nice + t.sys + t.irq + t.idle;
  }
  return { busy, total };
}

/** Share of all cores busy between two cpuTimes() readings, 0–1. */
export function busyShare(a: { busy: number; total: number }, b: { busy: number; total: number }): number {
  const total = b.total - a.total;
  return total > 0 ? Math.round(((b.busy - a.busy) / total) * 100) / 100 : 0;
}

/** The machine's load now: load averages, cores, and the busiest processes that are not this benchmark's. */
export function machineLoad(): { loadavg: number[]; cores: number; others: string[] } {
  const mine = new Set<number>([process.pid]);
  const rows: Array<{ pid: number; ppid: number; cpu: number; cmd: string }> = [];
  try {
    const out = execFileSync('ps', ['-eo', 'pid=,ppid=,pcpu=,comm='], { encoding: 'utf8' });
    for (const line of out.split('\n')) {
      const m = /^\s*(\d+)\s+(\d+)\s+([\d.]+)\s+(.+)$/.exec(line);
      if (m) rows.push({ pid: Number(m[1]), ppid: Number(m[2]), cpu: Number(m[3]), cmd: m[4]!.trim() });
    }
    // Our descendants, then our direct ancestors (npm, the shell), to leave them out.
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of rows) if (!mine.has(r.pid) && mine.has(r.ppid)) (mine.add(r.pid), (grew = true));
    }
    const parent = new Map(rows.map((r) => [r.pid, r.ppid]));
    for (let p = parent.get(process.pid), n = 0; p !== undefined && p > 1 && n < 3; p = parent.get(p), n++) mine.add(p);
  } catch {
    // no ps: report load averages only
  }
  const others = rows
    .filter((r) => !mine.has(r.pid) && r.cpu >= 2)
    .sort((a, b) => b.cpu - a.cpu)
    .slice(0, 8)
    .map((r) => `${r.cmd} (${r.cpu}% avg)`);
  return { loadavg: loadavg().map((l) => Math.round(l * 100) / 100), cores: cpus().length, others };
}

/** CPU seconds a process has used (user + system), from /proc; 0 when unreadable. */
export function cpuSecondsOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
}

/**
 * Waits until the given processes are quiet — together under `share` of one core over a 300 ms
 * window — or `deadlineMs` passes, so that one server's after-work (controllers catching up,
 * compaction) does not land in the other's measurement. Returns the seconds waited.
 */
export async function settle(pids: number[], share = 0.05, deadlineMs = 15_000): Promise<number> {
  const t0 = performance.now();
  const total = () => pids.reduce((s, p) => s + cpuSecondsOf(p), 0);
  let before = total();
  while (performance.now() - t0 < deadlineMs) {
    await new Promise((r) => setTimeout(r, 300));
    const now = total();
    if (now - before <= share * 0.3) break;
    before = now;
  }
  return (performance.now() - t0) / 1000;
}

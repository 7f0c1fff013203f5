/**
 * Spawning, health-waiting and stopping of control-plane component processes.
 * Only PIDs spawned here are ever signalled.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export class ComponentProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  private exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  private readonly exitPromise: Promise<void>;

  constructor(
    readonly name: string,
    readonly bin: string,
    readonly args: string[],
    readonly logPath: string,
    opts: { pipeStdout?: boolean } = {},
  ) {
    const fd = openSync(logPath, 'a');
    try {
      this.child = spawn(bin, args, { stdio: ['ignore', opts.pipeStdout ? 'pipe' : fd, fd], detached: false });
    } finally {
      closeSync(fd);
    }
    if (this.child.pid === undefined) throw new Error(`${name}: could not spawn ${bin}`);
    this.pid = this.child.pid;
    this.exitPromise = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.exited = { code, signal };
        resolve();
      });
      this.child.once('error', () => {
        this.exited ??= { code: -1, signal: null };
        resolve();
      });
    });
  }

  get running(): boolean {
    return this.exited === null;
  }

  exitDescription(): string {
    if (!this.exited) return 'running';
    return this.exited.signal ? `killed by ${this.exited.signal}` : `exited with code ${this.exited.code}`;
  }

  /** SIGTERM, wait up to `graceMs`, then SIGKILL. Resolves when the process is gone. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.running) return;
    try {
      this.child.kill('SIGTERM');
    } catch {
      /* already gone */
    }
    const timedOut = await Promise.race([
      this.exitPromise.then(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(true), graceMs).unref()),
    ]);
    if (timedOut && this.running) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
      await this.exitPromise;
    }
  }

  /** Synchronous last resort for process 'exit' handlers. */
  killNow(): void {
    if (this.running) {
      try {
        this.child.kill('SIGKILL');
      } catch {
        /* already gone */
      }
    }
  }

  async logTail(lines = 30): Promise<string> {
    return tailOf(this.logPath, lines);
  }

  waitExit(): Promise<void> {
    return this.exitPromise;
  }
}

export async function tailOf(path: string, lines = 30, maxBytes = 64 * 1024): Promise<string> {
  try {
    const st = await stat(path);
    const buf = await readFile(path);
    const text = buf.subarray(Math.max(0, st.size - maxBytes)).toString('utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

export interface ProbeTls {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  insecure?: boolean;
}

/** One GET; resolves with status and body, or rejects on connection errors. */
export function httpGet(url: string, tls: ProbeTls = {}, timeoutMs = 3000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const opts = {
      method: 'GET',
      hostname: u.hostname,
      port: u.port,
      path: u.pathname + u.search,
      timeout: timeoutMs,
      ...(u.protocol === 'https:'
        ? { ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: !tls.insecure, servername: tls.insecure ? undefined : u.hostname === '127.0.0.1' ? undefined : u.hostname }
        : {}),
    };
    const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(opts, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

export class StartError extends Error {
  constructor(
    readonly component: string,
    message: string,
    readonly logTail: string,
  ) {
    super(`${component}: ${message}\n--- last lines of ${component}.log ---\n${logTail}`);
  }
}

/**
 * Polls `check` until it returns true, the process exits, or the deadline passes.
 * Rejects with a StartError naming the component and carrying its log tail.
 */
export async function waitUntil(
  proc: ComponentProcess,
  what: string,
  check: () => Promise<boolean>,
  deadlineMs: number,
  intervalMs = 100,
): Promise<void> {
  const until = Date.now() + deadlineMs;
  let lastError = '';
  for (;;) {
    if (!proc.running) throw new StartError(proc.name, `${proc.exitDescription()} before ${what}`, await proc.logTail());
    try {
      if (await check()) return;
      lastError = '';
    } catch (err) {
      lastError = (err as Error).message;
    }
    if (Date.now() > until)
      throw new StartError(proc.name, `not ${what} within ${Math.round(deadlineMs / 1000)} s${lastError ? ` (last error: ${lastError})` : ''}`, await proc.logTail());
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** The command line of a live PID (Linux /proc), or null. */
export function cmdlineOf(pid: number): string | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return null;
  }
}

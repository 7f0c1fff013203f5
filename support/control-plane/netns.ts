/**
 * Network namespaces, cgroups and the host-side record of what a real-node run made, so that
 * teardown (and `npm run clean` after a SIGKILL) removes every process, namespace, cgroup and
 * directory the run left, and nothing else.
 *
 * Safety: every namespace made here has loopback and links to the run's other namespaces only.
 * None has a link to the host's interfaces or a default route, so no packet leaves the machine.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, rmdirSync, statSync, writeFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

/** Set in the environment of processes started inside a run's plane namespace: its name. */
export const PLANE_NETNS_ENV = 'STS_PLANE_NETNS';
/** Every namespace and cgroup a run makes starts with this. */
export const NAME_PREFIX = 'sts-';
const NETNS_DIR = '/run/netns';

export class HostSetupError extends Error {
  override name = 'HostSetupError';
}

/** Runs a host tool; a missing one is named with the package that has it. */
export async function tool(cmd: string, args: string[], what = `${cmd} ${args.join(' ')}`): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { maxBuffer: 8 << 20 });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new HostSetupError(`${what}: \`${cmd}\` is not installed (${PACKAGES[cmd] ?? 'install it'})`);
    throw new HostSetupError(`${what} failed: ${(e.stderr || e.message).trim().split('\n').slice(-2).join(' ')}`);
  }
}

const PACKAGES: Record<string, string> = {
  ip: 'apt-get install iproute2',
  iptables: 'apt-get install iptables',
  nsenter: 'apt-get install util-linux',
  unshare: 'apt-get install util-linux',
  containerd: 'apt-get install containerd',
  ctr: 'apt-get install containerd',
  runc: 'apt-get install runc',
};

export function netnsPath(name: string): string {
  return join(NETNS_DIR, name);
}

export async function createNetns(name: string): Promise<void> {
  await tool('ip', ['netns', 'add', name], `creating network namespace ${name}`);
  await tool('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
}

/** PIDs of every process whose network namespace is `name`'s. */
export function pidsInNetns(name: string): number[] {
  let inode: number;
  try {
    inode = statSync(netnsPath(name)).ino;
  } catch {
    return [];
  }
  return allPids().filter((pid) => nsInode(pid, 'net') === inode);
}

/** PIDs of every process in mount namespace `inode`. */
export function pidsInMountNs(inode: number): number[] {
  return allPids().filter((pid) => nsInode(pid, 'mnt') === inode);
}

export function nsInode(pid: number, ns: 'net' | 'mnt'): number | undefined {
  try {
    const m = /\[(\d+)\]/.exec(readlinkSync(`/proc/${pid}/ns/${ns}`));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function allPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** Kills what still runs in the namespace, then deletes it. Idempotent. */
export async function deleteNetns(name: string): Promise<void> {
  if (!existsSync(netnsPath(name))) return;
  killAll(pidsInNetns(name));
  await tool('ip', ['netns', 'delete', name], `deleting network namespace ${name}`).catch(() => {
    // a stale bind mount without a namespace behind it: remove the file
    rmSync(netnsPath(name), { force: true });
  });
}

// ---- cgroups -------------------------------------------------------------------------------

const CGROUP_FS = '/sys/fs/cgroup';

/** The cgroup v1 hierarchies mounted here (cpu, memory, …, name=systemd's "systemd"), or [] on a v2-only host. */
export function cgroupV1Hierarchies(): string[] {
  if (existsSync(join(CGROUP_FS, 'cgroup.controllers'))) return [];
  return readdirSync(CGROUP_FS).filter((d) => d !== 'unified' && existsSync(join(CGROUP_FS, d, 'cgroup.procs')));
}

/** Creates cgroup `root` (e.g. /sts-ab12-n1) in every hierarchy, as the kubelet's cgroupRoot. */
export function createCgroupRoot(root: string): void {
  const v1 = cgroupV1Hierarchies();
  if (v1.length === 0) {
    mkdirSync(join(CGROUP_FS, root), { recursive: true });
    return;
  }
  for (const h of v1) {
    const dir = join(CGROUP_FS, h, root);
    mkdirSync(dir, { recursive: true });
    // cpuset cgroups start empty: a task cannot join one until cpus and mems are set.
    if (existsSync(join(dir, 'cpuset.cpus')) && readFileSync(join(dir, 'cpuset.cpus'), 'utf8').trim() === '') {
      writeFileSync(join(dir, 'cpuset.cpus'), readFileSync(join(CGROUP_FS, h, 'cpuset.cpus'), 'utf8'));
      writeFileSync(join(dir, 'cpuset.mems'), readFileSync(join(CGROUP_FS, h, 'cpuset.mems'), 'utf8'));
    }
  }
}

function cgroupDirs(root: string): string[] {
  const v1 = cgroupV1Hierarchies();
  return (v1.length ? v1.map((h) => join(CGROUP_FS, h, root)) : [join(CGROUP_FS, root)]).filter((d) => existsSync(d));
}

/** PIDs in cgroup `root` or below, in any hierarchy. */
export function pidsInCgroup(root: string): number[] {
  const pids = new Set<number>();
  const walk = (dir: string): void => {
    try {
      for (const line of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n')) if (line) pids.add(Number(line));
      for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) walk(join(dir, e.name));
    } catch {
      // removed meanwhile
    }
  };
  for (const d of cgroupDirs(root)) walk(d);
  return [...pids];
}

/** Kills every task in cgroup `root` and removes it and its children, deepest first. */
export async function removeCgroupRoot(root: string, deadlineMs = 10_000): Promise<void> {
  const end = Date.now() + deadlineMs;
  for (;;) {
    killAll(pidsInCgroup(root));
    let busy = false;
    const rmTree = (dir: string): void => {
      try {
        for (const e of readdirSync(dir, { withFileTypes: true })) if (e.isDirectory()) rmTree(join(dir, e.name));
        rmdirSync(dir);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') busy = true;
      }
    };
    for (const d of cgroupDirs(root)) rmTree(d);
    if (!busy || Date.now() > end) return;
    // A killed task leaves its cgroup when the kernel has reaped it: try again shortly.
    await new Promise((r) => setTimeout(r, 100));
  }
}

// ---- the host-side record ------------------------------------------------------------------

/** What a run made on the host; written before it is made, removed once it is gone. */
export interface HostRecord {
  id: string;
  pid: number;
  host: string;
  startedAt: string;
  netns: string[];
  cgroupRoots: string[];
  dirs: string[];
}

export function hostRecordDir(): string {
  const state = process.env.XDG_STATE_HOME || join(homedir(), '.local', 'state');
  return join(state, 'statefulset-conformance', 'real-nodes');
}

export function writeHostRecord(rec: HostRecord): void {
  mkdirSync(hostRecordDir(), { recursive: true });
  writeFileSync(join(hostRecordDir(), `${rec.id}.json`), `${JSON.stringify(rec, null, 2)}\n`);
}

export function removeHostRecord(id: string): void {
  rmSync(join(hostRecordDir(), `${id}.json`), { force: true });
}

export function readHostRecords(): HostRecord[] {
  if (!existsSync(hostRecordDir())) return [];
  const out: HostRecord[] = [];
  for (const f of readdirSync(hostRecordDir()).filter((n) => n.endsWith('.json'))) {
    try {
      out.push(JSON.parse(readFileSync(join(hostRecordDir(), f), 'utf8')) as HostRecord);
    } catch {
      // half-written: its owner died while writing; nothing to go on
    }
  }
  return out;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes what a record names: processes, namespaces, cgroups, directories; then the record. */
export async function removeRecorded(rec: HostRecord): Promise<void> {
  for (const ns of rec.netns) killAll(pidsInNetns(ns));
  for (const root of rec.cgroupRoots) await removeCgroupRoot(root);
  for (const ns of rec.netns) await deleteNetns(ns);
  for (const dir of rec.dirs) rmSync(dir, { recursive: true, force: true });
  removeHostRecord(rec.id);
}

/** Records whose owner process is gone on this host (a crashed or SIGKILLed run). */
export function orphanedHostRecords(): HostRecord[] {
  return readHostRecords().filter((r) => r.host === hostname() && !alive(r.pid));
}

// ---- running a program inside a run's own plane namespace ----------------------------------

/**
 * Re-runs this script inside a new plane network namespace (loopback only, until real-nodes.ts
 * adds the bridge to the nodes), and removes everything the run made once it exits — whatever
 * way it exits: the host record lets `npm run clean` finish the job after a SIGKILL of this
 * process. Signals are forwarded; resolves to the child's exit code.
 */
export async function runInPlaneNetns(opts: { id: string; dirs: string[]; nodes: number; log: (line: string) => void }): Promise<number> {
  const { id, log } = opts;
  const plane = `${NAME_PREFIX}${id}`;
  const record: HostRecord = {
    id,
    pid: process.pid,
    host: hostname(),
    startedAt: new Date().toISOString(),
    netns: [plane, ...Array.from({ length: opts.nodes }, (_, i) => `${plane}-n${i + 1}`)],
    cgroupRoots: Array.from({ length: opts.nodes }, (_, i) => `/${plane}-n${i + 1}`),
    dirs: opts.dirs,
  };
  for (const stale of orphanedHostRecords()) {
    log(`removing what run ${stale.id} (pid ${stale.pid}, gone) left: ${[...stale.netns, ...stale.cgroupRoots].join(', ')}`);
    await removeRecorded(stale);
  }
  writeHostRecord(record);
  let cleaned: Promise<void> | undefined;
  const cleanup = (): Promise<void> => (cleaned ??= removeRecorded(record));
  try {
    await createNetns(plane);
  } catch (err) {
    await cleanup();
    throw err;
  }
  const child = spawn('nsenter', [`--net=${netnsPath(plane)}`, '--', process.execPath, ...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    env: { ...process.env, [PLANE_NETNS_ENV]: plane, STS_REAL_NODES_ID: id },
  });
  const forward = (sig: NodeJS.Signals): void => {
    child.kill(sig);
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  // A plain exit of this process (a crash) still takes the run's namespaces down.
  const onExit = (): void => {
    for (const ns of record.netns) killAll(pidsInNetns(ns));
  };
  process.on('exit', onExit);
  const code = await new Promise<number>((resolve) => child.on('exit', (c, sig) => resolve(c ?? (sig === 'SIGTERM' ? 143 : sig === 'SIGINT' ? 130 : 1))));
  process.off('SIGINT', forward);
  process.off('SIGTERM', forward);
  await cleanup();
  process.off('exit', onExit);
  return code;
}

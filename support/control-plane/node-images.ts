/**
 * The container images real nodes run, made on this machine with no registry: `pause` from the
 * `build/pause/linux/pause.c` that ships in the k8s.io/kubernetes module (compiled static with
 * gcc, as upstream's image does), and a shell image from Debian's static busybox. Each is a
 * docker-archive tarball (`manifest.json`, an image config, one layer) tagged with the exact
 * names the suite's manifests use, so `ctr images import` makes them look pulled.
 *
 * Tarballs are cached under <cacheRoot>/node-images/<hash of the inputs>/.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { PAUSE_IMAGE, ALTERNATE_IMAGE, SHELL_IMAGE } from '../manifests.ts';
import { cacheRoot, K8S_VERSION } from './binaries.ts';

const execFileP = promisify(execFile);

/** Image names an upstream kubelet or the suite may ask for, per tarball. */
export const PAUSE_TAGS = [PAUSE_IMAGE, ALTERNATE_IMAGE];
export const SHELL_TAGS = [SHELL_IMAGE];

export interface NodeImages {
  /** docker-archive tarballs, ready for `ctr -n k8s.io images import`. */
  tarballs: string[];
  dir: string;
}

export class NodeImageError extends Error {
  override name = 'NodeImageError';
}

async function run(cmd: string, args: string[], what: string, opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  try {
    const { stdout } = await execFileP(cmd, args, { ...opts, maxBuffer: 16 << 20 });
    return stdout;
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new NodeImageError(`${what}: \`${cmd}\` is not installed`);
    throw new NodeImageError(`${what}: ${cmd} ${args.join(' ')} failed: ${(e.stderr || e.message).trim().split('\n').slice(-3).join(' ')}`);
  }
}

/** Where pause.c is: the k8s.io/kubernetes module in the Go module cache (downloaded through the proxy if missing). */
async function pauseSource(): Promise<string> {
  const env = { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' };
  const modcache = (await run('go', ['env', 'GOMODCACHE'], 'finding the Go module cache', { env })).trim();
  const file = join(modcache, `k8s.io/kubernetes@${K8S_VERSION}`, 'build/pause/linux/pause.c');
  if (!existsSync(file)) {
    const tmp = await mkdtemp(join(cacheRoot(), '.gomod-'));
    try {
      await run('go', ['mod', 'download', `k8s.io/kubernetes@${K8S_VERSION}`], `downloading k8s.io/kubernetes@${K8S_VERSION} for pause.c`, { cwd: tmp, env });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  if (!existsSync(file)) throw new NodeImageError(`pause.c not found at ${file}`);
  return file;
}

function busyboxBinary(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (existsSync(p)) return p;
  throw new NodeImageError('no busybox: install Debian\'s busybox-static (apt-get install busybox-static)');
}

const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');

/** Writes a docker-archive tarball of one layer made from `rootfs`. */
async function dockerArchive(rootfs: string, work: string, out: string, tags: string[], config: Record<string, unknown>): Promise<void> {
  const reproducible = ['--sort=name', '--owner=0', '--group=0', '--numeric-owner', '--mtime=@0', '--format=gnu'];
  const layerDir = join(work, 'archive');
  await mkdir(join(layerDir, 'layer'), { recursive: true });
  const layer = join(layerDir, 'layer', 'layer.tar');
  await run('tar', ['-C', rootfs, ...reproducible, '-cf', layer, '.'], 'packing an image layer');
  const diffId = `sha256:${sha256(await readFile(layer))}`;
  const imageConfig = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    config,
    rootfs: { type: 'layers', diff_ids: [diffId] },
    history: [{ created_by: 'statefulset-conformance support/control-plane/node-images.ts' }],
  });
  const configName = `${sha256(imageConfig)}.json`;
  await writeFile(join(layerDir, configName), imageConfig);
  await writeFile(join(layerDir, 'manifest.json'), JSON.stringify([{ Config: configName, RepoTags: tags, Layers: ['layer/layer.tar'] }]));
  await run('tar', ['-C', layerDir, ...reproducible, '-cf', out, 'manifest.json', configName, 'layer/layer.tar'], 'packing an image');
}

async function makePause(pauseC: string, work: string, out: string): Promise<void> {
  const rootfs = join(work, 'pause-rootfs');
  await mkdir(rootfs, { recursive: true });
  // As build/pause/Makefile: static, -Os, the version baked in.
  await run('gcc', ['-Os', '-Wall', '-Werror', '-static', '-DVERSION=v3.10-local', '-o', join(rootfs, 'pause'), pauseC], 'compiling pause.c (needs gcc and libc6-dev)');
  await dockerArchive(join(rootfs), join(work, 'pause'), out, PAUSE_TAGS, { Entrypoint: ['/pause'], User: '65535:65535', WorkingDir: '/' });
}

async function makeShell(busybox: string, work: string, out: string): Promise<void> {
  const rootfs = join(work, 'shell-rootfs');
  for (const d of ['bin', 'etc', 'tmp', 'root']) await mkdir(join(rootfs, d), { recursive: true });
  await chmod(join(rootfs, 'tmp'), 0o1777);
  await copyFile(busybox, join(rootfs, 'bin/busybox'));
  await chmod(join(rootfs, 'bin/busybox'), 0o755);
  const applets = (await run(busybox, ['--list'], 'listing busybox applets')).split('\n').filter((a) => a && a !== 'busybox');
  for (const a of applets) await symlink('busybox', join(rootfs, 'bin', a));
  await writeFile(join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n');
  await writeFile(join(rootfs, 'etc/group'), 'root:x:0:\nnogroup:x:65534:\n');
  await dockerArchive(rootfs, join(work, 'shell'), out, SHELL_TAGS, {
    Cmd: ['sh'],
    Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    WorkingDir: '/',
  });
}

/** Makes (or finds in the cache) the node images; well under a second when cached. */
export async function nodeImages(log: (s: string) => void = () => {}): Promise<NodeImages> {
  const pauseC = await pauseSource();
  const busybox = busyboxBinary();
  const key = sha256(
    [readFileSync(pauseC, 'utf8'), sha256(readFileSync(busybox)), readFileSync(new URL(import.meta.url), 'utf8'), PAUSE_TAGS, SHELL_TAGS].join('\0'),
  ).slice(0, 16);
  const dir = join(cacheRoot(), 'node-images', key);
  const tarballs = [join(dir, 'pause.tar'), join(dir, 'shell.tar')];
  if (tarballs.every((t) => existsSync(t))) return { tarballs, dir };
  await mkdir(join(cacheRoot(), 'node-images'), { recursive: true });
  const work = await mkdtemp(join(cacheRoot(), 'node-images', '.work-'));
  try {
    const started = Date.now();
    await makePause(pauseC, work, join(work, 'pause.tar'));
    await makeShell(busybox, work, join(work, 'shell.tar'));
    await mkdir(dir, { recursive: true });
    await rename(join(work, 'pause.tar'), tarballs[0]!);
    await rename(join(work, 'shell.tar'), tarballs[1]!);
    log(`node images made in ${Date.now() - started} ms: ${[...PAUSE_TAGS, ...SHELL_TAGS].join(', ')} (${dir})`);
  } finally {
    await rm(work, { recursive: true, force: true });
  }
  return { tarballs, dir };
}

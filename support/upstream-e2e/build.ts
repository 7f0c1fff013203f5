/**
 * Builds upstream's e2e test binary, `e2e.test`, at the pinned release, into the control-plane
 * binaries' cache folder (support/control-plane/binaries.ts) beside kube-apiserver & co. It is
 * `go test -c k8s.io/kubernetes/test/e2e` in the control-plane/ wrapper module, with the same
 * environment as `npm run control-plane:build` (GOFLAGS=-mod=mod, GOWORK=off,
 * GOTOOLCHAIN=local, CGO_ENABLED=0, the module proxy without `direct`) and the same version
 * stamp in the ldflags. A stamp of its own (e2e.test.stamp.json) says what it was built from;
 * a fresh stamp and a binary that answers --version is reused.
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { K8S_VERSION } from '../control-plane/binaries.ts';

const execFileP = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const moduleDir = join(repo, 'control-plane');
export const E2E_PACKAGE = 'k8s.io/kubernetes/test/e2e';

export function e2eTestPath(binDir: string): string {
  return join(binDir, 'e2e.test');
}

/** GOPROXY without its `direct`/`off` fallbacks (default: the public proxy), as control-plane:build. */
export function proxyOnly(value: string | undefined): string {
  const proxies = (value ?? '').split(/[,|]/).map((p) => p.trim()).filter((p) => p && p !== 'direct' && p !== 'off');
  return proxies.length > 0 ? proxies.join(',') : 'https://proxy.golang.org';
}

function goEnv(): NodeJS.ProcessEnv {
  return { ...process.env, GOFLAGS: '-mod=mod', GOWORK: 'off', GOTOOLCHAIN: 'local', CGO_ENABLED: '0', GOPROXY: proxyOnly(process.env.GOPROXY) };
}

/** The ldflags control-plane:build gives Kubernetes components, so `e2e.test --version` says the release. */
export function e2eLdflags(version = K8S_VERSION): string {
  const m = /^v(\d+)\.(\d+)\./.exec(version);
  if (!m) throw new Error(`not a Kubernetes release version: ${version}`);
  const parts = ['-s', '-w'];
  for (const p of ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version'])
    parts.push(`-X '${p}.gitVersion=${version}'`, `-X '${p}.gitMajor=${m[1]}'`, `-X '${p}.gitMinor=${m[2]}'`, `-X '${p}.gitTreeState=clean'`);
  return parts.join(' ');
}

interface Stamp {
  k8sVersion: string;
  go: string;
  inputsSha256: string;
}

async function makeStamp(): Promise<Stamp> {
  const { stdout } = await execFileP('go', ['version'], { env: goEnv() });
  const h = createHash('sha256');
  // go.mod decides the sources; this file decides the flags. go.sum is appended to by the build.
  for (const f of [join(moduleDir, 'go.mod'), fileURLToPath(import.meta.url)]) h.update(readFileSync(f)).update('\0');
  return { k8sVersion: K8S_VERSION, go: stdout.trim(), inputsSha256: h.digest('hex') };
}

/** The binary's `--version` line, or null when it is missing or does not run. */
export async function e2eTestVersion(path: string): Promise<string | null> {
  if (!existsSync(path)) return null;
  try {
    const { stdout } = await execFileP(path, ['--version'], { timeout: 30_000 });
    return stdout.trim().split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

export interface BuildResult {
  path: string;
  version: string;
  /** How long the build took, or undefined when the cached binary was fresh. */
  builtMs?: number;
}

/**
 * e2e.test in binDir, built unless the cached one is fresh. `force` rebuilds; the build's
 * output streams to `log` line by line only when it fails (the tail) or `verbose` is set.
 */
export async function ensureE2eTest(binDir: string, opts: { force?: boolean; verbose?: boolean; log: (line: string) => void; signal?: AbortSignal }): Promise<BuildResult> {
  const path = e2eTestPath(binDir);
  const stampPath = join(binDir, 'e2e.test.stamp.json');
  const stampText = `${JSON.stringify(await makeStamp(), null, 2)}\n`;
  if (!opts.force && existsSync(stampPath) && readFileSync(stampPath, 'utf8') === stampText) {
    const version = await e2eTestVersion(path);
    if (version !== null) return { path, version };
    opts.log(`e2e.test in ${binDir} does not run: rebuilding`);
  } else if (!opts.force) opts.log(existsSync(stampPath) ? 'e2e.test stamp differs from the inputs (go.mod, Go, build flags): rebuilding' : `no e2e.test in ${binDir}: building`);
  opts.log(`go test -c ${E2E_PACKAGE} (${K8S_VERSION}) in control-plane/: ~3 min with a warm Go build cache, ~13 min cold on 2 cores`);
  mkdirSync(binDir, { recursive: true });
  rmSync(stampPath, { force: true });
  const tmp = join(binDir, '.e2e.test.tmp');
  const started = Date.now();
  await runGo(['test', '-c', '-trimpath', '-ldflags', e2eLdflags(), '-o', tmp, E2E_PACKAGE], opts);
  renameSync(tmp, path);
  const version = await e2eTestVersion(path);
  if (version === null) throw new Error(`e2e.test was built but \`${path} --version\` fails`);
  writeFileSync(stampPath, stampText);
  const builtMs = Date.now() - started;
  writeFileSync(join(binDir, 'e2e.test.build-time.json'), `${JSON.stringify({ at: new Date().toISOString(), ms: builtMs, sizeMb: Math.round(statSync(path).size / 1e5) / 10 }, null, 2)}\n`);
  return { path, version, builtMs };
}

function runGo(args: string[], opts: { verbose?: boolean; log: (line: string) => void; signal?: AbortSignal }): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const child = spawn('go', args, { cwd: moduleDir, env: goEnv(), stdio: ['ignore', 'pipe', 'pipe'], signal: opts.signal });
    const onData = (b: Buffer) => {
      out = (out + b.toString()).slice(-200_000);
      if (opts.verbose) process.stderr.write(b);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const started = Date.now();
    const beat = setInterval(() => opts.log(`  … e2e.test still building (${Math.round((Date.now() - started) / 1000)} s)`), 60_000);
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearInterval(beat);
      reject(err.code === 'ENOENT' ? new Error('`go` could not start: Go >= 1.26 is needed on PATH to build e2e.test') : err);
    });
    child.on('close', (code, signal) => {
      clearInterval(beat);
      if (code === 0) return resolvePromise();
      const tail = out.trim().split('\n').slice(-25).join('\n');
      reject(new Error(`\`go ${args.join(' ')}\` failed in control-plane/ (${signal ?? `exit ${code}`}):\n${tail}`));
    });
  });
}

/**
 * Builds the control-plane target's binaries from Go modules:
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler (wrapper module control-plane/)
 * and a slim CoreDNS (control-plane/coredns/), into a version-keyed cache folder outside git.
 *
 *   npm run control-plane:build                 build, or reuse a cache whose stamp matches
 *   npm run control-plane:build -- --verbose    also stream go's output (go build -v)
 *   npm run control-plane:build -- --force      rebuild even if the cache is fresh
 *   npm run control-plane:build -- --check      exit 0 if the cache is fresh, 1 if not; build nothing
 *   npm run control-plane:build -- --regen [--k8s=v1.N.M] [--build]
 *                                               regenerate control-plane/go.mod from that release's go.mod
 *                                               (and, with --build, build afterwards)
 *   npm run control-plane:build -- --release v1.36.3
 *                                               build another 1.34–1.37 release (kube-apiserver, KCM,
 *                                               kube-scheduler) into <cache>/k8s-<release>/bin, from a
 *                                               wrapper module generated in <cache>/k8s-<release>/module;
 *                                               etcd and CoreDNS are copied from the pinned build (built first if missing)
 *
 * Env: STS_CONTROL_PLANE_BIN_DIR (binaries folder), STS_CACHE_DIR / XDG_CACHE_HOME (cache root).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  COREDNS_VERSION,
  ENV_RELEASE,
  ETCD_VERSION,
  K8S_VERSION,
  type BinaryName,
  binaryPath,
  controlPlaneBinDir,
  parseRelease,
  releaseCacheDir,
} from '../support/control-plane/binaries.ts';
import { goSatisfies, parseGoVersion, parseKubernetesGoMod, wrapperGoMod } from '../support/control-plane/gomod.ts';
import { parseCli } from './lib/cli.ts';

const execFileP = promisify(execFile);
const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const k8sDir = join(repo, 'control-plane');
const corednsDir = join(k8sDir, 'coredns');

const { values: args } = parseCli({
  name: 'control-plane:build',
  usage: new URL(import.meta.url),
  options: {
    verbose: { type: 'boolean', short: 'v', default: false },
    force: { type: 'boolean', default: false },
    check: { type: 'boolean', default: false },
    regen: { type: 'boolean', default: false },
    build: { type: 'boolean', default: false },
    k8s: { type: 'string' },
    release: { type: 'string' },
  },
});
const verbose = args.verbose;

class UserError extends Error {}

const goEnv: NodeJS.ProcessEnv = {
  ...process.env,
  GOFLAGS: '-mod=mod',
  GOWORK: 'off',
  GOTOOLCHAIN: 'local',
  CGO_ENABLED: '0',
  // The module proxy alone: a module it lacks must fail here, never fall through to a direct fetch.
  GOPROXY: proxyOnly(process.env.GOPROXY),
};

/** GOPROXY without its `direct`/`off` fallbacks (default: the public proxy). */
function proxyOnly(value: string | undefined): string {
  const proxies = (value ?? '').split(/[,|]/).map((p) => p.trim()).filter((p) => p && p !== 'direct' && p !== 'off');
  return proxies.length > 0 ? proxies.join(',') : 'https://proxy.golang.org';
}

interface Target {
  name: BinaryName;
  pkg: string;
  dir: string;
  /** Kubernetes components get the version stamped into component-base and client-go. */
  k8sVersionStamp: boolean;
  versionArgs: string[];
}

const targets: Target[] = [
  { name: 'kube-apiserver', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver', dir: k8sDir, k8sVersionStamp: true, versionArgs: ['--version'] },
  {
    name: 'kube-controller-manager',
    pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager',
    dir: k8sDir,
    k8sVersionStamp: true,
    versionArgs: ['--version'],
  },
  { name: 'kube-scheduler', pkg: 'k8s.io/kubernetes/cmd/kube-scheduler', dir: k8sDir, k8sVersionStamp: true, versionArgs: ['--version'] },
  // The real-nodes option's kubelet, and kubectl of the same release (the kubectl differential).
  { name: 'kubelet', pkg: 'k8s.io/kubernetes/cmd/kubelet', dir: k8sDir, k8sVersionStamp: true, versionArgs: ['--version'] },
  { name: 'kubectl', pkg: 'k8s.io/kubernetes/cmd/kubectl', dir: k8sDir, k8sVersionStamp: true, versionArgs: ['version', '--client'] },
  // -o is required: the default name for a /v3 module path would be "server".
  { name: 'etcd', pkg: 'go.etcd.io/etcd/server/v3', dir: k8sDir, k8sVersionStamp: false, versionArgs: ['--version'] },
  { name: 'coredns', pkg: '.', dir: corednsDir, k8sVersionStamp: false, versionArgs: ['-version'] },
];

function fmtSecs(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

function log(s: string): void {
  process.stderr.write(`[control-plane:build] ${s}\n`);
}

/** Runs a go command; on failure throws a UserError that names the command and explains proxy/network trouble. */
async function runGo(
  goArgs: string[],
  cwd: string,
  opts: { stream?: boolean; label?: string; timeFile?: string } = {},
): Promise<string> {
  const useTime = opts.timeFile !== undefined && existsSync('/usr/bin/time');
  const [cmd, cmdArgs] = useTime
    ? ['/usr/bin/time', ['-f', '%M %e', '-o', opts.timeFile as string, 'go', ...goArgs]]
    : ['go', goArgs];
  const shown = `go ${goArgs.map((a) => (/\s/.test(a) ? `'${a}'` : a)).join(' ')}`;
  return new Promise((resolvePromise, reject) => {
    let out = '';
    const child = spawn(cmd, cmdArgs as string[], { cwd, env: goEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    const onData = (b: Buffer): void => {
      out += b.toString();
      if (out.length > 4_000_000) out = out.slice(-2_000_000);
      if (opts.stream) process.stderr.write(b);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const started = Date.now();
    const beat = opts.label
      ? setInterval(() => log(`  … ${opts.label} still building (${fmtSecs(Date.now() - started)})`), 30_000)
      : undefined;
    child.on('error', (err: NodeJS.ErrnoException) => {
      if (beat) clearInterval(beat);
      reject(
        err.code === 'ENOENT'
          ? new UserError(`\`${shown}\` could not start: Go is not installed or not on PATH. Install Go >= 1.26 (e.g. from the Debian packages or go.dev) and retry.`)
          : err,
      );
    });
    child.on('close', (code) => {
      if (beat) clearInterval(beat);
      if (code === 0) return resolvePromise(out);
      reject(new UserError(diagnose(shown, cwd, out, code)));
    });
  });
}

function diagnose(shown: string, cwd: string, out: string, code: number | null): string {
  const tail = out.trim().split('\n').slice(-25).join('\n');
  const network =
    /dial tcp|no such host|module lookup disabled|connection refused|i\/o timeout|TLS handshake|proxyconnect|Forbidden|unrecognized import path|reading https?:\/\/|server response|lookup .* on/i.test(
      out,
    );
  const checksum = /verifying .*(checksum|go\.sum)|SECURITY ERROR|sumdb|checksum database/i.test(out);
  let hint = '';
  if (network)
    hint =
      `\nThe Go module proxy looks unreachable (GOPROXY=${process.env.GOPROXY ?? '(go env default)'}). ` +
      'Check network access to the proxy (`go env GOPROXY`, `go list -m -versions k8s.io/kubernetes`), ' +
      'or pre-fill the module cache (GOMODCACHE) on a machine that has it, then rerun `npm run control-plane:build`.';
  else if (checksum)
    hint =
      '\nChecksum verification failed. If the checksum database is unreachable, retry with GOSUMDB=off ' +
      '(or GONOSUMDB=k8s.io,go.etcd.io,github.com/coredns).';
  else if (/requires go >=|go: updates to go\.mod needed|toolchain/i.test(out))
    hint = '\nThe Go toolchain on this machine is too old for the pinned modules (GOTOOLCHAIN=local forbids a download).';
  return `\`${shown}\` failed in ${cwd} (exit ${code}):\n${tail}${hint}`;
}

async function goVersion(): Promise<string> {
  try {
    const { stdout } = await execFileP('go', ['version'], { env: goEnv });
    return stdout.trim();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'ENOENT')
      throw new UserError('`go version` failed: Go is not installed or not on PATH. Install Go >= 1.26 and retry `npm run control-plane:build`.');
    throw new UserError(`\`go version\` failed: ${e.message}`);
  }
}

function sha256(...files: string[]): string {
  const h = createHash('sha256');
  for (const f of files) h.update(`${relative(repo, f)}\0`).update(readFileSync(f)).update('\0');
  return h.digest('hex');
}

function goDirective(goModPath: string): string {
  const m = /^go\s+(\S+)/m.exec(readFileSync(goModPath, 'utf8'));
  if (!m) throw new UserError(`${goModPath} has no go directive`);
  return m[1] as string;
}

interface Stamp {
  k8sVersion: string;
  etcdVersion: string;
  corednsVersion: string;
  go: string;
  inputsSha256: string;
  binaries: string[];
}

/**
 * What one build makes. The pinned release builds every binary from control-plane/; another
 * release builds the components whose behaviour is the release's (API server, controllers,
 * scheduler) from a wrapper module in its cache folder, and copies etcd and CoreDNS from the
 * pinned build: the API server talks to etcd 3.6 and 3.7 alike, and CoreDNS is its own module.
 */
interface Plan {
  release: string;
  binDir: string;
  /** The wrapper module the Kubernetes components build in. */
  moduleDir: string;
  targets: Target[];
  /** Binaries copied from the pinned release's folder. */
  copied: BinaryName[];
  pinnedBinDir?: string;
}

const RELEASE_BUILT: readonly BinaryName[] = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

function planFor(release: string): Plan {
  if (release === K8S_VERSION) return { release, binDir: controlPlaneBinDir(), moduleDir: k8sDir, targets, copied: [] };
  const moduleDir = join(releaseCacheDir(release), 'module');
  return {
    release,
    binDir: controlPlaneBinDir({ ...process.env, [ENV_RELEASE]: release }),
    moduleDir,
    targets: targets.filter((t) => RELEASE_BUILT.includes(t.name)).map((t) => ({ ...t, dir: moduleDir })),
    copied: ['etcd', 'coredns'],
    pinnedBinDir: controlPlaneBinDir({ ...process.env, [ENV_RELEASE]: K8S_VERSION, STS_CONTROL_PLANE_BIN_DIR: '' }),
  };
}

function makeStamp(plan: Plan, go: string): Stamp {
  return {
    k8sVersion: plan.release,
    etcdVersion: ETCD_VERSION,
    corednsVersion: COREDNS_VERSION,
    go,
    // go.mod files and the CoreDNS main: what decides the binaries. go.sum is not hashed:
    // the build itself appends to it (GOFLAGS=-mod=mod).
    inputsSha256: sha256(join(plan.moduleDir, 'go.mod'), join(corednsDir, 'go.mod'), join(corednsDir, 'main.go'), fileURLToPath(import.meta.url)),
    binaries: [...plan.targets.map((t) => t.name), ...plan.copied],
  };
}

async function binaryRuns(binDir: string, t: Pick<Target, 'name' | 'versionArgs'>): Promise<string | null> {
  const path = binaryPath(binDir, t.name);
  if (!existsSync(path)) return null;
  try {
    const { stdout, stderr } = await execFileP(path, t.versionArgs, { timeout: 20_000 });
    return (stdout + stderr).trim().split('\n')[0] ?? '';
  } catch {
    return null;
  }
}

/** Checks that control-plane/go.mod pins the versions binaries.ts says. */
function checkPins(): void {
  const mod = readFileSync(join(k8sDir, 'go.mod'), 'utf8');
  const cdns = readFileSync(join(corednsDir, 'go.mod'), 'utf8');
  const problems: string[] = [];
  if (!mod.includes(`k8s.io/kubernetes ${K8S_VERSION}\n`)) problems.push(`control-plane/go.mod does not require k8s.io/kubernetes ${K8S_VERSION}`);
  if (!mod.includes(`go.etcd.io/etcd/server/v3 ${ETCD_VERSION}\n`)) problems.push(`control-plane/go.mod does not require etcd ${ETCD_VERSION}`);
  if (!cdns.includes(`github.com/coredns/coredns ${COREDNS_VERSION}`)) problems.push(`control-plane/coredns/go.mod does not require CoreDNS ${COREDNS_VERSION}`);
  if (problems.length)
    throw new UserError(`${problems.join('; ')}. Keep support/control-plane/binaries.ts and the go.mod files in step (--regen rewrites control-plane/go.mod).`);
}

/** Fetches k8s.io/kubernetes@version's go.mod through the proxy and writes the wrapper go.mod from it into dir. */
async function writeWrapper(version: string, dir: string): Promise<{ etcdVersion: string }> {
  log(`fetching k8s.io/kubernetes@${version}'s go.mod through the module proxy`);
  const scratch = join(tmpdir(), `sts-cp-regen-${process.pid}`);
  mkdirSync(scratch, { recursive: true });
  try {
    const out = await runGo(['mod', 'download', '-json', `k8s.io/kubernetes@${version}`], scratch);
    const info = JSON.parse(out) as { GoMod?: string; Error?: string };
    if (!info.GoMod) throw new UserError(`go mod download gave no go.mod for k8s.io/kubernetes@${version}: ${info.Error ?? out}`);
    const text = readFileSync(info.GoMod, 'utf8');
    const { text: wrapper, etcdVersion } = wrapperGoMod(version, text);
    const parsed = parseKubernetesGoMod(text);
    const target = join(dir, 'go.mod');
    const before = existsSync(target) ? readFileSync(target, 'utf8') : '';
    if (before === wrapper) log(`${target} is already up to date`);
    else {
      mkdirSync(dir, { recursive: true });
      writeFileSync(target, wrapper);
      log(`wrote ${target}: k8s ${version}, etcd ${etcdVersion}, ${parsed.staging.length} staging replaces, go ${parsed.go}`);
    }
    return { etcdVersion };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function regen(): Promise<void> {
  const version = args.k8s ?? K8S_VERSION;
  const { etcdVersion } = await writeWrapper(version, k8sDir);
  if (version !== K8S_VERSION || etcdVersion !== ETCD_VERSION)
    log(`NOTE: update K8S_VERSION=${version} / ETCD_VERSION=${etcdVersion} in support/control-plane/binaries.ts`);
}

function ldflags(t: Target, commit: string, release: string): string {
  const parts = ['-s', '-w'];
  if (t.k8sVersionStamp) {
    const m = /^v(\d+)\.(\d+)\./.exec(release) as RegExpExecArray;
    const date = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    for (const p of ['k8s.io/client-go/pkg/version', 'k8s.io/component-base/version']) {
      parts.push(
        `-X '${p}.gitVersion=${release}'`,
        `-X '${p}.gitMajor=${m[1]}'`,
        `-X '${p}.gitMinor=${m[2]}'`,
        `-X '${p}.gitCommit=${commit}'`,
        `-X '${p}.gitTreeState=clean'`,
        `-X '${p}.buildDate=${date}'`,
      );
    }
  }
  return parts.join(' ');
}

/** The release commit, from the proxy's .info Origin (present for recent module versions). */
async function k8sCommit(release: string, dir: string): Promise<string> {
  try {
    const out = await runGo(['mod', 'download', '-json', `k8s.io/kubernetes@${release}`], dir);
    const info = JSON.parse(out) as { Origin?: { Hash?: string } };
    return info.Origin?.Hash && /^[0-9a-f]{40}$/.test(info.Origin.Hash) ? info.Origin.Hash : 'unknown';
  } catch (err) {
    if (err instanceof UserError) throw err;
    return 'unknown';
  }
}

function releaseArg(): string {
  const release = args.release ?? process.env[ENV_RELEASE] ?? K8S_VERSION;
  try {
    parseRelease(release);
  } catch (err) {
    throw new UserError((err as Error).message);
  }
  return release;
}

/** The binaries a release's build copies from the pinned build: that build runs first if one is missing or broken. */
async function copyFromPinned(plan: Plan, goVer: string): Promise<void> {
  const pinnedDir = plan.pinnedBinDir;
  if (!pinnedDir || plan.copied.length === 0) return;
  const runs = await Promise.all(plan.copied.map((name) => binaryRuns(pinnedDir, targets.find((t) => t.name === name)!)));
  if (runs.some((v) => v === null)) await build(planFor(K8S_VERSION), goVer, { force: false, quietWhenFresh: true });
  for (const name of plan.copied) {
    const tmp = join(plan.binDir, `.${name}.tmp`);
    copyFileSync(binaryPath(pinnedDir, name), tmp);
    renameSync(tmp, binaryPath(plan.binDir, name));
  }
  log(`copied ${plan.copied.join(', ')} from the pinned ${K8S_VERSION} build (${pinnedDir})`);
}

async function build(plan: Plan, goVer: string, opts: { force: boolean; quietWhenFresh?: boolean }): Promise<void> {
  const have = parseGoVersion(goVer);
  for (const gm of [join(plan.moduleDir, 'go.mod'), join(corednsDir, 'go.mod')]) {
    const need = goDirective(gm);
    if (!have || !goSatisfies(have, need))
      throw new UserError(`${goVer} is older than \`go ${need}\` in ${relative(repo, gm)}; install Go >= ${need} (GOTOOLCHAIN=local: no toolchain download).`);
  }
  const { binDir } = plan;
  const stampPath = join(binDir, 'stamp.json');
  const stampText = `${JSON.stringify(makeStamp(plan, goVer), null, 2)}\n`;
  const t0 = Date.now();
  const all: { name: BinaryName; versionArgs: string[] }[] = [...plan.targets, ...plan.copied.map((name) => targets.find((t) => t.name === name)!)];

  if (!opts.force) {
    const old = existsSync(stampPath) ? readFileSync(stampPath, 'utf8') : '';
    if (old === stampText) {
      const versions = await Promise.all(all.map((t) => binaryRuns(binDir, t)));
      if (versions.every((v) => v !== null)) {
        if (!opts.quietWhenFresh) {
          log(`up to date in ${binDir} (${fmtSecs(Date.now() - t0)}):`);
          all.forEach((t, i) => log(`  ${t.name.padEnd(24)} ${versions[i]}`));
        }
        return;
      }
      const broken = all.filter((_, i) => versions[i] === null).map((t) => t.name);
      log(`cache stamp matches but ${broken.join(', ')} do(es) not run with ${all[0]?.versionArgs[0]}${args.check ? '' : ': rebuilding'}`);
    } else if (old) log(`cache stamp differs from the current inputs (versions, go.mod, Go)${args.check ? '' : ': rebuilding'}`);
    else log(`no cached binaries in ${binDir}${args.check ? '' : ': building (cold, empty Go caches: ~7-15 min on 2 cores; warm: ~15 s)'}`);
  }
  if (args.check) {
    process.exitCode = 1;
    return;
  }

  mkdirSync(binDir, { recursive: true });
  rmSync(stampPath, { force: true });
  await copyFromPinned(plan, goVer);
  log(`${goVer}; Kubernetes ${plan.release}, etcd ${ETCD_VERSION}, CoreDNS ${COREDNS_VERSION}`);
  const commit = await k8sCommit(plan.release, plan.moduleDir);
  const results: { name: string; ms: number; maxRssMb?: number; sizeMb: number; version: string }[] = [];
  for (const [i, t] of plan.targets.entries()) {
    log(`[${i + 1}/${plan.targets.length}] ${t.name} (${t.pkg === '.' ? `control-plane/coredns` : t.pkg})`);
    const tmp = join(binDir, `.${t.name}.tmp`);
    const timeFile = join(binDir, `.${t.name}.time`);
    const started = Date.now();
    await runGo(
      ['build', '-trimpath', ...(verbose ? ['-v'] : []), '-ldflags', ldflags(t, commit, plan.release), '-o', tmp, t.pkg],
      t.dir,
      { stream: verbose, label: t.name, timeFile },
    );
    const ms = Date.now() - started;
    renameSync(tmp, binaryPath(binDir, t.name));
    let maxRssMb: number | undefined;
    if (existsSync(timeFile)) {
      const kb = Number(readFileSync(timeFile, 'utf8').trim().split(/\s+/)[0]);
      if (Number.isFinite(kb)) maxRssMb = Math.round(kb / 1024);
      rmSync(timeFile, { force: true });
    }
    const version = await binaryRuns(binDir, t);
    if (version === null) throw new UserError(`${t.name} was built but \`${t.name} ${t.versionArgs.join(' ')}\` fails`);
    const sizeMb = Math.round(statSync(binaryPath(binDir, t.name)).size / 1e5) / 10;
    results.push({ name: t.name, ms, maxRssMb, sizeMb, version });
    log(`    done in ${fmtSecs(ms)}${maxRssMb ? `, peak RSS ${maxRssMb} MB` : ''}, ${sizeMb} MB: ${version}`);
  }
  // Stamp what the binaries were built from *after* the build: with -mod=mod go may have
  // completed a go.mod (the CoreDNS module's indirect requires), and the next run hashes that.
  writeFileSync(stampPath, `${JSON.stringify(makeStamp(plan, goVer), null, 2)}\n`);
  writeFileSync(join(binDir, 'build-times.json'), `${JSON.stringify({ at: new Date().toISOString(), go: goVer, results }, null, 2)}\n`);
  log(`built ${results.length} binaries into ${binDir} in ${fmtSecs(Date.now() - t0)}`);
}

async function main(): Promise<void> {
  if (args.regen) {
    await regen();
    if (!args.build) return;
  }
  checkPins();
  const release = releaseArg();
  const plan = planFor(release);
  if (release !== K8S_VERSION) await writeWrapper(release, plan.moduleDir);
  await build(plan, await goVersion(), { force: args.force });
  if (process.exitCode === undefined) process.stdout.write(`${plan.binDir}\n`);
}

main().catch((err: unknown) => {
  if (err instanceof UserError) log(`ERROR: ${err.message}`);
  else log(`ERROR: ${(err as Error)?.stack ?? String(err)}`);
  process.exit(1);
});

/**
 * `npm run kubectl-diff -- [--sections a,b] [--parallel <n>] [--timeout <s>] [--report <path>] [--bin-dir <dir>] [--list]`
 *
 * The kubectl differential: the scripted kubectl sessions in scripts/kubectl-diff/sessions/*.sh
 * run, as a user would type them, against the reference control plane (in this process) and the
 * local upstream plane (v1.37.2 kube-apiserver, kube-controller-manager, kube-scheduler and etcd
 * with simulated nodes, as `npm run local-cluster`), with the kubectl built from the same Go
 * module graph (`npm run control-plane:build`). Each session gets a namespace of its own on
 * both, so sessions run in parallel (nodes.sh first, alone). The transcripts are normalised
 * (scripts/kubectl-diff/transcript.ts: uids, resourceVersions, times and ages, IPs, event and
 * node names — never ControllerRevision names) and compared step by step.
 *
 * Exit 1 when a step differs that no entry of scripts/kubectl-diff/allow-list.ts allows, or when
 * the ControllerRevision names of a session differ (no entry can allow that). Writes
 * <report>.md and <report>.json (default reports/kubectl-diff) with a verdict per section and
 * unified diffs, and the raw transcripts beside them (<report>/<section>.<plane>.txt).
 */
import { spawn, execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { intOption, parseCli, usageError } from './lib/cli.ts';

const { values } = parseCli({
  name: 'kubectl-diff',
  usage: new URL(import.meta.url),
  options: {
    sections: { type: 'string' },
    parallel: { type: 'string', default: '5' },
    timeout: { type: 'string', default: '240' },
    report: { type: 'string', default: 'reports/kubectl-diff' },
    'bin-dir': { type: 'string' },
    list: { type: 'boolean', default: false },
  },
});

const SESSIONS_DIR = fileURLToPath(new URL('./kubectl-diff/sessions/', import.meta.url));
/** Sessions that run before the others, alone (what they print depends on the whole cluster). */
const FIRST = ['nodes'];
const all = readdirSync(SESSIONS_DIR)
  .filter((f) => f.endsWith('.sh') && f !== 'lib.sh')
  .map((f) => basename(f, '.sh'))
  .sort((a, b) => Number(FIRST.includes(b)) - Number(FIRST.includes(a)) || a.localeCompare(b));
if (values.list) {
  for (const s of all) console.log(`${s}\t${readFileSync(join(SESSIONS_DIR, `${s}.sh`), 'utf8').split('\n')[0]!.replace(/^# /, '')}`);
  process.exit(0);
}
const chosen = values.sections ? values.sections.split(',').map((s) => s.trim()) : all;
for (const s of chosen) if (!all.includes(s)) usageError('kubectl-diff', `no session "${s}" (one of: ${all.join(', ')})`);
const parallel = intOption('kubectl-diff', 'parallel', values.parallel, 1);
const timeoutMs = intOption('kubectl-diff', 'timeout', values.timeout, 10) * 1000;

// Loaded once the options are known.
const { KubeConfig } = await import('@kubernetes/client-node');
const { controlPlaneBinDir, assertBinaries, binaryPath } = await import('../support/control-plane/binaries.ts');
const { parseTranscript } = await import('./kubectl-diff/transcript.ts');
const { compareSection, staleEntries } = await import('./kubectl-diff/compare.ts');
const { ALLOW_LIST } = await import('./kubectl-diff/allow-list.ts');
const { renderReport } = await import('./kubectl-diff/report.ts');

const binDir = values['bin-dir'] ?? controlPlaneBinDir();
try {
  assertBinaries(binDir, ['kubectl', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd']);
} catch (err) {
  console.error(`kubectl-diff: ${(err as Error).message}`);
  process.exit(1);
}
const kubectl = binaryPath(binDir, 'kubectl');
const log = (line: string) => process.stderr.write(`kubectl-diff: ${line}\n`);
const work = mkdtempSync(join(tmpdir(), 'kubectl-diff-'));
const started = Date.now();

type Plane = 'reference' | 'upstream';
const stops: Array<() => Promise<unknown>> = [];
let cleaning: Promise<void> | undefined;
const cleanup = () =>
  (cleaning ??= (async () => {
    for (const stop of stops.splice(0).reverse()) await stop().catch((err: Error) => log(`stopping: ${err.message}`));
    rmSync(work, { recursive: true, force: true });
  })());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`${signal}: stopping`);
    void cleanup().finally(() => process.exit(130));
  });
}

/** The reference plane, in this process, and a kubeconfig for it. */
async function startReference(): Promise<string> {
  const { startReferenceControlPlane } = await import('../reference/index.ts');
  const plane = await startReferenceControlPlane({ clockScale: 1 });
  stops.push(() => plane.stop());
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'reference', server: plane.url, skipTLSVerify: true }],
    users: [{ name: 'reference' }],
    contexts: [{ name: 'reference', cluster: 'reference', user: 'reference' }],
    currentContext: 'reference',
  });
  const file = join(work, 'reference.kubeconfig');
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  return file;
}

/** `npm run local-cluster` as a child that stops when our stdin pipe to it closes. */
async function startUpstream(): Promise<string> {
  const file = join(work, 'upstream.kubeconfig');
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/local-cluster.ts', '--kubeconfig', file, '--bin-dir', binDir, '--exit-with-stdin'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  stops.push(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolveReady, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/^ready /m.test(out)) resolveReady(file);
    });
    child.once('exit', (code) => reject(new Error(`local-cluster exited (${code}) before it was ready:\n${stderr.trim()}`)));
    setTimeout(() => reject(new Error(`local-cluster not ready after 180 s:\n${stderr.trim()}`)), 180_000).unref();
  });
}

/** A copy of a plane's kubeconfig whose context's namespace is the session's, and that namespace. */
async function sessionKubeconfig(plane: Plane, base: string, ns: string): Promise<string> {
  const kc = new KubeConfig();
  kc.loadFromFile(base);
  kc.contexts = kc.contexts.map((c) => ({ ...c, namespace: ns }));
  const file = join(work, `${ns}.${plane}.kubeconfig`);
  writeFileSync(file, kc.exportConfig(), { mode: 0o600 });
  // kubectl apply, as `kubectl create namespace` is itself one of the things compared.
  const child = execFile(kubectl, ['--kubeconfig', file, 'apply', '-f', '-']);
  child.stdin!.end(`{"apiVersion":"v1","kind":"Namespace","metadata":{"name":"${ns}"}}`);
  await new Promise<void>((res, rej) => child.once('exit', (code) => (code === 0 ? res() : rej(new Error(`creating namespace ${ns} on ${plane} failed`)))));
  return file;
}

/** Runs a session's script with bash; its transcript (stdout and stderr as they came). */
async function runSession(section: string, plane: Plane, base: string): Promise<string> {
  const ns = `kd-${section}`;
  const kubeconfig = await sessionKubeconfig(plane, base, ns);
  const child = spawn('bash', ['-c', `source "${SESSIONS_DIR}lib.sh"; source "${SESSIONS_DIR}${section}.sh"`], {
    env: { ...process.env, KUBECONFIG: kubeconfig, NS: ns, PATH: `${dirname(kubectl)}:${process.env.PATH}`, KUBECTL_EXTERNAL_DIFF: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const timer = setTimeout(() => {
    out += `\n$ # session timed out after ${timeoutMs / 1000} s\n`;
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone
    }
  }, timeoutMs);
  await new Promise<void>((r) => child.once('close', () => r()));
  clearTimeout(timer);
  return out;
}

try {
  log(`starting the reference and the upstream plane (${binDir})`);
  const [refConfig, upConfig] = await Promise.all([startReference(), startUpstream()]);
  log(`planes up in ${((Date.now() - started) / 1000).toFixed(1)} s; ${chosen.length} sessions, ${parallel} at a time`);
  const reportDir = resolve(values.report);
  rmSync(reportDir, { recursive: true, force: true });
  mkdirSync(reportDir, { recursive: true });

  const results: Awaited<ReturnType<typeof runBoth>>[] = [];
  async function runBoth(section: string) {
    const t0 = Date.now();
    const [ref, up] = await Promise.all([runSession(section, 'reference', refConfig), runSession(section, 'upstream', upConfig)]);
    writeFileSync(join(reportDir, `${section}.reference.txt`), ref);
    writeFileSync(join(reportDir, `${section}.upstream.txt`), up);
    const result = { ...compareSection(section, parseTranscript(ref), parseTranscript(up), ALLOW_LIST), seconds: (Date.now() - t0) / 1000 };
    log(`${section}: ${result.verdict} (${result.differing.length}/${result.steps} steps differ, ${result.seconds.toFixed(0)} s)`);
    return result;
  }
  const queue = [...chosen];
  while (queue.length && FIRST.includes(queue[0]!)) results.push(await runBoth(queue.shift()!));
  await Promise.all(
    Array.from({ length: Math.min(parallel, queue.length) }, async () => {
      for (let s = queue.shift(); s; s = queue.shift()) results.push(await runBoth(s));
    }),
  );
  results.sort((a, b) => chosen.indexOf(a.section) - chosen.indexOf(b.section));
  const stale = values.sections ? [] : staleEntries(ALLOW_LIST, results);
  const seconds = (Date.now() - started) / 1000;
  const report = renderReport(results, stale, seconds);
  const reportFile = resolve(`${values.report}.md`);
  writeFileSync(reportFile, report.markdown);
  writeFileSync(resolve(`${values.report}.json`), JSON.stringify(report.json, null, 2) + '\n');
  const failed = results.filter((r) => r.verdict === 'differs');
  for (const e of stale) log(`allow-list entry matched nothing (remove it): ${e.section}${e.step ? ` "${e.step}"` : ''} — ${e.reason}`);
  log(
    `${results.length} sections: ${results.filter((r) => r.verdict === 'same').length} same, ` +
      `${results.filter((r) => r.verdict === 'allowed').length} allowed, ${failed.length} differ${failed.length ? ` (${failed.map((r) => r.section).join(', ')})` : ''}; ` +
      `${seconds.toFixed(0)} s; report ${reportFile}`,
  );
  process.exitCode = failed.length ? 1 : 0;
} catch (err) {
  log(`ERROR: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
// The reference plane's timers and the children's pipes would keep node alive.
process.exit(process.exitCode);

/**
 * `npm run matrix -- [--releases v1.34.4,v1.35.4,v1.36.3,v1.37.2] [--gated] [--tags <expr>] [paths…]`
 *
 * The suite on several Kubernetes releases: for each, builds the control plane at that release
 * (`npm run control-plane:build -- --release <r>`, cached by version: a warm rerun costs
 * seconds), runs the control-plane target on it (`--release <r>`, reported as
 * control-plane-<r>), then writes reports/matrix.md and reports/matrix.json with one column per
 * release. The `@k8s:` and `@feature-gate:` tags decide which variant of a scenario runs where;
 * the rest of each column is the same scenario judged on another release.
 *
 * `--gated` runs only the scenarios that carry a `@k8s:` or `@feature-gate:` tag (what differs
 * between releases); `--tags` and paths narrow further. A release may carry feature gates for its
 * control plane after a colon, `v1.36.3:MaxUnavailableStatefulSet=true` (the release's own
 * defaults otherwise; a gate the release does not know stops its API server). A release whose
 * build or run fails is reported and the others still run; the exit code is 1 if any failed. Ctrl-C stops the running step (which cleans up after
 * itself), skips the rest and exits 130.
 *
 * The reference target is not a column: it models v1.37.2 alone (reference/features.ts), and
 * says so in every scenario gated to another release that it skips.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseCli, usageError } from './lib/cli.ts';
import { isFeatureGateList, K8S_VERSION, MATRIX_RELEASES, parseRelease } from '../support/control-plane/binaries.ts';
import type { TargetRun } from '../support/report/conformance.ts';

const NAME = 'matrix';
const { values, positionals } = parseCli({
  name: NAME,
  usage: new URL(import.meta.url),
  options: {
    releases: { type: 'string', default: MATRIX_RELEASES.join(',') },
    gated: { type: 'boolean', default: false },
    tags: { type: 'string' },
    parallel: { type: 'string' },
  },
  allowPositionals: true,
});

/** `v1.36.3` or `v1.36.3:Gate=true,Other=false` — the gates' commas are inside one entry. */
function parseReleases(text: string): { release: string; gates?: string }[] {
  const entries = text.split(/,(?=v\d)/).map((e) => e.trim()).filter(Boolean);
  if (!entries.length) usageError(NAME, '--releases names no release');
  return entries.map((entry) => {
    const [release, gates] = entry.split(':') as [string, string | undefined];
    try {
      parseRelease(release);
    } catch (err) {
      usageError(NAME, `--releases: ${(err as Error).message}`);
    }
    if (gates !== undefined && !isFeatureGateList(gates))
      usageError(NAME, `--releases: ${entry}: feature gates go as ${release}:Name=true|false[,Name=true|false…]`);
    return { release, gates };
  });
}
const entries = parseReleases(values.releases);
const releases = entries.map((e) => e.release);
if (new Set(releases).size !== releases.length) usageError(NAME, '--releases names a release twice (each is one column)');

/** A tag expression for every scenario whose behaviour is release- or gate-dependent. */
function gatedTags(): string {
  const tags = new Set<string>();
  for (const f of readdirSync('features').filter((n) => n.endsWith('.feature')))
    for (const m of readFileSync(join('features', f), 'utf8').matchAll(/@(?:k8s|feature-gate):\S+/g)) tags.add(m[0]);
  return [...tags].sort().join(' or ');
}

const tagExpr = [values.gated ? `(${gatedTags()})` : undefined, values.tags ? `(${values.tags})` : undefined].filter(Boolean).join(' and ');

let interrupted: NodeJS.Signals | undefined;
let child: ReturnType<typeof spawn> | undefined;
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    interrupted ??= sig;
    // The child shares the terminal's process group and got a Ctrl-C of its own; a SIGTERM
    // sent to us alone is passed on.
    if (sig === 'SIGTERM') child?.kill('SIGTERM');
  });

function run(label: string, args: string[]): Promise<{ code: number; secs: number }> {
  const started = Date.now();
  console.log(`matrix: ${label}: ${args.join(' ')}`);
  return new Promise((resolve) => {
    child = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: 'inherit' });
    child.on('exit', (code, signal) => {
      child = undefined;
      const secs = Math.round((Date.now() - started) / 1000);
      resolve({ code: code ?? (signal ? 128 : 1), secs });
    });
  });
}

const reportName = (r: string) => `control-plane-${r}`;
const outcomes: { release: string; step: string; code: number; secs: number }[] = [];
for (const { release, gates } of entries) {
  if (interrupted) break;
  const build = await run(`${release} build`, ['scripts/control-plane-build.ts', '--release', release]);
  outcomes.push({ release, step: 'build', ...build });
  console.log(`matrix: ${release} build: ${build.code === 0 ? 'done' : `FAILED (exit ${build.code})`} in ${build.secs} s`);
  if (build.code !== 0 || interrupted) continue;
  const suite = await run(`${release} suite`, [
    'scripts/conformance.ts',
    '--target',
    'control-plane',
    '--release',
    release,
    '--report-name',
    reportName(release),
    ...(gates ? ['--feature-gates', gates] : []),
    ...(tagExpr ? ['--tags', tagExpr] : []),
    ...(values.parallel ? ['--parallel', values.parallel] : []),
    ...positionals,
  ]);
  outcomes.push({ release, step: 'suite', ...suite });
  console.log(`matrix: ${release} suite: ${suite.code === 0 ? 'passed' : `FAILED (exit ${suite.code})`} in ${suite.secs} s`);
}

// The matrix: this invocation's releases, from the runs each wrote.
const { loadCatalogue, renderMarkdown } = await import('../support/report/conformance.ts');
const runs = releases
  .filter((r) => outcomes.some((o) => o.release === r && o.step === 'suite'))
  .map((r) => join('reports', `conformance-${reportName(r)}.json`))
  .filter((f) => existsSync(f))
  .map((f) => JSON.parse(readFileSync(f, 'utf8')) as TargetRun);
const note = [
  '',
  `Releases: ${entries.map((e) => (e.gates ? `${e.release} (feature gates ${e.gates})` : e.release)).join(', ')}${tagExpr ? `; scenarios: ${tagExpr}` : ''}.`,
  `The reference target models ${K8S_VERSION} only (its feature gates: reference/features.ts), so it is not a column here: scenarios gated to other releases are judged on upstream builds of those releases.`,
  ...outcomes.filter((o) => o.code !== 0).map((o) => `- ${o.release}: ${o.step} failed (exit ${o.code}) after ${o.secs} s`),
  '',
];
const markdown = renderMarkdown(runs, loadCatalogue()).replace(/^# StatefulSet conformance\n/, `# StatefulSet conformance across releases\n${note.join('\n')}`);
mkdirSync('reports', { recursive: true });
writeFileSync('reports/matrix.md', markdown);
writeFileSync('reports/matrix.json', JSON.stringify({ releases: entries, tags: tagExpr || undefined, outcomes, runs }, null, 2));
console.log(`matrix: ${runs.length} release run(s) in reports/matrix.md: ${outcomes.map((o) => `${o.release} ${o.step} ${o.code === 0 ? 'ok' : 'FAILED'} (${o.secs} s)`).join(', ')}`);
if (interrupted) process.exit(interrupted === 'SIGINT' ? 130 : 143);
process.exit(outcomes.some((o) => o.code !== 0) ? 1 : 0);

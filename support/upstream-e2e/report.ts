/**
 * Upstream e2e results per target: reports/e2e-upstream-<target>.json and .md, and what the
 * conformance report shows of them (support/report/conformance.ts): each upstream test with its
 * result beside the guarantees that name it in features/guarantees.json (`upstream`).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { JUnitCase } from './junit.ts';
import { UPSTREAM_PREFIX, findUpstreamTest, skipReason, type TargetAbilities, type UpstreamTest } from './catalogue.ts';

export type UpstreamOutcome = 'passed' | 'failed' | 'skipped';

export interface UpstreamResult {
  /** The catalogue name (after "[sig-apps] StatefulSet "). */
  name: string;
  outcome: UpstreamOutcome;
  /** Why it was skipped. */
  reason?: string;
  durationMs: number;
  /** The failure message (first lines) and where it failed. */
  failure?: string;
}

export interface UpstreamRun {
  target: string;
  /** The e2e.test build (`e2e.test --version`) and the server it ran against. */
  e2eVersion: string;
  serverVersion?: string;
  startedAt: string;
  interrupted?: string;
  tests: UpstreamResult[];
}

/**
 * The catalogue's tests with what JUnit says of them. A test the run skipped by choice gets the
 * catalogue's reason; one skipped at run time (e2eskipper) keeps the framework's message; one
 * Ginkgo filtered out or never reached (a --focus or interrupted run) is skipped with `missing`
 * as its reason.
 */
export function collectResults(cases: JUnitCase[], tests: readonly UpstreamTest[], target: TargetAbilities, missing = 'not run: the run ended before it'): UpstreamResult[] {
  const byName = new Map<string, JUnitCase>();
  // Several e2e.test processes each list every spec: the one that ran (or said why not) wins.
  const filteredOut = (c: JUnitCase) => c.status === 'skipped' && skipMessage(c.message) === 'skipped';
  for (const c of cases) {
    const t = findUpstreamTest(c.name);
    const known = t && byName.get(t.name);
    if (t && (!known || filteredOut(known))) byName.set(t.name, c);
  }
  return tests.map((t) => {
    const c = byName.get(t.name);
    const chosen = skipReason(t, target);
    if (!c) return { name: t.name, outcome: 'skipped', reason: chosen ?? missing, durationMs: 0 };
    // A bare "skipped" is Ginkgo's for a spec its focus/skip filtered out; e2eskipper says why.
    if (c.status === 'skipped') return { name: t.name, outcome: 'skipped', reason: chosen ?? (skipMessage(c.message) === 'skipped' ? missing : skipMessage(c.message)), durationMs: c.durationMs };
    const r: UpstreamResult = { name: t.name, outcome: c.status, durationMs: c.durationMs };
    if (c.status === 'failed') r.failure = failureText(c);
    return r;
  });
}

/** Names in JUnit under the StatefulSet focus that the catalogue does not know (a newer e2e.test). */
export function unknownTests(cases: JUnitCase[]): string[] {
  return cases.filter((c) => c.name.includes(UPSTREAM_PREFIX) && !findUpstreamTest(c.name)).map((c) => c.name);
}

function skipMessage(message: string | undefined): string {
  return (message ?? 'skipped').replace(/^skipped - /, '').trim() || 'skipped';
}

/**
 * The failure's message and where it failed. Ginkgo leaves the message attribute empty for a
 * framework.Failf; the description then starts with "[FAILED] <message>" and ends with
 * "In [It] at: <file:line> @ <time>".
 */
function failureText(c: JUnitCase): string {
  const lines = (c.description ?? '').split('\n');
  const where = lines.find((l) => /^\s*In \[/.test(l))?.trim();
  const message = c.message?.trim() || lines.filter((l) => l.trim() && !/^\s*In \[/.test(l)).join('\n').replace(/^\[(FAILED|PANICKED|TIMEDOUT|INTERRUPTED)\] /, '');
  return firstLines([message || `${c.ginkgoStatus} with no message`, where].filter(Boolean).join('\n'));
}

function firstLines(text: string, n = 8): string {
  return text.split('\n').slice(0, n).join('\n');
}

export function counts(run: UpstreamRun): Record<UpstreamOutcome, number> {
  const c = { passed: 0, failed: 0, skipped: 0 };
  for (const t of run.tests) c[t.outcome]++;
  return c;
}

/** Which guarantees name each upstream test (features/guarantees.json `upstream`). */
export function guaranteesByTest(catalogue: Record<string, { upstream?: string[] }>): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, g] of Object.entries(catalogue)) for (const name of g.upstream ?? []) out.set(name, [...(out.get(name) ?? []), id]);
  return out;
}

const ICON: Record<UpstreamOutcome, string> = { passed: '✅', failed: '❌', skipped: '⏭️' };

export function summaryLine(run: UpstreamRun): string {
  const c = counts(run);
  return `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped of ${run.tests.length} upstream StatefulSet tests`;
}

/** reports/e2e-upstream-<target>.md */
export function renderUpstreamMarkdown(run: UpstreamRun, catalogue: Record<string, { upstream?: string[] }>): string {
  const lines = [`# Upstream e2e (${run.target})`, '', `${run.e2eVersion} against ${run.serverVersion ?? 'unknown server'}, ${run.startedAt}: ${summaryLine(run)}${run.interrupted ? ` (interrupted by ${run.interrupted})` : ''}.`, ''];
  lines.push(...upstreamSection(run, catalogue, { heading: false }));
  return lines.join('\n') + '\n';
}

/** The "Upstream e2e (<target>)" section of conformance.md. */
export function upstreamSection(run: UpstreamRun, catalogue: Record<string, { upstream?: string[] }>, opts: { heading?: boolean } = {}): string[] {
  const by = guaranteesByTest(catalogue);
  const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = opts.heading === false ? [] : [`## Upstream e2e (${run.target})`, '', `${run.e2eVersion}, ${run.startedAt}: ${summaryLine(run)}.`, ''];
  lines.push('| upstream test | result | guarantees |', '|---|---|---|');
  for (const t of run.tests) {
    const detail = t.outcome === 'skipped' ? ` — ${t.reason ?? ''}` : t.outcome === 'failed' ? ` — ${(t.failure ?? '').split('\n')[0]}` : ` (${Math.round(t.durationMs / 1000)} s)`;
    lines.push(`| ${cell(t.name)} | ${ICON[t.outcome]} ${t.outcome}${cell(detail)} | ${(by.get(t.name) ?? []).join(', ') || '—'} |`);
  }
  const failed = run.tests.filter((t) => t.outcome === 'failed');
  if (failed.length) {
    lines.push('', `### Failed upstream tests (${run.target})`, '');
    for (const t of failed) lines.push(`- ${t.name}`, '  ```', ...(t.failure ?? '').split('\n').map((l) => `  ${l}`), '  ```');
  }
  return lines;
}

/** The same section as HTML, for conformance.html. */
export function upstreamSectionHtml(run: UpstreamRun, catalogue: Record<string, { upstream?: string[] }>): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const by = guaranteesByTest(catalogue);
  const label: Record<UpstreamOutcome, string> = { passed: 'pass', failed: 'FAIL', skipped: 'skip' };
  const rows = run.tests
    .map((t) => {
      const detail = t.outcome === 'skipped' ? (t.reason ?? '') : t.outcome === 'failed' ? '' : `${Math.round(t.durationMs / 1000)} s`;
      const failure = t.outcome === 'failed' ? `<pre>${esc(t.failure ?? 'no message')}</pre>` : '';
      return `<tr><td>${esc(t.name)}</td><td class="${t.outcome}"><span class="badge">${label[t.outcome]}</span> ${esc(detail)}${failure}</td><td>${esc((by.get(t.name) ?? []).join(', ') || '—')}</td></tr>`;
    })
    .join('\n');
  return `<h2>Upstream e2e (${esc(run.target)})</h2><p>${esc(run.e2eVersion)}, ${esc(run.startedAt)}: ${esc(summaryLine(run))}.</p>
<table><tr><th>upstream test</th><th>result</th><th>guarantees</th></tr>
${rows}</table>`;
}

/** Every reports/e2e-upstream-<target>.json present (not the .interrupted ones). */
export function loadUpstreamRuns(dir = 'reports'): UpstreamRun[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^e2e-upstream-.+(?<!\.interrupted)\.json$/.test(f))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(dir, f), 'utf8')) as UpstreamRun);
}

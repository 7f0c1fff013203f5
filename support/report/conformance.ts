/**
 * The conformance report: each guarantee of the catalogue against each target run, built from
 * Cucumber's message stream. One run writes `reports/conformance-<target>.json`; the Markdown
 * and HTML reports merge every such file present, one column per target.
 */
import { readFileSync } from 'node:fs';
import type { Envelope } from '@cucumber/messages';
import { LIFECYCLE_MEDIA_TYPE } from './differential.ts';
import { upstreamSection, upstreamSectionHtml, type UpstreamRun } from '../upstream-e2e/report.ts';

export type Outcome = 'passed' | 'failed' | 'skipped' | 'undefined' | 'pending' | 'ambiguous' | 'unknown';

export interface ScenarioResult {
  name: string;
  uri: string;
  line: number;
  guarantees: string[];
  tags: string[];
  outcome: Outcome;
  /** Why it was skipped, or the failure message (first lines). */
  reason?: string;
  durationMs: number;
  /** Pod and PVC lifecycle milestones per object (support/report/differential.ts). */
  lifecycles?: Record<string, string[]>;
}

export interface TargetRun {
  target: string;
  serverVersion?: string;
  startedAt: string;
  /** Set when a signal cut the run short (the rest of its scenarios are skipped). */
  interrupted?: string;
  scenarios: ScenarioResult[];
}

export interface Guarantee {
  title: string;
  area: string;
  /** Upstream's StatefulSet e2e tests that check it (support/upstream-e2e/catalogue.ts names). */
  upstream?: string[];
}

export function loadCatalogue(path = 'features/guarantees.json'): Record<string, Guarantee> {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const RANK: Outcome[] = ['passed', 'skipped', 'unknown', 'pending', 'undefined', 'ambiguous', 'failed'];

/** Folds Cucumber messages into scenario results. Feed it every envelope, then call results(). */
export class ResultCollector {
  private readonly pickles = new Map<string, { name: string; uri: string; line: number; tags: string[] }>();
  private readonly lines = new Map<string, number>();
  private readonly testCases = new Map<string, string>();
  private readonly started = new Map<string, { testCaseId: string; at: number }>();
  private readonly outcome = new Map<string, { outcome: Outcome; reason?: string; durationMs: number; lifecycles?: Record<string, string[]> }>();
  serverVersion?: string;

  add(envelope: Envelope): void {
    if (envelope.gherkinDocument) {
      const walk = (children: readonly any[]) => {
        for (const child of children ?? []) {
          if (child.scenario) this.lines.set(child.scenario.id, child.scenario.location.line);
          if (child.rule) walk(child.rule.children);
        }
      };
      walk(envelope.gherkinDocument.feature?.children ?? []);
    }
    if (envelope.pickle) {
      const p = envelope.pickle;
      this.pickles.set(p.id, { name: p.name, uri: p.uri, line: this.lines.get(p.astNodeIds[0]) ?? 0, tags: p.tags.map((t) => t.name) });
    }
    if (envelope.testCase) this.testCases.set(envelope.testCase.id, envelope.testCase.pickleId);
    if (envelope.testCaseStarted) {
      const s = envelope.testCaseStarted;
      this.started.set(s.id, { testCaseId: s.testCaseId, at: toMs(s.timestamp) });
      this.outcome.set(s.testCaseId, { outcome: 'passed', durationMs: 0 });
    }
    if (envelope.attachment?.testCaseStartedId && envelope.attachment.mediaType === LIFECYCLE_MEDIA_TYPE) {
      const testCaseId = this.started.get(envelope.attachment.testCaseStartedId)?.testCaseId;
      const current = testCaseId && this.outcome.get(testCaseId);
      if (current) current.lifecycles = JSON.parse(envelope.attachment.body) as Record<string, string[]>;
    }
    if (envelope.attachment?.testCaseStartedId && envelope.attachment.mediaType === 'text/plain') {
      const body = envelope.attachment.body;
      const testCaseId = this.started.get(envelope.attachment.testCaseStartedId)?.testCaseId;
      const current = testCaseId && this.outcome.get(testCaseId);
      if (current && body.startsWith('skipped: ')) current.reason = body.slice('skipped: '.length);
      const version = /^namespace \S+ on \S+ \((.+)\)$/.exec(body);
      if (version) this.serverVersion = version[1];
    }
    if (envelope.testStepFinished) {
      const f = envelope.testStepFinished;
      const testCaseId = this.started.get(f.testCaseStartedId)?.testCaseId;
      const current = testCaseId && this.outcome.get(testCaseId);
      if (!current) return;
      const status = f.testStepResult.status.toLowerCase() as Outcome;
      if (RANK.indexOf(status) > RANK.indexOf(current.outcome)) {
        current.outcome = status;
        if (status !== 'skipped' && f.testStepResult.message) current.reason = firstLines(f.testStepResult.message);
        if (status === 'undefined') current.reason = 'a step has no definition: the run printed a TypeScript snippet for it (docs/steps.md lists the steps there are)';
      }
    }
    if (envelope.testCaseFinished) {
      const f = envelope.testCaseFinished;
      const started = this.started.get(f.testCaseStartedId);
      const current = started && this.outcome.get(started.testCaseId);
      if (current && started) current.durationMs = toMs(f.timestamp) - started.at;
    }
  }

  results(): ScenarioResult[] {
    const out: ScenarioResult[] = [];
    for (const [testCaseId, pickleId] of this.testCases) {
      const pickle = this.pickles.get(pickleId);
      const result = this.outcome.get(testCaseId);
      if (!pickle) continue;
      out.push({
        ...pickle,
        guarantees: pickle.tags.filter((t) => t.startsWith('@guarantee:')).map((t) => t.slice('@guarantee:'.length)),
        outcome: result?.outcome ?? 'unknown',
        reason: result?.reason,
        durationMs: result?.durationMs ?? 0,
        ...(result?.lifecycles ? { lifecycles: result.lifecycles } : {}),
      });
    }
    return out;
  }
}

function toMs(t: { seconds: number; nanos: number }): number {
  return t.seconds * 1000 + Math.round(t.nanos / 1e6);
}

function firstLines(text: string, n = 6): string {
  return text.split('\n').slice(0, n).join('\n');
}

/** One cell of the matrix: how a guarantee fared on one target. */
export function verdict(run: TargetRun, id: string): { outcome: Outcome | 'untested'; detail: string } {
  const scenarios = run.scenarios.filter((s) => s.guarantees.includes(id));
  if (scenarios.length === 0) return { outcome: 'untested', detail: 'uncovered: no scenario in this run' };
  const worst = scenarios.reduce((a, b) => (RANK.indexOf(b.outcome) > RANK.indexOf(a.outcome) ? b : a));
  const counts = `${scenarios.filter((s) => s.outcome === 'passed').length}/${scenarios.length}`;
  return { outcome: worst.outcome, detail: worst.outcome === 'passed' ? counts : `${counts}: ${worst.name}${worst.reason ? ` — ${worst.reason.split('\n')[0]}` : ''}` };
}

const ICON: Record<string, string> = { passed: '✅', failed: '❌', skipped: '⏭️', untested: '—', undefined: '❓', pending: '⏸️', ambiguous: '❓', unknown: '❓' };

export function renderMarkdown(runs: TargetRun[], catalogue: Record<string, Guarantee>, upstream: UpstreamRun[] = []): string {
  const lines = ['# StatefulSet conformance', ''];
  for (const run of runs) {
    const total = run.scenarios.length;
    const by = (o: Outcome) => run.scenarios.filter((s) => s.outcome === o).length;
    const g = guaranteeCounts(run, catalogue);
    lines.push(
      `- **${run.target}** (${run.serverVersion ?? 'unknown version'}, ${run.startedAt}): ${by('passed')} passed, ${by('failed')} failed, ${by('skipped')} skipped of ${total} scenarios; ` +
        `guarantees: ${g.passed} passed of ${g.exercised} exercised (${g.total} in the catalogue)`,
    );
  }
  lines.push('', `| guarantee | ${runs.map((r) => r.target).join(' | ')} |`, `|---|${runs.map(() => '---').join('|')}|`);
  for (const [id, g] of touched(runs, catalogue)) {
    const cells = runs.map((r) => {
      const v = verdict(r, id);
      return `${ICON[v.outcome]} ${v.detail.replace(/\|/g, '\\|')}`.trim();
    });
    lines.push(`| **${id}** ${g.title.replace(/\|/g, '\\|')} | ${cells.join(' | ')} |`);
  }
  const skipped = runs.flatMap((r) => r.scenarios.filter((s) => s.outcome === 'skipped').map((s) => ({ ...s, target: r.target })));
  if (skipped.length) {
    lines.push('', '## Skipped scenarios', '');
    for (const s of skipped) lines.push(`- ${s.target}: ${s.name} (${s.uri}:${s.line}): ${s.reason ?? 'no reason given'}`);
  }
  const failed = runs.flatMap((r) => r.scenarios.filter((s) => s.outcome !== 'passed' && s.outcome !== 'skipped').map((s) => ({ ...s, target: r.target })));
  if (failed.length) {
    lines.push('', '## Failed scenarios', '');
    for (const s of failed) lines.push(`- ${s.target}: ${s.name} (${s.uri}:${s.line}): ${s.outcome}`, '  ```', ...(s.reason ?? '').split('\n').map((l) => `  ${l}`), '  ```');
  }
  for (const run of upstream) lines.push('', ...upstreamSection(run, catalogue));
  return lines.join('\n') + '\n';
}

/** How many guarantees a run exercised (some scenario ran: passed or failed) and how many passed. */
export function guaranteeCounts(run: TargetRun, catalogue: Record<string, Guarantee>): { total: number; exercised: number; passed: number } {
  let exercised = 0;
  let passed = 0;
  for (const id of Object.keys(catalogue)) {
    const ran = run.scenarios.filter((s) => s.guarantees.includes(id) && s.outcome !== 'skipped');
    if (!ran.length) continue;
    exercised++;
    if (ran.every((s) => s.outcome === 'passed')) passed++;
  }
  return { total: Object.keys(catalogue).length, exercised, passed };
}

/** The catalogue entries some run has a scenario for: a subset run shows only what it touched. */
function touched(runs: TargetRun[], catalogue: Record<string, Guarantee>): [string, Guarantee][] {
  return Object.entries(catalogue).filter(([id]) => runs.some((r) => r.scenarios.some((s) => s.guarantees.includes(id))));
}

const LABEL: Record<string, string> = { passed: 'pass', failed: 'FAIL', skipped: 'skip', untested: '—', undefined: 'undefined', pending: 'pending', ambiguous: 'ambiguous', unknown: 'unknown' };

/**
 * The matrix as a page: a summary per target, the matrix (colours from CSS, not emoji fonts),
 * and every failure with its message, a link to the scenario in the target's Cucumber report
 * and, where the run kept them, to the component logs. Links are relative to reports/.
 */
export function renderHtml(
  runs: TargetRun[],
  catalogue: Record<string, Guarantee>,
  opts: { hasLogs?: (target: string) => boolean; upstream?: UpstreamRun[] } = {},
): string {
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
  const scenarioLink = (target: string, name: string) => `${encodeURIComponent(target)}/cucumber.html?query=${encodeURIComponent(name)}`;
  const summary = runs
    .map((r) => {
      const by = (o: Outcome) => r.scenarios.filter((s) => s.outcome === o).length;
      const g = guaranteeCounts(r, catalogue);
      const failed = r.scenarios.length - by('passed') - by('skipped');
      return (
        `<tr><th><a href="${encodeURIComponent(r.target)}/cucumber.html">${esc(r.target)}</a></th><td>${esc(r.serverVersion ?? 'unknown')}</td><td>${esc(r.startedAt)}</td>` +
        `<td class="${by('passed') ? 'passed' : ''}">${by('passed')}</td><td class="${failed ? 'failed' : ''}">${failed}</td><td class="skipped">${by('skipped')}</td>` +
        `<td class="${g.passed === g.exercised && g.exercised ? 'passed' : g.passed < g.exercised ? 'failed' : ''}">${g.passed} / ${g.exercised}</td></tr>`
      );
    })
    .join('\n');
  const shown = touched(runs, catalogue);
  const rows = shown
    .map(([id, g]) => {
      const cells = runs
        .map((r) => {
          const v = verdict(r, id);
          return `<td class="${v.outcome}" title="${esc(v.detail)}"><span class="badge">${LABEL[v.outcome]}</span> ${esc(v.detail)}</td>`;
        })
        .join('');
      return `<tr><td><b>${id}</b> ${esc(g.title)}<br><small>${esc(g.area)}</small></td>${cells}</tr>`;
    })
    .join('\n');
  const hidden = Object.keys(catalogue).length - shown.length;
  const failures = runs.flatMap((r) =>
    r.scenarios
      .filter((s) => s.outcome !== 'passed' && s.outcome !== 'skipped')
      .map(
        (s) =>
          `<li><b>${esc(r.target)}</b>: <a href="${scenarioLink(r.target, s.name)}">${esc(s.name)}</a> <small>(${esc(s.uri)}:${s.line}, ${esc(s.outcome)}` +
          `${opts.hasLogs?.(r.target) ? `; <a href="${encodeURIComponent(r.target)}/logs/">component logs</a>` : ''})</small><pre>${esc(s.reason ?? 'no message')}</pre></li>`,
      ),
  );
  return `<!doctype html><meta charset="utf-8"><title>StatefulSet conformance</title>
<style>body{font:14px system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}td,th{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}
.passed{background:#dff3df}.failed{background:#f9d6d6}.skipped{background:#eee;color:#555}.untested{color:#999}
.badge{display:inline-block;min-width:2.6em;padding:0 4px;border-radius:3px;font:bold 11px monospace;text-align:center;color:#fff;background:#888}
.passed .badge{background:#2e7d32}.failed .badge{background:#c62828}.skipped .badge{background:#757575}.untested .badge{background:none;color:#999}
pre{white-space:pre-wrap;background:#faf4f4;border-left:3px solid #c62828;padding:6px;margin:4px 0 12px}</style>
<h1>StatefulSet conformance</h1>
<h2>Summary</h2><table><tr><th>target</th><th>version</th><th>started</th><th>passed</th><th>failed</th><th>skipped</th><th>guarantees passed / exercised</th></tr>
${summary}</table>
${failures.length ? `<h2>Failures (${failures.length})</h2><ul>${failures.join('\n')}</ul>` : '<h2>Failures</h2><p>None.</p>'}
<h2>Guarantees</h2>${hidden ? `<p><small>${hidden} guarantees of the catalogue have no scenario in these runs and are not shown.</small></p>` : ''}
<table><tr><th>guarantee</th>${runs.map((r) => `<th>${esc(r.target)}<br><small>${esc(r.serverVersion ?? '')}</small></th>`).join('')}</tr>
${rows}</table>
${(opts.upstream ?? []).map((u) => upstreamSectionHtml(u, catalogue)).join('\n')}`;
}

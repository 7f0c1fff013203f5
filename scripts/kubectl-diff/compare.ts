/**
 * Compares two normalised transcripts of one session step by step, and writes unified diffs.
 * A differing step is allowed only by an allow-list entry for its section whose `step` occurs
 * in its command (or an entry without `step`, for the whole section).
 */
import { renderSteps, revisionNames, type Step } from './transcript.ts';

export interface AllowEntry {
  section: string;
  /** A substring of the step's command; absent: every step of the section. */
  step?: string;
  reason: string;
}

export interface StepDiff {
  command: string;
  allowedBy?: AllowEntry;
}

export type Verdict = 'same' | 'allowed' | 'differs';

export interface SectionResult {
  section: string;
  verdict: Verdict;
  steps: number;
  differing: StepDiff[];
  /** ControllerRevision names each side listed; must be equal whatever the allow-list says. */
  revisions: { reference: string[]; upstream: string[]; equal: boolean };
  diff: string;
}

export function compareSection(section: string, reference: Step[], upstream: Step[], allow: AllowEntry[]): SectionResult {
  const differing: StepDiff[] = [];
  const n = Math.max(reference.length, upstream.length);
  for (let i = 0; i < n; i++) {
    const a = reference[i];
    const b = upstream[i];
    if (a && b && a.command === b.command && a.lines.join('\n') === b.lines.join('\n')) continue;
    const command = a?.command ?? b!.command;
    const allowedBy = allow.find((e) => e.section === section && (e.step === undefined || command.includes(e.step)));
    differing.push({ command, allowedBy });
  }
  const revisions = { reference: revisionNames(reference), upstream: revisionNames(upstream), equal: false };
  revisions.equal = revisions.reference.join() === revisions.upstream.join();
  const verdict: Verdict = !revisions.equal || differing.some((d) => !d.allowedBy) ? 'differs' : differing.length ? 'allowed' : 'same';
  const diff = differing.length ? unifiedDiff(renderSteps(reference), renderSteps(upstream), 'reference', 'upstream') : '';
  return { section, verdict, steps: n, differing, revisions, diff };
}

/** Allow-list entries that matched no differing step: stale, to be removed. */
export function staleEntries(allow: AllowEntry[], results: SectionResult[]): AllowEntry[] {
  const used = new Set(results.flatMap((r) => r.differing.map((d) => d.allowedBy)).filter(Boolean));
  const ran = new Set(results.map((r) => r.section));
  return allow.filter((e) => ran.has(e.section) && !used.has(e));
}

/** `diff -u` of two line lists (LCS; transcripts are a few hundred lines). */
export function unifiedDiff(a: string[], b: string[], nameA: string, nameB: string, context = 3): string {
  const n = a.length;
  const m = b.length;
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..].
  const lcs = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
  }
  type Op = { t: ' ' | '-' | '+'; line: string; ai: number; bi: number };
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) ops.push({ t: ' ', line: a[i]!, ai: i++, bi: j++ });
    else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ t: '-', line: a[i]!, ai: i++, bi: j });
    else ops.push({ t: '+', line: b[j]!, ai: i, bi: j++ });
  }
  const out = [`--- ${nameA}`, `+++ ${nameB}`];
  let k = 0;
  while (k < ops.length) {
    if (ops[k]!.t === ' ') {
      k++;
      continue;
    }
    // A hunk: from `context` lines before this change to `context` lines after the last change
    // that is at most 2*context lines further on.
    const start = Math.max(0, k - context);
    let end = k;
    let last = k;
    while (end < ops.length) {
      if (ops[end]!.t !== ' ') last = end;
      else if (end - last > 2 * context) break;
      end++;
    }
    end = Math.min(ops.length, last + context + 1);
    const hunk = ops.slice(start, end);
    const aLen = hunk.filter((o) => o.t !== '+').length;
    const bLen = hunk.filter((o) => o.t !== '-').length;
    out.push(`@@ -${hunk[0]!.ai + 1},${aLen} +${hunk[0]!.bi + 1},${bLen} @@`);
    for (const o of hunk) out.push(o.t + o.line);
    k = end;
  }
  return out.join('\n');
}

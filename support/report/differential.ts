/**
 * Differential timelines: for each scenario, the lifecycle milestones of every pod and PVC
 * (created, running, ready, bound, terminating, deleted; per name, no times) on one target
 * compared with the same scenario on the reference target. Two implementations that keep the
 * same promises in the same way produce the same sequences; a difference points at a place
 * where the reference and Kubernetes disagree (or where a scenario depends on timing).
 */
import type { ScenarioResult, TargetRun } from './conformance.ts';

/** Media type of the per-scenario lifecycle attachment (support/hooks.ts writes it). */
export const LIFECYCLE_MEDIA_TYPE = 'application/vnd.statefulset-conformance.lifecycles+json';

export type Lifecycles = Record<string, string[]>;

export interface ObjectDifference {
  object: string;
  baseline: string[];
  other: string[];
}

export interface ScenarioDifference {
  scenario: string;
  where: string;
  differences: ObjectDifference[];
}

export interface Comparison {
  baseline: string;
  other: string;
  compared: number;
  /** Scenarios that ran on only one side (skipped or failed elsewhere), not compared. */
  notCompared: Array<{ scenario: string; where: string; why: string }>;
  differing: ScenarioDifference[];
  /**
   * Scenarios where, for every object, one target's sequence is a prefix of the other's: the
   * scenario ended before the slower target got as far (timing, not behaviour).
   */
  timingOnly: ScenarioDifference[];
}

const key = (s: ScenarioResult) => `${s.uri}:${s.line}:${s.name}`;

/** Compares every scenario that passed on both runs and carries lifecycles. */
export function compareRuns(baseline: TargetRun, other: TargetRun): Comparison {
  const result: Comparison = { baseline: baseline.target, other: other.target, compared: 0, notCompared: [], differing: [], timingOnly: [] };
  const theirs = new Map(other.scenarios.map((s) => [key(s), s]));
  for (const mine of baseline.scenarios) {
    const their = theirs.get(key(mine));
    const where = `${mine.uri}:${mine.line}`;
    if (!their) continue;
    if (mine.outcome !== 'passed' || their.outcome !== 'passed' || !mine.lifecycles || !their.lifecycles) {
      if (mine.outcome === 'passed' || their.outcome === 'passed') {
        const why =
          mine.outcome === 'passed' && their.outcome === 'passed'
            ? `no lifecycle data on ${!mine.lifecycles ? baseline.target : other.target} (a run from before differential timelines)`
            : `${baseline.target} ${mine.outcome}, ${other.target} ${their.outcome}`;
        result.notCompared.push({ scenario: mine.name, where, why });
      }
      continue;
    }
    result.compared++;
    const differences = diffLifecycles(mine.lifecycles, their.lifecycles);
    if (!differences.length) continue;
    (differences.every(isPrefixDifference) ? result.timingOnly : result.differing).push({ scenario: mine.name, where, differences });
  }
  return result;
}

/** One sequence is the start of the other: the same path, cut short. */
export function isPrefixDifference(d: ObjectDifference): boolean {
  const [short, long] = d.baseline.length <= d.other.length ? [d.baseline, d.other] : [d.other, d.baseline];
  return short.every((m, i) => long[i] === m);
}

export function diffLifecycles(a: Lifecycles, b: Lifecycles): ObjectDifference[] {
  const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  return names
    .filter((n) => (a[n] ?? []).join(' ') !== (b[n] ?? []).join(' '))
    .map((object) => ({ object, baseline: a[object] ?? [], other: b[object] ?? [] }));
}

export function renderDifferential(comparisons: Comparison[]): string {
  const lines = ['# Differential timelines', ''];
  lines.push(
    'For every scenario that passed on both targets, the lifecycle milestones of each pod and PVC',
    '(created, running, ready, bound, terminating, deleted), in order and without times, on the',
    'reference target against the other target. Listed: the scenarios whose sequences differ.',
    '',
  );
  if (!comparisons.length) lines.push('Only one target run is in reports/: nothing to compare yet.');
  for (const c of comparisons) {
    lines.push(
      `## ${c.baseline} vs ${c.other}`,
      '',
      `${c.compared} scenarios compared; ${c.differing.length} differ; ${c.timingOnly.length} differ only in timing (one target got further before the scenario ended).`,
      '',
    );
    const table = (d: ScenarioDifference, level: string) => {
      lines.push(`${level} ${d.scenario} (${d.where})`, '', `| object | ${c.baseline} | ${c.other} |`, '|---|---|---|');
      for (const o of d.differences) lines.push(`| ${o.object} | ${o.baseline.join(' → ') || '(none)'} | ${o.other.join(' → ') || '(none)'} |`);
      lines.push('');
    };
    for (const d of c.differing) table(d, '###');
    if (c.timingOnly.length) {
      lines.push('<details><summary>Differences in timing only</summary>', '');
      for (const d of c.timingOnly) table(d, '####');
      lines.push('</details>', '');
    }
    if (c.notCompared.length) {
      lines.push('Not compared:', '');
      for (const n of c.notCompared) lines.push(`- ${n.scenario} (${n.where}): ${n.why}`);
      lines.push('');
    }
  }
  return lines.join('\n') + '\n';
}

/** Compares every run in `runs` against the reference run, when there is one. */
export function differential(runs: TargetRun[]): Comparison[] {
  const baseline = runs.find((r) => r.target === 'reference');
  if (!baseline) return [];
  return runs.filter((r) => r !== baseline).map((r) => compareRuns(baseline, r));
}

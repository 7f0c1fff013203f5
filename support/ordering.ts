/**
 * Ordering guarantees, asserted over the recorded timeline. Pod events come from one watch
 * stream, so their order in the timeline is the order the API server applied them.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { isRunningAndReady, isTerminating } from './pods.ts';
import type { Timeline, TimelineEntry } from './timeline.ts';

/** The pod's entries from `since` on (sequence numbers), oldest first. */
function podEntries(timeline: Timeline, name: string, since: number): TimelineEntry[] {
  return timeline.history('Pod', name).filter((e) => e.seq > since);
}

/** The pod's state as last recorded before sequence number `seq`. */
function stateBefore(timeline: Timeline, name: string, seq: number): TimelineEntry | undefined {
  const entries = timeline.history('Pod', name).filter((e) => e.seq < seq);
  return entries[entries.length - 1];
}

function describeState(entry: TimelineEntry | undefined): string {
  if (!entry) return 'did not exist';
  return entry.type === 'DELETED' ? 'was deleted' : `was ${entry.summary}`;
}

/** When the pod first became Running and Ready (not terminating) after `seq`, in words. */
function readySince(timeline: Timeline, name: string, seq: number): string {
  const ready = timeline
    .history('Pod', name)
    .find((e) => e.seq > seq && e.type !== 'DELETED' && isRunningAndReady(e.object as V1Pod) && !isTerminating(e.object as V1Pod));
  return ready ? `was not ready until ${timeline.when(ready)}` : 'did not become ready afterwards';
}

/** An ordering guarantee that did not hold, as sentences with times rather than an array diff. */
export class OrderingFailure extends Error {
  constructor(guarantee: string, problems: string[]) {
    super(`${guarantee} did not hold:\n${problems.map((p) => `- ${p}`).join('\n')}\n(times are seconds since the scenario's first recorded change; the timeline is attached)`);
    this.name = 'OrderingFailure';
  }
}

/** Throws an OrderingFailure when there are problems. */
export function assertOrdering(guarantee: string, problems: string[]): void {
  if (problems.length) throw new OrderingFailure(guarantee, problems);
}

/**
 * Each pod after the first was created (ADDED) only when the pod before it was Running, Ready
 * and not terminating. Returns the violations, empty when the guarantee held.
 */
export function createdInOrderAfterReady(timeline: Timeline, names: string[], since = 0): string[] {
  const problems: string[] = [];
  // The first pod may predate the action (scale-up continues from it); the others must follow it.
  const created = names.map((n, i) => podEntries(timeline, n, i === 0 ? 0 : since).find((e) => e.type === 'ADDED'));
  created.forEach((entry, i) => {
    if (!entry) problems.push(`${names[i]} was never created`);
  });
  for (let i = 1; i < names.length; i++) {
    const entry = created[i];
    if (!entry) continue;
    const previous = created[i - 1];
    if (previous && previous.seq > entry.seq) {
      problems.push(`${names[i]} was created at ${timeline.when(entry)}, before ${names[i - 1]} (created at ${timeline.when(previous)})`);
      continue;
    }
    const before = stateBefore(timeline, names[i - 1], entry.seq);
    const pod = before?.type === 'DELETED' ? undefined : (before?.object as V1Pod | undefined);
    if (!pod || !isRunningAndReady(pod) || isTerminating(pod)) {
      problems.push(
        `${names[i]} was created at ${timeline.when(entry)}, while ${names[i - 1]} ${readySince(timeline, names[i - 1], entry.seq)} ` +
          `(it ${describeState(before)})`,
      );
    }
  }
  return problems;
}

/**
 * Each pod after the first began terminating only once the pod before it was gone from the
 * API. Returns the violations, empty when the guarantee held.
 */
export function terminatedInOrderAfterGone(timeline: Timeline, names: string[], since = 0): string[] {
  const problems: string[] = [];
  const started = names.map((n) =>
    podEntries(timeline, n, since).find((e) => e.type === 'DELETED' || isTerminating(e.object as V1Pod)),
  );
  const gone = names.map((n) => podEntries(timeline, n, since).find((e) => e.type === 'DELETED'));
  names.forEach((n, i) => {
    if (!gone[i]) problems.push(`${n} was never deleted`);
  });
  for (let i = 1; i < names.length; i++) {
    const start = started[i];
    const previousGone = gone[i - 1];
    if (!start || !previousGone) continue;
    if (start.seq < previousGone.seq) {
      problems.push(`${names[i]} began terminating at ${timeline.when(start)}, while ${names[i - 1]} was not gone until ${timeline.when(previousGone)}`);
    }
  }
  return problems;
}

/** Pods of `names` that were created (ADDED) since `since`. */
export function createdSince(timeline: Timeline, since: number): string[] {
  return timeline.history('Pod').filter((e) => e.seq > since && e.type === 'ADDED').map((e) => e.name);
}

/** The most pods that were terminating at the same moment, since `since`. */
export function maxConcurrentlyTerminating(timeline: Timeline, since = 0): number {
  const terminating = new Set<string>();
  let max = 0;
  for (const e of timeline.history('Pod')) {
    if (e.type === 'DELETED') terminating.delete(e.uid);
    else if (isTerminating(e.object as V1Pod)) terminating.add(e.uid);
    if (e.seq > since) max = Math.max(max, terminating.size);
  }
  return max;
}

/**
 * Rolling-update facts derived from the timeline: which pods were replaced and in what order,
 * how many were unavailable at once, how long the controller waited between replacements.
 */
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import { isRunningAndReady, isTerminating, parseOrdinal, revisionOf } from './pods.ts';
import type { Timeline, TimelineEntry } from './timeline.ts';

export interface Replacement {
  pod: string;
  /** First sign of the old pod going: terminating or deleted. */
  stopped: TimelineEntry;
  /** The new pod's first entry. */
  created?: TimelineEntry;
  /** The new pod's first Running-and-Ready entry. */
  ready?: TimelineEntry;
}

/** Every pod of `set` whose UID changed after `since`, in the order the old pods stopped. */
export function replacements(timeline: Timeline, set: string, since: number): Replacement[] {
  const out: Replacement[] = [];
  const byPod = new Map<string, TimelineEntry[]>();
  for (const e of timeline.history('Pod')) {
    if (parseOrdinal(e.name)?.parent !== set) continue;
    byPod.set(e.name, [...(byPod.get(e.name) ?? []), e]);
  }
  for (const [pod, entries] of byPod) {
    const stopped = entries.find((e) => e.seq > since && (e.type === 'DELETED' || isTerminating(e.object as V1Pod)));
    if (!stopped) continue;
    const created = entries.find((e) => e.seq > stopped.seq && e.type === 'ADDED' && e.uid !== stopped.uid);
    const ready = created && entries.find((e) => e.seq >= created.seq && e.uid === created.uid && e.type !== 'DELETED' && isRunningAndReady(e.object as V1Pod));
    out.push({ pod, stopped, created, ready });
  }
  return out.sort((a, b) => a.stopped.seq - b.stopped.seq);
}

/**
 * The largest number of in-range pods of the set that were unavailable at one moment after
 * `since`: missing, terminating, or not Running and Ready.
 */
export function maxUnavailable(timeline: Timeline, set: string, replicas: number, since: number, start = 0): number {
  const state = new Map<string, V1Pod | undefined>();
  let max = 0;
  for (const e of timeline.history('Pod')) {
    const parsed = parseOrdinal(e.name);
    if (parsed?.parent !== set || parsed.ordinal < start || parsed.ordinal >= start + replicas) continue;
    state.set(e.name, e.type === 'DELETED' ? undefined : (e.object as V1Pod));
    if (e.seq <= since) continue;
    let unavailable = 0;
    for (let i = start; i < start + replicas; i++) {
      const pod = state.get(`${set}-${i}`);
      if (!pod || isTerminating(pod) || !isRunningAndReady(pod)) unavailable++;
    }
    max = Math.max(max, unavailable);
  }
  return max;
}

/** The most pods of the set terminating at one moment after `since`. */
export function maxTerminatingTogether(timeline: Timeline, set: string, since: number): number {
  const terminating = new Set<string>();
  let max = 0;
  for (const e of timeline.history('Pod')) {
    if (parseOrdinal(e.name)?.parent !== set) continue;
    if (e.type === 'DELETED' || !isTerminating(e.object as V1Pod)) terminating.delete(e.uid);
    else terminating.add(e.uid);
    if (e.seq > since) max = Math.max(max, terminating.size);
  }
  return max;
}

/** Is the set's rollout complete: every pod ready at the update revision, status agreeing? */
export function rolloutComplete(set: V1StatefulSet, pods: V1Pod[], replicas: number): string | undefined {
  const s = set.status;
  if (!s) return 'no status yet';
  if ((s.observedGeneration ?? 0) < (set.metadata?.generation ?? 0)) return `observedGeneration ${s.observedGeneration} < generation ${set.metadata?.generation}`;
  const behind = pods.filter((p) => revisionOf(p) !== s.updateRevision || !isRunningAndReady(p) || isTerminating(p));
  if (pods.length !== replicas || behind.length) {
    return `${pods.length} pods; not yet updated and ready: ${behind.map((p) => `${p.metadata?.name}(${revisionOf(p)})`).join(', ') || 'none'}`;
  }
  if (s.currentRevision !== s.updateRevision) return `currentRevision ${s.currentRevision} != updateRevision ${s.updateRevision}`;
  // A real API server omits zero counts (omitempty): absent is 0.
  if ((s.updatedReplicas ?? 0) !== replicas || (s.readyReplicas ?? 0) !== replicas || (s.currentReplicas ?? 0) !== replicas) {
    return `status updated=${s.updatedReplicas} ready=${s.readyReplicas} current=${s.currentReplicas}`;
  }
  return undefined;
}

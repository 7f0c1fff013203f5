/**
 * Invariants checked over a scenario's whole timeline, whatever the scenario is about.
 */
import type { Timeline } from './timeline.ts';

/**
 * At most one pod per identity: a pod named `web-1` may be created only after every earlier
 * `web-1` object is gone from the API. Watch events of one stream arrive in order, so an
 * ADDED for a new UID while another UID of that name is still live is a violation.
 */
export function identityViolations(timeline: Timeline): string[] {
  const live = new Map<string, string>();
  const violations: string[] = [];
  for (const e of timeline.history('Pod')) {
    const current = live.get(e.name);
    if (e.type === 'DELETED') {
      if (current === e.uid) live.delete(e.name);
      continue;
    }
    if (current && current !== e.uid) {
      violations.push(`pod ${e.name}: uid ${e.uid} appeared while uid ${current} still existed (entry ${e.seq})`);
    }
    live.set(e.name, e.uid);
  }
  return violations;
}

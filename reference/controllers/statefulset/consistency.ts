/**
 * Read-your-own-writes for the controller (StaleControllerConsistencyStatefulSet, beta, on by
 * default since 1.36). Ported from v1.37.2 pkg/controller/util/consistency/consistency.go and
 * its use in pkg/controller/statefulset: every pod, claim and status write the controller makes
 * for a set records the resourceVersion the server returned; a sync of that set is skipped
 * (an error, so the key is retried with backoff) until each informer has synced at least that
 * far. Without it a sync soon after a write can act on a cache that does not show the write yet.
 */
export type WrittenResource = 'pods' | 'persistentvolumeclaims' | 'statefulsets';

/** The latest resourceVersion an informer's store has synced to ('' when unknown). */
export type LastSyncResourceVersion = () => string;

export class ConsistencyError extends Error {
  constructor(
    readonly readRV: string,
    readonly wroteRV: string,
    readonly resource: WrittenResource,
  ) {
    super(`read version: ${readRV} is not as new as written version: ${wroteRV} for group resource ${resource === 'statefulsets' ? 'statefulsets.apps' : resource}`);
  }
}

/**
 * resourceversion.CompareResourceVersion: both must be decimal integers without leading zeros;
 * a shorter one is smaller. undefined when either is malformed.
 */
export function compareResourceVersion(a: string, b: string): number | undefined {
  const wellFormed = (s: string) => /^[1-9][0-9]*$/.test(s);
  if (!wellFormed(a) || !wellFormed(b)) return undefined;
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

interface OwnerRecord {
  uid: string;
  versions: Map<WrittenResource, string>;
}

export class ConsistencyStore {
  private readonly writes = new Map<string, OwnerRecord>();

  /** Without stores the store is the gate-off NoopConsistencyStore: it records nothing. */
  constructor(private readonly stores?: Partial<Record<WrittenResource, LastSyncResourceVersion>>) {}

  /** WroteAt: remembers the newest written resourceVersion per resource for the owner (`ns/name`). */
  wroteAt(owner: string, ownerUid: string, resource: WrittenResource, rv: string | undefined): void {
    if (!this.stores || !rv) return;
    let record = this.writes.get(owner);
    if (!record || record.uid !== ownerUid) {
      record = { uid: ownerUid, versions: new Map() };
      this.writes.set(owner, record);
    }
    const previous = record.versions.get(resource);
    if (previous !== undefined) {
      const cmp = compareResourceVersion(previous, rv);
      if (cmp !== undefined && cmp >= 0) return;
    }
    record.versions.set(resource, rv);
  }

  /** Clear: forgets the owner (only the record for ownerUid, unless ownerUid is empty). */
  clear(owner: string, ownerUid = ''): void {
    const record = this.writes.get(owner);
    if (record && (!ownerUid || record.uid === ownerUid)) this.writes.delete(owner);
  }

  /**
   * EnsureReady: throws a ConsistencyError while an informer has not synced up to a recorded
   * write; once every informer has, the record is dropped. Unknown or malformed versions never
   * block.
   */
  ensureReady(owner: string): void {
    const record = this.writes.get(owner);
    if (!record) return;
    for (const [resource, wrote] of record.versions) {
      const read = this.stores?.[resource]?.() ?? '';
      if (!read) continue;
      const cmp = compareResourceVersion(wrote, read);
      if (cmp !== undefined && cmp > 0) throw new ConsistencyError(read, wrote, resource);
    }
    this.clear(owner, record.uid);
  }
}

/** A store that records nothing (the gate off, and unit tests). */
export const NO_CONSISTENCY = new ConsistencyStore();

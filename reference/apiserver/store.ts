/**
 * The object store: one global, monotonically increasing resourceVersion (as etcd's revision),
 * objects indexed by resource and namespace, each kept as the JSON it was serialised to once,
 * and an event log of the last `window` changes from which watches are served and resumed.
 */
import type { JsonObject } from './json.ts';

export type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

/**
 * A stored object. It is kept as the JSON it was serialised to at write time: one string is its
 * smallest form (a parsed copy cost the plane more memory than any other of its caches) and is
 * what reads and watches send. `obj` parses it afresh on each use, so callers may keep or change
 * the result; what lists and watch events test on every object (name, namespace, labels) is kept
 * beside it. Entries are immutable: a write replaces the entry.
 */
export class Entry {
  readonly namespace: string;
  readonly name: string;
  readonly labels: Readonly<Record<string, string>> | undefined;

  private constructor(
    readonly json: string,
    readonly rv: number,
    metadata: JsonObject | undefined,
  ) {
    this.namespace = typeof metadata?.namespace === 'string' ? metadata.namespace : '';
    this.name = typeof metadata?.name === 'string' ? metadata.name : '';
    const labels = metadata?.labels;
    this.labels = labels && typeof labels === 'object' && !Array.isArray(labels) ? ({ ...labels } as Record<string, string>) : undefined;
  }

  static of(obj: JsonObject, rv: number): Entry {
    return new Entry(JSON.stringify(obj), rv, obj.metadata as JsonObject | undefined);
  }

  get obj(): JsonObject {
    return JSON.parse(this.json) as JsonObject;
  }
}

export interface StoreEvent {
  readonly rv: number;
  readonly type: EventType;
  readonly resource: string;
  readonly namespace: string;
  readonly entry: Entry;
  /** The previous state, for MODIFIED (selector transitions) and DELETED. */
  readonly prev?: Entry;
}

export type Listener = (ev: StoreEvent) => void;

class ResourceTable {
  readonly byNamespace = new Map<string, Map<string, Entry>>();
  size = 0;
}

export class Store {
  private rv = 0;
  private readonly tables = new Map<string, ResourceTable>();
  private readonly log: (StoreEvent | undefined)[];
  private logStart = 0;
  private logLength = 0;
  /** Events with rv <= compactedRv are no longer in the log. */
  private compactedRv = 0;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly window: number) {
    this.log = new Array<StoreEvent | undefined>(Math.max(1, window));
  }

  get resourceVersion(): number {
    return this.rv;
  }

  get oldestResumableRv(): number {
    return this.compactedRv;
  }

  private table(resource: string): ResourceTable {
    let t = this.tables.get(resource);
    if (!t) {
      t = new ResourceTable();
      this.tables.set(resource, t);
    }
    return t;
  }

  get(resource: string, namespace: string, name: string): Entry | undefined {
    return this.tables.get(resource)?.byNamespace.get(namespace)?.get(name);
  }

  count(resource: string, namespace?: string): number {
    const t = this.tables.get(resource);
    if (!t) return 0;
    return namespace === undefined ? t.size : (t.byNamespace.get(namespace)?.size ?? 0);
  }

  /** Entries sorted by namespace then name, as etcd's key order gives them. */
  list(resource: string, namespace?: string): Entry[] {
    const t = this.tables.get(resource);
    if (!t) return [];
    const namespaces = namespace === undefined ? [...t.byNamespace.keys()].sort() : [namespace];
    const out: Entry[] = [];
    for (const ns of namespaces) {
      const m = t.byNamespace.get(ns);
      if (!m) continue;
      for (const name of [...m.keys()].sort()) out.push(m.get(name)!);
    }
    return out;
  }

  /** Stores `obj` (whose metadata.resourceVersion is set here) and emits the event. */
  put(resource: string, namespace: string, name: string, input: JsonObject, type: 'ADDED' | 'MODIFIED'): Entry {
    const rv = ++this.rv;
    (input.metadata as JsonObject).resourceVersion = String(rv);
    // Serialise in the field order kube-apiserver uses: apiVersion, kind, metadata, then the rest.
    const obj: JsonObject = { apiVersion: input.apiVersion, kind: input.kind, metadata: input.metadata, ...input };
    const entry = Entry.of(obj, rv);
    const t = this.table(resource);
    let m = t.byNamespace.get(namespace);
    if (!m) {
      m = new Map();
      t.byNamespace.set(namespace, m);
    }
    const prev = m.get(name);
    if (!prev) t.size++;
    m.set(name, entry);
    this.emit({ rv, type, resource, namespace, entry, prev });
    return entry;
  }

  /** Removes the object; the DELETED event carries its last state (or `last`) at a new resourceVersion. */
  remove(resource: string, namespace: string, name: string, last?: JsonObject): Entry | undefined {
    const t = this.tables.get(resource);
    const m = t?.byNamespace.get(namespace);
    const prev = m?.get(name);
    if (!t || !m || !prev) return undefined;
    m.delete(name);
    t.size--;
    if (m.size === 0) t.byNamespace.delete(namespace);
    const rv = ++this.rv;
    const base = last ?? prev.obj;
    const final = { ...base, metadata: { ...(base.metadata as JsonObject), resourceVersion: String(rv) } };
    const entry = Entry.of(final, rv);
    this.emit({ rv, type: 'DELETED', resource, namespace, entry, prev });
    return entry;
  }

  private emit(ev: StoreEvent): void {
    const cap = this.log.length;
    if (this.logLength === cap) {
      this.compactedRv = this.log[this.logStart]!.rv;
      this.logStart = (this.logStart + 1) % cap;
      this.logLength--;
    }
    this.log[(this.logStart + this.logLength) % cap] = ev;
    this.logLength++;
    const ls = this.listeners.get(ev.resource);
    if (ls) for (const l of ls) l(ev);
  }

  /**
   * Drops the whole change log up to the current version, as etcd's compaction does: watches
   * from any older version are then answered 410 Gone and their clients must relist. Returns
   * the version compacted to.
   */
  compact(): number {
    this.compactedRv = this.rv;
    this.log.fill(undefined);
    this.logStart = 0;
    this.logLength = 0;
    return this.rv;
  }

  /**
   * Events of `resource` after `rv`, oldest first, or undefined when some of them were
   * already compacted away (the caller answers 410 Gone).
   */
  eventsSince(resource: string, rv: number): StoreEvent[] | undefined {
    if (rv < this.compactedRv) return undefined;
    const cap = this.log.length;
    // Binary search for the first event with a larger rv: the log is ordered by rv.
    let lo = 0;
    let hi = this.logLength;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[(this.logStart + mid) % cap]!.rv <= rv) lo = mid + 1;
      else hi = mid;
    }
    const out: StoreEvent[] = [];
    for (let i = lo; i < this.logLength; i++) {
      const ev = this.log[(this.logStart + i) % cap]!;
      if (ev.resource === resource) out.push(ev);
    }
    return out;
  }

  subscribe(resource: string, l: Listener): () => void {
    let ls = this.listeners.get(resource);
    if (!ls) {
      ls = new Set();
      this.listeners.set(resource, ls);
    }
    ls.add(l);
    return () => ls.delete(l);
  }
}

/**
 * Field paths and sets of them, as sigs.k8s.io/structured-merge-diff/v6's fieldpath package has
 * them: a path element is a field name (`f:`), the key of a keyed list's item (`k:`), a set
 * list's value (`v:`) or an index (`i:`); a set is a tree whose nodes hold members (paths that end
 * there) and children, serialised as managedFields' `fieldsV1` (`.` for a node that is itself a
 * member) in the order of PathElement.Compare.
 */
import { goJson as encodeJson, type JsonValue } from '../json.ts';

export type PathElement =
  | { readonly field: string }
  | { readonly key: ReadonlyArray<readonly [string, JsonValue]> } // sorted by name
  | { readonly value: JsonValue }
  | { readonly index: number };

export type Path = readonly PathElement[];

/** value.Compare's total order of JSON values (numbers < strings < bools < lists < maps; null last). */
export function compareValues(a: JsonValue, b: JsonValue): number {
  const rank = (v: JsonValue): number => (typeof v === 'number' ? 0 : typeof v === 'string' ? 1 : typeof v === 'boolean' ? 2 : Array.isArray(v) ? 3 : v !== null ? 4 : 5);
  const [ra, rb] = [rank(a), rank(b)];
  if (ra !== rb) return ra < rb ? -1 : 1;
  if (typeof a === 'number') return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  if (typeof a === 'string') return a < (b as string) ? -1 : a > (b as string) ? 1 : 0;
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (Array.isArray(a)) {
    const bl = b as JsonValue[];
    for (let i = 0; i < Math.min(a.length, bl.length); i++) {
      const c = compareValues(a[i]!, bl[i]!);
      if (c) return c;
    }
    return a.length - bl.length < 0 ? -1 : a.length > bl.length ? 1 : 0;
  }
  if (a === null) return 0;
  const ak = Object.keys(a).sort();
  const bo = b as Record<string, JsonValue>;
  const bk = Object.keys(bo).sort();
  for (let i = 0; i < Math.min(ak.length, bk.length); i++) {
    if (ak[i] !== bk[i]) return ak[i]! < bk[i]! ? -1 : 1;
    const c = compareValues(a[ak[i]!]!, bo[bk[i]!]!);
    if (c) return c;
  }
  return ak.length < bk.length ? -1 : ak.length > bk.length ? 1 : 0;
}

/** PathElement.Compare: field names < keys < values < indexes, each in its own order. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  const rank = (e: PathElement): number => ('field' in e ? 0 : 'key' in e ? 1 : 'value' in e ? 2 : 3);
  const [ra, rb] = [rank(a), rank(b)];
  if (ra !== rb) return ra < rb ? -1 : 1;
  if ('field' in a) {
    const bf = (b as { field: string }).field;
    return a.field < bf ? -1 : a.field > bf ? 1 : 0;
  }
  if ('key' in a) {
    const bk = (b as { key: ReadonlyArray<readonly [string, JsonValue]> }).key;
    for (let i = 0; ; i++) {
      if (i >= a.key.length && i >= bk.length) return 0;
      if (i >= a.key.length) return -1;
      if (i >= bk.length) return 1;
      const [an, av] = a.key[i]!;
      const [bn, bv] = bk[i]!;
      if (an !== bn) return an < bn ? -1 : 1;
      const c = compareValues(av, bv);
      if (c) return c;
    }
  }
  if ('value' in a) return compareValues(a.value, (b as { value: JsonValue }).value);
  const bi = (b as { index: number }).index;
  return a.index < bi ? -1 : a.index > bi ? 1 : 0;
}

/** encoding/json with jsoniter's standard-library configuration: <, > and & escaped. */
const goJson = (v: JsonValue): string => encodeJson(v);

/** The element's key in fieldsV1 (`f:name`, `k:{"name":"app"}`, `v:"x"`, `i:0`), which also identifies it. */
export function serializePathElement(e: PathElement): string {
  if ('field' in e) return `f:${e.field}`;
  if ('key' in e) return `k:{${e.key.map(([n, v]) => `${goJson(n)}:${goJson(v)}`).join(',')}}`;
  if ('value' in e) return `v:${goJson(e.value)}`;
  return `i:${e.index}`;
}

export function deserializePathElement(s: string): PathElement {
  const body = s.slice(2);
  switch (s.slice(0, 2)) {
    case 'f:':
      return { field: body };
    case 'k:': {
      const o = JSON.parse(body) as Record<string, JsonValue>;
      return { key: Object.keys(o).sort().map((k) => [k, o[k]!] as const) };
    }
    case 'v:':
      return { value: JSON.parse(body) as JsonValue };
    case 'i:':
      return { index: Number(body) };
    default:
      throw new Error(`unknown path element type in ${JSON.stringify(s)}`);
  }
}

/** value.ToString of a key or set value: strings quoted as Go's %q, numbers and bools plain. */
function valueString(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) return `[${v.map(valueString).join(',')}]`;
  return Object.entries(v).map(([k, x]) => `${k}=${valueString(x ?? null)}`).join('');
}

/** Path.String: `.spec.template.spec.containers[name="nginx"].image`. */
export function pathString(p: Path): string {
  return p
    .map((e) => {
      if ('field' in e) return `.${e.field}`;
      if ('key' in e) return `[${e.key.map(([n, v]) => `${n}=${valueString(v)}`).join(',')}]`;
      if ('value' in e) return `[=${valueString(e.value)}]`;
      return `[${e.index}]`;
    })
    .join('');
}

/** A set of field paths (fieldpath.Set): members end at this node; children lead further. */
export class FieldSet {
  readonly members = new Map<string, PathElement>();
  readonly children = new Map<string, { element: PathElement; set: FieldSet }>();

  static of(...paths: Path[]): FieldSet {
    const s = new FieldSet();
    for (const p of paths) s.insert(p);
    return s;
  }

  insert(path: Path): void {
    if (path.length === 0) return;
    let node: FieldSet = this;
    for (let i = 0; i < path.length - 1; i++) node = node.child(path[i]!);
    const last = path[path.length - 1]!;
    node.members.set(serializePathElement(last), last);
  }

  /** The node for `e`, made when missing. */
  private child(e: PathElement): FieldSet {
    const k = serializePathElement(e);
    let c = this.children.get(k);
    if (!c) {
      c = { element: e, set: new FieldSet() };
      this.children.set(k, c);
    }
    return c.set;
  }

  has(path: Path): boolean {
    if (path.length === 0) return false;
    let node: FieldSet | undefined = this;
    for (let i = 0; i < path.length - 1 && node; i++) node = node.children.get(serializePathElement(path[i]!))?.set;
    return node?.members.has(serializePathElement(path[path.length - 1]!)) ?? false;
  }

  empty(): boolean {
    if (this.members.size) return false;
    for (const c of this.children.values()) if (!c.set.empty()) return false;
    return true;
  }

  /** The paths below `e`, without it (Set.WithPrefix). */
  withPrefix(e: PathElement): FieldSet {
    return this.children.get(serializePathElement(e))?.set ?? EMPTY;
  }

  union(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const s of [this, o]) for (const [k, e] of s.members) out.members.set(k, e);
    for (const s of [this, o]) {
      for (const [k, c] of s.children) {
        const mine = out.children.get(k);
        out.children.set(k, { element: c.element, set: mine ? mine.set.union(c.set) : c.set.union(EMPTY) });
      }
    }
    return out;
  }

  difference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, e] of this.members) if (!o.members.has(k)) out.members.set(k, e);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      const d = other ? c.set.difference(other.set) : c.set.union(EMPTY);
      if (!d.empty()) out.children.set(k, { element: c.element, set: d });
    }
    return out;
  }

  /** Set.RecursiveDifference: without o's members and everything below them. */
  recursiveDifference(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, e] of this.members) if (!o.members.has(k)) out.members.set(k, e);
    for (const [k, c] of this.children) {
      if (o.members.has(k)) continue;
      const other = o.children.get(k);
      const d = other ? c.set.recursiveDifference(other.set) : c.set.union(EMPTY);
      if (!d.empty()) out.children.set(k, { element: c.element, set: d });
    }
    return out;
  }

  intersection(o: FieldSet): FieldSet {
    const out = new FieldSet();
    for (const [k, e] of this.members) if (o.members.has(k)) out.members.set(k, e);
    for (const [k, c] of this.children) {
      const other = o.children.get(k);
      if (!other) continue;
      const i = c.set.intersection(other.set);
      if (!i.empty()) out.children.set(k, { element: c.element, set: i });
    }
    return out;
  }

  /** Every path, members before children, each in PathElement order (Set.Iterate). */
  paths(prefix: Path = []): Path[] {
    const out: Path[] = [];
    for (const e of sortedValues(this.members)) out.push([...prefix, e]);
    for (const c of sortedChildren(this.children)) out.push(...c.set.paths([...prefix, c.element]));
    return out;
  }

  /** The `fieldsV1` form (SetToFields). */
  toFields(includeSelf = false): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (includeSelf && !this.empty()) out['.'] = {};
    const members = sortedValues(this.members);
    const children = sortedChildren(this.children);
    let [mi, ci] = [0, 0];
    while (mi < members.length || ci < children.length) {
      const m = members[mi];
      const c = children[ci];
      const cmp = m === undefined ? 1 : c === undefined ? -1 : comparePathElements(m, c.element);
      if (cmp < 0) {
        out[serializePathElement(m!)] = {};
        mi++;
      } else {
        out[serializePathElement(c!.element)] = c!.set.toFields(cmp === 0);
        if (cmp === 0) mi++;
        ci++;
      }
    }
    return out;
  }

  /** FieldsToSet. */
  static fromFields(fields: unknown): FieldSet {
    const s = new FieldSet();
    const walk = (node: FieldSet, v: unknown): void => {
      if (typeof v !== 'object' || v === null) return;
      for (const [k, sub] of Object.entries(v)) {
        if (k === '.') continue;
        const e = deserializePathElement(k);
        const hasChildren = typeof sub === 'object' && sub !== null && Object.keys(sub).some((x) => x !== '.');
        const isSelf = !hasChildren || (typeof sub === 'object' && sub !== null && '.' in sub);
        if (isSelf) node.members.set(k, e);
        if (hasChildren) walk(node.child(e), sub);
      }
    };
    walk(s, fields);
    return s;
  }
}

const EMPTY = new FieldSet();

function sortedValues(m: Map<string, PathElement>): PathElement[] {
  return [...m.values()].sort(comparePathElements);
}

function sortedChildren(m: Map<string, { element: PathElement; set: FieldSet }>): { element: PathElement; set: FieldSet }[] {
  return [...m.values()].filter((c) => !c.set.empty()).sort((a, b) => comparePathElements(a.element, b.element));
}

/**
 * Values typed by the schema (schema.ts), as structured-merge-diff's typed package walks them:
 * the set of fields a value sets (ToFieldSet), the comparison of two values (Compare: added,
 * modified and removed paths), the merge of an applied configuration into an object (Merge, the
 * applied side winning) and the removal of fields (RemoveItems). Values are plain JSON; undefined
 * is "absent", null is JSON's null.
 */
import { deepEqual, isObject, type JsonObject, type JsonValue } from '../json.ts';
import { FieldSet, serializePathElement, type Path, type PathElement } from './fieldset.ts';
import { deduce, fieldType, sameAtom, type Atom, type ListType, type MapType, type TypeRef } from './schema.ts';

export class TypedError extends Error {}

/** listItemToPathElement: a keyed list's item by its keys, a set's by its value. */
export function itemElement(t: ListType, item: JsonValue): PathElement {
  if (t.keys.length) {
    if (!isObject(item)) throw new TypedError('associative list with keys may not have non-map elements');
    const key: [string, JsonValue][] = [];
    for (const k of t.keys) {
      if (Object.hasOwn(item, k)) key.push([k, item[k]!]);
      else if (Object.hasOwn(t.keyDefaults, k)) key.push([k, t.keyDefaults[k]!]);
    }
    if (!key.length) throw new TypedError(`associative list with keys has an element that omits all key fields ${JSON.stringify(t.keys)} (and doesn't have default values for any key fields)`);
    key.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { key };
  }
  if (item === null || typeof item === 'object') throw new TypedError('associative list without keys has an element that is not a scalar');
  return { value: item };
}

function isEmptyMap(m: JsonObject | undefined): boolean {
  if (!m) return true;
  for (const k in m) if (m[k] !== undefined) return false;
  return true;
}

function asMap(v: JsonValue | undefined): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

function asList(v: JsonValue | undefined): JsonValue[] | undefined {
  return Array.isArray(v) ? v : undefined;
}

// ---- ToFieldSet --------------------------------------------------------------------------------

export function toFieldSet(v: JsonValue, tr: TypeRef): FieldSet {
  const set = new FieldSet();
  fieldSetOf(v, tr, [], set);
  return set;
}

function fieldSetOf(v: JsonValue, tr: TypeRef, path: PathElement[], set: FieldSet): void {
  const a = deduce(tr(), v);
  if (a.map) {
    if (a.map.atomic) return set.insert(path);
    const m = asMap(v);
    if (!m) return;
    for (const [k, val] of Object.entries(m)) {
      if (val === undefined) continue;
      const p = [...path, { field: k }];
      fieldSetOf(val, fieldType(a.map, k), p, set);
      if (val === null || (isObject(val) && isEmptyMap(val)) || !a.map.fields.has(k)) set.insert(p);
    }
  } else if (a.scalar) set.insert(path);
  else if (a.list) {
    if (a.list.atomic) return set.insert(path);
    const l = asList(v);
    if (!l) return;
    const seen = new Set<string>();
    const duplicates = new Set<string>();
    const pes = l.map((item) => itemElement(a.list!, item));
    for (const pe of pes) {
      const k = serializePathElement(pe);
      if (seen.has(k) && !duplicates.has(k)) {
        duplicates.add(k);
        set.insert([...path, pe]);
      }
      seen.add(k);
    }
    l.forEach((item, i) => {
      const pe = pes[i]!;
      if (duplicates.has(serializePathElement(pe))) return;
      const p = [...path, pe];
      fieldSetOf(item, a.list!.element, p, set);
      set.insert(p);
    });
  }
}

// ---- Compare -----------------------------------------------------------------------------------

export interface Comparison {
  added: FieldSet;
  modified: FieldSet;
  removed: FieldSet;
}

export function compare(lhs: JsonValue, rhs: JsonValue, tr: TypeRef): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  compareAt(lhs, rhs, tr, [], c);
  return c;
}

function compareAt(lhs: JsonValue | undefined, rhs: JsonValue | undefined, tr: TypeRef, path: PathElement[], c: Comparison): void {
  const atom = tr();
  const al = deduce(atom, lhs);
  const ar = deduce(atom, rhs);
  let inLeaf: boolean;
  if (rhs === undefined) inLeaf = compareAtom(al, lhs, rhs, path, c);
  else if (lhs === undefined || sameAtom(al, ar)) inLeaf = compareAtom(ar, lhs, rhs, path, c);
  else {
    compareAtom(al, lhs, rhs, path, c);
    inLeaf = compareAtom(ar, lhs, rhs, path, c);
  }
  if (!inLeaf) {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
  }
}

/** True when the value was compared as a leaf. */
function compareAtom(a: Atom, lhs: JsonValue | undefined, rhs: JsonValue | undefined, path: PathElement[], c: Comparison): boolean {
  const leaf = (): true => {
    if (lhs === undefined) c.added.insert(path);
    else if (rhs === undefined) c.removed.insert(path);
    else if (!deepEqual(lhs, rhs)) c.modified.insert(path);
    return true;
  };
  if (a.map) {
    const [l, r] = [asMap(lhs), asMap(rhs)];
    const emptyLeaf = isEmptyMap(l) && isEmptyMap(r);
    if (a.map.atomic || emptyLeaf) return leaf();
    for (const k of unionKeys(l, r)) compareAt(l?.[k], r?.[k], fieldType(a.map, k), [...path, { field: k }], c);
    return false;
  }
  if (a.scalar) return leaf();
  if (a.list) {
    const [l, r] = [asList(lhs), asList(rhs)];
    if (a.list.atomic || ((!l || l.length === 0) && (!r || r.length === 0))) return leaf();
    compareListItems(a.list, l ?? [], r ?? [], path, c);
  }
  return false;
}

/** The keys either map sets (a key whose value is undefined is absent, as JSON would have it). */
function unionKeys(l: JsonObject | undefined, r: JsonObject | undefined): string[] {
  const keys = Object.keys(l ?? {}).filter((k) => l![k] !== undefined);
  for (const k of Object.keys(r ?? {})) if (r![k] !== undefined && (!l || l[k] === undefined)) keys.push(k);
  return keys;
}

/** Items by path element, in first-seen order, duplicates grouped. */
function groupItems(t: ListType, list: JsonValue[]): Map<string, { pe: PathElement; items: JsonValue[] }> {
  const out = new Map<string, { pe: PathElement; items: JsonValue[] }>();
  for (const item of list) {
    const pe = itemElement(t, item);
    const k = serializePathElement(pe);
    const g = out.get(k);
    if (g) g.items.push(item);
    else out.set(k, { pe, items: [item] });
  }
  return out;
}

function compareListItems(t: ListType, lhs: JsonValue[], rhs: JsonValue[], path: PathElement[], c: Comparison): void {
  const l = groupItems(t, lhs);
  const r = groupItems(t, rhs);
  const all = [...l.keys(), ...[...r.keys()].filter((k) => !l.has(k))];
  for (const k of all) {
    const pe = (l.get(k) ?? r.get(k))!.pe;
    const li = l.get(k)?.items ?? [];
    const ri = r.get(k)?.items ?? [];
    const p = [...path, pe];
    if (li.length <= 1 && ri.length <= 1) compareAt(li[0], ri[0], t.element, p, c);
    else if (li.length >= 2 && ri.length >= 2) {
      if (!deepEqual(li, ri)) c.modified.insert(p);
    } else if (li.length >= 2) {
      if (ri.length) compareAt(undefined, ri[0], t.element, p, c);
      c.removed.insert(p);
    } else {
      if (li.length) compareAt(li[0], undefined, t.element, p, c);
      c.added.insert(p);
    }
  }
}

// ---- Merge -------------------------------------------------------------------------------------

/** TypedValue.Merge: `rhs` (an applied configuration) merged into `lhs`, rhs winning at leaves. */
export function merge(lhs: JsonValue, rhs: JsonValue, tr: TypeRef): JsonValue {
  return mergeAt(lhs, rhs, tr) ?? null;
}

function mergeAt(lhs: JsonValue | undefined, rhs: JsonValue | undefined, tr: TypeRef): JsonValue | undefined {
  const atom = tr();
  const al = deduce(atom, lhs);
  const ar = deduce(atom, rhs);
  if (rhs === undefined) return mergeAtom(al, lhs, rhs);
  if (lhs === undefined || sameAtom(al, ar)) return mergeAtom(ar, lhs, rhs);
  mergeAtom(al, lhs, rhs);
  return mergeAtom(ar, lhs, rhs);
}

function mergeAtom(a: Atom, lhs: JsonValue | undefined, rhs: JsonValue | undefined): JsonValue | undefined {
  const leaf = (): JsonValue | undefined => (rhs !== undefined ? rhs : lhs);
  if (a.map) {
    const [l, r] = [asMap(lhs), asMap(rhs)];
    if (a.map.atomic || (isEmptyMap(l) && isEmptyMap(r))) return leaf();
    const out: JsonObject = {};
    for (const k of unionKeys(l, r)) {
      const v = mergeAt(l?.[k], r?.[k], fieldType(a.map, k));
      if (v !== undefined) out[k] = v;
    }
    return Object.keys(out).length ? out : undefined;
  }
  if (a.scalar) return leaf();
  if (a.list) {
    const [l, r] = [asList(lhs), asList(rhs)];
    if (a.list.atomic || ((!l || l.length === 0) && (!r || r.length === 0))) return leaf();
    const out = mergeListItems(a.list, l ?? [], r ?? []);
    return out.length ? out : undefined;
  }
  return leaf();
}

/** mergingWalker.visitListItems: the live order kept, the applied items placed as the configuration orders them. */
function mergeListItems(t: ListType, lhs: JsonValue[], rhs: JsonValue[]): JsonValue[] {
  const index = (list: JsonValue[], allowDuplicates: boolean): { pes: string[]; observed: Map<string, JsonValue | undefined> } => {
    const pes: string[] = [];
    const observed = new Map<string, JsonValue | undefined>();
    for (const item of list) {
      const k = serializePathElement(itemElement(t, item));
      if (observed.has(k)) {
        if (!allowDuplicates) throw new TypedError(`duplicate entries for key ${k}`);
        observed.set(k, null);
      } else observed.set(k, item);
      pes.push(k);
    }
    return { pes, observed };
  };
  const { pes: rhsPEs, observed: observedRHS } = index(rhs, false);
  const { pes: lhsPEs, observed: observedLHS } = index(lhs, true);
  const out: JsonValue[] = [];
  const sharedOrder = rhsPEs.filter((pe) => observedLHS.has(pe));
  let nextShared = sharedOrder.shift();
  const mergedRHS = new Set<string>();
  const push = (v: JsonValue | undefined): void => {
    if (v !== undefined) out.push(v);
  };
  for (let lI = 0, rI = 0; lI < lhsPEs.length || rI < rhsPEs.length; ) {
    if (lI < lhsPEs.length && rI < rhsPEs.length) {
      const pe = lhsPEs[lI]!;
      if (pe === rhsPEs[rI]) {
        mergedRHS.add(pe);
        push(mergeAt(observedLHS.get(pe), observedRHS.get(pe), t.element));
        lI++;
        rI++;
        nextShared = sharedOrder.shift();
        continue;
      }
      if (observedRHS.has(pe) && nextShared !== undefined && nextShared !== pe) {
        lI++;
        continue;
      }
    }
    if (lI < lhsPEs.length) {
      const pe = lhsPEs[lI]!;
      if (!observedRHS.has(pe)) {
        push(mergeAt(lhs[lI], undefined, t.element));
        lI++;
        continue;
      } else if (mergedRHS.has(pe)) lI++;
    }
    if (rI < rhsPEs.length) {
      const pe = rhsPEs[rI]!;
      mergedRHS.add(pe);
      push(mergeAt(observedLHS.get(pe), observedRHS.get(pe), t.element));
      rI++;
      if (nextShared !== undefined && nextShared === pe) nextShared = sharedOrder.shift();
    }
  }
  return out;
}

// ---- RemoveItems -------------------------------------------------------------------------------

/** TypedValue.RemoveItems: `v` without the paths in `remove` (a map or list left empty becomes null). */
export function removeItems(v: JsonValue, remove: FieldSet, tr: TypeRef): JsonValue {
  const a = deduce(tr(), v);
  if (a.map) return removeFromMap(a.map, v, remove);
  if (a.scalar) return v;
  if (a.list) return removeFromList(a.list, v, remove);
  return v;
}

function removeFromMap(t: MapType, v: JsonValue, remove: FieldSet): JsonValue {
  const m = asMap(v);
  if (!m || isEmptyMap(m) || t.atomic) return null;
  const out: JsonObject = {};
  for (const [k, val] of Object.entries(m)) {
    if (val === undefined) continue;
    const pe = { field: k };
    if (remove.has([pe])) continue;
    const sub = remove.withPrefix(pe);
    out[k] = sub.empty() ? val : removeItems(val, sub, fieldType(t, k));
  }
  return Object.keys(out).length ? out : null;
}

function removeFromList(t: ListType, v: JsonValue, remove: FieldSet): JsonValue {
  const l = asList(v);
  if (!l || l.length === 0 || t.atomic) return null;
  const out: JsonValue[] = [];
  for (const item of l) {
    const pe = itemElement(t, item);
    if (remove.has([pe])) continue;
    const sub = remove.withPrefix(pe);
    out.push(sub.empty() ? item : removeItems(item, sub, t.element));
  }
  return out.length ? out : null;
}

// ---- EnsureNamedFieldsAreMembers ---------------------------------------------------------------

/** Set.EnsureNamedFieldsAreMembers: a struct field that has children in `s` becomes a member too. */
export function ensureNamedFieldsAreMembers(s: FieldSet, tr: TypeRef | undefined): FieldSet {
  const atom = tr?.();
  const out = new FieldSet();
  for (const p of s.paths().filter((p) => p.length === 1)) out.insert(p);
  for (const c of s.children.values()) {
    const e = c.element;
    let childType: TypeRef | undefined;
    if ('field' in e && atom?.map) {
      if (atom.map.fields.has(e.field)) out.insert([e]);
      childType = fieldType(atom.map, e.field);
    } else if ('key' in e && atom?.list) childType = atom.list.element;
    const sub = ensureNamedFieldsAreMembers(c.set, childType);
    for (const p of sub.paths()) out.insert([e, ...p]);
  }
  return out;
}

export type { Path };

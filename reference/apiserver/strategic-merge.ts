/**
 * Strategic merge patch as kube-apiserver applies it: a port of the server-side path of
 * k8s.io/apimachinery@v0.37.2 pkg/util/strategicpatch/patch.go (StrategicMergeMapPatch, i.e.
 * mergeMap with MergeParallelList and IgnoreUnmatchedNulls), function by function and with its
 * error messages, over the struct tags of the served kinds (api-types.generated.ts).
 *
 * Merged lists are ordered as upstream orders them: the patch's items first in patch (or
 * $setElementOrder) order, the server-only items interleaved by their order in the live list
 * (normalizeElementOrder / mergeSortedSlice), with Go's sort.SliceStable reproduced because the
 * comparison it is given is not a strict order. Where upstream mutates a list in place and later
 * reads it again (a $setElementOrder list whose items are deleted and added), the same
 * in-place writes are made so the same order results.
 *
 * One deliberate difference, which only shows on objects upstream cannot hold: a key of the live
 * object that the schema does not know (upstream decodes into typed structs, so its live object
 * never has one) is treated as absent, i.e. the patch's value replaces it.
 */
import { isObject, type JsonObject, type JsonValue } from './json.ts';
import { API_ROOTS, API_TYPES, type GoField } from './api-types.generated.ts';

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS = 'retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const RETAIN_KEYS_DIRECTIVE = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder';

/** How kube-apiserver answers each failure (interpretStrategicMergePatchError). */
export class StrategicMergeError extends Error {
  constructor(
    message: string,
    /** 400 BadRequest, 422 Invalid, or 500 for errors upstream passes through unconverted. */
    readonly code: 400 | 422 | 500,
  ) {
    super(message);
  }
}

// mergepatch's sentinel errors, with the status interpretStrategicMergePatchError gives them.
const errBadPatchFormatForPrimitiveList = () => new StrategicMergeError('invalid patch format of primitive list', 400);
const errBadPatchFormatForRetainKeys = () => new StrategicMergeError('invalid patch format of retainKeys', 400);
const errBadPatchFormatForSetElementOrderList = () => new StrategicMergeError('invalid patch format of setElementOrder list', 400);
const errNoListOfLists = () => new StrategicMergeError('lists of lists are not supported', 422);
const fail = (message: string) => new StrategicMergeError(message, 500);
const errNoMergeKey = (m: JsonObject, k: string) => fail(`map: ${goFormat(m)} does not contain declared merge key: ${k}`);
const errBadArgType = (expected: string, actual: unknown) => fail(`expected a ${expected}, but received a ${goType(actual)}`);
const errBadPatchType = (t: unknown, m: JsonObject) => fail(`unknown patch type: ${goFormat(t)} in map: ${goFormat(m)}`);

const MAP_TYPE = 'map[string]interface {}';
const SLICE_TYPE = '[]interface {}';

/** reflect.TypeOf of a value decoded by json.Unmarshal into interface{} (numbers as int64 or float64, as PreserveInts). */
function goType(v: unknown): string {
  if (v === null || v === undefined) return '%!s(<nil>)';
  if (Array.isArray(v)) return SLICE_TYPE;
  if (typeof v === 'object') return MAP_TYPE;
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  if (typeof v === 'boolean') return 'bool';
  return 'string';
}

/** fmt's %v of such a value: map[k:v ...] with sorted keys, [a b], <nil>. */
function goFormat(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goFormat).join(' ')}]`;
  if (typeof v === 'object') {
    const o = v as JsonObject;
    return `map[${Object.keys(o)
      .sort()
      .map((k) => `${k}:${goFormat(o[k])}`)
      .join(' ')}]`;
  }
  return String(v);
}

/** The Go kind a value of interface{} has, for reflect.TypeOf(a) != reflect.TypeOf(b). */
function kindOf(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return 'nil';
  if (Array.isArray(v)) return 'slice';
  return typeof v === 'object' ? 'map' : typeof v;
}

// ---- the schema: PatchMetaFromStruct over the generated table --------------------------------

/** A table of Go structs (see api-types.generated.ts): per JSON field, [type, flags, patchStrategy, patchMergeKey]. */
export type PatchTable = Record<string, Record<string, GoField>>;

/** PatchMetaFromStruct: a type of `table`, in its notation ('[]' + element, 'map:' + value, a struct's name, a scalar). */
export interface Schema {
  table: PatchTable;
  type: string;
  /** The field holding this type is a pointer (matters to LookupPatchMetadataForSlice). */
  pointer?: boolean;
}

interface PatchMeta {
  strategies: string[];
  mergeKey: string;
}

const SCALAR_KINDS: Record<string, string> = { string: 'string', bytes: 'slice', int: 'int64', float: 'float64', bool: 'bool' };

/** The Go kind of a schema type, as reflect prints it in upstream's messages. */
function schemaKind(s: Schema): string {
  if (s.type.startsWith('[]')) return 'slice';
  if (s.type.startsWith('map:')) return 'map';
  return SCALAR_KINDS[s.type] ?? 'struct';
}

/** The Go names of the types with a JSON form of their own. */
const GO_NAMES: Record<string, string> = { raw: 'RawExtension', time: 'Time', intstr: 'IntOrString', quantity: 'Quantity', fieldsv1: 'FieldsV1' };

/** Thrown by lookups for a field the struct does not have; mergeMap treats it as absent from the live object. */
class FieldNotFound extends StrategicMergeError {}

/** forkedjson.LookupPatchMetadataForStruct: the field's type and its patchStrategy / patchMergeKey tags. */
function lookupStruct(s: Schema, key: string): [Schema, PatchMeta] {
  if (schemaKind(s) !== 'struct') throw fail(`merging an object in json but data type is not struct, instead is: ${schemaKind(s)}`);
  const fields = s.table[s.type];
  // Own keys only: a patch key such as `constructor` must not find Object.prototype's.
  const field = fields && Object.hasOwn(fields, key) ? fields[key] : undefined;
  if (!field) throw new FieldNotFound(`unable to find api field in struct ${GO_NAMES[s.type] ?? s.type.slice(s.type.lastIndexOf('.') + 1)} for the json field "${key}"`, 500);
  return [{ table: s.table, type: field[0], pointer: field[1].includes('p') }, { strategies: (field[2] ?? '').split(','), mergeKey: field[3] ?? '' }];
}

/** PatchMetaFromStruct.LookupPatchMetadataForSlice: the element type of a list field (or of a pointer's target). */
function lookupSlice(s: Schema, key: string): [Schema, PatchMeta] {
  const [field, meta] = lookupStruct(s, key);
  let elem: string;
  if (field.type.startsWith('[]')) {
    elem = field.type.slice(2);
    if (elem.startsWith('[]') && !field.pointer) throw fail('unexpected slice of slice');
  } else if (field.pointer) {
    elem = field.type;
  } else {
    throw fail(`expected slice or array type, but got: ${schemaKind(s)}`);
  }
  return [{ table: s.table, type: elem }, meta];
}

/** The fields of a struct type (none for RawExtension and the other types with a JSON form of their own). */
function fieldsOf(s: Schema): Record<string, GoField> {
  return s.table[s.type] ?? {};
}

/** extractRetainKeysPatchStrategy: the strategy other than retainKeys ('' if none). */
function patchStrategyOf(strategies: string[]): string {
  switch (strategies.length) {
    case 0:
      return '';
    case 1:
      return strategies[0] === RETAIN_KEYS ? '' : strategies[0]!;
    case 2:
      if (strategies[0] === RETAIN_KEYS) return strategies[1]!;
      if (strategies[1] === RETAIN_KEYS) return strategies[0]!;
      throw fail(`unexpected patch strategy: [${strategies.join(' ')}]`);
    default:
      throw fail(`unexpected patch strategy: [${strategies.join(' ')}]`);
  }
}

/** The schema type of a served kind ('apps/v1/StatefulSet', 'v1/Pod', 'autoscaling/v1/Scale'). */
export function patchSchemaOf(groupVersionKind: string): Schema {
  const type = API_ROOTS[groupVersionKind];
  if (!type) throw new Error(`no strategic-merge-patch schema for ${groupVersionKind}`);
  return { table: API_TYPES, type };
}

// ---- StrategicMergeMapPatch ------------------------------------------------------------------

/**
 * Applies a strategic merge patch to `original`. Both are consumed (mutated), as upstream's
 * StrategicMergeMapPatch consumes its arguments: pass copies.
 */
export function strategicMergePatch(original: JsonObject, patch: JsonObject, schema: Schema): JsonObject {
  return mergeMap(original, patch, schema);
}

function handleDirectiveInMergeMap(directive: JsonValue | undefined, patch: JsonObject): JsonObject {
  if (directive === REPLACE) {
    delete patch[DIRECTIVE];
    return patch;
  }
  if (directive === DELETE) return {};
  throw errBadPatchType(directive, patch);
}

function containsDirectiveMarker(item: JsonValue | undefined): boolean {
  return isObject(item) && DIRECTIVE in item;
}

function mergeKeyValueEqual(left: JsonValue, right: JsonValue, mergeKey: string): boolean {
  if (mergeKey === '') return left === right;
  if (!isObject(left)) throw errBadArgType(MAP_TYPE, left);
  if (!isObject(right)) throw errBadArgType(MAP_TYPE, right);
  if (!(mergeKey in left)) throw errNoMergeKey(left, mergeKey);
  if (!(mergeKey in right)) throw errNoMergeKey(right, mergeKey);
  return left[mergeKey] === right[mergeKey];
}

/** extractKey: the list field a `$prefix/field` directive names. */
function extractKey(s: string, prefix: string): string {
  const slash = s.indexOf('/');
  if (slash < 0 || s.slice(0, slash) !== prefix) {
    if (prefix === DELETE_FROM_PRIMITIVE_LIST) throw errBadPatchFormatForPrimitiveList();
    throw errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(slash + 1);
}

/** validatePatchWithSetOrderList: the patch list's items appear in the $setElementOrder list, in its order. */
function validatePatchWithSetOrderList(patchList: JsonValue[], setOrderList: JsonValue[], mergeKey: string): void {
  if (setOrderList.length === 0 || patchList.length === 0) return;
  const nonDeleteList = mergeKey ? extractToDeleteItems(patchList)[0] : patchList;
  let patchIndex = 0;
  let setOrderIndex = 0;
  while (patchIndex < nonDeleteList.length && setOrderIndex < setOrderList.length) {
    if (containsDirectiveMarker(nonDeleteList[patchIndex])) {
      patchIndex++;
      continue;
    }
    if (mergeKeyValueEqual(nonDeleteList[patchIndex]!, setOrderList[setOrderIndex]!, mergeKey)) patchIndex++;
    setOrderIndex++;
  }
  if (patchIndex < nonDeleteList.length && setOrderIndex >= setOrderList.length) {
    throw fail(`The order in patch list:\n${goFormat(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goFormat(setOrderList)}\n`);
  }
}

/** applyRetainKeysDirective (server side): clears the live keys the $retainKeys list leaves out. */
function applyRetainKeysDirective(original: JsonObject, patch: JsonObject): void {
  if (!(RETAIN_KEYS_DIRECTIVE in patch)) return;
  const retainKeys = patch[RETAIN_KEYS_DIRECTIVE];
  delete patch[RETAIN_KEYS_DIRECTIVE];
  if (!Array.isArray(retainKeys)) throw errBadPatchFormatForRetainKeys();
  const retained = new Set<JsonValue>(retainKeys);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!retained.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!retained.has(k)) delete original[k];
}

/**
 * mergePatchIntoOriginal: merges each list that has a $setElementOrder directive, then orders it
 * by $setElementOrder > order in the patch > order in the live list.
 */
function mergePatchIntoOriginal(original: JsonObject, patch: JsonObject, schema: Schema): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const setElementOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setElementOrder)) throw errBadArgType(SLICE_TYPE, setElementOrder);
    const originalKey = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = originalKey in original;
    const foundPatch = originalKey in patch;
    const originalList = original[originalKey];
    const patchList = patch[originalKey];
    let originalFieldValue: JsonValue[] = [];
    let patchFieldValue: JsonValue[] = [];
    if (foundOriginal) {
      if (!Array.isArray(originalList)) throw errBadArgType(SLICE_TYPE, originalList);
      originalFieldValue = originalList;
    }
    if (foundPatch) {
      if (!Array.isArray(patchList)) throw errBadArgType(SLICE_TYPE, patchList);
      patchFieldValue = patchList;
    }
    const [subschema, meta] = lookupSlice(schema, originalKey);
    const strategy = patchStrategyOf(meta.strategies);
    validatePatchWithSetOrderList(patchFieldValue, setElementOrder, meta.mergeKey);

    let merged: JsonValue[];
    if (foundOriginal && !foundPatch) merged = originalFieldValue;
    else if (!foundOriginal && foundPatch) merged = removeDirectives(patchFieldValue)[0] as JsonValue[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(originalFieldValue, patchFieldValue, subschema, strategy, meta.mergeKey, false);
    else continue;

    const [patchItems, serverOnlyItems] = meta.mergeKey
      ? partitionMapsByPresentInList(merged, setElementOrder, meta.mergeKey)
      : partitionPrimitivesByPresentInList(merged, setElementOrder);
    const kind = sliceElementKind(originalFieldValue, patchFieldValue);
    // originalFieldValue is read after the merge, as upstream reads it: with the in-place writes
    // deleting and appending items made to the list it shares with the merge.
    original[originalKey] = normalizeElementOrder(patchItems, serverOnlyItems, setElementOrder, originalFieldValue, meta.mergeKey, kind);
    delete patch[originalKey];
  }
}

function partitionPrimitivesByPresentInList(original: JsonValue[], partitionBy: JsonValue[]): [JsonValue[], JsonValue[]] {
  const patch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of original) (partitionBy.includes(v) ? patch : serverOnly).push(v);
  return [patch, serverOnly];
}

function partitionMapsByPresentInList(original: JsonValue[], partitionBy: JsonValue[], mergeKey: string): [JsonValue[], JsonValue[]] {
  const patch: JsonValue[] = [];
  const serverOnly: JsonValue[] = [];
  for (const v of original) {
    if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
    if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
    const found = findMapInSliceBasedOnKeyValue(partitionBy, mergeKey, v[mergeKey]!)[2];
    (found ? patch : serverOnly).push(v);
  }
  return [patch, serverOnly];
}

/** removeDirectives: drops maps carrying `$patch` (and the keys holding them); [value, keep]. */
function removeDirectives(o: JsonValue | undefined): [JsonValue | undefined, boolean] {
  if (o === null || o === undefined) return [o, true];
  if (Array.isArray(o)) {
    const res: JsonValue[] = [];
    for (const v of o) {
      const [nv, keep] = removeDirectives(v);
      if (keep) res.push(nv as JsonValue);
    }
    return [res, true];
  }
  if (isObject(o)) {
    if (DIRECTIVE in o) return [undefined, false];
    for (const k of Object.keys(o)) {
      const [nv, keep] = removeDirectives(o[k]);
      if (keep) o[k] = nv;
      else delete o[k];
    }
    return [o, true];
  }
  return [o, true];
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, schema: Schema): JsonObject {
  if (DIRECTIVE in patch) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  original ??= {};
  applyRetainKeysDirective(original, patch);
  mergePatchIntoOriginal(original, patch, schema);

  for (const patchKey of Object.keys(patch)) {
    const patchV = patch[patchKey]!;
    // preprocessDeletionListForMerging: `$deleteFromPrimitiveList/<field>` applies to <field>.
    const isDeleteList = patchKey.startsWith(DELETE_FROM_PRIMITIVE_LIST);
    const k = isDeleteList ? extractKey(patchKey, DELETE_FROM_PRIMITIVE_LIST) : patchKey;

    if (patchV === null) {
      delete original[k];
      continue; // IgnoreUnmatchedNulls
    }
    const takePatchValue = () => {
      if (isDeleteList) return;
      discardNullValuesFromPatch(patchV);
      const [v, keep] = removeDirectives(patchV);
      if (keep) original[k] = v;
      else delete original[k];
    };
    if (!(k in original)) {
      takePatchValue();
      continue;
    }
    const originalKind = kindOf(original[k]);
    if (originalKind !== kindOf(patchV)) {
      takePatchValue();
      continue;
    }
    try {
      if (originalKind === 'map') {
        const [subschema, meta] = lookupStruct(schema, k);
        original[k] = mergeMapHandler(original[k] as JsonObject, patchV as JsonObject, subschema, patchStrategyOf(meta.strategies));
      } else if (originalKind === 'slice') {
        const [subschema, meta] = lookupSlice(schema, k);
        original[k] = mergeSliceHandler(original[k] as JsonValue[], patchV as JsonValue[], subschema, patchStrategyOf(meta.strategies), meta.mergeKey, isDeleteList);
      } else {
        const [v, keep] = removeDirectives(patchV);
        if (keep) original[k] = v;
        else delete original[k];
      }
    } catch (e) {
      // A live key the schema does not know (see the header): as if it were absent.
      // Not for an opaque struct (RawExtension): upstream fails there too.
      const fields = fieldsOf(schema);
      if (!(e instanceof FieldNotFound) || k in fields || Object.keys(fields).length === 0) throw e;
      takePatchValue();
    }
  }
  return original;
}

function discardNullValuesFromPatch(v: JsonValue): void {
  if (Array.isArray(v)) v.forEach(discardNullValuesFromPatch);
  else if (isObject(v)) {
    for (const k of Object.keys(v)) {
      const x = v[k];
      if (x === null) delete v[k];
      else if (x !== undefined) discardNullValuesFromPatch(x);
    }
  }
}

function mergeMapHandler(original: JsonObject, patch: JsonObject, schema: Schema, strategy: string): JsonObject {
  return strategy !== REPLACE ? mergeMap(original, patch, schema) : patch;
}

function mergeSliceHandler(original: JsonValue[], patch: JsonValue[], schema: Schema, strategy: string, mergeKey: string, isDeleteList: boolean): JsonValue[] {
  if (strategy === MERGE || isDeleteList) return mergeSlice(original, patch, schema, mergeKey, isDeleteList);
  return patch;
}

/**
 * mergeSlice. `original` is used as Go's slice backing array: deletions shift its items in place
 * and appends write into the room they leave (callers may read it afterwards, see
 * mergePatchIntoOriginal); its length never changes.
 */
function mergeSlice(original: JsonValue[], patch: JsonValue[], schema: Schema, mergeKey: string, isDeleteList: boolean): JsonValue[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let merged: JsonValue[];
  let serverOrder: JsonValue[] = original;
  let patchOrder: JsonValue[] = patch;
  if (kind !== 'map') {
    if (isDeleteList) return deleteFromSlice(original, patch);
    merged = deduplicateScalars([...original, ...patch]);
  } else {
    if (mergeKey === '') throw fail(`cannot merge lists without merge key for ${schemaKind(schema)}`);
    const view = new SliceView(original);
    const rest = mergeSliceWithSpecialElements(view, patch, mergeKey);
    if (rest === 'replace') {
      merged = view.items();
      serverOrder = merged;
      patchOrder = [];
    } else {
      serverOrder = view.items();
      patchOrder = rest;
      mergeSliceWithoutSpecialElements(view, rest, mergeKey, schema);
      merged = view.items();
    }
  }
  const [patchItems, serverOnlyItems] = mergeKey
    ? partitionMapsByPresentInList(merged, patchOrder, mergeKey)
    : partitionPrimitivesByPresentInList(merged, patchOrder);
  return normalizeElementOrder(patchItems, serverOnlyItems, patchOrder, serverOrder, mergeKey, kind);
}

/**
 * A Go slice over a JS array used as its backing array: `append(s[:i], s[i+1:]...)` shifts in
 * place, `append(s, v)` writes in place while there is room and past the array (where no other
 * holder of the array looks) once there is none.
 */
class SliceView {
  private len: number;
  private readonly beyond: JsonValue[] = [];

  constructor(private backing: JsonValue[]) {
    this.len = backing.length;
  }

  items(): JsonValue[] {
    return [...this.backing.slice(0, Math.min(this.len, this.backing.length)), ...this.beyond];
  }

  get(i: number): JsonValue {
    return i < this.backing.length ? this.backing[i]! : this.beyond[i - this.backing.length]!;
  }

  set(i: number, v: JsonValue): void {
    if (i < this.backing.length) this.backing[i] = v;
    else this.beyond[i - this.backing.length] = v;
  }

  get length(): number {
    return this.len;
  }

  removeAt(i: number): void {
    for (let j = i; j < this.len - 1; j++) this.set(j, this.get(j + 1));
    this.len--;
    if (this.len >= this.backing.length) this.beyond.length = this.len - this.backing.length;
  }

  push(v: JsonValue): void {
    this.set(this.len, v);
    this.len++;
  }

  /** Replaces the contents with a fresh array (no longer shared). */
  reset(items: JsonValue[]): void {
    this.backing = items;
    this.len = items.length;
    this.beyond.length = 0;
  }
}

/**
 * mergeSliceWithSpecialElements: applies `$patch: delete` items to the live list (in place);
 * returns the patch without directive items, or 'replace' (the view then holds those items).
 */
function mergeSliceWithSpecialElements(view: SliceView, patch: JsonValue[], mergeKey: string): JsonValue[] | 'replace' {
  const withoutSpecial: JsonValue[] = [];
  let replace = false;
  for (const v of patch) {
    const typed = v as JsonObject;
    if (!(DIRECTIVE in typed)) {
      withoutSpecial.push(v);
      continue;
    }
    const patchType = typed[DIRECTIVE];
    if (patchType === DELETE) {
      if (!(mergeKey in typed)) throw errNoMergeKey(typed, mergeKey);
      deleteMatchingEntries(view, mergeKey, typed[mergeKey]!);
    } else if (patchType === REPLACE) {
      replace = true;
    } else if (patchType === MERGE) {
      throw fail('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(patchType, typed);
    }
  }
  if (replace) {
    view.reset(withoutSpecial);
    return 'replace';
  }
  return withoutSpecial;
}

function deleteMatchingEntries(view: SliceView, mergeKey: string, mergeValue: JsonValue): void {
  for (;;) {
    const [, i, found] = findMapInSliceBasedOnKeyValue(view.items(), mergeKey, mergeValue);
    if (!found) return;
    view.removeAt(i);
  }
}

function mergeSliceWithoutSpecialElements(view: SliceView, patch: JsonValue[], mergeKey: string, schema: Schema): void {
  for (const v of patch) {
    const typed = v as JsonObject;
    if (!(mergeKey in typed)) throw errNoMergeKey(typed, mergeKey);
    const [originalMap, i, found] = findMapInSliceBasedOnKeyValue(view.items(), mergeKey, typed[mergeKey]!);
    if (found) view.set(i, mergeMap(originalMap, typed, schema));
    else view.push(v);
  }
}

function deleteFromSlice(current: JsonValue[], toDelete: JsonValue[]): JsonValue[] {
  return current.filter((v) => !toDelete.includes(v));
}

function findMapInSliceBasedOnKeyValue(m: JsonValue[], key: string, value: JsonValue): [JsonObject | undefined, number, boolean] {
  for (let i = 0; i < m.length; i++) {
    const v = m[i];
    if (!isObject(v)) throw fail(`value for key ${i} is not a map`);
    if (key in v && v[key] === value) return [v, i, true];
  }
  return [undefined, 0, false];
}

/** deduplicateScalars, with its order: a later duplicate is overwritten by the last item. */
function deduplicateScalars(s: JsonValue[]): JsonValue[] {
  let length = s.length - 1;
  for (let i = 0; i < length; i++) {
    for (let j = i + 1; j <= length; j++) {
      if (s[i] === s[j]) {
        s[j] = s[length]!;
        s.length = length;
        length--;
        j--;
      }
    }
  }
  return s;
}

/** sliceElementType: the one kind of every item of the lists ('map', 'string', …). */
function sliceElementKind(...slices: JsonValue[][]): string {
  let prev: string | undefined;
  for (const s of slices) {
    for (const v of s) {
      const kind = kindOf(v);
      if (prev === undefined) {
        prev = kind;
        if (prev === 'slice') throw errNoListOfLists();
      } else if (prev !== kind) {
        throw fail(`list element types are not identical: [${slices.map(goFormat).join(' ')}]`);
      }
    }
  }
  if (prev === undefined) throw fail('no elements in any of the given slices');
  return prev;
}

// ---- ordering --------------------------------------------------------------------------------

/**
 * normalizeElementOrder: `patch` sorted by `patchOrder`, `serverOnly` by `serverOrder`, then the
 * two merged keeping each one's relative order (mergeSortedSlice).
 */
function normalizeElementOrder(patch: JsonValue[], serverOnly: JsonValue[], patchOrder: JsonValue[], serverOrder: JsonValue[], mergeKey: string, kind: string): JsonValue[] {
  const sortedPatch = normalizeSliceOrder(patch, patchOrder, mergeKey, kind);
  const sortedServerOnly = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(sortedServerOnly, sortedPatch, serverOrder, mergeKey, kind);
}

/**
 * mergeSortedSlice: inserts the server-only items (`left`) among the patch items (`right`): a
 * left item goes first only when both are in the live list and it comes earlier there.
 */
function mergeSortedSlice(left: JsonValue[], right: JsonValue[], serverOrder: JsonValue[], mergeKey: string, kind: string): JsonValue[] {
  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) out.push(right[j++]!);
    else if (j >= right.length) out.push(left[i++]!);
    else {
      const li = indexOf(serverOrder, left[i]!, mergeKey, kind);
      const ri = indexOf(serverOrder, right[j]!, mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]!);
      else out.push(right[j++]!);
    }
  }
  return out;
}

/** index: position of the item (by merge key for maps) in `l`, or -1. */
function indexOf(l: JsonValue[], v: JsonValue, mergeKey: string, kind: string): number {
  const val = (x: JsonValue) => (kind === 'map' ? (isObject(x) ? x[mergeKey] : undefined) : x);
  const want = val(v);
  return l.findIndex((x) => val(x) === want);
}

function validateMergeKeyInLists(mergeKey: string, ...lists: JsonValue[][]): void {
  for (const list of lists) {
    for (const item of list) {
      if (!isObject(item)) throw errBadArgType(MAP_TYPE, item);
      if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

function extractToDeleteItems(l: JsonValue[]): [JsonValue[], JsonValue[]] {
  const nonDelete: JsonValue[] = [];
  const toDelete: JsonValue[] = [];
  for (const v of l) {
    if (!isObject(v)) throw errBadArgType(MAP_TYPE, v);
    (v[DIRECTIVE] === DELETE ? toDelete : nonDelete).push(v);
  }
  return [nonDelete, toDelete];
}

/** normalizeSliceOrder: sort.SliceStable by position in `order`, `$patch: delete` items last. */
function normalizeSliceOrder(toSort: JsonValue[], order: JsonValue[], mergeKey: string, kind: string): JsonValue[] {
  let items = [...toSort];
  let toDelete: JsonValue[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, items, order);
    [items, toDelete] = extractToDeleteItems(items);
  }
  // Not a strict weak order (an item missing from `order` is "less" than anything), so the
  // result depends on the algorithm: Go's, reproduced by sliceStable.
  sliceStable(items, (a, b) => {
    const ia = indexOf(order, a, mergeKey, kind);
    if (ia >= 0) {
      const ib = indexOf(order, b, mergeKey, kind);
      if (ib >= 0) return ia < ib;
    }
    return true;
  });
  return [...items, ...toDelete];
}

/** Go's sort.SliceStable (sort/zsortfunc.go stable_func: insertion sort in blocks of 20, then SymMerge). */
export function sliceStable<T>(data: T[], less: (a: T, b: T) => boolean): void {
  const lessAt = (i: number, j: number) => less(data[i]!, data[j]!);
  const swap = (i: number, j: number) => {
    const t = data[i]!;
    data[i] = data[j]!;
    data[j] = t;
  };
  const insertionSort = (a: number, b: number) => {
    for (let i = a + 1; i < b; i++) for (let j = i; j > a && lessAt(j, j - 1); j--) swap(j, j - 1);
  };
  const swapRange = (a: number, b: number, n: number) => {
    for (let i = 0; i < n; i++) swap(a + i, b + i);
  };
  const rotate = (a: number, m: number, b: number) => {
    let i = m - a;
    let j = b - m;
    while (i !== j) {
      if (i > j) {
        swapRange(m - i, m, j);
        i -= j;
      } else {
        swapRange(m - i, m + j - i, i);
        j -= i;
      }
    }
    swapRange(m - i, m, i);
  };
  const symMerge = (a: number, m: number, b: number): void => {
    if (m - a === 1) {
      let i = m;
      let j = b;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (lessAt(h, a)) i = h + 1;
        else j = h;
      }
      for (let k = a; k < i - 1; k++) swap(k, k + 1);
      return;
    }
    if (b - m === 1) {
      let i = a;
      let j = m;
      while (i < j) {
        const h = (i + j) >>> 1;
        if (!lessAt(m, h)) i = h + 1;
        else j = h;
      }
      for (let k = m; k > i; k--) swap(k, k - 1);
      return;
    }
    const mid = (a + b) >>> 1;
    const n = mid + m;
    let start: number;
    let r: number;
    if (m > mid) {
      start = n - b;
      r = mid;
    } else {
      start = a;
      r = m;
    }
    const p = n - 1;
    while (start < r) {
      const c = (start + r) >>> 1;
      if (!lessAt(p - c, c)) start = c + 1;
      else r = c;
    }
    const end = n - start;
    if (start < m && m < end) rotate(start, m, end);
    if (a < start && start < mid) symMerge(a, start, mid);
    if (mid < end && end < b) symMerge(mid, end, b);
  };

  const n = data.length;
  let blockSize = 20;
  let a = 0;
  let b = blockSize;
  while (b <= n) {
    insertionSort(a, b);
    a = b;
    b += blockSize;
  }
  insertionSort(a, n);
  while (blockSize < n) {
    a = 0;
    b = 2 * blockSize;
    while (b <= n) {
      symMerge(a, a + blockSize, b);
      a = b;
      b += 2 * blockSize;
    }
    const m = a + blockSize;
    if (m < n) symMerge(a, m, n);
    blockSize *= 2;
  }
}

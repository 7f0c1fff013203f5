/**
 * Decoding a request into the Go structs as kube-apiserver does it, for its type errors and its
 * strict-decoding findings (unknown and duplicate fields), with upstream's messages:
 *
 * - create and update bodies, merge and JSON patches: the JSON decoder (sigs.k8s.io/json, a
 *   fork of encoding/json): the first type error in document order, `json: cannot unmarshal
 *   string into Go struct field StatefulSetSpec.spec.replicas of type int32`; unknown and
 *   duplicate fields in document order (`unknown field "spec.template.spec.containers[0].foo"`);
 * - strategic merge patches: runtime.DefaultUnstructuredConverter on the patched map (struct
 *   field order; `unrecognized type: int32`, `cannot restore struct from: string`; unknown
 *   fields sorted), after the patch's own duplicate fields;
 * - server-side apply: structured-merge-diff's typed conversion of the applied configuration
 *   (`.spec.replicas: expected numeric (int or float), got string`, `.spec.replica: field not
 *   declared in schema`), then the converter on the result (`cannot convert float64 to int32`).
 *
 * `fieldValidation` (Strict, Warn — the default —, Ignore) decides what the strict findings do:
 * fail the request, become `Warning` headers, or nothing. Type errors always fail it. Fields the
 * structs do not have are then dropped by go-encoding.ts, as decoding into the structs does.
 * Left out: time formats, base64 of []byte fields and quantity suffixes are not checked here.
 */
import { API_GO_TYPES, API_ROOTS, API_TYPES } from './api-types.generated.ts';
import { ApiError, badRequest, invalid } from './errors.ts';
import { goJson, isObject, type JsonObject, type JsonValue } from './json.ts';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** The `fieldValidation` query parameter of a write; `options` names the Options kind in the error. */
export function fieldValidationOf(q: URLSearchParams, options: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions'): FieldValidation {
  const v = q.get('fieldValidation') ?? '';
  if (v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  const err = invalid({ group: 'meta.k8s.io', resource: '', kind: options }, '', [
    { type: 'NotSupported', field: 'fieldValidation', value: v, supported: ['', 'Ignore', 'Strict', 'Warn'] },
  ]);
  delete err.details!.name;
  throw err;
}

// ---- JSON text with positions ----------------------------------------------------------------

/** Where each member of a parsed object or array began in the text, and a number's literal. */
type Positions = WeakMap<object, Map<string | number, { at: number; literal?: string }>>;

interface Finding {
  at: number;
  message: string;
}

export interface ParsedJson {
  value: JsonValue;
  positions: Positions;
  /** `duplicate field "spec.replicas"`, at the repeated key. */
  duplicates: Finding[];
}

const joinPath = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * JSON text parsed with the positions of its members and its duplicate keys (the last value
 * wins, as in Go). The text is valid JSON (JSON.parse accepted it); nesting deeper than Go's
 * decoder allows (10000) is a 400.
 */
export function parseJsonWithPositions(text: string): ParsedJson {
  const positions: Positions = new WeakMap();
  const duplicates: Finding[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const string = (): string => {
    const start = i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string, depth: number): [JsonValue, string | undefined] => {
    if (depth > 10000) throw badRequest('json: exceeded max depth');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: JsonObject = {};
      const at = new Map<string | number, { at: number; literal?: string }>();
      positions.set(o, at);
      ws();
      if (text[i] === '}') {
        i++;
        return [o, undefined];
      }
      for (;;) {
        ws();
        const keyAt = i;
        const key = string();
        ws();
        i++; // :
        const [v, literal] = value(joinPath(path, key), depth + 1);
        if (Object.hasOwn(o, key)) duplicates.push({ at: keyAt, message: `duplicate field "${joinPath(path, key)}"` });
        else at.set(key, { at: keyAt, literal });
        if (literal !== undefined) at.get(key)!.literal = literal;
        Object.defineProperty(o, key, { value: v, enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i++] === '}') return [o, undefined];
      }
    }
    if (c === '[') {
      i++;
      const a: JsonValue[] = [];
      const at = new Map<string | number, { at: number; literal?: string }>();
      positions.set(a, at);
      ws();
      if (text[i] === ']') {
        i++;
        return [a, undefined];
      }
      for (;;) {
        ws();
        const itemAt = i;
        const [v, literal] = value(`${path}[${a.length}]`, depth + 1);
        at.set(a.length, { at: itemAt, literal });
        a.push(v);
        ws();
        if (text[i++] === ']') return [a, undefined];
      }
    }
    if (c === '"') return [string(), undefined];
    const m = /^(?:true|false|null|-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?)/.exec(text.slice(i, i + 400))!;
    i += m[0].length;
    const literal = m[0];
    if (literal === 'true' || literal === 'false') return [literal === 'true', undefined];
    if (literal === 'null') return [null, undefined];
    return [Number(literal), literal];
  };
  const [v] = value('', 0);
  return { value: v, positions, duplicates };
}

// ---- the Go types ------------------------------------------------------------------------------

const baseName = (goType: string): string => goType.split('|')[0]!;
/** reflect.Kind of a scalar field: the named type's kind, or the builtin itself. */
function kindOf(type: string, goType: string): string {
  const bar = goType.indexOf('|');
  if (bar >= 0) return goType.slice(bar + 1);
  if (type === 'string') return 'string';
  if (type === 'bool') return 'bool';
  return goType;
}
const elemGoType = (goType: string): string => (goType.startsWith('[]') ? goType.slice(2) : goType.slice(goType.indexOf(']') + 1));

const INT_RANGE: Record<string, [bigint, bigint]> = {
  int8: [-(2n ** 7n), 2n ** 7n - 1n],
  int16: [-(2n ** 15n), 2n ** 15n - 1n],
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  int: [-(2n ** 63n), 2n ** 63n - 1n],
  uint8: [0n, 2n ** 8n - 1n],
  uint16: [0n, 2n ** 16n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
  uint: [0n, 2n ** 64n - 1n],
};

/** Whether a JSON number literal decodes into an integer of `kind` (strconv.ParseInt/ParseUint). */
function fitsInt(literal: string, kind: string): boolean {
  if (!/^-?\d+$/.test(literal)) return false;
  const [lo, hi] = INT_RANGE[kind] ?? INT_RANGE.int64!;
  const n = BigInt(literal);
  return n >= lo && n <= hi;
}

const QUANTITY = /^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$/;
const QUANTITY_ERROR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

function jsonKind(v: JsonValue): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
}

// ---- the JSON decoder ----------------------------------------------------------------------------

interface JsonContext {
  positions?: Positions;
  strict: Finding[];
  typeError?: string;
}

interface FieldContext {
  /** The Go name of the struct holding the field being decoded, and the JSON names down to it. */
  struct: string;
  stack: string[];
  path: string;
  literal?: string;
}

function decodeStruct(type: string, o: JsonObject, ctx: JsonContext, path: string, stack: string[]): void {
  const fields = API_TYPES[type]!;
  const goTypes = API_GO_TYPES[type]!;
  const at = ctx.positions?.get(o);
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    const pos = at?.get(k);
    if (!Object.hasOwn(fields, k)) {
      ctx.strict.push({ at: pos?.at ?? 0, message: `unknown field "${joinPath(path, k)}"` });
      continue;
    }
    decodeValue(fields[k]![0], goTypes[k]!, v, ctx, { struct: goTypes['']!, stack: [...stack, k], path: joinPath(path, k), literal: pos?.literal });
  }
}

function decodeValue(type: string, goType: string, v: JsonValue, ctx: JsonContext, f: FieldContext): void {
  if (v === null) return;
  const fail = (value: string, ofType = baseName(goType)): void => {
    ctx.typeError ??= `json: cannot unmarshal ${value} into Go struct field ${f.struct}.${f.stack.join('.')} of type ${ofType}`;
  };
  const literal = (): string => f.literal ?? String(v);
  if (API_TYPES[type]) return isObject(v) ? decodeStruct(type, v, ctx, f.path, f.stack) : fail(jsonKind(v));
  if (type === 'bytes') return void (typeof v !== 'string' && fail(jsonKind(v)));
  if (type.startsWith('[]')) {
    if (!Array.isArray(v)) return fail(jsonKind(v));
    const at = ctx.positions?.get(v);
    v.forEach((x, i) => decodeValue(type.slice(2), elemGoType(goType), x, ctx, { ...f, path: `${f.path}[${i}]`, literal: at?.get(i)?.literal }));
    return;
  }
  if (type.startsWith('map:')) {
    if (!isObject(v)) return fail(jsonKind(v));
    const at = ctx.positions?.get(v);
    for (const [k, x] of Object.entries(v)) {
      if (x !== undefined) decodeValue(type.slice(4), elemGoType(goType), x, ctx, { ...f, path: joinPath(f.path, k), literal: at?.get(k)?.literal });
    }
    return;
  }
  switch (type) {
    case 'string':
      return void (typeof v !== 'string' && fail(jsonKind(v)));
    case 'bool':
      return void (typeof v !== 'boolean' && fail(jsonKind(v)));
    case 'float':
      return void (typeof v !== 'number' && fail(jsonKind(v)));
    case 'int':
      if (typeof v !== 'number') return fail(jsonKind(v));
      return void (!fitsInt(literal(), kindOf(type, goType)) && fail(`number ${literal()}`));
    case 'intstr':
      // IntOrString.UnmarshalJSON: a string, else json.Unmarshal into its int32.
      if (typeof v === 'string') return;
      if (typeof v === 'number') return void (!fitsInt(literal(), 'int32') && fail(`number ${literal()}`, 'int32'));
      return fail(jsonKind(v), 'int32');
    case 'time':
      // Time.UnmarshalJSON: json.Unmarshal into a string first.
      return void (typeof v !== 'string' && fail(jsonKind(v), 'string'));
    case 'quantity':
      if ((typeof v !== 'string' && typeof v !== 'number') || !QUANTITY.test(typeof v === 'string' ? v : literal())) ctx.typeError ??= QUANTITY_ERROR;
      return;
    default:
      return; // raw, fieldsv1: any JSON
  }
}

/** What decoding `value` into the Go type of `groupVersionKind` finds. */
export interface Decoded {
  /** The first type error, which fails the request whatever fieldValidation says. */
  typeError?: string;
  /** Unknown and duplicate fields, in document order. */
  strict: string[];
}

export function decodeJson(groupVersionKind: string, value: JsonObject, parsed?: ParsedJson): Decoded {
  const ctx: JsonContext = { positions: parsed?.positions, strict: [...(parsed?.duplicates ?? [])] };
  // The positions are those of the parsed text's own objects.
  decodeStruct(API_ROOTS[groupVersionKind]!, parsed && isObject(parsed.value) ? parsed.value : value, ctx, '', []);
  ctx.strict.sort((a, b) => a.at - b.at);
  return { typeError: ctx.typeError, strict: ctx.strict.map((s) => s.message) };
}

/**
 * A create or update body decoded as the serializer does: a type error or (Strict) strict
 * findings are a 400 `<Kind> in version "<v>" cannot be handled as a <Kind>: …`; with Warn the
 * findings are returned as warnings.
 */
export function checkBody(groupVersionKind: string, kind: string, version: string, value: JsonObject, validation: FieldValidation, parsed?: ParsedJson): string[] {
  const d = decodeJson(groupVersionKind, value, parsed);
  const fail = (why: string): ApiError => badRequest(`${kind} in version ${JSON.stringify(version)} cannot be handled as a ${kind}: ${why}`);
  if (d.typeError) throw fail(d.typeError);
  return strictOutcome(d.strict, validation, (why) => fail(why));
}

function strictOutcome(findings: string[], validation: FieldValidation, fail: (why: string) => ApiError): string[] {
  if (findings.length === 0 || validation === 'Ignore') return [];
  if (validation === 'Strict') throw fail(`strict decoding error: ${findings.join(', ')}`);
  return findings;
}

/** The 422 a patch whose result does not decode gets: `patch: Invalid value: "<value>": <why>`, with no kind or name. */
function patchInvalid(value: string, why: string): ApiError {
  const body = `Invalid value: ${JSON.stringify(value)}: ${why}`;
  return new ApiError(422, 'Invalid', ` "" is invalid: patch: ${body}`, { causes: [{ reason: 'FieldValueInvalid', message: body, field: 'patch' }] });
}

// ---- merge and JSON patches ------------------------------------------------------------------------

/** `o` with its keys in the Go struct's field order, as runtime.Encode writes the current object. */
function goOrdered(type: string, v: JsonValue): JsonValue {
  if (API_TYPES[type] && isObject(v)) {
    const fields = API_TYPES[type]!;
    const out: JsonObject = {};
    for (const [k, [t]] of Object.entries(fields)) if (Object.hasOwn(v, k) && v[k] !== undefined) out[k] = goOrdered(t, v[k]!);
    for (const [k, x] of Object.entries(v)) if (!Object.hasOwn(out, k) && x !== undefined) out[k] = x;
    return out;
  }
  if (type.startsWith('[]') && Array.isArray(v)) return v.map((x) => goOrdered(type.slice(2), x));
  if (type.startsWith('map:') && isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, goOrdered(type.slice(4), x!)]));
  return v;
}

function sortedKeys(o: JsonObject): JsonObject {
  return Object.fromEntries(Object.keys(o).sort().map((k) => [k, o[k]]));
}

/**
 * The merge-patched document as json-patch writes it: objects the patch reaches re-encoded with
 * sorted keys (they were decoded into maps), the rest as the current object was encoded.
 */
function mergeForMessage(doc: JsonValue, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(doc) ? { ...doc } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeForMessage(out[k] ?? null, v!);
  }
  return sortedKeys(out);
}

/** The JSON-patched document as json-patch writes it: objects along each operation's paths re-encoded with sorted keys. */
function sortAlong(doc: JsonValue, pointer: string): JsonValue {
  const segments = pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));
  const walk = (v: JsonValue, i: number): JsonValue => {
    if (i >= segments.length) return v;
    const seg = segments[i]!;
    if (Array.isArray(v)) {
      const n = Number(seg);
      if (!Number.isInteger(n) || n < 0 || n >= v.length) return v;
      const copy = [...v];
      copy[n] = walk(copy[n]!, i + 1);
      return copy;
    }
    if (!isObject(v)) return v;
    const out = sortedKeys(v);
    if (i + 1 < segments.length && Object.hasOwn(out, seg) && out[seg] !== undefined) out[seg] = walk(out[seg]!, i + 1);
    return out;
  };
  return walk(doc, 0);
}

/**
 * Checks a merge or JSON patch's result as jsonPatcher does (decoding the patched JSON), with the
 * patch's own strict findings first; returns the warnings (Warn) or throws the 422.
 */
export function checkJsonPatched(
  groupVersionKind: string,
  type: 'application/json-patch+json' | 'application/merge-patch+json',
  current: JsonObject,
  patch: unknown,
  patched: JsonObject,
  rawPatch: string,
  validation: FieldValidation,
): string[] {
  const root = API_ROOTS[groupVersionKind]!;
  const base = goOrdered(root, current);
  let shown: JsonValue;
  const own: string[] = [];
  if (validation !== 'Ignore') own.push(...patchFindings(type, rawPatch));
  if (type === 'application/merge-patch+json') shown = mergeForMessage(base, patch as JsonValue);
  else {
    shown = goOrdered(root, patched);
    shown = sortedKeys(shown as JsonObject);
    for (const op of patch as { path?: unknown; from?: unknown }[]) {
      for (const p of [op.path, op.from]) if (typeof p === 'string' && p.startsWith('/')) shown = sortAlong(shown, p);
    }
  }
  const d = decodeJson(groupVersionKind, shown as JsonObject);
  if (d.typeError) throw patchInvalid(goJson(shown), d.typeError);
  return strictOutcome([...own, ...d.strict], validation, (why) => patchInvalid(goJson(shown), why));
}

/** The patch document's own findings (kjson.UnmarshalStrict of the patch). */
function patchFindings(type: string, rawPatch: string): string[] {
  let parsed: ParsedJson;
  try {
    parsed = parseJsonWithPositions(rawPatch);
  } catch {
    return [];
  }
  const found = [...parsed.duplicates];
  if (type === 'application/json-patch+json' && Array.isArray(parsed.value)) {
    // Into []jsonPatchOp{op, path, from, value}: other keys are unknown fields.
    parsed.value.forEach((op, i) => {
      if (!isObject(op)) return;
      const at = parsed.positions.get(op);
      for (const k of Object.keys(op)) if (!['op', 'path', 'from', 'value'].includes(k)) found.push({ at: at?.get(k)?.at ?? 0, message: `unknown field "[${i}].${k}"` });
    });
  }
  found.sort((a, b) => a.at - b.at);
  return found.map((f) => (type === 'application/json-patch+json' ? `json patch ${f.message}` : f.message));
}

// ---- strategic merge patches: the unstructured converter --------------------------------------------

function srcKind(v: JsonValue): string {
  if (Array.isArray(v)) return 'slice';
  if (isObject(v)) return 'map';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int64' : 'float64';
  return typeof v === 'boolean' ? 'bool' : 'string';
}

const INT_KINDS = new Set(Object.keys(INT_RANGE));

/** fromUnstructured: the first conversion error (struct field order); unknown fields into `unknown`. */
function convert(type: string, goType: string, v: JsonValue, unknown: string[], path: string): string | undefined {
  if (v === null) return undefined;
  const src = srcKind(v);
  if (API_TYPES[type]) {
    if (!isObject(v)) return `cannot restore struct from: ${src}`;
    const fields = API_TYPES[type]!;
    const goTypes = API_GO_TYPES[type]!;
    for (const [k, [t]] of Object.entries(fields)) {
      if (!Object.hasOwn(v, k) || v[k] === undefined) continue;
      const err = convert(t, goTypes[k]!, v[k]!, unknown, joinPath(path, k));
      if (err) return err;
    }
    for (const k of Object.keys(v)) if (!Object.hasOwn(fields, k)) unknown.push(`unknown field "${joinPath(path, k)}"`);
    return undefined;
  }
  if (type === 'bytes') return typeof v === 'string' || Array.isArray(v) ? undefined : `cannot restore slice from ${src}`;
  if (type.startsWith('[]')) {
    if (!Array.isArray(v)) return `cannot restore slice from ${src}`;
    for (let i = 0; i < v.length; i++) {
      const err = convert(type.slice(2), elemGoType(goType), v[i]!, unknown, `${path}[${i}]`);
      if (err) return err;
    }
    return undefined;
  }
  if (type.startsWith('map:')) {
    if (!isObject(v)) return `cannot restore map from ${src}`;
    for (const x of Object.values(v)) {
      const err = x === undefined ? undefined : convert(type.slice(4), elemGoType(goType), x, unknown, path);
      if (err) return err;
    }
    return undefined;
  }
  switch (type) {
    case 'intstr':
      if (typeof v === 'string' || (typeof v === 'number' && fitsInt(String(v), 'int32'))) return undefined;
      return `json: cannot unmarshal ${typeof v === 'number' ? `number ${v}` : jsonKind(v)} into Go value of type int32`;
    case 'time':
      return typeof v === 'string' ? undefined : `json: cannot unmarshal ${jsonKind(v)} into Go value of type string`;
    case 'quantity':
      return (typeof v === 'string' || typeof v === 'number') && QUANTITY.test(String(v)) ? undefined : QUANTITY_ERROR;
    case 'raw':
    case 'fieldsv1':
      return undefined;
  }
  // A scalar: assignable, or one of the conversions JSON allows.
  const kind = kindOf(type, goType);
  const isInt = INT_KINDS.has(kind);
  const isFloat = kind === 'float32' || kind === 'float64';
  if (src === 'string') return kind === 'string' ? undefined : `unrecognized type: ${kind}`;
  if (src === 'bool') return kind === 'bool' ? undefined : `unrecognized type: ${kind}`;
  if (src === 'int64') {
    if (isInt || isFloat) return undefined;
    return kind === 'string' ? `cannot convert int64 to ${baseName(goType)}` : `unrecognized type: ${kind}`;
  }
  if (src === 'float64') {
    if (isFloat) return undefined;
    return isInt ? `cannot convert float64 to ${baseName(goType)}` : `unrecognized type: ${kind}`;
  }
  return `unrecognized type: ${kind}`;
}

const INT_BITS: Record<string, [number, boolean]> = { int8: [8, true], int16: [16, true], int32: [32, true], int64: [64, true], int: [64, true], uint8: [8, false], uint16: [16, false], uint32: [32, false], uint64: [64, false], uint: [64, false] };

/**
 * What the converter stores: reflect's Convert from int64 to a narrower integer wraps around
 * (kube-apiserver keeps 1410065408 for a patched `replicas: 10000000000`). In place.
 */
export function wrapIntegers(type: string, goType: string, v: JsonValue | undefined): JsonValue | undefined {
  if (v === null || v === undefined) return v;
  if (API_TYPES[type] && isObject(v)) {
    const fields = API_TYPES[type]!;
    const goTypes = API_GO_TYPES[type]!;
    for (const [k, [t]] of Object.entries(fields)) if (Object.hasOwn(v, k)) v[k] = wrapIntegers(t, goTypes[k]!, v[k]);
    return v;
  }
  if (type.startsWith('[]') && Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) v[i] = wrapIntegers(type.slice(2), elemGoType(goType), v[i])!;
    return v;
  }
  if (type.startsWith('map:') && isObject(v)) {
    for (const k of Object.keys(v)) v[k] = wrapIntegers(type.slice(4), elemGoType(goType), v[k]);
    return v;
  }
  if (type === 'int' && typeof v === 'number' && Number.isInteger(v)) {
    const [bits, signed] = INT_BITS[kindOf(type, goType)] ?? [64, true];
    if (bits >= 53) return v;
    const n = BigInt(v);
    return Number(signed ? BigInt.asIntN(bits, n) : BigInt.asUintN(bits, n));
  }
  return v;
}

/** Go's %+v of a map[string]interface{} from a JSON document: `map[spec:map[replicas:three]]`. */
export function goPrint(v: JsonValue | undefined): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goPrint).join(' ')}]`;
  if (isObject(v)) {
    return `map[${Object.keys(v)
      .sort()
      .map((k) => `${k}:${goPrint(v[k])}`)
      .join(' ')}]`;
  }
  if (typeof v === 'number') return goFloat(v);
  return String(v);
}

/** %v of a float64 (strconv 'g' with the shortest precision; integers from the JSON print as such). */
function goFloat(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21) {
    const [m, e] = n.toExponential().split('e');
    const sign = e!.startsWith('-') ? '-' : '+';
    const digits = e!.replace(/^[-+]/, '');
    return `${m}e${sign}${digits.padStart(2, '0')}`;
  }
  return String(n);
}

/**
 * Checks a strategic merge patch's result as strategicPatchObject does: the patch's duplicate
 * fields, then the converter's findings; returns the warnings (Warn) or throws the 422.
 */
export function checkStrategicPatched(groupVersionKind: string, patch: unknown, patched: JsonObject, rawPatch: string, validation: FieldValidation): string[] {
  const unknown: string[] = [];
  const err = convert(API_ROOTS[groupVersionKind]!, '', patched, unknown, '');
  const shown = goPrint((patch ?? {}) as JsonValue);
  if (err) throw patchInvalid(shown, err);
  if (validation === 'Ignore') return [];
  const own = patchFindings('application/strategic-merge-patch+json', rawPatch);
  return strictOutcome([...own, ...unknown.sort()], validation, (why) => patchInvalid(shown, why));
}

// ---- server-side apply ----------------------------------------------------------------------------

/** %#v of a JSON value as interface{} holds it. */
function goSharp(v: JsonValue): string {
  if (Array.isArray(v)) return `[]interface {}{${v.map(goSharp).join(', ')}}`;
  if (isObject(v)) return `map[string]interface {}{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${goSharp(v[k]!)}`).join(', ')}}`;
  if (typeof v === 'string') return JSON.stringify(v);
  return v === null ? '<nil>' : typeof v === 'number' ? goFloat(v) : String(v);
}
const goTypeOf = (v: JsonValue): string =>
  Array.isArray(v) ? '[]interface {}' : isObject(v) ? 'map[string]interface {}' : typeof v === 'number' ? (Number.isInteger(v) ? 'int64' : 'float64') : typeof v === 'boolean' ? 'bool' : 'string';

interface SmdFindings {
  /** The first field the schema does not declare (structured-merge-diff stops there). */
  undeclared?: string;
  errors: string[];
}

/** structured-merge-diff's validation of the applied configuration against the schema, fields in sorted order. */
function smdWalk(type: string, v: JsonValue, path: string, found: SmdFindings, mergeKey?: string): void {
  if (v === null || found.undeclared) return;
  const wrapped = `&{${goPrint(v)}}`;
  if (API_TYPES[type]) {
    if (!isObject(v)) return void found.errors.push(`${path}: expected map, got ${wrapped}`);
    const fields = API_TYPES[type]!;
    for (const k of Object.keys(v).sort()) {
      if (v[k] === undefined) continue;
      if (!Object.hasOwn(fields, k)) {
        found.undeclared ??= `${path}.${k}: field not declared in schema`;
        return;
      }
      const [t, , , key] = fields[k]!;
      smdWalk(t, v[k]!, `${path}.${k}`, found, key);
    }
    return;
  }
  if (type.startsWith('[]') && type !== 'bytes') {
    if (!Array.isArray(v)) return void found.errors.push(`${path}: expected list, got ${wrapped}`);
    v.forEach((x, i) => {
      // Items of a list with a merge key are named by it, as the list-map keys name them.
      const id = mergeKey && isObject(x) && x[mergeKey] !== undefined ? `[${mergeKey}=${goJson(x[mergeKey])}]` : `[${i}]`;
      smdWalk(type.slice(2), x, `${path}${id}`, found);
    });
    return;
  }
  if (type.startsWith('map:')) {
    if (!isObject(v)) return void found.errors.push(`${path}: expected map, got ${wrapped}`);
    for (const k of Object.keys(v).sort()) if (v[k] !== undefined) smdWalk(type.slice(4), v[k]!, `${path}.${k}`, found);
    return;
  }
  switch (type) {
    case 'int':
    case 'float':
      if (typeof v !== 'number') found.errors.push(`${path}: expected numeric (int or float), got ${goTypeOf(v)}`);
      return;
    case 'string':
    case 'time':
    case 'bytes':
      if (typeof v !== 'string') found.errors.push(`${path}: expected string, got &value.valueUnstructured{Value:${goSharp(v)}}`);
      return;
    case 'bool':
      if (typeof v !== 'boolean') found.errors.push(`${path}: expected boolean, got ${wrapped}`);
      return;
  }
}

/**
 * The applied configuration of a server-side apply, typed as the field manager does: fields the
 * schema does not declare and values of the wrong type are a 500 `failed to create typed patch
 * object (<ns>/<name>; <apiVersion>, Kind=<kind>): …`, whatever fieldValidation says.
 */
export function checkApplied(groupVersionKind: string, applied: JsonObject, result?: JsonObject): void {
  const found: SmdFindings = { errors: [] };
  smdWalk(API_ROOTS[groupVersionKind]!, applied, '', found);
  const errs = found.undeclared ? [found.undeclared] : found.errors;
  const meta = isObject(applied.metadata) ? applied.metadata : {};
  const slash = groupVersionKind.lastIndexOf('/');
  const id = `${typeof meta.namespace === 'string' ? meta.namespace : ''}/${typeof meta.name === 'string' ? meta.name : ''}`;
  const gvk = `${groupVersionKind.slice(0, slash)}, Kind=${groupVersionKind.slice(slash + 1)}`;
  if (errs.length) {
    const why = errs.length === 1 ? errs[0] : ['errors:', ...errs.map((e) => `  ${e}`)].join('\n');
    throw new ApiError(500, '', `failed to create typed patch object (${id}; ${gvk}): ${why}`);
  }
  // The schema takes any number for an integer; the conversion of the result to the Go struct does not.
  const err = convert(API_ROOTS[groupVersionKind]!, '', result ?? applied, [], '');
  if (err) throw new ApiError(500, '', `failed to convert new object (${id}; ${gvk}) to proper version: unable to convert unstructured object to ${gvk}: ${err}`);
}

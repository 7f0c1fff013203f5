/**
 * Between the JSON the API server stores and upstream's protobuf messages (generated from
 * k8s.io/api and apimachinery's generated.proto, see scripts/gen-protobuf.ts), field by field
 * over the message descriptors: a proto field's name is its Go struct's JSON name. The types
 * with a JSON form of their own are converted as their Go marshalers do (time_proto.go,
 * micro_time_proto.go, intstr, Quantity, RawExtension, FieldsV1); int64 becomes a JSON number.
 *
 * JSON → message writes every field the JSON has a value for (null is Go's nil: left out);
 * message → JSON reads every field the message carries, and then, for a served kind, applies
 * Go's JSON encoding of the struct it decodes into (go-encoding.ts), so that absent fields,
 * omitempty and zero values come out as kube-apiserver would store them.
 */
import { create, isFieldSet, type DescField, type DescMessage, type Message } from '@bufbuild/protobuf';
import { ScalarType } from '@bufbuild/protobuf';
import { badRequest } from '../errors.ts';
import { isObject, type JsonObject, type JsonValue } from '../json.ts';

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICRO_TIME = `${META}.MicroTime`;
const DURATION = `${META}.Duration`;
const FIELDS_V1 = `${META}.FieldsV1`;
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';

type Fields = Record<string, unknown>;

/**
 * Embedded Go structs (`json:",inline"`) that are a field of their own in protobuf: their
 * fields sit in the outer JSON object. (test/protobuf.test.ts checks this list against the Go
 * struct tables: these are exactly the proto fields the JSON lacks.)
 */
export const INLINE_FIELDS: ReadonlySet<string> = new Set([
  'k8s.io.api.core.v1.Volume.volumeSource',
  'k8s.io.api.core.v1.PersistentVolumeSpec.persistentVolumeSource',
  'k8s.io.api.core.v1.Probe.handler',
  'k8s.io.api.core.v1.EphemeralContainer.ephemeralContainerCommon',
  'k8s.io.api.core.v1.ConfigMapEnvSource.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapKeySelector.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapProjection.localObjectReference',
  'k8s.io.api.core.v1.ConfigMapVolumeSource.localObjectReference',
  'k8s.io.api.core.v1.SecretEnvSource.localObjectReference',
  'k8s.io.api.core.v1.SecretKeySelector.localObjectReference',
  'k8s.io.api.core.v1.SecretProjection.localObjectReference',
]);
const isInline = (desc: DescMessage, f: DescField): boolean => f.fieldKind === 'message' && INLINE_FIELDS.has(`${desc.typeName}.${f.name}`);

/** A message of type `desc` holding the JSON object `o` (fields the message lacks are dropped, as Go's decoding drops them). */
export function jsonToMessage(desc: DescMessage, o: JsonObject, path = ''): Message {
  const special = specialToMessage(desc, o, path);
  if (special) return special;
  const m = create(desc) as unknown as Fields;
  for (const f of desc.fields) {
    if (isInline(desc, f)) {
      m[f.localName] = jsonToMessage(f.message!, o, path);
      continue;
    }
    const v = o[f.name];
    if (v === undefined || v === null) continue;
    m[f.localName] = fieldToProto(f, v, `${path}.${f.name}`);
  }
  return m as unknown as Message;
}

function fieldToProto(f: DescField, v: JsonValue, path: string): unknown {
  switch (f.fieldKind) {
    case 'scalar':
      return scalarToProto(f.scalar, v, path);
    case 'enum':
      return typeof v === 'number' ? v : fail(path, 'a number', v);
    case 'message':
      return valueToMessage(f.message, v, path);
    case 'list': {
      if (!Array.isArray(v)) return fail(path, 'an array', v);
      return v.map((x, i) =>
        f.listKind === 'message' ? valueToMessage(f.message, x, `${path}[${i}]`) : f.listKind === 'scalar' ? scalarToProto(f.scalar, x, `${path}[${i}]`) : x,
      );
    }
    case 'map': {
      if (!isObject(v)) return fail(path, 'an object', v);
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) {
        if (x === undefined) continue;
        if (f.mapKind === 'message') out[k] = x === null ? create(f.message) : valueToMessage(f.message, x, `${path}[${k}]`);
        else if (f.mapKind === 'scalar') out[k] = x === null ? zeroOf(f.scalar) : scalarToProto(f.scalar, x, `${path}[${k}]`);
      }
      return out;
    }
  }
}

function valueToMessage(desc: DescMessage, v: JsonValue, path: string): Message {
  const special = specialToMessage(desc, v, path);
  if (special) return special;
  if (!isObject(v)) return fail(path, 'an object', v);
  return jsonToMessage(desc, v, path);
}

/** The types whose Go JSON form is not an object of their proto fields. */
function specialToMessage(desc: DescMessage, v: JsonValue, path: string): Message | undefined {
  const m = (init: Fields): Message => Object.assign(create(desc), init) as Message;
  switch (desc.typeName) {
    case TIME:
    case MICRO_TIME: {
      // A zero time marshals as an empty message (Time.Marshal returns no bytes for it).
      if (v === null) return m({});
      if (typeof v !== 'string') return fail(path, 'an RFC3339 time string', v);
      const t = parseRfc3339(v);
      if (!t) return fail(path, 'an RFC3339 time string', v);
      // Time's JSON has whole seconds; MicroTime's microseconds.
      return m(desc.typeName === TIME ? { seconds: t.seconds, nanos: 0 } : { seconds: t.seconds, nanos: Math.floor(t.nanos / 1000) * 1000 });
    }
    case DURATION:
      if (typeof v !== 'string') return fail(path, 'a duration string', v);
      return m({ duration: parseGoDuration(v, path) });
    case INT_OR_STRING:
      if (typeof v === 'number') return m({ type: 0n, intVal: v });
      if (typeof v === 'string') return m({ type: 1n, strVal: v });
      return fail(path, 'an integer or a string', v);
    case QUANTITY:
      if (typeof v === 'string' || typeof v === 'number') return m({ string: String(v) });
      return fail(path, 'a quantity', v);
    case RAW_EXTENSION:
      return m(v === null ? {} : { raw: utf8(JSON.stringify(v)) });
    case FIELDS_V1:
      return m(v === null ? {} : { Raw: utf8(JSON.stringify(v)) });
    default:
      return undefined;
  }
}

function scalarToProto(t: ScalarType, v: JsonValue, path: string): unknown {
  switch (t) {
    case ScalarType.STRING:
      return typeof v === 'string' ? v : fail(path, 'a string', v);
    case ScalarType.BOOL:
      return typeof v === 'boolean' ? v : fail(path, 'a boolean', v);
    case ScalarType.BYTES:
      return typeof v === 'string' ? new Uint8Array(Buffer.from(v, 'base64')) : fail(path, 'a base64 string', v);
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return typeof v === 'number' ? v : fail(path, 'a number', v);
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return typeof v === 'number' && Number.isInteger(v) ? BigInt(v) : fail(path, 'an integer', v);
    default:
      return typeof v === 'number' && Number.isInteger(v) ? v : fail(path, 'an integer', v);
  }
}

function zeroOf(t: ScalarType): unknown {
  switch (t) {
    case ScalarType.STRING:
      return '';
    case ScalarType.BOOL:
      return false;
    case ScalarType.BYTES:
      return new Uint8Array();
    case ScalarType.INT64:
    case ScalarType.UINT64:
    case ScalarType.SINT64:
    case ScalarType.FIXED64:
    case ScalarType.SFIXED64:
      return 0n;
    default:
      return 0;
  }
}

/** The JSON object a message holds: the fields it carries, as Go's JSON encoding writes their values. */
export function messageToJson(desc: DescMessage, msg: Message): JsonObject {
  const m = msg as unknown as Fields;
  const out: JsonObject = {};
  for (const f of desc.fields) {
    if (!isFieldSet(msg, f)) continue;
    if (isInline(desc, f)) Object.assign(out, messageToJson(f.message!, m[f.localName] as Message));
    else out[f.name] = fieldToJson(f, m[f.localName]);
  }
  return out;
}

function fieldToJson(f: DescField, v: unknown): JsonValue {
  switch (f.fieldKind) {
    case 'scalar':
      return scalarToJson(f.scalar, v);
    case 'enum':
      return v as number;
    case 'message':
      return messageValueToJson(f.message, v as Message);
    case 'list':
      return (v as unknown[]).map((x) => (f.listKind === 'message' ? messageValueToJson(f.message, x as Message) : f.listKind === 'scalar' ? scalarToJson(f.scalar, x) : (x as number)));
    case 'map': {
      const out: JsonObject = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        out[k] = f.mapKind === 'message' ? messageValueToJson(f.message, x as Message) : f.mapKind === 'scalar' ? scalarToJson(f.scalar, x) : (x as number);
      }
      return out;
    }
  }
}

function messageValueToJson(desc: DescMessage, msg: Message): JsonValue {
  const m = msg as unknown as Fields;
  const set = (name: string): boolean => isFieldSet(msg, desc.fields.find((f) => f.name === name)!);
  switch (desc.typeName) {
    case TIME:
    case MICRO_TIME: {
      // time_proto.go: no bytes is the zero time (JSON null).
      if (!set('seconds') && !set('nanos')) return null;
      const seconds = BigInt(m.seconds as bigint);
      const nanos = Number(m.nanos ?? 0);
      return formatRfc3339(seconds, desc.typeName === TIME ? undefined : Math.floor(nanos / 1000));
    }
    case DURATION:
      return formatGoDuration(BigInt(m.duration as bigint));
    case INT_OR_STRING:
      return Number(m.type) === 1 ? String(m.strVal ?? '') : Number(m.intVal ?? 0);
    case QUANTITY:
      return String(m.string ?? '');
    case RAW_EXTENSION:
      return rawJson(m.raw as Uint8Array | undefined, set('raw'));
    case FIELDS_V1:
      return rawJson(m.Raw as Uint8Array | undefined, set('Raw'));
    default:
      return messageToJson(desc, msg);
  }
}

function scalarToJson(t: ScalarType, v: unknown): JsonValue {
  if (t === ScalarType.BYTES) return Buffer.from(v as Uint8Array).toString('base64');
  if (typeof v === 'bigint') return Number(v);
  return v as JsonValue;
}

/** RawExtension and FieldsV1 marshal their bytes as they are, nil as null. */
function rawJson(bytes: Uint8Array | undefined, set: boolean): JsonValue {
  if (!set || bytes === undefined || bytes.length === 0) return null;
  try {
    return JSON.parse(Buffer.from(bytes).toString('utf8')) as JsonValue;
  } catch {
    throw badRequest('the embedded raw object is not JSON, the only encoding the reference stores raw objects in');
  }
}

const utf8 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'utf8'));

function fail(path: string, expected: string, v: unknown): never {
  throw badRequest(`cannot encode ${path.replace(/^\./, '') || 'the object'} as protobuf: expected ${expected}, got ${JSON.stringify(v)}`);
}

/** RFC3339 (with an optional fraction) as Unix seconds and nanoseconds, or undefined. */
export function parseRfc3339(s: string): { seconds: bigint; nanos: number } | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|z|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se));
  if (Number.isNaN(ms)) return undefined;
  if (zone !== 'Z' && zone !== 'z') {
    const sign = zone!.startsWith('-') ? -1 : 1;
    ms -= sign * (Number(zone!.slice(1, 3)) * 60 + Number(zone!.slice(4, 6))) * 60_000;
  }
  return { seconds: BigInt(Math.floor(ms / 1000)), nanos: frac ? Number(frac.padEnd(9, '0')) : 0 };
}

/** Go's time.RFC3339 in UTC, or RFC3339Micro when micros is given (metav1.MicroTime's JSON). */
export function formatRfc3339(seconds: bigint, micros?: number): string {
  const base = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return micros === undefined ? `${base}Z` : `${base}.${String(micros).padStart(6, '0')}Z`;
}

const UNITS: Array<[string, bigint]> = [
  ['h', 3_600_000_000_000n],
  ['m', 60_000_000_000n],
  ['s', 1_000_000_000n],
  ['ms', 1_000_000n],
  ['us', 1_000n],
  ['µs', 1_000n],
  ['ns', 1n],
];

function parseGoDuration(s: string, path: string): bigint {
  const sign = s.startsWith('-') ? -1n : 1n;
  let rest = s.replace(/^[-+]/, '');
  if (rest === '0') return 0n;
  let total = 0n;
  if (!rest) return fail(path, 'a duration string', s);
  while (rest) {
    const m = /^(\d+)(ns|us|µs|ms|h|m|s)/.exec(rest);
    if (!m) return fail(path, 'a duration string', s);
    total += BigInt(m[1]!) * UNITS.find(([u]) => u === m[2])![1];
    rest = rest.slice(m[0].length);
  }
  return sign * total;
}

/** time.Duration.String() for the whole-unit durations the API uses. */
function formatGoDuration(ns: bigint): string {
  if (ns === 0n) return '0s';
  const neg = ns < 0n;
  let n = neg ? -ns : ns;
  if (n < 1_000_000_000n) {
    const [u, size] = n < 1_000n ? ['ns', 1n] : n < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    return `${neg ? '-' : ''}${trimFraction(n, size as bigint)}${u}`;
  }
  const h = n / 3_600_000_000_000n;
  n -= h * 3_600_000_000_000n;
  const m = n / 60_000_000_000n;
  n -= m * 60_000_000_000n;
  let out = h ? `${h}h${m}m` : m ? `${m}m` : '';
  out += `${trimFraction(n, 1_000_000_000n)}s`;
  return `${neg ? '-' : ''}${out}`;
}

function trimFraction(n: bigint, unit: bigint): string {
  const whole = n / unit;
  const frac = n % unit;
  if (!frac) return String(whole);
  const digits = String(unit).length - 1;
  return `${whole}.${String(frac).padStart(digits, '0').replace(/0+$/, '')}`;
}

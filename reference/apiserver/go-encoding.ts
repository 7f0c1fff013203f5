/**
 * An object as kube-apiserver holds it: what decoding JSON into the Go structs of k8s.io/api and
 * encoding them again (encoding/json, with their json tags) makes of it, for the fields those
 * structs have (api-types.generated.ts). So `labels: {}`, `readOnly: false` or `nodeName: ""`
 * (omitempty) disappear, `null` becomes the field's zero value, and fields that are always
 * encoded appear: a non-pointer struct as `{}` (`resources`, `template.metadata`), a time
 * without a value as `null` (`lastProbeTime`), a counter without omitempty as `0`.
 *
 * Fields the structs do not have are dropped, as decoding drops them (decode.ts has reported
 * them by then, as a warning or an error depending on fieldValidation). Left as they are: values
 * of the wrong JSON type (decode.ts rejects them on every write path first). Quantities keep
 * their spelling (upstream re-encodes them canonically, e.g. 1000m as 1).
 */
import { isObject, type JsonObject, type JsonValue } from './json.ts';
import { API_ROOTS, API_TYPES, type GoField } from './api-types.generated.ts';

const OMIT = Symbol('omit');
type Encoded = JsonValue | typeof OMIT;

/** The zero value of a scalar type as JSON. */
function zeroScalar(type: string): JsonValue | undefined {
  switch (type) {
    case 'string':
    case 'bytes':
      return '';
    case 'int':
    case 'float':
      return 0;
    case 'bool':
      return false;
    default:
      return undefined;
  }
}

const isZero = (v: JsonValue): boolean => v === '' || v === 0 || v === false;

/** A value of `type` (no field context: list items, map values, pointer targets). */
function encodeValue(type: string, v: JsonValue | undefined): JsonValue {
  if (API_TYPES[type]) return v === null || v === undefined ? encodeStruct(type, {}) : isObject(v) ? encodeStruct(type, v) : v;
  if (type.startsWith('[]')) return Array.isArray(v) ? v.map((x) => encodeValue(type.slice(2), x)) : v === undefined ? null : v;
  if (type.startsWith('map:')) {
    if (!isObject(v)) return v === undefined ? null : v;
    const out: JsonObject = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = encodeValue(type.slice(4), x);
    return out;
  }
  if (v !== null && v !== undefined) return v;
  switch (type) {
    case 'time':
    case 'raw':
    case 'fieldsv1':
      return null;
    case 'intstr':
      return 0;
    case 'quantity':
      return '0';
    case 'bytes':
      return null;
    default:
      return zeroScalar(type) ?? null;
  }
}

/** A field's value, or OMIT when encoding/json leaves the field out. */
function encodeField([type, flags]: GoField, v: JsonValue | undefined): Encoded {
  const omitempty = flags.includes('o');
  if (flags.includes('p')) {
    // A nil pointer is left out (omitempty) or null; a set one is encoded whatever it holds.
    if (v === null || v === undefined) return omitempty ? OMIT : null;
    return encodeValue(type, v);
  }
  if (type.startsWith('[]') || type.startsWith('map:') || type === 'bytes') {
    const empty = v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isObject(v) && Object.keys(v).length === 0) || v === '';
    if (empty && omitempty) return OMIT;
    return encodeValue(type, v);
  }
  if (type === 'time') return (v === null || v === undefined) && flags.includes('z') ? OMIT : encodeValue(type, v);
  const zero = zeroScalar(type);
  if (zero !== undefined) {
    const value = v === null || v === undefined ? zero : v;
    return omitempty && isZero(value) ? OMIT : value;
  }
  // Structs and the types with a JSON form of their own are always encoded.
  return encodeValue(type, v);
}

function encodeStruct(type: string, o: JsonObject): JsonObject {
  const fields = API_TYPES[type]!;
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    // Own keys only: a field named e.g. `constructor` is data, not Object.prototype's.
    const field = Object.hasOwn(fields, k) ? fields[k] : undefined;
    // Decoding drops what the struct has no field for (decode.ts reported it first).
    if (!field) continue;
    const e = encodeField(field, v);
    if (e !== OMIT) out[k] = e;
  }
  for (const [k, field] of Object.entries(fields)) {
    if (k in o) continue;
    const e = encodeField(field, undefined);
    if (e !== OMIT) out[k] = e;
  }
  return out;
}

/** `o` (an object of the kind 'apps/v1/StatefulSet', 'v1/Pod', …) as kube-apiserver would hold it; `o` is not changed. */
export function goRoundTrip(groupVersionKind: string, o: JsonObject): JsonObject {
  const type = API_ROOTS[groupVersionKind];
  if (!type) throw new Error(`no Go type for ${groupVersionKind}`);
  return encodeStruct(type, o);
}

/** Helpers for the plain JSON the store holds (objects as sent over the wire, timestamps as strings). */
import { parse as parseYaml } from 'yaml';

export type JsonValue = string | number | boolean | null | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue | undefined;
}

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns v[key] when it is an object, creating it (in place) when absent. */
export function child(v: JsonObject, key: string): JsonObject {
  const c = v[key];
  if (isObject(c)) return c;
  const fresh: JsonObject = {};
  v[key] = fresh;
  return fresh;
}

export function obj(v: unknown): JsonObject | undefined {
  return isObject(v) ? v : undefined;
}

export function arr(v: unknown): JsonValue[] {
  return Array.isArray(v) ? v : [];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

/** Deep copy of JSON data; the store never shares mutable objects with callers. */
export function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

/** Structural equality of JSON values; undefined object members count as absent. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}


/**
 * YAML decoded to plain JSON data, as the apiserver's YAML-to-JSON conversion does: an alias
 * that refers to itself has no JSON form and is an error (it would otherwise reach the store as
 * a circular structure).
 */
export function yamlToJson(text: string): unknown {
  const v: unknown = parseYaml(text, { maxAliasCount: 100 });
  try {
    return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as unknown);
  } catch (e) {
    throw new Error(`yaml: cannot convert to JSON: ${(e as Error).message.split('\n')[0]}`);
  }
}

/** JSON as Go's encoding/json writes it: compact, keys in the order given, strings HTML-safe (<, >, & escaped). */
export function goJson(v: unknown): string {
  return (JSON.stringify(v) ?? 'null').replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Field-path assertions on API objects: `spec.updateStrategy.rollingUpdate.partition`,
 * `spec.containers[0].image`. Expected values are YAML, so `1`, `true`, `Retain` and
 * `{ app: web }` all mean what they look like.
 */
import YAML from 'yaml';
import { isDeepStrictEqual } from 'node:util';

const MISSING = Symbol('missing');

export function getPath(obj: unknown, path: string): unknown {
  let node: unknown = obj;
  for (const part of path.split('.')) {
    const m = /^([^[\]]+)((?:\[\d+\])*)$/.exec(part);
    if (!m) throw new Error(`malformed field path "${path}"`);
    const keys: Array<string | number> = [m[1], ...[...m[2].matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))];
    for (const key of keys) {
      if (node === null || typeof node !== 'object' || !(key in (node as object))) return MISSING;
      node = (node as Record<string | number, unknown>)[key];
    }
  }
  return node;
}

export function hasPath(obj: unknown, path: string): boolean {
  const v = getPath(obj, path);
  return v !== MISSING && v !== undefined && v !== null;
}

/** Compares each `path | yaml value` row; returns one line per mismatch. */
export function fieldMismatches(obj: unknown, rows: Array<[string, string]>): string[] {
  const problems: string[] = [];
  for (const [path, text] of rows) {
    const want = YAML.parse(text);
    const have = getPath(obj, path);
    if (have === MISSING) problems.push(`${path}: expected ${JSON.stringify(want)}, but the field is absent`);
    else if (!isDeepStrictEqual(have, want) && String(have) !== String(want)) {
      problems.push(`${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(have)}`);
    }
  }
  return problems;
}

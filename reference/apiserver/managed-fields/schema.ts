/**
 * The structured-merge-diff schema of the served kinds, made from the OpenAPI v3 documents the
 * reference serves (openapi/v3-*.json, cut from upstream's) as kube-openapi's schemaconv makes it
 * for kube-apiserver's field manager: an object with properties is a struct, with
 * additionalProperties a map, with neither a "deduced" free-form value; a list is atomic unless
 * `x-kubernetes-list-type` says set or map (with `x-kubernetes-list-map-keys`) or, lacking that,
 * `x-kubernetes-patch-strategy: merge` says so (keyed by the patch merge key); a map or struct is
 * granular unless `x-kubernetes-map-type: atomic`; strings, numbers, bools, times, quantities
 * and int-or-strings are scalars.
 */
import { readdirSync, readFileSync } from 'node:fs';
import type { JsonValue } from '../json.ts';

export interface ListType {
  atomic: boolean;
  keys: string[];
  element: TypeRef;
  /** The defaults of key fields (getAssociativeKeyDefault), by name. */
  keyDefaults: Record<string, JsonValue>;
}

export interface MapType {
  atomic: boolean;
  fields: Map<string, TypeRef>;
  /** The type of keys that are not fields; undefined when none is allowed (a struct). */
  element?: TypeRef;
}

/** schema.Atom: what a value of the type may be. Deduced and untyped values may be any of them. */
export interface Atom {
  scalar?: true;
  list?: ListType;
  map?: MapType;
}

/** Resolved lazily: the schemas are recursive (JSONSchemaProps is not served, but the cost is small). */
export type TypeRef = () => Atom;

type OpenApiSchema = {
  type?: string | string[];
  format?: string;
  $ref?: string;
  allOf?: OpenApiSchema[];
  properties?: Record<string, OpenApiSchema>;
  additionalProperties?: OpenApiSchema | boolean;
  items?: OpenApiSchema;
  default?: JsonValue;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-patch-strategy'?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string }[];
};

const UNTYPED: Atom = { scalar: true };
UNTYPED.list = { atomic: true, keys: [], element: () => UNTYPED, keyDefaults: {} };
UNTYPED.map = { atomic: true, fields: new Map(), element: () => UNTYPED };
const DEDUCED: Atom = { scalar: true, list: { atomic: true, keys: [], element: () => UNTYPED, keyDefaults: {} } };
DEDUCED.map = { atomic: false, fields: new Map(), element: () => DEDUCED };

let components: Record<string, OpenApiSchema> | undefined;
let roots: Map<string, string> | undefined;
const named = new Map<string, Atom>();

function load(): void {
  if (components) return;
  components = {};
  roots = new Map();
  const dir = new URL('../openapi/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.startsWith('v3-')).sort()) {
    const doc = JSON.parse(readFileSync(new URL(file, dir), 'utf8')) as { components?: { schemas?: Record<string, OpenApiSchema> } };
    for (const [name, s] of Object.entries(doc.components?.schemas ?? {})) {
      components[name] = s;
      for (const gvk of s['x-kubernetes-group-version-kind'] ?? []) {
        roots.set(`${gvk.group ? `${gvk.group}/` : ''}${gvk.version}/${gvk.kind}`, name);
      }
    }
  }
}

/** The type of a kind, by 'apps/v1/StatefulSet' or 'v1/Pod'; undefined for kinds without a schema. */
export function rootType(groupVersionKind: string): TypeRef | undefined {
  load();
  const name = roots!.get(groupVersionKind);
  return name === undefined ? undefined : () => namedAtom(name);
}

function namedAtom(name: string): Atom {
  let atom = named.get(name);
  if (!atom) {
    const s = components![name];
    atom = s ? parseSchema(s) : DEDUCED;
    named.set(name, atom);
  }
  return atom;
}

function refName(s: OpenApiSchema): string | undefined {
  const ref = s.$ref ?? (s.allOf?.length === 1 ? s.allOf[0]!.$ref : undefined);
  return ref?.slice(ref.lastIndexOf('/') + 1);
}

/** makeOpenAPIRef: a named type (with the site's map-type override) or an inlined one. */
function typeRef(s: OpenApiSchema): TypeRef {
  const name = refName(s);
  if (name !== undefined) {
    const override = s['x-kubernetes-map-type'];
    if (override === 'atomic' || override === 'granular') {
      let cached: Atom | undefined;
      return () => (cached ??= withMapRelationship(namedAtom(name), override === 'atomic'));
    }
    return () => namedAtom(name);
  }
  let inlined: Atom | undefined;
  return () => (inlined ??= parseSchema(s));
}

function withMapRelationship(a: Atom, atomic: boolean): Atom {
  return { ...a, ...(a.map ? { map: { ...a.map, atomic } } : {}), ...(a.list ? { list: { ...a.list, atomic } } : {}) };
}

function parseSchema(s: OpenApiSchema): Atom {
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case undefined:
    case '':
      return { scalar: true, list: parseList(s), map: parseObject(s) };
    case 'object':
      return { map: parseObject(s) };
    case 'array':
      return { list: parseList(s) };
    default:
      return UNTYPED_SCALAR;
  }
}

const UNTYPED_SCALAR: Atom = { scalar: true };

function parseObject(s: OpenApiSchema): MapType {
  const fields = new Map<string, TypeRef>();
  for (const [name, member] of Object.entries(s.properties ?? {})) fields.set(name, typeRef(member));
  let element: TypeRef | undefined;
  if (s.additionalProperties === undefined || s.additionalProperties === false) {
    element = s.additionalProperties === undefined && fields.size === 0 ? () => DEDUCED : undefined;
  } else if (s.additionalProperties === true) element = () => DEDUCED;
  else element = typeRef(s.additionalProperties);
  return { atomic: s['x-kubernetes-map-type'] === 'atomic', fields, element };
}

function parseList(s: OpenApiSchema): ListType {
  const element = s.items ? typeRef(s.items) : () => UNTYPED;
  let atomic = true;
  let keys: string[] = [];
  const listType = s['x-kubernetes-list-type'];
  if (listType !== undefined) {
    atomic = listType === 'atomic';
    if (listType === 'map') keys = s['x-kubernetes-list-map-keys'] ?? [];
  } else {
    const strategy = s['x-kubernetes-patch-strategy'];
    if (strategy === 'merge' || strategy === 'merge,retainKeys') {
      atomic = false;
      if (s['x-kubernetes-patch-merge-key']) keys = [s['x-kubernetes-patch-merge-key']];
    }
  }
  const keyDefaults: Record<string, JsonValue> = {};
  if (keys.length && s.items) {
    const itemName = refName(s.items);
    const item = itemName !== undefined ? components![itemName] : s.items;
    for (const k of keys) {
      const d = item?.properties?.[k]?.default;
      if (d !== undefined) keyDefaults[k] = d;
    }
  }
  return { atomic, keys, element, keyDefaults };
}

/** deduceAtom: the part of a multi-part atom the value is. */
export function deduce(a: Atom, v: JsonValue | undefined): Atom {
  if (v === undefined || v === null) return a;
  if (typeof v !== 'object') return a.scalar ? { scalar: true } : a;
  if (Array.isArray(v)) return a.list ? { list: a.list } : a;
  return a.map ? { map: a.map } : a;
}

export function sameAtom(a: Atom, b: Atom): boolean {
  return a.scalar === b.scalar && a.list === b.list && a.map === b.map;
}

/** The type of a map's key or a struct's field (free-form for what the schema does not declare, which decoding refused). */
export function fieldType(m: MapType, key: string): TypeRef {
  return m.fields.get(key) ?? m.element ?? (() => DEDUCED);
}

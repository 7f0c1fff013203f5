/**
 * Server-side printing: meta.k8s.io/v1 Table responses, which kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
 */
import { readFileSync } from 'node:fs';
import { obj, type JsonObject } from './json.ts';
import { age } from './kinds/table.ts';
import type { KindSpec } from './kinds/types.ts';

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function wantsTable(accept: string | undefined): boolean {
  return !!accept && /as=Table/.test(accept) && /g=meta\.k8s\.io/.test(accept);
}

const NAME_COLUMN = {
  name: 'Name',
  type: 'string',
  format: 'name',
  description: 'Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically.',
  priority: 0,
};

/**
 * kube-apiserver v1.37.2's column definitions per resource (`apps/statefulsets`, `pods`), as
 * scripts/gen-table-columns.ts read them from it: names, types, priorities and descriptions as
 * printers.go declares them. The kinds' cells follow them (test/table.test.ts).
 */
const UPSTREAM_COLUMNS = JSON.parse(readFileSync(new URL('./table-columns.json', import.meta.url), 'utf8')) as Record<string, JsonObject[]>;

export function columns(kind: KindSpec): JsonObject[] {
  const upstream = UPSTREAM_COLUMNS[kind.group ? `${kind.group}/${kind.resource}` : kind.resource];
  if (upstream) return upstream;
  const cols = kind.table?.columns ?? [{ name: 'Age', type: 'string', description: 'CreationTimestamp' }];
  return [NAME_COLUMN, ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))];
}

function row(kind: KindSpec, defs: JsonObject[], o: JsonObject, now: number, include: IncludeObject): JsonObject {
  const name = kind.table?.name?.(o) ?? obj(o.metadata)?.name ?? '';
  const cells = kind.table ? kind.table.cells(o, now) : [age(o, now)];
  // The name goes where its column is: first, but last for events.
  const at = Math.max(0, defs.findIndex((d) => d.format === 'name'));
  const r: JsonObject = { cells: [...cells.slice(0, at), name, ...cells.slice(at)] as JsonObject[] };
  if (include === 'Object') r.object = o;
  else if (include === 'Metadata') r.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return r;
}

export function toTable(kind: KindSpec, items: JsonObject[], now: number, include: IncludeObject, listMeta: JsonObject = {}): JsonObject {
  const defs = columns(kind);
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: defs,
    rows: items.map((o) => row(kind, defs, o, now, include)),
  };
}

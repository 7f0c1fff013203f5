/**
 * Server-side printing: meta.k8s.io/v1 Table responses, which kubectl asks for with
 * `Accept: application/json;as=Table;v=v1;g=meta.k8s.io`.
 */
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

function columns(kind: KindSpec): JsonObject[] {
  const cols = kind.table?.columns ?? [{ name: 'Age', type: 'string', description: 'CreationTimestamp' }];
  return [NAME_COLUMN, ...cols.map((c) => ({ name: c.name, type: c.type, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0 }))];
}

function row(kind: KindSpec, o: JsonObject, now: number, include: IncludeObject): JsonObject {
  const name = obj(o.metadata)?.name ?? '';
  const cells = kind.table ? kind.table.cells(o, now) : [age(o, now)];
  const r: JsonObject = { cells: [name, ...(cells as JsonObject['cells'][])] as JsonObject[] };
  if (include === 'Object') r.object = o;
  else if (include === 'Metadata') r.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
  return r;
}

export function toTable(kind: KindSpec, items: JsonObject[], now: number, include: IncludeObject, listMeta: JsonObject = {}): JsonObject {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: listMeta,
    columnDefinitions: columns(kind),
    rows: items.map((o) => row(kind, o, now, include)),
  };
}

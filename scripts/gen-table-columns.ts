/**
 * `npx tsx scripts/gen-table-columns.ts --server <url>`
 *
 * Writes reference/apiserver/table-columns.json: the Table column definitions (name, type,
 * format, description, priority) kube-apiserver v1.37.2 serves for each resource the reference
 * serves, read from a running kube-apiserver of that release (e.g. `npm run local-cluster`
 * behind `kubectl proxy`: --server http://127.0.0.1:8001). They are those of
 * pkg/printers/internalversion/printers.go, with descriptions from the API types' Swagger docs.
 * Committed: the reference's cells (kinds/*.ts) follow these columns, test/table.test.ts checks
 * that they agree.
 */
import { writeFileSync } from 'node:fs';
import { KINDS } from '../reference/apiserver/kinds/index.ts';

const OUT = 'reference/apiserver/table-columns.json';
const at = process.argv.indexOf('--server');
const server = at > 0 ? process.argv[at + 1]?.replace(/\/+$/, '') : undefined;
if (!server) {
  console.error('usage: npx tsx scripts/gen-table-columns.ts --server <kube-apiserver URL, e.g. kubectl proxy>');
  process.exit(2);
}

const out: Record<string, unknown> = {};
for (const k of KINDS) {
  const path = `${k.group ? `/apis/${k.group}` : '/api'}/${k.version}/${k.resource}?limit=1`;
  const res = await fetch(server + path, { headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' } });
  if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
  const table = (await res.json()) as { columnDefinitions: unknown[] };
  out[k.group ? `${k.group}/${k.resource}` : k.resource] = table.columnDefinitions;
}
writeFileSync(OUT, `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${OUT}: ${Object.keys(out).length} resources from ${server}`);

/**
 * `npx tsx scripts/gen-openapi.ts`
 *
 * Writes reference/apiserver/openapi/: the OpenAPI v2 document (swagger.json) and the v3 documents
 * of the group versions the reference API server serves, cut from what k8s.io/kubernetes@v1.37.2
 * publishes (api/openapi-spec/swagger.json and api/openapi-spec/v3/*.json, in the Go module
 * cache): only the paths of the served resources and subresources, and only the schemas those
 * paths reach. Committed, so the reference needs neither Go nor the module cache to run.
 *
 * `--server <url>` reads the same documents from a running kube-apiserver of that release
 * instead (e.g. `npm run local-cluster` behind `kubectl proxy`: --server http://127.0.0.1:8001).
 * That is how the committed files were made: the server's documents carry the `enum`s and
 * "Possible enum values" of the OpenAPIEnums feature, and info.version "1.37", which the
 * published files in the repository lack, and `kubectl explain` prints them.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { groupVersion, KINDS } from '../reference/apiserver/kinds/index.ts';

const KUBERNETES = 'v1.37.2';
const OUT = 'reference/apiserver/openapi';
const serverArg = process.argv.indexOf('--server');
const server = serverArg > 0 ? process.argv[serverArg + 1]?.replace(/\/+$/, '') : undefined;
const spec = server ? '' : join(execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim(), `k8s.io/kubernetes@${KUBERNETES}`, 'api/openapi-spec');

type Json = Record<string, unknown>;

/** `api/v1` or `apis/<group>/<version>`. */
const gvPath = (gv: string): string => (gv.includes('/') ? `apis/${gv}` : `api/${gv}`);
const served = new Map<string, Set<string>>();
for (const k of KINDS) {
  const names = served.get(gvPath(groupVersion(k))) ?? new Set<string>();
  names.add(k.resource);
  for (const s of k.subresources) names.add(`${k.resource}/${s}`);
  served.set(gvPath(groupVersion(k)), names);
}

/** Whether the reference serves `path` (`/api/v1/namespaces/{namespace}/pods/{name}/status`, …). */
function isServed(path: string): boolean {
  for (const [gv, names] of served) {
    if (!path.startsWith(`/${gv}/`)) continue;
    let rest = path.slice(gv.length + 2).split('/').filter(Boolean);
    if (rest.length === 0) return true; // the group version's resource list
    if (rest[0] === 'watch') rest = rest.slice(1);
    if (rest[0] === 'namespaces' && rest[1] === '{namespace}' && rest.length > 2) rest = rest.slice(2);
    const [resource, name, sub] = rest;
    if (!names.has(resource!)) return false;
    if (name !== undefined && name !== '{name}') return false;
    return sub === undefined || names.has(`${resource}/${sub}`);
  }
  return false;
}

/** The schemas `roots` reach through `$ref`s under `prefix`, in the order of the source document. */
function reachable(roots: unknown, all: Record<string, unknown>, prefix: string): Record<string, unknown> {
  const seen = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(prefix)) {
        const name = x.slice(prefix.length);
        if (!seen.has(name)) {
          seen.add(name);
          if (!(name in all)) throw new Error(`dangling $ref ${x}`);
          visit(all[name]);
        }
      } else visit(x);
    }
  };
  visit(roots);
  return Object.fromEntries(Object.entries(all).filter(([name]) => seen.has(name)));
}

const pick = (paths: Record<string, unknown>): Record<string, unknown> => Object.fromEntries(Object.entries(paths).filter(([p]) => isServed(p)));

async function read(file: string, path: string): Promise<string> {
  if (server === undefined) return readFileSync(join(spec, file), 'utf8');
  const res = await fetch(`${server}${path}`, { headers: { Accept: 'application/json' } });
  if (!res.ok) throw new Error(`GET ${server}${path}: ${res.status}`);
  return res.text();
}

mkdirSync(OUT, { recursive: true });
const written: string[] = [];

const swagger = JSON.parse(await read('swagger.json', '/openapi/v2')) as Json & { paths: Record<string, unknown>; definitions: Record<string, unknown> };
const v2Paths = pick(swagger.paths);
// Shared parameters (`#/parameters/body-…`) refer to definitions too.
const v2 = { ...swagger, paths: v2Paths, definitions: reachable([v2Paths, swagger.parameters], swagger.definitions, '#/definitions/') };
writeFileSync(join(OUT, 'v2.json'), JSON.stringify(v2));
written.push(`v2.json (${Object.keys(v2Paths).length} paths, ${Object.keys(v2.definitions).length} definitions)`);

for (const gv of served.keys()) {
  const file = `${gv.replaceAll('/', '__')}_openapi.json`;
  const doc = JSON.parse(await read(join('v3', file), `/openapi/v3/${gv}`)) as Json & { paths: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
  const paths = pick(doc.paths);
  const out = { ...doc, paths, components: { ...doc.components, schemas: reachable(paths, doc.components.schemas, '#/components/schemas/') } };
  writeFileSync(join(OUT, `v3-${gv.replaceAll('/', '_')}.json`), JSON.stringify(out));
  written.push(`v3 ${gv} (${Object.keys(paths).length} paths, ${Object.keys(out.components.schemas).length} schemas)`);
}
console.log(`wrote ${OUT}/ from ${server ?? `k8s.io/kubernetes@${KUBERNETES}`}: ${written.join('; ')}`);

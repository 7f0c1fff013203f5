/**
 * `npx tsx scripts/gen-api-types.ts`
 *
 * Writes reference/apiserver/api-types.generated.ts: for every Go struct reachable from the
 * kinds the reference API server serves (and autoscaling/v1 Scale), each JSON field's Go type,
 * its json tag options (omitempty, omitzero), whether it is a pointer, and its patchStrategy /
 * patchMergeKey tags. Read from the Go sources of k8s.io/api and k8s.io/apimachinery at the
 * pinned release in the Go module cache, i.e. the structs kube-apiserver decodes into,
 * defaults, encodes and strategic-merges by; the patch tags are cross-checked against
 * x-kubernetes-patch-* of k8s.io/kubernetes' api/openapi-spec/swagger.json. The output is
 * committed, so the reference needs neither Go nor the module cache to run.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { KINDS } from '../reference/apiserver/kinds/index.ts';

const API = 'v0.37.2';
const KUBERNETES = 'v1.37.2';
const OUT = 'reference/apiserver/api-types.generated.ts';
const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();

/** Go import path -> the short package name used in type names here ('core.v1', 'meta.v1'). */
const PACKAGES: Record<string, { dir: string; key: string }> = {};
for (const gv of ['core/v1', 'apps/v1', 'coordination/v1', 'discovery/v1', 'storage/v1', 'autoscaling/v1']) {
  PACKAGES[`k8s.io/api/${gv}`] = { dir: join(modcache, `k8s.io/api@${API}`, gv), key: gv.replace('/', '.') };
}
PACKAGES['k8s.io/apimachinery/pkg/apis/meta/v1'] = { dir: join(modcache, `k8s.io/apimachinery@${API}`, 'pkg/apis/meta/v1'), key: 'meta.v1' };

/** Types with their own JSON encoding (MarshalJSON), by qualified Go name. */
const SPECIAL: Record<string, string> = {
  'meta.v1.Time': 'time',
  'meta.v1.MicroTime': 'time',
  'meta.v1.Duration': 'string',
  'meta.v1.FieldsV1': 'fieldsv1',
  'intstr.IntOrString': 'intstr',
  'resource.Quantity': 'quantity',
  'runtime.RawExtension': 'raw',
  'types.UID': 'string',
  'types.NodeName': 'string',
};
const EXTERNAL_PACKAGES: Record<string, string> = {
  'k8s.io/apimachinery/pkg/util/intstr': 'intstr',
  'k8s.io/apimachinery/pkg/api/resource': 'resource',
  'k8s.io/apimachinery/pkg/runtime': 'runtime',
  'k8s.io/apimachinery/pkg/types': 'types',
};

interface RawField {
  name?: string;
  type: string;
  tag: string;
}
interface Decl {
  pkg: string;
  imports: Record<string, string>;
  fields?: RawField[];
  underlying?: string;
}
const decls = new Map<string, Decl>();

for (const [, { dir, key }] of Object.entries(PACKAGES)) {
  for (const file of readdirSync(dir)) {
    if (!file.endsWith('.go') || file.endsWith('_test.go') || file.startsWith('zz_generated') || file.startsWith('generated') || file.includes('swagger_doc')) continue;
    const src = readFileSync(join(dir, file), 'utf8');
    const imports: Record<string, string> = {};
    for (const m of src.matchAll(/^\s*(?:(\w+)\s+)?"([^"]+)"\s*$/gm)) {
      const path = m[2]!;
      const pkg = PACKAGES[path]?.key ?? EXTERNAL_PACKAGES[path];
      if (pkg) imports[m[1] ?? path.slice(path.lastIndexOf('/') + 1)] = pkg;
    }
    const lines = src.split('\n');
    for (let i = 0; i < lines.length; i++) {
      const struct = /^type (\w+) struct \{\s*$/.exec(lines[i]!);
      if (struct) {
        const fields: RawField[] = [];
        for (i++; i < lines.length && lines[i] !== '}'; i++) {
          const line = lines[i]!;
          const m = /^\t([^/`\s][^`]*?)\s+`([^`]*)`/.exec(line);
          if (!m) continue;
          const parts = m[1]!.trim().split(/\s+/);
          fields.push(parts.length === 1 ? { type: parts[0]!, tag: m[2]! } : { name: parts[0]!, type: parts[1]!, tag: m[2]! });
        }
        decls.set(`${key}.${struct[1]}`, { pkg: key, imports, fields });
        continue;
      }
      const named = /^type (\w+) ([^{=\s][^{]*?)\s*(?:\/\/.*)?$/.exec(lines[i]!);
      if (named && !named[2]!.startsWith('interface')) decls.set(`${key}.${named[1]}`, { pkg: key, imports, underlying: named[2]! });
    }
  }
}

const SCALARS: Record<string, string> = { string: 'string', bool: 'bool', byte: 'int', float32: 'float', float64: 'float' };
for (const t of ['int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64']) SCALARS[t] = 'int';

/** A Go type expression as written in `from` -> [type code, pointer]. */
function resolve(expr: string, from: Decl): [string, boolean] {
  if (expr.startsWith('*')) return [resolve(expr.slice(1), from)[0], true];
  if (expr === '[]byte') return ['bytes', false];
  if (expr.startsWith('[]')) return [`[]${resolve(expr.slice(2), from)[0]}`, false];
  const map = /^map\[[^\]]+\](.+)$/.exec(expr);
  if (map) return [`map:${resolve(map[1]!, from)[0]}`, false];
  if (SCALARS[expr]) return [SCALARS[expr]!, false];
  const dot = expr.indexOf('.');
  const qualified = dot < 0 ? `${from.pkg}.${expr}` : `${from.imports[expr.slice(0, dot)] ?? expr.slice(0, dot)}.${expr.slice(dot + 1)}`;
  if (SPECIAL[qualified]) return [SPECIAL[qualified]!, false];
  const decl = decls.get(qualified);
  if (!decl) throw new Error(`unknown Go type ${expr} (${qualified})`);
  if (decl.fields) return [qualified, false];
  return resolve(decl.underlying!, decl);
}

/**
 * The Go type of a field as reflect prints it in decoding errors (`int32`, `v1.PodManagementPolicyType`,
 * `[]v1.Container`; pointers dereferenced, as the decoder does), with `|kind` appended for a named
 * scalar whose reflect.Kind differs (`v1.PodManagementPolicyType|string`).
 */
function goTypeName(expr: string, from: Decl): string {
  if (expr.startsWith('*')) return goTypeName(expr.slice(1), from);
  if (expr === '[]byte') return '[]uint8';
  if (expr.startsWith('[]')) return `[]${goTypeName(expr.slice(2), from).split('|')[0]}`;
  const map = /^map\[([^\]]+)\](.+)$/.exec(expr);
  if (map) return `map[${goTypeName(map[1]!, from).split('|')[0]}]${goTypeName(map[2]!, from).split('|')[0]}`;
  if (expr === 'byte') return 'uint8';
  if (SCALARS[expr]) return expr;
  const dot = expr.indexOf('.');
  const pkg = dot < 0 ? from.pkg : (from.imports[expr.slice(0, dot)] ?? expr.slice(0, dot));
  const name = `${pkg.slice(pkg.lastIndexOf('.') + 1)}.${dot < 0 ? expr : expr.slice(dot + 1)}`;
  const decl = decls.get(`${pkg}.${dot < 0 ? expr : expr.slice(dot + 1)}`);
  if (decl?.underlying && !SPECIAL[`${pkg}.${dot < 0 ? expr : expr.slice(dot + 1)}`]) {
    const kind = goTypeName(decl.underlying, decl).split('|').pop()!;
    if (SCALARS[kind] || kind === 'uint8') return `${name}|${kind}`;
  }
  return name;
}
const goTypes: Record<string, Record<string, string>> = {};

/** [type, flags ('o' omitempty, 'z' omitzero, 'p' pointer), patchStrategy, patchMergeKey]. */
type Field = [type: string, flags: string, strategy?: string, mergeKey?: string];
const types: Record<string, Record<string, Field>> = {};

function tagValue(tag: string, key: string): string | undefined {
  return new RegExp(`(?:^|\\s)${key}:"([^"]*)"`).exec(tag)?.[1];
}

function fieldsOf(name: string): Record<string, Field> {
  const decl = decls.get(name)!;
  const out: Record<string, Field> = {};
  const goOut = (goTypes[name] ??= {});
  for (const f of decl.fields!) {
    const json = tagValue(f.tag, 'json');
    if (json === '-') continue;
    const [jsonName, ...opts] = (json ?? '').split(',');
    const [type, pointer] = resolve(f.type, decl);
    if (!f.name && !jsonName) {
      // An embedded struct without a JSON name: its fields are promoted (inline).
      Object.assign(out, fieldsOf(type));
      Object.assign(goOut, goTypes[type]);
      continue;
    }
    const flags = `${opts.includes('omitempty') ? 'o' : ''}${opts.includes('omitzero') ? 'z' : ''}${pointer ? 'p' : ''}`;
    const strategy = tagValue(f.tag, 'patchStrategy');
    const mergeKey = tagValue(f.tag, 'patchMergeKey');
    const field: Field = [type, flags];
    if (strategy || mergeKey) field.push(strategy ?? '');
    if (mergeKey) field.push(mergeKey);
    out[jsonName || f.name!] = field;
    goOut[jsonName || f.name!] = goTypeName(f.type, decl);
  }
  return out;
}

const roots: Record<string, string> = {};
const gvk = (group: string, version: string, kind: string) => `${group ? `${group}/` : ''}${version}/${kind}`;
const goPackageOf: Record<string, string> = { '': 'core.v1', apps: 'apps.v1', 'coordination.k8s.io': 'coordination.v1', 'discovery.k8s.io': 'discovery.v1', 'storage.k8s.io': 'storage.v1', autoscaling: 'autoscaling.v1' };
for (const k of [...KINDS, { group: 'autoscaling', version: 'v1', kind: 'Scale' }]) roots[gvk(k.group, k.version, k.kind)] = `${goPackageOf[k.group]}.${k.kind}`;

const queue = Object.values(roots);
while (queue.length) {
  const name = queue.shift()!;
  if (types[name]) continue;
  if (!decls.get(name)?.fields) throw new Error(`${name} is not a struct`);
  types[name] = fieldsOf(name);
  for (const [t] of Object.values(types[name]!)) {
    const elem = t.replace(/^(\[\]|map:)+/, '');
    if (decls.get(elem)?.fields) queue.push(elem);
  }
}

// Cross-check the patch tags with what openapi-gen published for the same types.
const swagger = JSON.parse(readFileSync(join(modcache, `k8s.io/kubernetes@${KUBERNETES}`, 'api/openapi-spec/swagger.json'), 'utf8')) as {
  definitions: Record<string, { properties?: Record<string, Record<string, unknown>> }>;
};
let checked = 0;
for (const [name, fields] of Object.entries(types)) {
  const [pkg, version, type] = name.split('.');
  const def = swagger.definitions[pkg === 'meta' ? `io.k8s.apimachinery.pkg.apis.meta.v1.${type}` : `io.k8s.api.${pkg}.${version}.${type}`];
  if (!def) throw new Error(`no swagger definition for ${name}`);
  for (const [field, [, , strategy, mergeKey]] of Object.entries(fields)) {
    const p = def.properties?.[field];
    if (!p) throw new Error(`swagger ${name} has no ${field}`);
    if ((p['x-kubernetes-patch-strategy'] ?? '') !== (strategy ?? '') || (p['x-kubernetes-patch-merge-key'] ?? '') !== (mergeKey ?? '')) {
      throw new Error(`${name}.${field}: Go tags ${strategy}/${mergeKey} but swagger ${String(p['x-kubernetes-patch-strategy'])}/${String(p['x-kubernetes-patch-merge-key'])}`);
    }
    checked++;
  }
}

const body = `/**
 * GENERATED by scripts/gen-api-types.ts from the Go sources of k8s.io/api@${API} and
 * k8s.io/apimachinery@${API} (patch tags cross-checked with k8s.io/kubernetes@${KUBERNETES}
 * swagger.json): do not edit.
 *
 * Every struct reachable from the served kinds: per JSON field, [type, flags, patchStrategy,
 * patchMergeKey]. A type is a struct of this table, '[]' + element type, 'map:' + value type, a
 * scalar ('string', 'int', 'float', 'bool', 'bytes') or a type with its own JSON form ('time',
 * 'intstr', 'quantity', 'raw', 'fieldsv1'). Flags: 'o' omitempty, 'z' omitzero, 'p' pointer.
 */
export type GoField = [type: string, flags: string, strategy?: string, mergeKey?: string];

/** The Go type of each served kind (and of the scale subresource), by group/version/kind. */
export const API_ROOTS: Record<string, string> = ${JSON.stringify(Object.fromEntries(Object.entries(roots).sort()), null, 2)};

export const API_TYPES: Record<string, Record<string, GoField>> = {
${Object.entries(types)
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([n, fields]) => `  ${JSON.stringify(n)}: {${Object.entries(fields).map(([f, v]) => `${JSON.stringify(f)}: ${JSON.stringify(v)}`).join(', ')}},`)
  .join('\n')}
};

/**
 * Per struct of API_TYPES: its Go name as reflect prints it ('' key), and each JSON field's Go type
 * as decoding errors name it (pointers dereferenced; '|kind' after a named scalar whose kind differs).
 */
export const API_GO_TYPES: Record<string, Record<string, string>> = {
${Object.keys(types)
  .sort((a, b) => a.localeCompare(b))
  .map((n) => `  ${JSON.stringify(n)}: {${Object.entries({ '': n.slice(n.lastIndexOf('.') + 1), ...goTypes[n] }).map(([f, v]) => `${JSON.stringify(f)}: ${JSON.stringify(v)}`).join(', ')}},`)
  .join('\n')}
};
`;
writeFileSync(OUT, body);
console.log(`wrote ${OUT}: ${Object.keys(types).length} types; ${checked} fields' patch tags agree with swagger.json`);

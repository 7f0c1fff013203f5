/**
 * `npx tsx scripts/gen-protobuf.ts`
 *
 * Writes reference/apiserver/protobuf/gen/: TypeScript for @bufbuild/protobuf made by
 * protoc-gen-es (run by buf, both npm devDependencies) from upstream's published .proto files at
 * the release control-plane/go.mod pins, read from the Go module cache: the API groups the
 * reference serves (and policy/v1 for evictions), meta/v1, runtime, runtime/schema, intstr and
 * resource. The output is committed, so a fresh `npm install` needs neither Go nor this script.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const VERSION = 'v0.37.2';
const OUT = resolve('reference/apiserver/protobuf/gen');
const API_GROUPS = ['core/v1', 'apps/v1', 'autoscaling/v1', 'coordination/v1', 'discovery/v1', 'storage/v1', 'policy/v1'];
const APIMACHINERY = ['pkg/apis/meta/v1', 'pkg/runtime', 'pkg/runtime/schema', 'pkg/util/intstr', 'pkg/api/resource'];

if (process.argv.includes('--help')) {
  console.log('usage: tsx scripts/gen-protobuf.ts\n  regenerates reference/apiserver/protobuf/gen/ from the .proto files in the Go module cache');
  process.exit(0);
}

const modcache = execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
const work = mkdtempSync(join(tmpdir(), 'gen-protobuf-'));
try {
  const sources: Array<[string, string]> = [
    ...API_GROUPS.map((gv): [string, string] => [join(modcache, `k8s.io/api@${VERSION}`, gv), `k8s.io/api/${gv}`]),
    ...APIMACHINERY.map((p): [string, string] => [join(modcache, `k8s.io/apimachinery@${VERSION}`, p), `k8s.io/apimachinery/${p}`]),
  ];
  for (const [from, to] of sources) {
    mkdirSync(join(work, to), { recursive: true });
    cpSync(join(from, 'generated.proto'), join(work, to, 'generated.proto'));
  }
  writeFileSync(join(work, 'buf.yaml'), 'version: v2\n');
  const plugin = resolve('node_modules/.bin/protoc-gen-es');
  writeFileSync(
    join(work, 'buf.gen.yaml'),
    `version: v2\nplugins:\n  - local: ${JSON.stringify(plugin)}\n    out: out\n    opt:\n      - target=ts\n      - import_extension=ts\n`,
  );
  execFileSync(resolve('node_modules/.bin/buf'), ['generate'], { cwd: work, stdio: 'inherit' });
  rmSync(OUT, { recursive: true, force: true });
  cpSync(join(work, 'out'), OUT, { recursive: true });
  console.log(`wrote ${OUT}`);
} finally {
  rmSync(work, { recursive: true, force: true });
}

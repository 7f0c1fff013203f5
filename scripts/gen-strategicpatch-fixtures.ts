/**
 * `npx tsx scripts/gen-strategicpatch-fixtures.ts [--source <patch_test.go>]`
 *
 * Copies the strategic-merge-patch test cases of upstream's own tests
 * (k8s.io/apimachinery@v0.37.2 pkg/util/strategicpatch/patch_test.go, default: from the Go
 * module cache) into test/fixtures/strategicpatch-cases.json, which
 * test/strategic-merge.test.ts applies to the reference's port. Committed, so the unit tests
 * need neither Go nor the module cache.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const VERSION = 'v0.37.2';
const OUT = 'test/fixtures/strategicpatch-cases.json';

const { values } = parseArgs({ options: { source: { type: 'string' } } });
const source =
  values.source ??
  join(execFileSync('go', ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim(), `k8s.io/apimachinery@${VERSION}`, 'pkg/util/strategicpatch/patch_test.go');
const go = readFileSync(source, 'utf8');

/** The body of `var <name> = <open>` up to its closing line (a `}` or `)` in column 0). */
function block(name: string): string {
  const start = go.indexOf(`var ${name} = `);
  if (start < 0) throw new Error(`${name} not found in ${source}`);
  const end = go.slice(start).search(/\n[})]\n/);
  return go.slice(start, start + end);
}

/** `var name = []byte(`...`)`: a YAML document of test cases. */
function yamlBlock(name: string): string {
  const m = /\[\]byte\(`([\s\S]*?)`\)/.exec(block(name));
  if (!m) throw new Error(`${name}: no raw YAML`);
  return m[1]!;
}

/** `var name = []StrategicMergePatchRawTestCase{...}`: one object per Description, YAML fields as strings. */
function rawCases(name: string): Array<Record<string, string>> {
  const parts = block(name).split(/\n\t\{\n\t\tDescription: /).slice(1);
  return parts.map((part) => {
    const c: Record<string, string> = { description: JSON.parse(/^"(?:[^"\\]|\\.)*"/.exec(part)![0]) as string };
    for (const m of part.matchAll(/\n\t\t\t(\w+): +\[\]byte\(`([^`]*)`\)/g)) c[m[1]![0]!.toLowerCase() + m[1]!.slice(1)] = m[2]!;
    const err = /\n\t\t\tExpectedError: +("(?:[^"\\]|\\.)*")/.exec(part);
    if (err) c.expectedError = JSON.parse(err[1]!) as string;
    return c;
  });
}

/** TestUnknownField's table: `"name": { Field: `json`, ... }`. */
function unknownFieldCases(): Array<Record<string, string>> {
  const start = go.indexOf('func TestUnknownField(');
  const body = go.slice(start, go.indexOf('\n\t}\n', start));
  return [...body.matchAll(/\n\t\t"([^"]+)": \{\n([\s\S]*?)\n\t\t\},/g)].map((m) => {
    const c: Record<string, string> = { description: m[1]! };
    for (const f of m[2]!.matchAll(/\n?\t\t\t(\w+): +`([^`]*)`/g)) c[f[1]![0]!.toLowerCase() + f[1]!.slice(1)] = f[2]!;
    return c;
  });
}

const fixtures = {
  source: `k8s.io/apimachinery@${VERSION} pkg/util/strategicpatch/patch_test.go`,
  createStrategicMergePatchTestCaseData: yamlBlock('createStrategicMergePatchTestCaseData'),
  customStrategicMergePatchTestCaseData: yamlBlock('customStrategicMergePatchTestCaseData'),
  customStrategicMergePatchRawTestCases: rawCases('customStrategicMergePatchRawTestCases'),
  strategicMergePatchRawTestCases: rawCases('strategicMergePatchRawTestCases'),
  replaceRawExtensionPatchTestCases: rawCases('replaceRawExtensionPatchTestCases'),
  unknownFieldTestCases: unknownFieldCases(),
};
writeFileSync(OUT, JSON.stringify(fixtures, null, 1) + '\n');
console.log(
  `wrote ${OUT}: ${fixtures.customStrategicMergePatchRawTestCases.length} + ${fixtures.strategicMergePatchRawTestCases.length} + ${fixtures.replaceRawExtensionPatchTestCases.length} raw cases, ${fixtures.unknownFieldTestCases.length} unknown-field cases, two YAML tables`,
);

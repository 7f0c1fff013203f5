/**
 * The mutant catalogue and its machinery (scripts/mutants/): exact-text edits, what makes a
 * mutant stale, and the type-check of a mutated tree. `npm run mutants` runs the suites.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { MUTANTS } from '../scripts/mutants/index.ts';
import { applyEdits, malformed, type Mutant } from '../scripts/mutants/mutant.ts';
import { MutantTypeChecker } from '../scripts/mutants/type-check.ts';

const ROOT = new URL('..', import.meta.url).pathname;

const mutant = (edits: Mutant['edits'], extra: Partial<Mutant> = {}): Mutant => ({
  name: 'm',
  component: 'c',
  area: 'a',
  description: 'd',
  targets: ['reference'],
  edits,
  ...extra,
});

describe('mutants: exact-text edits', () => {
  const files: Record<string, string> = { 'a.ts': 'one two three two', 'b.ts': 'four' };
  const read = (f: string) => {
    if (!(f in files)) throw new Error('ENOENT');
    return files[f];
  };

  it('applies edits in order, several to one file', () => {
    const r = applyEdits(mutant([{ file: 'a.ts', find: 'one', replace: '1' }, { file: 'a.ts', find: '1 two', replace: 'x' }, { file: 'b.ts', find: 'four', replace: '4' }]), read);
    assert.ok('files' in r);
    assert.deepEqual([...r.files], [['a.ts', 'x three two'], ['b.ts', '4']]);
  });

  it('is stale when the text is gone, occurs twice, or the file is missing', () => {
    const stale = (e: Mutant['edits'][number]) => {
      const r = applyEdits(mutant([e]), read);
      return 'stale' in r ? r.stale : undefined;
    };
    assert.match(stale({ file: 'a.ts', find: 'five', replace: '5' })!, /a\.ts: the text to replace is gone: "five"/);
    assert.match(stale({ file: 'a.ts', find: 'two', replace: '2' })!, /occurs more than once/);
    assert.match(stale({ file: 'c.ts', find: 'x', replace: 'y' })!, /c\.ts does not exist/);
  });

  it('rejects malformed entries: no-op edits, hybrid outside the StatefulSet controller, missing reference', () => {
    assert.match(malformed(mutant([{ file: 'a.ts', find: 'x', replace: 'x' }]))!, /changes nothing/);
    assert.match(malformed(mutant([{ file: 'reference/apiserver/x.ts', find: 'x', replace: 'y' }], { targets: ['reference', 'hybrid'] }))!, /outside reference\/controllers\/statefulset/);
    assert.match(malformed(mutant([{ file: 'a.ts', find: 'x', replace: 'y' }], { targets: ['hybrid'] }))!, /reference target/);
    assert.match(malformed(mutant([{ file: 'a.ts', find: 'x', replace: 'y' }], { name: 'Bad Name' }))!, /kebab-case/);
    assert.equal(malformed(mutant([{ file: 'reference/controllers/statefulset/x.ts', find: 'x', replace: 'y' }], { targets: ['reference', 'hybrid'] })), undefined);
  });
});

describe('mutants: the catalogue', () => {
  it('every mutant is well formed and applies to this checkout', () => {
    assert.ok(MUTANTS.length >= 24);
    for (const m of MUTANTS) {
      assert.equal(malformed(m), undefined, m.name);
      const r = applyEdits(m, (f) => readFileSync(join(ROOT, f), 'utf8'));
      assert.ok(!('stale' in r), `${m.name}: ${'stale' in r ? r.stale : ''}`);
    }
  });

  it('the production code carries no mutant switches: nothing under reference/ mentions mutants', () => {
    const files = readdirSync(join(ROOT, 'reference'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length > 20);
    for (const f of files) assert.doesNotMatch(readFileSync(join(ROOT, 'reference', f), 'utf8'), /mutant/i, f);
  });
});

describe('mutants: type-checking a mutated tree', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sts-mutants-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { strict: true, noEmit: true, types: [], lib: ['es2022'], module: 'NodeNext', moduleResolution: 'NodeNext', allowImportingTsExtensions: true }, include: ['*.ts'] }));
  writeFileSync(join(dir, 'a.ts'), 'export function n(): number {\n  return 1;\n}\n');
  writeFileSync(join(dir, 'b.ts'), "import { n } from './a.ts';\nexport const m: number = n() + 1;\n");
  writeFileSync(join(dir, 'c.ts'), "import { m } from './b.ts';\nexport const k: number = m;\n");
  const checker = new MutantTypeChecker(dir);

  it('the unmutated project type-checks', () => {
    assert.deepEqual(checker.projectErrors(), []);
  });

  it('a mutation that keeps the types passes; one that breaks an importer is reported there', () => {
    assert.deepEqual(checker.check(new Map([['a.ts', 'export function n(): number {\n  return 2;\n}\n']])), []);
    const errors = checker.check(new Map([['a.ts', "export function n(): string {\n  return 'x';\n}\n"]]));
    assert.equal(errors.length, 1);
    assert.match(errors[0], /^b\.ts\(2,\d+\): error TS2322/);
  });

  it('a syntax error in the mutated file is reported', () => {
    assert.match(checker.check(new Map([['c.ts', 'export const k = ;\n']])).join('\n'), /c\.ts\(1,\d+\): error TS1109/);
  });
});

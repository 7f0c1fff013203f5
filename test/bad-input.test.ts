/**
 * Bad input in a feature file: a malformed YAML doc string fails only its own scenario, with
 * an error that names the feature file, the line and the YAML error. Runs real Cucumber on a
 * fixture feature against the reference target.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import { yamlDocString } from '../support/docstrings.ts';

const FEATURE = 'test/fixtures/bad-input/bad-yaml.feature';

it('a YAML error names the feature file, the line and the column', () => {
  assert.throws(
    () => yamlDocString('a: 1\nb: { c\n', { uri: 'features/x.feature', line: 10, docStringLine: 11 }),
    /^Error: features\/x\.feature:1[34]:\d+: malformed YAML in the doc string: /,
  );
  assert.throws(() => yamlDocString('- 1\n', { uri: 'features/x.feature', line: 10 }), /features\/x\.feature:10: the doc string must be a YAML mapping/);
  assert.deepEqual(yamlDocString('a: { b: 1 }'), { a: { b: 1 } });
});

it('a malformed doc string fails its own scenario only, naming the file and line', { timeout: 120_000 }, async () => {
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = spawn(process.execPath, ['node_modules/@cucumber/cucumber/bin/cucumber.js', '--config', 'test/fixtures/bad-input/cucumber.mjs', FEATURE], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('error', reject);
    child.on('exit', () => resolve(out));
  });
  const envelopes = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
  const pickles = new Map<string, string>(envelopes.filter((e) => e.pickle).map((e) => [e.pickle.id, e.pickle.name]));
  const testCases = new Map<string, string>(envelopes.filter((e) => e.testCase).map((e) => [e.testCase.id, pickles.get(e.testCase.pickleId)!]));
  const started = new Map<string, string>(envelopes.filter((e) => e.testCaseStarted).map((e) => [e.testCaseStarted.id, testCases.get(e.testCaseStarted.testCaseId)!]));
  const worst = new Map<string, { status: string; message?: string }>();
  for (const e of envelopes.filter((e) => e.testStepFinished)) {
    const name = started.get(e.testStepFinished.testCaseStartedId)!;
    const r = e.testStepFinished.testStepResult as { status: string; message?: string };
    if (r.status !== 'PASSED' || !worst.has(name)) worst.set(name, worst.get(name)?.status === 'FAILED' ? worst.get(name)! : r);
  }
  assert.equal(worst.get('The manifest has a YAML error')?.status, 'FAILED');
  // The doc string opens on line 6; its broken flow mapping is content line 3 (file line 9) or
  // reported where the parser gave up, still inside the doc string.
  assert.match(worst.get('The manifest has a YAML error')?.message ?? '', /test\/fixtures\/bad-input\/bad-yaml\.feature:(9|10|11):\d+: malformed YAML in the doc string/);
  assert.equal(worst.get('The next scenario is unaffected')?.status, 'PASSED', JSON.stringify(worst.get('The next scenario is unaffected')));
});

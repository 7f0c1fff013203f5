/** The kubectl differential's normalisation and comparison (scripts/kubectl-diff/). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normaliseLine, parseTranscript, revisionNames } from '../scripts/kubectl-diff/transcript.ts';
import { compareSection, staleEntries, unifiedDiff } from '../scripts/kubectl-diff/compare.ts';

test('normalises what legitimately differs between two clusters', () => {
  assert.equal(normaliseLine('  uid: 05b5d2cf-2df5-4a59-98c0-27a0e8ddfd7a'), ' uid: <uid>');
  assert.equal(normaliseLine('  resourceVersion: "796"'), ' resourceVersion: "<rv>"');
  assert.equal(normaliseLine('Resource Version:        40'), 'Resource Version: <rv>');
  assert.equal(normaliseLine('web-0   1/1   Running   0   12s   10.244.0.2   sim-node-1'), 'web-0 1/1 Running 0 <age> <ip> <node>');
  assert.equal(normaliseLine('  creationTimestamp: "2026-12-05T07:18:46Z"'), ' creationTimestamp: "<time>"');
  assert.equal(normaliseLine('Start Time:   Sat, 05 Dec 2026 07:18:46 +0000'), 'Start Time: <time>');
  assert.equal(normaliseLine('  Warning  FailedCreate  2s (x9 over 4s)  statefulset-controller'), ' Warning FailedCreate <age> (x<n> over <age>) statefulset-controller');
  assert.equal(normaliseLine('event/web.18a2b3c4d5e6f7a8 created'), 'event/web.<event> created');
  assert.equal(normaliseLine('web-96t8l   IPv4   80'), 'web-<generated> IPv4 80');
  assert.equal(normaliseLine('error: Expected resource version to be 1, was 982'), 'error: Expected resource version to be 1, was <rv>');
});

test('keeps ControllerRevision names and revision labels', () => {
  assert.equal(normaliseLine('web-74478bbdbb   web   1   3m2s'), 'web-74478bbdbb web 1 <age>');
  assert.equal(normaliseLine('controller-revision-hash: web-55dd6fcdfc'), 'controller-revision-hash: web-55dd6fcdfc');
});

const transcript = (revision: string, out: string) =>
  `$ kubectl get controllerrevisions -o custom-columns=NAME:.metadata.name --no-headers\n${revision}\n[exit 0]\n$ kubectl get pods\n${out}\n[exit 0]\n`;

test('a section whose steps print the same is the same', () => {
  const r = compareSection('s', parseTranscript(transcript('web-74478bbdbb', 'web-0 5s')), parseTranscript(transcript('web-74478bbdbb', 'web-0 7m')), []);
  assert.equal(r.verdict, 'same');
  assert.deepEqual(r.revisions, { reference: ['web-74478bbdbb'], upstream: ['web-74478bbdbb'], equal: true });
});

test('a differing step fails unless an entry for its section and command allows it', () => {
  const ref = parseTranscript(transcript('web-1', 'a'));
  const up = parseTranscript(transcript('web-1', 'b'));
  assert.equal(compareSection('s', ref, up, []).verdict, 'differs');
  assert.equal(compareSection('s', ref, up, [{ section: 'other', reason: 'x' }]).verdict, 'differs');
  assert.equal(compareSection('s', ref, up, [{ section: 's', step: 'get nodes', reason: 'x' }]).verdict, 'differs');
  const allowed = compareSection('s', ref, up, [{ section: 's', step: 'get pods', reason: 'x' }]);
  assert.equal(allowed.verdict, 'allowed');
  assert.match(allowed.diff, /^-a$/m);
  assert.match(allowed.diff, /^\+b$/m);
});

test('different revision names fail whatever the allow-list says', () => {
  const r = compareSection('s', parseTranscript(transcript('web-55dd6fcdfc', 'a')), parseTranscript(transcript('web-74478bbdbb', 'a')), [{ section: 's', reason: 'x' }]);
  assert.equal(r.verdict, 'differs');
  assert.equal(r.revisions.equal, false);
  assert.deepEqual(revisionNames(parseTranscript(transcript('web-55dd6fcdfc', 'a'))), ['web-55dd6fcdfc']);
});

test('entries that allowed nothing are stale', () => {
  const used = { section: 's', step: 'get pods', reason: 'x' };
  const unused = { section: 's', step: 'get nodes', reason: 'y' };
  const r = compareSection('s', parseTranscript(transcript('w-1', 'a')), parseTranscript(transcript('w-1', 'b')), [used, unused]);
  assert.deepEqual(staleEntries([used, unused, { section: 'not-run', reason: 'z' }], [r]), [unused]);
});

test('unified diff: hunks with context, removals before additions', () => {
  const a = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'x'];
  const b = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'y'];
  assert.equal(unifiedDiff(a, b, 'a', 'b'), ['--- a', '+++ b', '@@ -8,4 +8,4 @@', ' 8', ' 9', ' 10', '-x', '+y'].join('\n'));
});

/**
 * Unit tests for the harness's own logic: tag gates, field paths, ordering checks over a
 * timeline, the identity invariant and the conformance report.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { KubeConfig } from '@kubernetes/client-node';
import { ScaledClock } from '../reference/clock.ts';
import { fieldMismatches, getPath } from '../support/fields.ts';
import { skipReason } from '../support/gates.ts';
import { identityViolations } from '../support/invariants.ts';
import { createdInOrderAfterReady, terminatedInOrderAfterGone } from '../support/ordering.ts';
import { ResultCollector, renderMarkdown, verdict } from '../support/report/conformance.ts';
import { nameList } from '../support/text.ts';
import type { TargetInfo } from '../support/targets/target.ts';
import { parseFeatureMetrics } from '../support/targets/feature-gates.ts';
import { Timeline, type TimelineEntry } from '../support/timeline.ts';
import { compareRuns, renderDifferential } from '../support/report/differential.ts';

const info: TargetInfo = {
  name: 'cluster',
  serverVersion: 'v1.33.1',
  minor: 33,
  capabilities: new Set(['storage']),
  missing: new Map([['dns', 'no DNS on this target']]),
  featureGates: { gates: new Map([['MaxUnavailableStatefulSet', false], ['StatefulSetRecreateStrategy', true]]) },
};

describe('tag gates', () => {
  it('runs untagged scenarios', () => assert.equal(skipReason(['@guarantee:G-01'], info, { allowDisruptive: false }), undefined));
  it('skips a missing capability with its reason', () =>
    assert.match(skipReason(['@needs:dns'], info, { allowDisruptive: true })!, /needs dns: no DNS on this target/));
  it('keeps a present capability', () => assert.equal(skipReason(['@needs:storage'], info, { allowDisruptive: true }), undefined));
  it('gates by server version', () => {
    assert.match(skipReason(['@k8s:>=1.35'], info, { allowDisruptive: true })!, /applies to Kubernetes >=1.35; target cluster runs v1.33.1/);
    assert.equal(skipReason(['@k8s:>=1.33'], info, { allowDisruptive: true }), undefined);
    assert.equal(skipReason(['@k8s:<1.34'], info, { allowDisruptive: true }), undefined);
  });
  it('rejects a malformed version tag', () => assert.throws(() => skipReason(['@k8s:1.35+'], info, { allowDisruptive: true }), /malformed/));
  it('gates by feature gate, a gate the release lacks counting as off', () => {
    const reason = (tag: string, gates = info.featureGates) => skipReason([tag], { ...info, featureGates: gates }, { allowDisruptive: true });
    assert.match(reason('@feature-gate:MaxUnavailableStatefulSet=true')!, /needs feature gate MaxUnavailableStatefulSet=true; target cluster \(v1.33.1\) has it off/);
    assert.equal(reason('@feature-gate:MaxUnavailableStatefulSet=false'), undefined);
    assert.equal(reason('@feature-gate:StatefulSetRecreateStrategy=true'), undefined);
    assert.match(reason('@feature-gate:StatefulSetRecreateStrategy=false')!, /has it on/);
    assert.equal(reason('@feature-gate:NotInThisRelease=false'), undefined);
    assert.match(reason('@feature-gate:NotInThisRelease=true')!, /has it absent/);
    assert.match(reason('@feature-gate:MaxUnavailableStatefulSet=true', { unknown: 'GET /metrics answered 403' })!, /gates are unknown: GET \/metrics answered 403/);
    assert.throws(() => reason('@feature-gate:MaxUnavailableStatefulSet'), /malformed feature-gate tag/);
  });
  it('reads the gates from kube-apiserver metrics text', () => {
    const text = [
      '# TYPE kubernetes_feature_enabled gauge',
      'kubernetes_feature_enabled{name="MaxUnavailableStatefulSet",stage="BETA"} 0',
      'kubernetes_feature_enabled{name="WatchList",stage=""} 1',
      'apiserver_request_total{code="200"} 5',
    ].join('\n');
    assert.deepEqual([...parseFeatureMetrics(text)], [['MaxUnavailableStatefulSet', false], ['WatchList', true]]);
  });
  it('makes disruptive scenarios opt-in', () => {
    assert.match(skipReason(['@disruptive'], info, { allowDisruptive: false })!, /opt in/);
    assert.equal(skipReason(['@disruptive'], info, { allowDisruptive: true }), undefined);
  });
});

describe('field paths', () => {
  const obj = { spec: { replicas: 3, containers: [{ image: 'x' }], strategy: { type: 'RollingUpdate' } } };
  it('reads nested fields and list items', () => {
    assert.equal(getPath(obj, 'spec.containers[0].image'), 'x');
    assert.equal(typeof getPath(obj, 'spec.missing.deeper'), 'symbol');
  });
  it('compares YAML values and reports each mismatch', () => {
    assert.deepEqual(fieldMismatches(obj, [['spec.replicas', '3'], ['spec.strategy', '{ type: RollingUpdate }']]), []);
    assert.deepEqual(fieldMismatches(obj, [['spec.replicas', '4'], ['spec.nope', '1']]), [
      'spec.replicas: expected 4, got 3',
      'spec.nope: expected 1, but the field is absent',
    ]);
  });
  it('parses name lists', () => assert.deepEqual(nameList('web-0, web-1 and web-2'), ['web-0', 'web-1', 'web-2']));
});

/** A timeline fed by hand, as its watches would feed it. */
function timeline(events: Array<[TimelineEntry['type'], string, string, Partial<V1Pod['status']>, boolean?]>): Timeline {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'c', server: 'http://127.0.0.1:1', skipTLSVerify: true }, { name: 'u' });
  const t = new Timeline(kc, 'ns', new ScaledClock(1));
  events.forEach(([type, name, uid, status, terminating], i) => {
    const object: V1Pod = { metadata: { name, uid, ...(terminating ? { deletionTimestamp: new Date() } : {}) }, status: status as V1Pod['status'] };
    // One entry a second, so that messages name distinct times.
    t.entries.push({ seq: i + 1, at: new Date(Date.UTC(2026, 0, 1) + i * 1000), kind: 'Pod', type, name, uid, resourceVersion: String(i + 1), summary: '', object });
  });
  return t;
}
const running = { phase: 'Running', conditions: [{ type: 'Ready', status: 'False' }] };
const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };

describe('ordering over the timeline', () => {
  it('accepts creation after the predecessor was ready', () => {
    const t = timeline([['ADDED', 'web-0', 'a', {}], ['MODIFIED', 'web-0', 'a', ready], ['ADDED', 'web-1', 'b', {}]]);
    assert.deepEqual(createdInOrderAfterReady(t, ['web-0', 'web-1']), []);
  });
  it('catches a pod created while its predecessor was not ready, and says when each happened', () => {
    const never = timeline([['ADDED', 'web-0', 'a', {}], ['MODIFIED', 'web-0', 'a', running], ['ADDED', 'web-1', 'b', {}]]);
    assert.deepEqual(createdInOrderAfterReady(never, ['web-0', 'web-1']), ['web-1 was created at 2.0 s, while web-0 did not become ready afterwards (it was )']);
    const later = timeline([['ADDED', 'web-0', 'a', {}], ['ADDED', 'web-1', 'b', {}], ['MODIFIED', 'web-0', 'a', running], ['MODIFIED', 'web-0', 'a', ready]]);
    assert.match(createdInOrderAfterReady(later, ['web-0', 'web-1'])[0], /^web-1 was created at 1\.0 s, while web-0 was not ready until 3\.0 s/);
  });
  it('catches termination that overlaps the successor', () => {
    const t = timeline([
      ['MODIFIED', 'web-1', 'b', ready, true],
      ['MODIFIED', 'web-0', 'a', ready, true],
      ['DELETED', 'web-1', 'b', ready, true],
      ['DELETED', 'web-0', 'a', ready, true],
    ]);
    assert.deepEqual(terminatedInOrderAfterGone(t, ['web-1', 'web-0']), ['web-0 began terminating at 1.0 s, while web-1 was not gone until 2.0 s']);
  });
  it('finds two live pods with one name', () => {
    const ok = timeline([['ADDED', 'web-0', 'a', {}], ['DELETED', 'web-0', 'a', {}], ['ADDED', 'web-0', 'b', {}]]);
    assert.deepEqual(identityViolations(ok), []);
    const bad = timeline([['ADDED', 'web-0', 'a', {}], ['ADDED', 'web-0', 'b', {}]]);
    assert.equal(identityViolations(bad).length, 1);
  });
});

describe('conformance report', () => {
  it('folds messages into per-guarantee verdicts, skip reasons included', () => {
    const c = new ResultCollector();
    const ts = { seconds: 1, nanos: 0 };
    c.add({ pickle: { id: 'p1', name: 'ordered', uri: 'f.feature', astNodeIds: ['s1'], tags: [{ name: '@guarantee:G-23', astNodeId: 't' }], steps: [], language: 'en' } } as never);
    c.add({ pickle: { id: 'p2', name: 'dns', uri: 'f.feature', astNodeIds: ['s2'], tags: [{ name: '@guarantee:G-63', astNodeId: 't' }], steps: [], language: 'en' } } as never);
    c.add({ testCase: { id: 'c1', pickleId: 'p1', testSteps: [] } } as never);
    c.add({ testCase: { id: 'c2', pickleId: 'p2', testSteps: [] } } as never);
    c.add({ testCaseStarted: { id: 'r1', testCaseId: 'c1', attempt: 0, timestamp: ts } } as never);
    c.add({ testStepFinished: { testCaseStartedId: 'r1', testStepId: 'x', testStepResult: { status: 'FAILED', message: 'boom', duration: ts }, timestamp: ts } } as never);
    c.add({ testCaseStarted: { id: 'r2', testCaseId: 'c2', attempt: 0, timestamp: ts } } as never);
    c.add({ attachment: { testCaseStartedId: 'r2', mediaType: 'text/plain', body: 'skipped: needs dns', contentEncoding: 'IDENTITY' } } as never);
    c.add({ testStepFinished: { testCaseStartedId: 'r2', testStepId: 'y', testStepResult: { status: 'SKIPPED', duration: ts }, timestamp: ts } } as never);
    const run = { target: 'reference', startedAt: 'now', scenarios: c.results() };
    assert.equal(verdict(run, 'G-23').outcome, 'failed');
    assert.equal(verdict(run, 'G-63').outcome, 'skipped');
    assert.equal(verdict(run, 'G-01').outcome, 'untested');
    const md = renderMarkdown([run], { 'G-23': { title: 'ordered', area: 'A' }, 'G-63': { title: 'dns', area: 'M' } });
    assert.match(md, /needs dns/);
    assert.match(md, /boom/);
  });
});

describe('differential timelines', () => {
  it('records each incarnation\'s milestones once, per name, in order', () => {
    const t = timeline([
      ['ADDED', 'web-0', 'a', {}],
      ['MODIFIED', 'web-0', 'a', running],
      ['MODIFIED', 'web-0', 'a', ready],
      ['MODIFIED', 'web-0', 'a', running],
      ['MODIFIED', 'web-0', 'a', ready, true],
      ['DELETED', 'web-0', 'a', ready, true],
      ['ADDED', 'web-0', 'b', ready],
    ]);
    assert.deepEqual(t.lifecycles(), { 'Pod/web-0': ['created', 'running', 'ready', 'terminating', 'deleted', 'created', 'running', 'ready'] });
  });
  it('lists the scenarios whose sequences differ, and only those', () => {
    const scenario = (name: string, lifecycles: Record<string, string[]>, outcome: 'passed' | 'failed' = 'passed') =>
      ({ name, uri: 'f.feature', line: 1, guarantees: [], tags: [], outcome, durationMs: 0, lifecycles });
    const same = { 'Pod/web-0': ['created', 'running', 'ready'] };
    const reference = { target: 'reference', startedAt: '', scenarios: [scenario('same', same), scenario('differs', same), scenario('failed', same)] };
    const other = {
      target: 'control-plane',
      startedAt: '',
      scenarios: [scenario('same', same), scenario('differs', { 'Pod/web-0': ['created', 'running', 'ready'], 'Pod/web-1': ['created'] }), scenario('failed', same, 'failed')],
    };
    const c = compareRuns(reference, other);
    assert.equal(c.compared, 2);
    assert.deepEqual(c.timingOnly[0]!.differences, [{ object: 'Pod/web-1', baseline: [], other: ['created'] }]);
    assert.deepEqual(c.notCompared.map((n) => n.scenario), ['failed']);
    assert.deepEqual(c.differing.map((d) => d.scenario), []);
    assert.deepEqual(c.timingOnly.map((d) => d.scenario), ['differs']);
    assert.match(renderDifferential([c]), /\| Pod\/web-1 \| \(none\) \| created \|/);
    const other2 = { ...other, scenarios: [scenario('differs', { 'Pod/web-0': ['created', 'running', 'ready', 'terminating'] })] };
    const real = compareRuns({ ...reference, scenarios: [scenario('differs', { 'Pod/web-0': ['created', 'terminating', 'deleted'] })] }, other2);
    assert.deepEqual(real.differing.map((d) => d.scenario), ['differs']);
  });
});

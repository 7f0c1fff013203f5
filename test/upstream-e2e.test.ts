/**
 * Upstream's StatefulSet e2e tests as a second judge (support/upstream-e2e/): the catalogue and
 * its skips, the guarantees that name upstream tests, the JUnit XML e2e.test writes, and the
 * reports made of it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FOCUS, UPSTREAM_PREFIX, UPSTREAM_TESTS, findUpstreamTest, namePattern, skipReason } from '../support/upstream-e2e/catalogue.ts';
import { decode, parseJUnit } from '../support/upstream-e2e/junit.ts';
import { collectResults, counts, renderUpstreamMarkdown, unknownTests, upstreamSection, type UpstreamRun } from '../support/upstream-e2e/report.ts';
import { loadCatalogue, renderHtml, renderMarkdown } from '../support/report/conformance.ts';
import { e2eLdflags, proxyOnly } from '../support/upstream-e2e/build.ts';

const REFERENCE = { containerRuntime: false, offByDefaultGates: false };
const REAL_NODES = { containerRuntime: true, offByDefaultGates: false };
const full = (name: string) => `${UPSTREAM_PREFIX}${name}`;

describe('catalogue', () => {
  test('names each of the 33 tests once', () => {
    assert.equal(UPSTREAM_TESTS.length, 33);
    assert.equal(new Set(UPSTREAM_TESTS.map((t) => t.name)).size, 33);
    assert.equal(UPSTREAM_TESTS.filter((t) => t.name.includes('[Conformance]')).length, 8);
  });

  test('the reference skips exec, real-container and alpha tests; real nodes skip only alpha ones', () => {
    const onReference = UPSTREAM_TESTS.filter((t) => skipReason(t, REFERENCE));
    const onRealNodes = UPSTREAM_TESTS.filter((t) => skipReason(t, REAL_NODES));
    assert.equal(onReference.length, 11);
    assert.deepEqual(
      onRealNodes.map((t) => t.name),
      UPSTREAM_TESTS.filter((t) => t.name.includes('[Alpha]')).map((t) => t.name),
    );
    for (const t of onReference) assert.match(skipReason(t, REFERENCE)!, /^(needs a container runtime|alpha): /);
    // Alpha wins: the reason is the one that applies on every target without the gate.
    const alpha = UPSTREAM_TESTS.find((t) => t.name.includes('ImagePullBackOff'))!;
    assert.match(skipReason(alpha, REFERENCE)!, /^alpha: /);
    assert.equal(skipReason(alpha, { containerRuntime: true, offByDefaultGates: true }), undefined);
  });

  test('the skip pattern matches exactly the skipped tests (Ginkgo matches it against the full name)', () => {
    const skipped = UPSTREAM_TESTS.filter((t) => skipReason(t, REFERENCE));
    const re = new RegExp(namePattern(skipped));
    for (const t of UPSTREAM_TESTS) assert.equal(re.test(full(t.name)), skipped.includes(t), t.name);
    assert.ok(new RegExp(FOCUS).test(full(UPSTREAM_TESTS[0]!.name)));
    // A focus on one test runs that test only: no name is a prefix of another.
    for (const t of UPSTREAM_TESTS) {
      const one = new RegExp(namePattern([t]));
      assert.deepEqual(UPSTREAM_TESTS.filter((u) => one.test(full(u.name))), [t]);
    }
    // RE2 (Go) has no lookaround or backreferences: the pattern is literal text, alternatives and escapes.
    assert.doesNotMatch(namePattern(skipped), /\(\?|\\\d/);
  });

  test('findUpstreamTest reads JUnit names ("[It] " and labels) and --list-tests names', () => {
    const t = UPSTREAM_TESTS[13]!;
    assert.equal(findUpstreamTest(`[It] ${full(t.name)}`), t);
    assert.equal(findUpstreamTest(full(t.name)), t);
    assert.equal(findUpstreamTest('[It] [sig-apps] Deployment should have a working scale subresource [Conformance]'), undefined);
  });
});

describe('guarantees.json names upstream tests', () => {
  const catalogue = loadCatalogue();
  const named = Object.entries(catalogue).flatMap(([id, g]) => (g.upstream ?? []).map((name) => ({ id, name })));

  test('every name is a test of the catalogue', () => {
    for (const { id, name } of named) assert.ok(UPSTREAM_TESTS.some((t) => t.name === name), `${id}: ${name}`);
  });

  test('every upstream test but the alpha ones covers some guarantee', () => {
    const covered = new Set(named.map((n) => n.name));
    const uncovered = UPSTREAM_TESTS.filter((t) => !covered.has(t.name)).map((t) => t.name);
    assert.deepEqual(uncovered, UPSTREAM_TESTS.filter((t) => t.offByDefault).map((t) => t.name));
  });
});

// As Ginkgo's JUnit reporter writes it through Go's encoding/xml (&#34; &#39; &#xA; escapes).
const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
  <testsuites tests="3206" disabled="3184" errors="0" failures="1" time="300.5">
      <testsuite name="Kubernetes e2e suite" package="/tmp" tests="3206" disabled="0" skipped="3184" errors="0" failures="1" time="300.5" timestamp="2026-12-05T11:10:32">
          <properties>
              <property name="SuiteSucceeded" value="false"></property>
          </properties>
          <testcase name="[It] [sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should have a working scale subresource [Conformance]" classname="Kubernetes e2e suite" status="passed" time="20.064"></testcase>
          <testcase name="[It] [sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should list, patch and delete a collection of StatefulSets [Conformance]" classname="Kubernetes e2e suite" status="failed" time="31.5">
              <failure message="statefulset not using ssPatchImage. Is using registry.k8s.io/e2e-test-images/httpd:2.4.39-4&#xA;Expected&#xA;    &lt;string&gt;: &#34;a&#34;" type="failed">[FAILED] statefulset not using ssPatchImage.&#xA;In [It] at: k8s.io/kubernetes@v1.37.2/test/e2e/apps/statefulset.go:1088 @ 12/05/26 11:13:01.2&#xA;</failure>
              <system-err>log</system-err>
          </testcase>
          <testcase name="[It] [sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] Should recreate evicted statefulset [Conformance]" classname="Kubernetes e2e suite" status="failed" time="312.325144938">
              <failure message="" type="failed">[FAILED] Pod ss-0 expected to be re-created at least once&#xA;In [It] at: k8s.io/kubernetes@v1.37.2/test/e2e/apps/statefulset.go:954 @ 12/05/26 11:19:36.229&#xA;</failure>
              <system-err>log</system-err>
          </testcase>
          <testcase name="[It] [sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should provide basic identity" classname="Kubernetes e2e suite" status="skipped" time="0">
              <skipped message="skipped"></skipped>
          </testcase>
          <testcase name="[It] [sig-apps] StatefulSet Non-retain StatefulSetPersistentVolumeClaimPolicy should delete PVCs with a WhenDeleted policy" classname="Kubernetes e2e suite" status="skipped" time="0.01">
              <skipped message="skipped - No default storage class"></skipped>
          </testcase>
          <testcase name="[It] [sig-apps] StatefulSet Scaling StatefulSetStartOrdinal Increasing .start.ordinal" classname="Kubernetes e2e suite" status="skipped" time="0">
              <skipped message="skipped"></skipped>
          </testcase>
          <testcase name="[It] [sig-apps] StatefulSet Scaling StatefulSetStartOrdinal Removing .start.ordinal" classname="Kubernetes e2e suite" status="interrupted" time="29.9">
              <failure message="Interrupted by User" type="interrupted">Interrupted by User&#xA;First interrupt received; Ginkgo will run any cleanup and reporting nodes but will skip all remaining specs.</failure>
          </testcase>
          <testcase name="[It] [sig-apps] Deployment should validate Deployment Status endpoints [Conformance]" classname="Kubernetes e2e suite" status="skipped" time="0">
              <skipped message="skipped"></skipped>
          </testcase>
          <testcase name="[It] [sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should do something new" classname="Kubernetes e2e suite" status="skipped" time="0"><skipped message="skipped"></skipped></testcase>
      </testsuite>
  </testsuites>`;

describe('JUnit', () => {
  test('decode: named, decimal and hex references', () => {
    assert.equal(decode('&lt;a&gt; &amp;&#34;b&#39; c&#xA;d&#x9;'), `<a> &"b' c\nd\t`);
  });

  test('each testcase with its status, time and message', () => {
    const cases = parseJUnit(JUNIT);
    assert.equal(cases.length, 9);
    assert.deepEqual(cases[0], { name: full(UPSTREAM_TESTS[13]!.name).replace(/^/, '[It] '), ginkgoStatus: 'passed', status: 'passed', durationMs: 20064 });
    assert.equal(cases[1]!.status, 'failed');
    assert.equal(cases[1]!.message, 'statefulset not using ssPatchImage. Is using registry.k8s.io/e2e-test-images/httpd:2.4.39-4\nExpected\n    <string>: "a"');
    assert.match(cases[1]!.description!, /In \[It\] at: k8s.io\/kubernetes@v1.37.2\/test\/e2e\/apps\/statefulset.go:1088/);
    assert.equal(cases[2]!.message, '', 'framework.Failf leaves the message attribute empty');
    assert.equal(cases[4]!.status, 'skipped');
    assert.equal(cases[4]!.message, 'skipped - No default storage class');
  });

  test('results: every catalogue test, with the catalogue reason, the framework reason, or the failure', () => {
    const cases = parseJUnit(JUNIT);
    const results = collectResults(cases, UPSTREAM_TESTS, REFERENCE);
    assert.equal(results.length, UPSTREAM_TESTS.length);
    const by = (s: string) => results.find((r) => r.name.includes(s))!;
    assert.deepEqual(by('working scale subresource'), { name: UPSTREAM_TESTS[13]!.name, outcome: 'passed', durationMs: 20064 });
    assert.equal(by('list, patch and delete').outcome, 'failed');
    assert.match(by('list, patch and delete').failure!, /^statefulset not using ssPatchImage[\s\S]*In \[It\] at: .*statefulset.go:1088/);
    assert.deepEqual(by('Removing .start.ordinal'), { name: 'Scaling StatefulSetStartOrdinal Removing .start.ordinal', outcome: 'skipped', reason: 'interrupted while it ran', durationMs: 29900 });
    // An empty message attribute: the message is the description's, without Ginkgo's "[FAILED] ".
    assert.equal(by('evicted').failure, 'Pod ss-0 expected to be re-created at least once\nIn [It] at: k8s.io/kubernetes@v1.37.2/test/e2e/apps/statefulset.go:954 @ 12/05/26 11:19:36.229');
    assert.match(by('basic identity').reason!, /^needs a container runtime: .*kubectl exec/);
    assert.equal(by('WhenDeleted policy').reason, 'No default storage class');
    assert.deepEqual(by('Setting .start.ordinal'), { name: 'Scaling StatefulSetStartOrdinal Setting .start.ordinal', outcome: 'skipped', reason: 'not run: the run ended before it', durationMs: 0 });
    // Filtered out by --focus: Ginkgo's bare "skipped".
    const focused = collectResults(cases, UPSTREAM_TESTS, REFERENCE, 'not selected by --focus scale');
    assert.equal(focused.find((r) => r.name.includes('Increasing .start.ordinal'))!.reason, 'not selected by --focus scale');
    assert.equal(by('Increasing .start.ordinal').reason, 'not run: the run ended before it');
    assert.equal(focused.find((r) => r.name.includes('WhenDeleted policy'))!.reason, 'No default storage class');
    assert.match(focused.find((r) => r.name.includes('basic identity'))!.reason!, /^needs a container runtime/);
    // Shards: each process's JUnit lists every spec; the case that ran wins whatever the order.
    const shard = parseJUnit(JUNIT.replace(/status="passed" time="20.064"><\/testcase>/, 'status="skipped" time="0"><skipped message="skipped"></skipped></testcase>'));
    assert.equal(shard[0]!.status, 'skipped');
    for (const merged of [[...shard, ...cases], [...cases, ...shard]]) {
      assert.equal(collectResults(merged, UPSTREAM_TESTS, REFERENCE).find((r) => r.name.includes('working scale subresource'))!.outcome, 'passed');
    }
    assert.deepEqual(unknownTests(cases), ['[It] [sig-apps] StatefulSet Basic StatefulSet functionality [StatefulSetBasic] should do something new']);
  });
});

describe('reports', () => {
  const catalogue = loadCatalogue();
  const run: UpstreamRun = {
    target: 'reference',
    e2eVersion: 'e2e.test v1.37.2',
    serverVersion: 'v1.37.2',
    startedAt: '2026-12-05T11:10:32.000Z',
    tests: collectResults(parseJUnit(JUNIT), UPSTREAM_TESTS, REFERENCE),
  };

  test('counts and the Markdown report: each test with its result and the guarantees it covers', () => {
    assert.deepEqual(counts(run), { passed: 1, failed: 2, skipped: 30 });
    const md = renderUpstreamMarkdown(run, catalogue);
    assert.match(md, /^# Upstream e2e \(reference\)\n\ne2e.test v1.37.2 against v1.37.2, .*: 1 passed, 2 failed, 30 skipped of 33 upstream StatefulSet tests\./);
    assert.match(md, /\| Basic StatefulSet functionality \[StatefulSetBasic\] should have a working scale subresource \[Conformance\] \| ✅ passed \(20 s\) \| G-09 \|/);
    assert.match(md, /\| .*should list, patch and delete a collection of StatefulSets \[Conformance\] \| ❌ failed — statefulset not using ssPatchImage.* \| G-10 \|/);
    assert.match(md, /\| Scaling StatefulSetStartOrdinal Setting .start.ordinal \| ⏭️ skipped — not run: the run ended before it \| G-13, G-21 \|/);
    assert.match(md, /### Failed upstream tests \(reference\)\n\n- .*Should recreate evicted statefulset[\s\S]*\n- .*list, patch and delete/);
  });

  test('the conformance report carries an "Upstream e2e (<target>)" section, in Markdown and HTML', () => {
    assert.match(renderMarkdown([], catalogue, [run]), /\n## Upstream e2e \(reference\)\n/);
    assert.doesNotMatch(renderMarkdown([], catalogue), /Upstream e2e/);
    const html = renderHtml([], catalogue, { upstream: [run] });
    assert.match(html, /<h2>Upstream e2e \(reference\)<\/h2>/);
    assert.match(html, /<td class="failed"><span class="badge">FAIL<\/span> <pre>statefulset not using ssPatchImage/);
    assert.equal(upstreamSection(run, catalogue).filter((l) => l.startsWith('| ') && !l.startsWith('| upstream test')).length, 33);
  });
});

describe('build', () => {
  test('the module proxy alone, as control-plane:build uses it', () => {
    assert.equal(proxyOnly('https://proxy.example,direct'), 'https://proxy.example');
    assert.equal(proxyOnly(undefined), 'https://proxy.golang.org');
  });

  test('e2e.test is stamped with the release, as the control-plane binaries are', () => {
    const flags = e2eLdflags('v1.37.2');
    assert.match(flags, /-X 'k8s.io\/component-base\/version.gitVersion=v1.37.2'/);
    assert.match(flags, /-X 'k8s.io\/client-go\/pkg\/version.gitMinor=37'/);
    assert.throws(() => e2eLdflags('master'));
  });
});

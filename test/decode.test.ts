/**
 * Decoding as kube-apiserver v1.37.2 does it (issue 11, item 4): type checks on every write path
 * and fieldValidation=Strict|Warn|Ignore for unknown and duplicate fields, with upstream's
 * statuses and messages (each expectation below is what upstream answered to the same request),
 * and a rejected write leaves the object, its resourceVersion and its generation as they were.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { goPrint } from '../reference/apiserver/decode.ts';
import { formatValue } from '../reference/apiserver/errors.ts';
import { statefulSet, startTestServer, type TestServer } from './apiserver-helpers.ts';

let t: TestServer;
const ns = 'decode';
const sts = `/apis/apps/v1/namespaces/${ns}/statefulsets`;
before(async () => {
  t = await startTestServer();
  await t.core.createNamespace({ body: { metadata: { name: ns } } });
  const created = await t.raw('POST', sts, { apiVersion: 'apps/v1', kind: 'StatefulSet', ...statefulSet('web') });
  assert.equal(created.status, 201);
});
after(() => t.api.close());

const CT = {
  merge: { 'Content-Type': 'application/merge-patch+json' },
  strategic: { 'Content-Type': 'application/strategic-merge-patch+json' },
  json: { 'Content-Type': 'application/json-patch+json' },
  apply: { 'Content-Type': 'application/apply-patch+yaml' },
};

/** A StatefulSet body as text, with `spec` members spliced in verbatim (so duplicates survive). */
function body(name: string, specMembers: string, top = ''): string {
  const rest = '"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i"}]}}';
  return `{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"${name}"},"spec":{${specMembers}${specMembers ? ',' : ''}${rest}}${top}}`;
}

const warnings = (h: Headers): string[] => (h.get('warning') ?? '').split(/,\s*(?=299 )/).filter(Boolean);

/** The stored object's resourceVersion, generation and spec, to show a rejected write changed nothing. */
async function snapshot(): Promise<unknown> {
  const o = (await t.raw('GET', `${sts}/web`)).body;
  return { rv: o.metadata.resourceVersion, generation: o.metadata.generation, spec: o.spec };
}

describe('decoding a create or update body', () => {
  it('rejects a value of the wrong type with the JSON decoder\'s 400', async () => {
    const r = await t.raw('POST', `${sts}?fieldValidation=Strict`, body('x1', '"replicas":"three"'));
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.equal(r.body.message, 'StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32');
    const cases: [string, string][] = [
      ['"replicas":1.5', 'json: cannot unmarshal number 1.5 into Go struct field StatefulSetSpec.spec.replicas of type int32'],
      ['"updateStrategy":{"rollingUpdate":{"maxUnavailable":true}}', 'json: cannot unmarshal bool into Go struct field RollingUpdateStatefulSetStrategy.spec.updateStrategy.rollingUpdate.maxUnavailable of type int32'],
      ['"podManagementPolicy":1', 'json: cannot unmarshal number into Go struct field StatefulSetSpec.spec.podManagementPolicy of type v1.PodManagementPolicyType'],
      ['"volumeClaimTemplates":{}', 'json: cannot unmarshal object into Go struct field StatefulSetSpec.spec.volumeClaimTemplates of type []v1.PersistentVolumeClaim'],
    ];
    for (const [member, why] of cases) {
      const res = await t.raw('POST', sts, body('x1', member));
      assert.equal(res.body.message, `StatefulSet in version "v1" cannot be handled as a StatefulSet: ${why}`, member);
    }
    const labels = await t.raw('POST', sts, '{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"x1","labels":{"a":1}}}');
    assert.equal(labels.body.message, 'StatefulSet in version "v1" cannot be handled as a StatefulSet: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  });

  it('Strict: unknown and duplicate fields in document order are a 400', async () => {
    const r = await t.raw('POST', `${sts}?fieldValidation=Strict`, body('x1', '"replica":3,"replicas":1,"replicas":2', ',"zz":1'));
    assert.equal(r.status, 400);
    assert.equal(
      r.body.message,
      'StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.replica", duplicate field "spec.replicas", unknown field "zz"',
    );
    assert.equal((await t.raw('GET', `${sts}/x1`)).status, 404);
  });

  it('Warn (the default): the findings are Warning headers and the unknown fields are dropped; Ignore: dropped silently', async () => {
    const warned = await t.raw(
      'POST',
      sts,
      '{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"x2"},"spec":{"replica":3,"replicas":1,"replicas":2,"selector":{"matchLabels":{"a":"b"}},"template":{"metadata":{"labels":{"a":"b"}},"spec":{"containers":[{"name":"c","image":"i","foo":1}]}}}}',
    );
    assert.equal(warned.status, 201);
    assert.deepEqual(warnings(warned.headers), [
      '299 - "unknown field \\"spec.replica\\""',
      '299 - "duplicate field \\"spec.replicas\\""',
      '299 - "unknown field \\"spec.template.spec.containers[0].foo\\""',
    ]);
    assert.equal(warned.body.spec.replicas, 2);
    assert.equal(warned.body.spec.replica, undefined);
    assert.equal(warned.body.spec.template.spec.containers[0].foo, undefined);
    const ignored = await t.raw('POST', `${sts}?fieldValidation=Ignore`, body('x3', '"replica":3'));
    assert.equal(ignored.status, 201);
    assert.equal(ignored.headers.get('warning'), null);
    assert.equal(ignored.body.spec.replica, undefined);
  });

  it('an update is decoded the same way and, rejected, changes nothing', async () => {
    const before = await snapshot();
    const current = (await t.raw('GET', `${sts}/web`)).body;
    const r = await t.raw('PUT', `${sts}/web?fieldValidation=Strict`, { ...current, spec: { ...current.spec, replica: 2 } });
    assert.equal(r.status, 400);
    assert.equal(r.body.message, 'StatefulSet in version "v1" cannot be handled as a StatefulSet: strict decoding error: unknown field "spec.replica"');
    const typed = await t.raw('PUT', `${sts}/web`, { ...current, spec: { ...current.spec, replicas: 'three' } });
    assert.equal(typed.status, 400);
    assert.deepEqual(await snapshot(), before);
  });

  it('an unsupported fieldValidation is a 422 on the request options', async () => {
    const r = await t.raw('POST', `${sts}?fieldValidation=Bogus`, body('x4', ''));
    assert.equal(r.status, 422);
    assert.equal(r.body.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "Bogus": supported values: "", "Ignore", "Strict", "Warn"');
  });
});

describe('decoding a patched object', () => {
  it('strategic merge: the converter\'s error with the patch printed as Go prints the map, a 422; nothing changes', async () => {
    const before = await snapshot();
    const r = await t.raw('PATCH', `${sts}/web`, '{"spec":{"replicas":"three"}}', CT.strategic);
    assert.equal(r.status, 422);
    assert.equal(r.body.message, ' "" is invalid: patch: Invalid value: "map[spec:map[replicas:three]]": unrecognized type: int32');
    assert.deepEqual(r.body.details, { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "map[spec:map[replicas:three]]": unrecognized type: int32', field: 'patch' }] });
    const cases: [string, string][] = [
      ['{"spec":{"serviceName":5}}', 'cannot convert int64 to string'],
      ['{"spec":{"podManagementPolicy":true}}', 'unrecognized type: string'],
      ['{"spec":{"replicas":1.5}}', 'cannot convert float64 to int32'],
      ['{"spec":{"selector":"x"}}', 'cannot restore struct from: string'],
    ];
    for (const [patch, why] of cases) assert.match((await t.raw('PATCH', `${sts}/web`, patch, CT.strategic)).body.message, new RegExp(`: ${why}$`), patch);
    const strict = await t.raw('PATCH', `${sts}/web?fieldValidation=Strict`, '{"spec":{"replica":2,"replicas":3,"replicas":4,"template":{"spec":{"containers":[{"name":"c","foo":1}]}}}}', CT.strategic);
    assert.equal(
      strict.body.message,
      ' "" is invalid: patch: Invalid value: "map[spec:map[replica:2 replicas:4 template:map[spec:map[containers:[map[foo:1 name:c]]]]]]": strict decoding error: duplicate field "spec.replicas", unknown field "spec.replica", unknown field "spec.template.spec.containers[0].foo"',
    );
    assert.deepEqual(await snapshot(), before);
    const warned = await t.raw('PATCH', `${sts}/web`, '{"spec":{"replica":2}}', CT.strategic);
    assert.equal(warned.status, 200);
    assert.deepEqual(warnings(warned.headers), ['299 - "unknown field \\"spec.replica\\""']);
    assert.deepEqual(await snapshot(), before, 'a patch that only adds an unknown field changes nothing');
    // The converter's int64 to int32 conversion wraps around, and the result is valid.
    const wrapped = await t.raw('PATCH', `${sts}/web`, '{"spec":{"replicas":10000000001}}', CT.strategic);
    assert.equal(wrapped.status, 200);
    assert.equal(wrapped.body.spec.replicas, 1410065409);
    assert.equal((await t.raw('PATCH', `${sts}/web`, '{"spec":{"replicas":1}}', CT.strategic)).status, 200);
  });

  it('merge and JSON patches: the decoder\'s error with the patched JSON as json-patch writes it, a 422', async () => {
    const before = await snapshot();
    for (const [ct, patch] of [
      [CT.merge, '{"spec":{"replicas":"three"}}'],
      [CT.json, '[{"op":"replace","path":"/spec/replicas","value":"three"}]'],
    ] as const) {
      const r = await t.raw('PATCH', `${sts}/web`, patch, ct);
      assert.equal(r.status, 422);
      assert.match(r.body.message, /^ "" is invalid: patch: Invalid value: "\{\\"apiVersion\\":\\"apps\/v1\\",\\"kind\\":\\"StatefulSet\\",\\"metadata\\":\{\\"name\\":\\"web\\",\\"namespace\\":\\"decode\\",\\"uid\\"/);
      assert.match(r.body.message, /\\"spec\\":\{\\"persistentVolumeClaimRetentionPolicy\\":.*\\"replicas\\":\\"three\\",\\"revisionHistoryLimit\\"/, 'spec, which the patch reached, with sorted keys');
      assert.match(r.body.message, /": json: cannot unmarshal string into Go struct field StatefulSetSpec.spec.replicas of type int32$/);
    }
    const strict = await t.raw('PATCH', `${sts}/web?fieldValidation=Strict`, '[{"op":"add","path":"/spec/replica","value":2,"foo":1}]', CT.json);
    assert.equal(strict.status, 422);
    assert.match(strict.body.message, /": strict decoding error: json patch unknown field "\[0\].foo", unknown field "spec.replica"$/);
    assert.deepEqual(await snapshot(), before);
  });

  it('server-side apply: structured-merge-diff\'s errors for the applied configuration, a 500', async () => {
    const apply = (spec: string): Promise<{ status: number; body: any }> =>
      t.raw('PATCH', `${sts}/web?fieldManager=me`, `{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"},"spec":${spec}}`, CT.apply);
    const typed = await apply('{"serviceName": 1, "replicas":"x"}');
    assert.equal(typed.status, 500);
    assert.equal(
      typed.body.message,
      'failed to create typed patch object (/web; apps/v1, Kind=StatefulSet): errors:\n  .spec.replicas: expected numeric (int or float), got string\n  .spec.serviceName: expected string, got &value.valueUnstructured{Value:1}',
    );
    assert.equal((await apply('{"zzz":1, "serviceName":1, "aaa": 2}')).body.message, 'failed to create typed patch object (/web; apps/v1, Kind=StatefulSet): .spec.aaa: field not declared in schema');
    assert.equal(
      (await apply('{"template":{"spec":{"containers":[{"name":"c","tty":"x"}]}}}')).body.message,
      'failed to create typed patch object (/web; apps/v1, Kind=StatefulSet): .spec.template.spec.containers[name="c"].tty: expected boolean, got &{x}',
    );
    assert.equal(
      (await t.raw('PATCH', `${sts}/web?fieldManager=me&force=true`, '{"apiVersion":"apps/v1","kind":"StatefulSet","metadata":{"name":"web"},"spec":{"replicas":1.5}}', CT.apply)).body.message,
      'failed to convert new object (/web; apps/v1, Kind=StatefulSet) to proper version: unable to convert unstructured object to apps/v1, Kind=StatefulSet: cannot convert float64 to int32',
    );
  });
});

describe('goPrint', () => {
  it('prints decoded JSON as fmt %+v prints a map[string]interface{}', () => {
    assert.equal(goPrint({ b: [1.5, true, null], a: { y: 'x', c: 1e21 } }), 'map[a:map[c:1e+21 y:x] b:[1.5 true <nil>]]');
  });
});

describe('formatValue', () => {
  it('prints maps and lists as 1.37 prints a field error\'s bad value: JSON, map keys sorted, HTML-safe', () => {
    assert.equal(formatValue({ z: 'c', a: '<' }), '{"a":"\\u003c","z":"c"}');
    assert.equal(formatValue(['a', 'b']), '["a","b"]');
    assert.equal(formatValue('x'), '"x"');
    assert.equal(formatValue(3), '3');
  });
});

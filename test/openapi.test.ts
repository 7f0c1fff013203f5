/**
 * The OpenAPI documents: upstream's schemas for every served kind, the v3 index linking each
 * group version's document by the SHA-512 of its bytes, and the patch operations' fieldValidation
 * parameter that kubectl's query-param verifier looks for.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { groupVersion, KINDS } from '../reference/apiserver/kinds/index.ts';
import { startTestServer, type TestServer } from './apiserver-helpers.ts';

const gvPath = (gv: string): string => (gv.includes('/') ? `apis/${gv}` : `api/${gv}`);

/** Every `$ref` under `prefix` in `doc` names a schema the document has. */
function danglingRefs(doc: any, schemas: Record<string, unknown>, prefix: string): string[] {
  const out: string[] = [];
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(visit);
    if (typeof v !== 'object' || v === null) return;
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string' && x.startsWith(prefix) && !(x.slice(prefix.length) in schemas)) out.push(x);
      else visit(x);
    }
  };
  visit(doc);
  return out;
}

describe('OpenAPI documents', () => {
  let s: TestServer;
  before(async () => {
    s = await startTestServer();
  });
  after(() => s.api.close());

  it('index every served group version by the hash of its document, which has every served kind with its fields', async () => {
    const index = await s.raw('GET', '/openapi/v3');
    assert.equal(index.status, 200);
    const gvs = [...new Set(KINDS.map((k) => gvPath(groupVersion(k))))].sort();
    assert.deepEqual(Object.keys(index.body.paths).sort(), gvs);
    for (const gv of gvs) {
      const url: string = index.body.paths[gv].serverRelativeURL;
      const res = await fetch(s.api.url + url);
      const bytes = Buffer.from(await res.arrayBuffer());
      const hash = createHash('sha512').update(bytes).digest('hex').toUpperCase();
      assert.equal(url, `/openapi/v3/${gv}?hash=${hash}`);
      assert.equal(res.headers.get('etag'), `"${hash}"`);
      const doc = JSON.parse(bytes.toString('utf8'));
      assert.deepEqual(danglingRefs(doc, doc.components.schemas, '#/components/schemas/'), [], gv);
      for (const k of KINDS.filter((x) => gvPath(groupVersion(x)) === gv)) {
        const schema = Object.values<any>(doc.components.schemas).find((d) =>
          d['x-kubernetes-group-version-kind']?.some((g: any) => g.group === k.group && g.version === k.version && g.kind === k.kind),
        );
        assert.ok(schema?.properties?.metadata, `${gv} has the schema of ${k.kind}`);
        const ns = k.namespaced ? '/namespaces/{namespace}' : '';
        const patch = doc.paths[`/${gv}${ns}/${k.resource}/{name}`]?.patch;
        assert.ok(patch.parameters.some((p: any) => p.name === 'fieldValidation'), `${k.kind}: PATCH declares fieldValidation`);
      }
    }
  });

  it('describe StatefulSet fields as kube-apiserver does, with their enums', async () => {
    const doc = (await s.raw('GET', '/openapi/v3/apis/apps/v1')).body;
    const policy = doc.components.schemas['io.k8s.api.apps.v1.StatefulSetSpec'].properties.podManagementPolicy;
    assert.deepEqual(policy.enum, ['OrderedReady', 'Parallel']);
    assert.match(policy.description, /^podManagementPolicy controls how pods are created/);
    const v2 = (await s.raw('GET', '/openapi/v2')).body;
    assert.equal(v2.swagger, '2.0');
    assert.deepEqual(danglingRefs(v2, v2.definitions, '#/definitions/'), []);
    assert.ok(v2.definitions['io.k8s.api.apps.v1.StatefulSet'].properties.spec);
    // Only what the reference serves: no ReplicaSets, no pod logs.
    assert.equal(doc.paths['/apis/apps/v1/namespaces/{namespace}/replicasets'], undefined);
    assert.equal(v2.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'], undefined);
  });

  it('answer 404 for a group version it does not serve', async () => {
    assert.equal((await s.raw('GET', '/openapi/v3/apis/batch/v1')).status, 404);
  });
});

/**
 * Aggregated discovery as kube-apiserver serves it to kubectl (apidiscovery.k8s.io/v2
 * APIGroupDiscoveryList on /api and /apis), and pods' log/exec/attach/portforward/proxy, which
 * need a kubelet: a 400 Status saying the simulated nodes run no containers (issue 11, item 7).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pod, startTestServer, type TestServer } from './apiserver-helpers.ts';

const AGGREGATED = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
let t: TestServer;
before(async () => {
  t = await startTestServer();
  await t.core.createNamespace({ body: { metadata: { name: 'd' } } });
  await t.core.createNamespacedPod({ namespace: 'd', body: pod('p0') });
});
after(() => t.api.close());

describe('aggregated discovery', () => {
  it('serves every group\'s resources with their subresources, as upstream lists statefulsets', async () => {
    const apis = await t.raw('GET', '/apis', undefined, { Accept: `${AGGREGATED},application/json` });
    assert.equal(apis.status, 200);
    assert.equal(apis.headers.get('content-type'), AGGREGATED);
    assert.equal(apis.body.kind, 'APIGroupDiscoveryList');
    const apps = apis.body.items.find((i: any) => i.metadata.name === 'apps');
    assert.equal(apps.versions[0].freshness, 'Current');
    // What kube-apiserver v1.37.2 serves for statefulsets.
    assert.deepEqual(
      apps.versions[0].resources.find((r: any) => r.resource === 'statefulsets'),
      JSON.parse(
        '{"resource": "statefulsets", "responseKind": {"group": "", "version": "", "kind": "StatefulSet"}, "scope": "Namespaced", "singularResource": "statefulset", "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"], "shortNames": ["sts"], "categories": ["all"], "subresources": [{"subresource": "scale", "responseKind": {"group": "autoscaling", "version": "v1", "kind": "Scale"}, "verbs": ["get", "patch", "update"]}, {"subresource": "status", "responseKind": {"group": "", "version": "", "kind": "StatefulSet"}, "verbs": ["get", "patch", "update"]}]}',
      ),
    );
    const core = await t.raw('GET', '/api', undefined, { Accept: AGGREGATED });
    assert.deepEqual(core.body.items[0].metadata, {});
    const nodes = core.body.items[0].versions[0].resources.find((r: any) => r.resource === 'nodes');
    assert.equal(nodes.scope, 'Cluster');
    // A client that does not ask for it gets the legacy documents.
    assert.equal((await t.raw('GET', '/apis', undefined, { Accept: 'application/json' })).body.kind, 'APIGroupList');
  });
});

describe('pod subresources that need a kubelet', () => {
  it('answer a 400 Status saying the simulated nodes run no containers; a missing pod is a 404', async () => {
    for (const sub of ['log', 'exec?command=ls', 'attach', 'portforward?ports=80', 'proxy/x']) {
      const r = await t.raw(sub.startsWith('log') ? 'GET' : 'POST', `/api/v1/namespaces/d/pods/p0/${sub}`);
      assert.equal(r.status, 400, sub);
      assert.equal(r.body.reason, 'BadRequest');
      assert.match(r.body.message, /^pod "p0" runs no containers: the reference control plane's simulated nodes run none, so there is nothing to /);
    }
    const missing = await t.raw('GET', '/api/v1/namespaces/d/pods/nope/log');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'pods "nope" not found');
  });
});

/**
 * A write that changes nothing changes nothing (issue 11, item 4): no new resourceVersion, no
 * generation bump, no watch event, on every write path; kubectl then says "patched (no
 * change)". As kube-apiserver's GuaranteedUpdate, which skips the write when the updated object
 * encodes to the stored bytes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Watch } from '@kubernetes/client-node';
import { statefulSet, pod, startTestServer, type TestServer } from './apiserver-helpers.ts';

let t: TestServer;
const ns = 'noop';
before(async () => {
  t = await startTestServer();
  await t.core.createNamespace({ body: { metadata: { name: ns } } });
});
after(() => t.api.close());

const json = { 'Content-Type': 'application/json' };
const merge = { 'Content-Type': 'application/merge-patch+json' };
const strategic = { 'Content-Type': 'application/strategic-merge-patch+json' };
const jsonPatch = { 'Content-Type': 'application/json-patch+json' };

/** The first event a watch from `rv` sees on `path` (a collection's watch, filtered to `name`). */
function firstEvent(path: string, name: string, rv: string): { event: Promise<{ type: string; rv: string }>; stop: () => void } {
  let abort = (): void => undefined;
  const event = new Promise<{ type: string; rv: string }>((resolve, reject) => {
    void new Watch(t.kc)
      .watch(path, { resourceVersion: rv, fieldSelector: `metadata.name=${name}` }, (type, o) => resolve({ type, rv: o?.metadata?.resourceVersion }), (err) => reject(err ?? new Error('watch closed')))
      .then((c) => (abort = () => c.abort()));
  });
  return { event, stop: () => abort() };
}

describe('no-op writes', () => {
  it('StatefulSet: update, merge, strategic and JSON patches, status and scale writes that change nothing', async () => {
    const base = `/apis/apps/v1/namespaces/${ns}/statefulsets`;
    const created = await t.raw('POST', base, statefulSet('web'));
    assert.equal(created.status, 201);
    const current = (await t.raw('GET', `${base}/web`)).body;
    const rv = current.metadata.resourceVersion;
    const watch = firstEvent(base, 'web', rv);

    const writes: Array<[string, string, unknown, Record<string, string>]> = [
      ['PUT', `${base}/web`, current, json],
      ['PUT', `${base}/web`, { ...current, metadata: { ...current.metadata, resourceVersion: undefined, labels: {} } }, json],
      ['PATCH', `${base}/web`, { spec: { replicas: 1 } }, merge],
      ['PATCH', `${base}/web`, { metadata: { labels: {} }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } } } }, strategic],
      ['PATCH', `${base}/web`, [{ op: 'replace', path: '/spec/serviceName', value: 'web' }], jsonPatch],
      ['PATCH', `${base}/web`, { spec: { template: { spec: { enableServiceLinks: null, nodeName: '' } } } }, merge],
      ['PUT', `${base}/web/status`, current, json],
      ['PATCH', `${base}/web/status`, { status: { replicas: 0 } }, merge],
      ['PUT', `${base}/web/scale`, { metadata: { name: 'web' }, spec: { replicas: 1 } }, json],
    ];
    for (const [method, path, body, headers] of writes) {
      const r = await t.raw(method, path, body, headers);
      assert.equal(r.status, 200, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.metadata.resourceVersion, rv, `${method} ${path} ${JSON.stringify(body)} wrote a new resourceVersion`);
    }
    const after = (await t.raw('GET', `${base}/web`)).body;
    assert.deepEqual(after, current);
    assert.equal(after.metadata.generation, 1);

    // The first event the watch sees is the first real change.
    const changed = await t.raw('PATCH', `${base}/web`, { spec: { replicas: 2 } }, merge);
    assert.notEqual(changed.body.metadata.resourceVersion, rv);
    assert.equal(changed.body.metadata.generation, 2);
    assert.deepEqual(await watch.event, { type: 'MODIFIED', rv: changed.body.metadata.resourceVersion });
    watch.stop();
  });

  it('Pod: the same patch twice writes once', async () => {
    const base = `/api/v1/namespaces/${ns}/pods`;
    await t.raw('POST', base, pod('p', { a: '1' }));
    const first = await t.raw('PATCH', `${base}/p`, { metadata: { labels: { b: '2' } } }, strategic);
    const rv = first.body.metadata.resourceVersion;
    const watch = firstEvent(base, 'p', rv);
    const second = await t.raw('PATCH', `${base}/p`, { metadata: { labels: { b: '2' } } }, strategic);
    assert.equal(second.body.metadata.resourceVersion, rv);
    const status = await t.raw('PATCH', `${base}/p/status`, { status: { phase: 'Pending' } }, strategic);
    assert.equal(status.body.metadata.resourceVersion, rv);
    const third = await t.raw('PATCH', `${base}/p`, { metadata: { labels: { c: '3' } } }, strategic);
    assert.deepEqual(await watch.event, { type: 'MODIFIED', rv: third.body.metadata.resourceVersion });
    watch.stop();
  });
});

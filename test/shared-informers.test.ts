/**
 * SharedInformers (reference/controllers/runtime.ts): one informer per resource for all the
 * components of a process, each with a handle of its own.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ConfigMap } from '@kubernetes/client-node';
import { SharedInformers } from '../reference/controllers/runtime.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

const NS = 'shared';
let env: TestCluster;

before(async () => {
  env = await startTestCluster({ namespace: NS });
});
after(() => env.stop());

test('two components asking for one resource share one list-watch and one cache', async () => {
  const informers = new SharedInformers(env.kc, env.clock);
  let lists = 0;
  const list = () => (lists++, env.core.listConfigMapForAllNamespaces());
  await env.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'before' }, data: { k: 'v' } } });
  const a = informers.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', list);
  const b = informers.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', list);
  const seenByB: string[] = [];
  b.on('add', (o) => seenByB.push(o.metadata!.name!));
  await a.start();
  // B starts after A has synced: it is handed what is cached, as adds.
  await b.start();
  assert.ok(seenByB.includes('before'), `B saw the existing object: ${seenByB}`);
  assert.equal(lists, 1, 'one list for both');
  await env.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'after' } } });
  await until(b, () => seenByB.includes('after'), 'B to see the new object');
  assert.equal(a.get('after', NS), b.get('after', NS), 'the same cached model');
  assert.equal(seenByB.filter((n) => n === 'before').length, 1, 'no object handed over twice');

  // A stops: B goes on; B stops too: the informer is gone, and a new handle lists afresh.
  await a.stop();
  await env.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'later' } } });
  await until(b, () => seenByB.includes('later'), 'B to see changes after A stopped');
  await b.stop();
  const c = informers.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', list);
  await c.start();
  assert.equal(lists, 2, 'the last handle stopped the shared informer');
  assert.ok(c.get('later', NS));
  await c.stop();
});

test("a stopped handle's handlers hear nothing more", async () => {
  const informers = new SharedInformers(env.kc, env.clock);
  const list = () => env.core.listConfigMapForAllNamespaces();
  const keep = informers.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', list);
  const gone = informers.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', list);
  const heard: string[] = [];
  gone.on('add', (o) => heard.push(o.metadata!.name!));
  await Promise.all([keep.start(), gone.start()]);
  await gone.stop();
  const before = heard.length;
  await env.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'unheard' } } });
  await until(keep, () => !!keep.get('unheard', NS), 'the remaining handle to see it');
  assert.equal(heard.length, before);
  await keep.stop();
});

test('metadata only: a whole informer already shared serves; otherwise objects are cached as metadata', async () => {
  const informers = new SharedInformers(env.kc, env.clock);
  const list = () => env.core.listConfigMapForAllNamespaces();
  await env.core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'meta' }, data: { big: 'x'.repeat(1000) } } });

  const metaOnly = informers.metadataInformer('/api/v1/configmaps', list);
  await metaOnly.start();
  const m = metaOnly.get('meta', NS) as V1ConfigMap;
  assert.equal(m.metadata?.name, 'meta');
  assert.ok(m.metadata?.uid);
  assert.equal(m.data, undefined, 'no data kept');
  await env.core.replaceNamespacedConfigMap({ namespace: NS, name: 'meta', body: { metadata: { name: 'meta' }, data: { big: 'y' } } });
  await until(metaOnly, () => (metaOnly.get('meta', NS)?.metadata?.resourceVersion ?? '') !== m.metadata?.resourceVersion, 'the update');
  assert.equal((metaOnly.get('meta', NS) as V1ConfigMap).data, undefined, 'watch events are cut to metadata too');
  await metaOnly.stop();

  const whole = informers.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', list);
  await whole.start();
  const served = informers.metadataInformer('/api/v1/configmaps', () => Promise.reject(new Error('must not list again')));
  await served.start();
  assert.equal(served.get('meta', NS), whole.get('meta', NS), 'the whole informer serves the metadata request');
  await Promise.all([served.stop(), whole.stop()]);
});

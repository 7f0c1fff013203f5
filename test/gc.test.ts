import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Api, V1ConfigMap, V1OwnerReference } from '@kubernetes/client-node';
import { mergePatch } from '../reference/controllers/api-util.ts';
import { startGarbageCollector } from '../reference/controllers/garbage-collector.ts';
import type { Informer } from '../reference/controllers/runtime.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

const NS = 'gc';
let env: TestCluster;
let core: CoreV1Api;
let cms: Informer<V1ConfigMap>;

before(async () => {
  env = await startTestCluster({ namespace: NS });
  core = env.core;
  env.add(await startGarbageCollector(env.kc, env.opts));
  cms = await env.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', () => core.listConfigMapForAllNamespaces());
});

after(() => env.stop());

const ref = (o: V1ConfigMap, extra: Partial<V1OwnerReference> = {}): V1OwnerReference => ({
  apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata!.name!, uid: o.metadata!.uid!, ...extra,
});
const cm = (name: string, ownerReferences?: V1OwnerReference[], finalizers?: string[]) =>
  core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name, ownerReferences, finalizers } } });
const gone = (name: string, ns = NS) => until(cms, (all) => !all.some((c) => c.metadata?.name === name && c.metadata.namespace === ns), `${name} deleted`);
const get = (name: string) => cms.get(name, NS);

test('background: dependents of a deleted owner are collected', async () => {
  const owner = await cm('bg-owner');
  await cm('bg-dep', [ref(owner)]);
  await core.deleteNamespacedConfigMap({ name: 'bg-owner', namespace: NS });
  await gone('bg-dep');
});

test('a ref whose UID does not match the live owner is dangling', async () => {
  const owner = await cm('uid-owner');
  await cm('uid-dep', [ref(owner, { uid: '00000000-0000-0000-0000-000000000000' })]);
  await gone('uid-dep');
  assert.ok(get('uid-owner'), 'the owner itself stays');
});

test('a dependent with a live owner stays, minus its dangling ref', async () => {
  const live = await cm('live-owner');
  const dead = await cm('dead-owner');
  await cm('two-owners', [ref(live), ref(dead)]);
  await core.deleteNamespacedConfigMap({ name: 'dead-owner', namespace: NS });
  const dep = await until(cms, (all) => all.find((c) => c.metadata?.name === 'two-owners' && c.metadata.ownerReferences?.length === 1), 'dangling ref removed');
  assert.equal(dep?.metadata?.ownerReferences?.[0]?.name, 'live-owner');
});

test('foreground: owner waits for blocking dependents, then goes', async () => {
  const owner = await cm('fg-owner');
  await cm('fg-blocker', [ref(owner, { blockOwnerDeletion: true })], ['test.example.com/hold']);
  await cm('fg-plain', [ref(owner)]);
  await core.deleteNamespacedConfigMap({ name: 'fg-owner', namespace: NS, propagationPolicy: 'Foreground' });
  await until(cms, (all) => !!all.find((c) => c.metadata?.name === 'fg-blocker')?.metadata?.deletionTimestamp, 'blocker deleting');
  await gone('fg-plain');
  assert.ok(get('fg-owner')?.metadata?.finalizers?.includes('foregroundDeletion'), 'owner held by the blocking dependent');
  await core.patchNamespacedConfigMap({ name: 'fg-blocker', namespace: NS, body: { metadata: { finalizers: null } } }, mergePatch());
  await gone('fg-blocker');
  await gone('fg-owner');
});

test('orphan: dependents lose the ref and stay', async () => {
  const owner = await cm('or-owner');
  await cm('or-dep', [ref(owner, { controller: true, blockOwnerDeletion: true })]);
  await core.deleteNamespacedConfigMap({ name: 'or-owner', namespace: NS, propagationPolicy: 'Orphan' });
  await gone('or-owner');
  const dep = get('or-dep');
  assert.ok(dep && !dep.metadata?.deletionTimestamp);
  assert.deepEqual(dep.metadata?.ownerReferences ?? [], []);
});

/**
 * What upstream's controllers put in every namespace (issue 15): the ServiceAccount controller
 * (pkg/controller/serviceaccount) its `default` ServiceAccount, the root CA publisher
 * (pkg/controller/certificates/rootcacertpublisher) its `kube-root-ca.crt` ConfigMap; both
 * put back what is deleted, the publisher also what is changed, neither writes into a namespace
 * being terminated.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { CoreV1Api, V1ConfigMap, V1ServiceAccount } from '@kubernetes/client-node';
import { startNamespaceController } from '../reference/controllers/namespace.ts';
import { DESCRIPTION, DESCRIPTION_ANNOTATION, PLACEHOLDER_ROOT_CA, ROOT_CA_CONFIGMAP_NAME, startRootCACertPublisher } from '../reference/controllers/root-ca-publisher.ts';
import { startServiceAccountsController } from '../reference/controllers/serviceaccounts.ts';
import type { Informer } from '../reference/controllers/runtime.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

let env: TestCluster;
let core: CoreV1Api;
let sas: Informer<V1ServiceAccount>;
let cms: Informer<V1ConfigMap>;
const log: string[] = [];

before(async () => {
  env = await startTestCluster();
  core = env.core;
  env.add(await startNamespaceController(env.kc, env.opts));
  env.add(await startServiceAccountsController(env.kc, { ...env.opts, log: (l) => log.push(l) }));
  env.add(await startRootCACertPublisher(env.kc, { ...env.opts, rootCA: PLACEHOLDER_ROOT_CA, log: (l) => log.push(l) }));
  sas = await env.informer<V1ServiceAccount>('/api/v1/serviceaccounts', 'V1ServiceAccount', () => core.listServiceAccountForAllNamespaces());
  cms = await env.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', () => core.listConfigMapForAllNamespaces());
});

after(() => env.stop());

const defaultSA = (ns: string) => (all: V1ServiceAccount[]) => all.find((s) => s.metadata?.namespace === ns && s.metadata?.name === 'default');
const rootCA = (ns: string, pred: (cm: V1ConfigMap) => boolean = () => true) => (all: V1ConfigMap[]) =>
  all.find((c) => c.metadata?.namespace === ns && c.metadata?.name === ROOT_CA_CONFIGMAP_NAME && pred(c));
const published = (cm: V1ConfigMap) => cm.data?.['ca.crt'] === PLACEHOLDER_ROOT_CA && Object.keys(cm.data).length === 1 && cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION] === DESCRIPTION;

test('the namespaces that exist at start, and every new one, get the default ServiceAccount and kube-root-ca.crt', async () => {
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    await until(sas, defaultSA(ns), `serviceaccount default in ${ns}`);
    await until(cms, rootCA(ns, published), `${ROOT_CA_CONFIGMAP_NAME} in ${ns}`);
  }
  await core.createNamespace({ body: { metadata: { name: 'fresh' } } });
  await until(sas, defaultSA('fresh'), 'serviceaccount default in fresh');
  const cm = await until(cms, rootCA('fresh', published), `${ROOT_CA_CONFIGMAP_NAME} in fresh`);
  assert.match(cm!.data!['ca.crt']!, /^-----BEGIN CERTIFICATE-----\n[\s\S]+\n-----END CERTIFICATE-----\n$/);
});

test('a deleted default ServiceAccount is created again; another ServiceAccount is left alone', async () => {
  await core.createNamespace({ body: { metadata: { name: 'sa' } } });
  const first = await until(sas, defaultSA('sa'), 'serviceaccount default in sa');
  await core.createNamespacedServiceAccount({ namespace: 'sa', body: { metadata: { name: 'other' } } });
  await core.deleteNamespacedServiceAccount({ namespace: 'sa', name: 'default' });
  const second = await until(sas, (all) => all.find((s) => s.metadata?.namespace === 'sa' && s.metadata?.name === 'default' && s.metadata.uid !== first!.metadata!.uid), 'a new serviceaccount default in sa');
  assert.ok(second);
  await core.deleteNamespacedServiceAccount({ namespace: 'sa', name: 'other' });
  await until(sas, (all) => !all.some((s) => s.metadata?.namespace === 'sa' && s.metadata?.name === 'other'), 'other gone');
  assert.equal((await core.listNamespacedServiceAccount({ namespace: 'sa' })).items.map((s) => s.metadata?.name).join(), 'default');
});

test('kube-root-ca.crt is restored when deleted, when its data changes and when its annotation goes', async () => {
  await core.createNamespace({ body: { metadata: { name: 'ca' } } });
  const first = await until(cms, rootCA('ca', published), 'published in ca');
  await core.deleteNamespacedConfigMap({ namespace: 'ca', name: ROOT_CA_CONFIGMAP_NAME });
  await until(cms, rootCA('ca', (c) => published(c) && c.metadata?.uid !== first!.metadata?.uid), 'republished after deletion');
  // Restored means: a later version than the tampered one, published again.
  const after = (rv: string | undefined) => (c: V1ConfigMap) => Number(c.metadata?.resourceVersion) > Number(rv) && published(c);
  const tampered = await core.patchNamespacedConfigMap({ namespace: 'ca', name: ROOT_CA_CONFIGMAP_NAME, body: [{ op: 'replace', path: '/data', value: { 'ca.crt': 'tampered', extra: 'x' } }] });
  await until(cms, rootCA('ca', after(tampered.metadata?.resourceVersion)), 'data restored');
  const stripped = await core.patchNamespacedConfigMap({ namespace: 'ca', name: ROOT_CA_CONFIGMAP_NAME, body: [{ op: 'remove', path: '/metadata/annotations' }] });
  assert.equal(stripped.metadata?.annotations, undefined);
  await until(cms, rootCA('ca', after(stripped.metadata?.resourceVersion)), 'annotation restored');
});

test('a namespace being terminated is emptied and goes, nothing recreated in it and no error logged', async () => {
  await core.createNamespace({ body: { metadata: { name: 'gone' } } });
  await until(sas, defaultSA('gone'), 'serviceaccount default in gone');
  await until(cms, rootCA('gone'), 'configmap in gone');
  const before = log.length;
  await core.deleteNamespace({ name: 'gone' });
  const namespaces = await env.informer('/api/v1/namespaces', 'V1Namespace', () => core.listNamespace());
  await until(namespaces, (all) => !all.some((n) => n.metadata?.name === 'gone'), 'namespace gone removed', 8000);
  assert.equal(sas.list('gone').length + cms.list('gone').length, 0);
  assert.deepEqual(log.slice(before).filter((l) => /failed/.test(l)), []);
});

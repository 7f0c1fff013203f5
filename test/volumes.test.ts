import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageV1Api, type CoreV1Api, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import type { Informer } from '../reference/controllers/runtime.ts';
import { startScheduler } from '../reference/controllers/scheduler.ts';
import { startVolumeProvisioner } from '../reference/controllers/volumes.ts';
import { startPvProtectionController } from '../reference/controllers/pv-protection.ts';
import { startPvcProtectionController } from '../reference/controllers/pvc-protection.ts';
import { startNodeSimulator } from '../reference/nodes/index.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

const NS = 'vol';
let env: TestCluster;
let core: CoreV1Api;
let claims: Informer<V1PersistentVolumeClaim>;
let volumes: Informer<V1PersistentVolume>;
let pods: Informer<V1Pod>;

before(async () => {
  env = await startTestCluster({ namespace: NS });
  core = env.core;
  const { kc, opts } = env;
  await kc.makeApiClient(StorageV1Api).createStorageClass({
    body: { metadata: { name: 'wffc' }, provisioner: 'sim.statefulset-conformance.io/hostpath', reclaimPolicy: 'Retain', volumeBindingMode: 'WaitForFirstConsumer' },
  });
  env.add(await startVolumeProvisioner(kc, { ...opts, bindClaims: true }));
  // Claims and volumes carry protection finalizers (admission); their controllers release them.
  env.add(await startPvcProtectionController(kc, opts));
  env.add(await startPvProtectionController(kc, opts));
  env.add(await startScheduler(kc, opts));
  env.add(await startNodeSimulator(kc, { ...opts, nodes: 3 }));
  [claims, volumes, pods] = await Promise.all([
    env.informer<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims', 'V1PersistentVolumeClaim', () => core.listPersistentVolumeClaimForAllNamespaces()),
    env.informer<V1PersistentVolume>('/api/v1/persistentvolumes', 'V1PersistentVolume', () => core.listPersistentVolume()),
    env.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces()),
  ]);
});

after(() => env.stop());

const claim = (name: string, storageClassName?: string): V1PersistentVolumeClaim => ({
  metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName },
});

test('default class: a claim is provisioned and bound; deleting it releases and deletes the volume', async () => {
  const sc = await env.kc.makeApiClient(StorageV1Api).readStorageClass({ name: 'standard' });
  assert.equal(sc.metadata?.annotations?.['storageclass.kubernetes.io/is-default-class'], 'true');
  const created = await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('data-web-0') });
  const bound = await until(claims, (all) => all.find((c) => c.metadata?.name === 'data-web-0' && c.status?.phase === 'Bound'), 'claim Bound');
  const pvName = `pvc-${created.metadata?.uid}`;
  assert.equal(bound?.spec?.volumeName, pvName);
  assert.equal(bound?.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
  const pv = await until(volumes, (all) => all.find((v) => v.metadata?.name === pvName && v.status?.phase === 'Bound'), 'volume Bound');
  assert.equal(pv?.spec?.claimRef?.uid, created.metadata?.uid);
  assert.equal(pv?.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'], 'sim.statefulset-conformance.io/hostpath');
  assert.equal(pv?.spec?.persistentVolumeReclaimPolicy, 'Delete');
  await core.deleteNamespacedPersistentVolumeClaim({ name: 'data-web-0', namespace: NS });
  await until(volumes, (all) => !all.some((v) => v.metadata?.name === pvName), 'released volume deleted');
});

test('WaitForFirstConsumer: the scheduler selects a node, the volume follows it, the pod lands there', async () => {
  await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('wffc-0', 'wffc') });
  assert.equal(claims.list().find((c) => c.metadata?.name === 'wffc-0')?.spec?.volumeName, undefined, 'no volume before a consumer');
  await core.createNamespacedPod({
    namespace: NS,
    body: { metadata: { name: 'consumer' }, spec: { containers: [{ name: 'c', image: 'pause' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'wffc-0' } }] } },
  });
  const running = await until(pods, (all) => all.find((p) => p.metadata?.name === 'consumer' && p.status?.phase === 'Running'), 'consumer Running');
  const pvc = claims.list().find((c) => c.metadata?.name === 'wffc-0')!;
  const node = pvc.metadata?.annotations?.['volume.kubernetes.io/selected-node'];
  assert.equal(running?.spec?.nodeName, node);
  const pv = volumes.get(pvc.spec!.volumeName!)!;
  assert.deepEqual(pv.spec?.nodeAffinity?.required?.nodeSelectorTerms[0]?.matchExpressions?.[0]?.values, [node]);
  assert.equal(pv.spec?.persistentVolumeReclaimPolicy, 'Retain');
});

test('a pod whose claim is missing stays Pending with PodScheduled=False/Unschedulable', async () => {
  await core.createNamespacedPod({
    namespace: NS,
    body: { metadata: { name: 'orphan' }, spec: { containers: [{ name: 'c', image: 'pause' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'missing' } }] } },
  });
  const p = await until(pods, (all) => all.find((x) => x.metadata?.name === 'orphan' && x.status?.conditions?.some((c) => c.type === 'PodScheduled' && c.status === 'False')), 'unschedulable');
  const c = p!.status!.conditions!.find((x) => x.type === 'PodScheduled')!;
  assert.equal(c.reason, 'Unschedulable');
  assert.match(c.message ?? '', /persistentvolumeclaim "missing" not found/);
  // The claim appears: the pod is scheduled and runs.
  await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('missing') });
  await until(pods, (all) => all.some((x) => x.metadata?.name === 'orphan' && x.status?.phase === 'Running'), 'orphan Running');
});

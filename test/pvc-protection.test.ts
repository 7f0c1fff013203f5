/**
 * Storage object in-use protection (upstream v1.37.2): the StorageObjectInUseProtection
 * admission plugin's finalizers and the PVC / PV protection controllers, on the reference API
 * server with the volume provisioner, scheduler, simulated nodes and namespace controller.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Api, V1Namespace, V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { startNamespaceController } from '../reference/controllers/namespace.ts';
import { PV_PROTECTION_FINALIZER, startPvProtectionController } from '../reference/controllers/pv-protection.ts';
import {
  isPodTerminated,
  PVC_PROTECTION_FINALIZER,
  podIsShutDown,
  podUsesPVCForDeletion,
  podUsesPVCForUnusedSince,
  startPvcProtectionController,
} from '../reference/controllers/pvc-protection.ts';
import type { Informer } from '../reference/controllers/runtime.ts';
import { startScheduler } from '../reference/controllers/scheduler.ts';
import { startVolumeProvisioner } from '../reference/controllers/volumes.ts';
import { startNodeSimulator } from '../reference/nodes/index.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

const NS = 'prot';
let env: TestCluster;
let core: CoreV1Api;
let claims: Informer<V1PersistentVolumeClaim>;
let volumes: Informer<V1PersistentVolume>;
let pods: Informer<V1Pod>;
let namespaces: Informer<V1Namespace>;

before(async () => {
  env = await startTestCluster({ namespace: NS });
  core = env.core;
  const { kc, opts } = env;
  env.add(await startVolumeProvisioner(kc, { ...opts, bindClaims: true }));
  env.add(await startPvcProtectionController(kc, opts));
  env.add(await startPvProtectionController(kc, opts));
  env.add(await startScheduler(kc, opts));
  env.add(await startNamespaceController(kc, opts));
  env.add(await startNodeSimulator(kc, { ...opts, nodes: 2 }));
  [claims, volumes, pods, namespaces] = await Promise.all([
    env.informer<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims', 'V1PersistentVolumeClaim', () => core.listPersistentVolumeClaimForAllNamespaces()),
    env.informer<V1PersistentVolume>('/api/v1/persistentvolumes', 'V1PersistentVolume', () => core.listPersistentVolume()),
    env.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces()),
    env.informer<V1Namespace>('/api/v1/namespaces', 'V1Namespace', () => core.listNamespace()),
  ]);
});

after(() => env.stop());

const claim = (name: string, finalizers?: string[]): V1PersistentVolumeClaim => ({
  metadata: { name, finalizers },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
});

const consumer = (name: string, claimName: string, extra: Partial<NonNullable<V1Pod['spec']>> = {}): V1Pod => ({
  metadata: { name },
  spec: { containers: [{ name: 'c', image: 'pause' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }], ...extra },
});

const claimIn = (ns: string, name: string) => (all: V1PersistentVolumeClaim[]) => all.find((c) => c.metadata?.namespace === ns && c.metadata?.name === name);
const gone = <T extends { metadata?: { namespace?: string; name?: string } }>(ns: string, name: string) => (all: T[]) =>
  !all.some((o) => (o.metadata?.namespace ?? '') === ns && o.metadata?.name === name);
/** Real time that is `simulatedMs` on the test clock. */
const sleepSimulated = (simulatedMs: number) => new Promise((r) => setTimeout(r, simulatedMs / env.clock.scale));

describe('StorageObjectInUseProtection admission', () => {
  test('a new claim gets kubernetes.io/pvc-protection, appended once', async () => {
    const plain = await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('adm-0') });
    assert.deepEqual(plain.metadata?.finalizers, [PVC_PROTECTION_FINALIZER]);
    const own = await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('adm-1', ['example.com/hold']) });
    assert.deepEqual(own.metadata?.finalizers, ['example.com/hold', PVC_PROTECTION_FINALIZER]);
    const already = await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('adm-2', [PVC_PROTECTION_FINALIZER, 'example.com/hold']) });
    assert.deepEqual(already.metadata?.finalizers, [PVC_PROTECTION_FINALIZER, 'example.com/hold']);
    // Admission runs for dry-run creates too.
    const dry = await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('adm-3'), dryRun: 'All' });
    assert.deepEqual(dry.metadata?.finalizers, [PVC_PROTECTION_FINALIZER]);
  });

  test('a new volume gets kubernetes.io/pv-protection', async () => {
    const pv = await core.createPersistentVolume({
      body: { metadata: { name: 'adm-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/adm-pv' } } },
    });
    assert.deepEqual(pv.metadata?.finalizers, [PV_PROTECTION_FINALIZER]);
    await core.deletePersistentVolume({ name: 'adm-pv' });
    await until(volumes, gone('', 'adm-pv'), 'an unbound volume is deleted at once');
  });
});

describe('PVC protection controller', () => {
  test('restores the finalizer of a claim that lost it', async () => {
    await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('restore') });
    await core.patchNamespacedPersistentVolumeClaim(
      { namespace: NS, name: 'restore', body: [{ op: 'replace', path: '/metadata/finalizers', value: [] }] },
    );
    await until(claims, (all) => claimIn(NS, 'restore')(all)?.metadata?.finalizers?.includes(PVC_PROTECTION_FINALIZER), 'finalizer restored');
  });

  test('a claim used by a scheduled pod stays Terminating until the pod is gone', async () => {
    const created = await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('used') });
    await core.createNamespacedPod({ namespace: NS, body: consumer('user', 'used') });
    await until(pods, (all) => all.some((p) => p.metadata?.name === 'user' && p.status?.phase === 'Running'), 'user Running');
    const inUse = await until(claims, (all) => claimIn(NS, 'used')(all)?.status?.conditions?.some((c) => c.type === 'Unused' && c.status === 'False'), 'Unused=False');
    assert.equal(inUse, undefined);
    const pvName = `pvc-${created.metadata?.uid}`;
    await until(volumes, (all) => all.some((v) => v.metadata?.name === pvName && v.status?.phase === 'Bound'), 'volume Bound');

    await core.deleteNamespacedPersistentVolumeClaim({ name: 'used', namespace: NS });
    const terminating = await until(claims, (all) => claimIn(NS, 'used')(all)?.metadata?.deletionTimestamp !== undefined && claimIn(NS, 'used')(all), 'claim Terminating');
    assert.deepEqual(terminating?.metadata?.finalizers, [PVC_PROTECTION_FINALIZER]);
    await sleepSimulated(20_000);
    const held = claims.get('used', NS);
    assert.ok(held?.metadata?.deletionTimestamp, 'the claim is still there, Terminating');
    assert.deepEqual(held?.metadata?.finalizers, [PVC_PROTECTION_FINALIZER]);
    assert.equal(volumes.get(pvName)?.status?.phase, 'Bound');

    await core.deleteNamespacedPod({ name: 'user', namespace: NS });
    await until(pods, gone(NS, 'user'), 'user gone');
    await until(claims, gone(NS, 'used'), 'claim deleted once its pod is gone');
    await until(volumes, gone('', pvName), 'the released volume deleted (pv-protection let it go)');
  });

  test('a claim used only by an unscheduled pod is deleted at once', async () => {
    await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('unscheduled') });
    await until(claims, (all) => claimIn(NS, 'unscheduled')(all)?.status?.phase === 'Bound', 'claim Bound');
    // No scheduler serves this pod: it never gets a node.
    await core.createNamespacedPod({ namespace: NS, body: consumer('waiting', 'unscheduled', { schedulerName: 'nobody' }) });
    await until(pods, (all) => all.some((p) => p.metadata?.name === 'waiting'), 'waiting seen');
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'unscheduled', namespace: NS });
    await until(claims, gone(NS, 'unscheduled'), 'claim deleted', 1500);
    assert.equal(pods.get('waiting', NS)?.spec?.nodeName, undefined);
    await core.deleteNamespacedPod({ name: 'waiting', namespace: NS, gracePeriodSeconds: 0 });
  });

  test('a bound claim no pod references is Unused=True', async () => {
    await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('idle') });
    const idle = await until(claims, (all) => {
      const c = claimIn(NS, 'idle')(all);
      return c?.status?.conditions?.some((x) => x.type === 'Unused') ? c : undefined;
    }, 'Unused condition');
    const cond = idle!.status!.conditions!.find((x) => x.type === 'Unused')!;
    assert.equal(cond.status, 'True');
    assert.equal(cond.reason, 'NoPodsUsingPVC');
    assert.equal(idle?.status?.phase, 'Bound');
  });
});

describe('PV protection controller', () => {
  test('a volume keeps its finalizer while Bound and goes once Released', async () => {
    const created = await core.createNamespacedPersistentVolumeClaim({ namespace: NS, body: claim('pv-held') });
    const pvName = `pvc-${created.metadata?.uid}`;
    await until(volumes, (all) => all.some((v) => v.metadata?.name === pvName && v.status?.phase === 'Bound'), 'volume Bound');
    assert.deepEqual(volumes.get(pvName)?.metadata?.finalizers, [PV_PROTECTION_FINALIZER]);

    await core.deletePersistentVolume({ name: pvName });
    await until(volumes, (all) => !!all.find((v) => v.metadata?.name === pvName)?.metadata?.deletionTimestamp, 'volume Terminating');
    await sleepSimulated(20_000);
    const held = volumes.get(pvName);
    assert.equal(held?.status?.phase, 'Bound');
    assert.deepEqual(held?.metadata?.finalizers, [PV_PROTECTION_FINALIZER]);

    // Its claim goes: the volume is Released, no longer in use, and its deletion completes.
    await core.deleteNamespacedPersistentVolumeClaim({ name: 'pv-held', namespace: NS });
    await until(claims, gone(NS, 'pv-held'), 'claim deleted');
    await until(volumes, gone('', pvName), 'volume deleted');
  });
});

describe('namespace deletion', () => {
  test('finishes with claims in use: their pods go first, then the claims, then the namespace', async () => {
    await core.createNamespace({ body: { metadata: { name: 'prot-doomed' } } });
    const c = await core.createNamespacedPersistentVolumeClaim({ namespace: 'prot-doomed', body: claim('data') });
    await core.createNamespacedPersistentVolumeClaim({ namespace: 'prot-doomed', body: claim('spare') });
    await core.createNamespacedPod({ namespace: 'prot-doomed', body: consumer('app', 'data') });
    await until(pods, (all) => all.some((p) => p.metadata?.namespace === 'prot-doomed' && p.status?.phase === 'Running'), 'app Running');
    await core.deleteNamespace({ name: 'prot-doomed' });
    await until(pods, (all) => !all.some((p) => p.metadata?.namespace === 'prot-doomed'), 'pods gone');
    await until(claims, (all) => !all.some((x) => x.metadata?.namespace === 'prot-doomed'), 'claims gone');
    await until(namespaces, gone('', 'prot-doomed'), 'namespace gone');
    await until(volumes, gone('', `pvc-${c.metadata?.uid}`), 'its volume deleted');
  });
});

describe('usage rules', () => {
  const pvc: V1PersistentVolumeClaim = { metadata: { name: 'web-scratch', namespace: 'n', ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: 'web', uid: 'pod-uid', controller: true }] } };
  const base = (spec: Partial<NonNullable<V1Pod['spec']>>, meta: Partial<NonNullable<V1Pod['metadata']>> = {}, status?: V1Pod['status']): V1Pod => ({
    metadata: { name: 'web', namespace: 'n', uid: 'pod-uid', ...meta },
    spec: { containers: [{ name: 'c', image: 'x' }], ...spec },
    status,
  });
  const ephemeral = { name: 'scratch', ephemeral: { volumeClaimTemplate: { spec: { accessModes: ['ReadWriteOnce'] } } } };
  const shutDown = { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 0 };

  test('for deletion, only scheduled pods use a claim; a shut-down pod still holds a persistentVolumeClaim volume', () => {
    const named = { name: 'd', persistentVolumeClaim: { claimName: 'web-scratch' } };
    assert.equal(podUsesPVCForDeletion(base({ volumes: [named] }), pvc), false);
    assert.equal(podUsesPVCForDeletion(base({ nodeName: 'n1', volumes: [named] }), pvc), true);
    assert.equal(podUsesPVCForDeletion(base({ nodeName: 'n1', volumes: [named] }, shutDown), pvc), true);
    assert.equal(podIsShutDown(base({}, shutDown)), true);
    assert.equal(podIsShutDown(base({}, { deletionTimestamp: new Date(), deletionGracePeriodSeconds: 30 })), false);
  });

  test('generic ephemeral volumes: only for the owning pod, and not once it is shut down', () => {
    assert.equal(podUsesPVCForDeletion(base({ nodeName: 'n1', volumes: [ephemeral] }), pvc), true);
    assert.equal(podUsesPVCForDeletion(base({ nodeName: 'n1', volumes: [ephemeral] }, shutDown), pvc), false);
    assert.equal(podUsesPVCForDeletion(base({ nodeName: 'n1', volumes: [ephemeral] }, { uid: 'other' }), pvc), false);
  });

  test('for the Unused condition, any pod that is not terminated uses the claim, scheduled or not', () => {
    const named = { name: 'd', persistentVolumeClaim: { claimName: 'web-scratch' } };
    assert.equal(podUsesPVCForUnusedSince(base({ volumes: [named] }), pvc), true);
    assert.equal(podUsesPVCForUnusedSince(base({ volumes: [named] }, {}, { phase: 'Succeeded' }), pvc), false);
    const running = { containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } }] };
    const stopped = { containerStatuses: [{ name: 'c', image: 'x', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode: 0 } } }] };
    assert.equal(isPodTerminated(base({}, { deletionTimestamp: new Date() }, running)), false);
    assert.equal(isPodTerminated(base({}, { deletionTimestamp: new Date() }, stopped)), true);
    assert.equal(isPodTerminated(base({}, {}, stopped)), false);
  });
});

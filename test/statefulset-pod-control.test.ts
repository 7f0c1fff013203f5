/**
 * StatefulPodControl (pod-control.ts), as upstream's stateful_pod_control_test.go tests it:
 * over a fake object manager (what is created, updated, deleted, and the Events), and the real
 * object manager over a fake clientset and fake listers (NotFound on delete, the consistency
 * store records of the controller's writes).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, type V1PersistentVolumeClaim, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import type { Lister } from '../reference/controllers/runtime.ts';
import { ConsistencyStore, ConsistencyError } from '../reference/controllers/statefulset/consistency.ts';
import type { EventRecorder, EventType } from '../reference/controllers/statefulset/events.ts';
import {
  RealStatefulPodControlObjectManager,
  StatefulPodControl,
  type PodClaimClient,
  type StatefulPodControlObjectManager,
} from '../reference/controllers/statefulset/pod-control.ts';
import { getPersistentVolumeClaims, identityMatches, newStatefulSetPod } from '../reference/controllers/statefulset/pod-identity.ts';
import { makeSet } from './statefulset-fixtures.ts';

const apiError = (code: number, reason: string, name = 'web-0') =>
  new ApiException(code, reason, JSON.stringify({ reason, message: `pods "${name}" ${reason}` }), {});

class FakeRecorder implements EventRecorder {
  readonly events: string[] = [];
  event(_set: V1StatefulSet, type: EventType, reason: string, message: string): void {
    this.events.push(`${type} ${reason}: ${message}`);
  }
}

/** upstream's fakeObjectManager: pods and claims in maps; calls recorded; injectable errors. */
class FakeObjectManager implements StatefulPodControlObjectManager {
  readonly pods = new Map<string, V1Pod>();
  readonly claims = new Map<string, V1PersistentVolumeClaim>();
  readonly calls: string[] = [];
  /** Errors the next calls of a kind fail with, in order. */
  readonly failures: Partial<Record<'createPod' | 'updatePod' | 'deletePod' | 'createClaim' | 'updateClaim', unknown[]>> = {};

  private fail(kind: keyof FakeObjectManager['failures']): void {
    const err = this.failures[kind]?.shift();
    if (err !== undefined) throw err;
  }
  async createPod(pod: V1Pod): Promise<void> {
    this.calls.push(`createPod ${pod.metadata!.name}`);
    this.fail('createPod');
    this.pods.set(pod.metadata!.name!, structuredClone(pod));
  }
  getPod(_namespace: string, podName: string): V1Pod | undefined {
    return this.pods.get(podName);
  }
  async updatePod(pod: V1Pod): Promise<void> {
    this.calls.push(`updatePod ${pod.metadata!.name}`);
    this.fail('updatePod');
    this.pods.set(pod.metadata!.name!, structuredClone(pod));
  }
  async deletePod(pod: V1Pod): Promise<void> {
    this.calls.push(`deletePod ${pod.metadata!.name}`);
    this.fail('deletePod');
    this.pods.delete(pod.metadata!.name!);
  }
  async createClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    this.calls.push(`createClaim ${claim.metadata!.name}`);
    this.fail('createClaim');
    this.claims.set(claim.metadata!.name!, structuredClone(claim));
  }
  getClaim(_namespace: string, claimName: string): V1PersistentVolumeClaim | undefined {
    return this.claims.get(claimName);
  }
  async updateClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    this.calls.push(`updateClaim ${claim.metadata!.name}`);
    this.fail('updateClaim');
    this.claims.set(claim.metadata!.name!, structuredClone(claim));
  }
}

function fakeControl() {
  const om = new FakeObjectManager();
  const recorder = new FakeRecorder();
  return { om, recorder, spc: new StatefulPodControl(om, recorder) };
}

const withClaims = () =>
  makeSet({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] });

/** A fake lister over a fixed list. */
function lister<T extends { metadata?: { name?: string } }>(items: T[] = []): Lister<T & { metadata?: object }> {
  return { get: (name) => items.find((i) => i.metadata?.name === name), list: () => items };
}

/** A fake clientset: each call answers with `answer` (or throws it when it is an error). */
function fakeClient(answer: (call: string, body?: { metadata?: { name?: string } }) => unknown): PodClaimClient {
  const call = async <T>(name: string, body?: { metadata?: { name?: string } }): Promise<T> => {
    const a = answer(name, body);
    if (a instanceof Error) throw a;
    return a as T;
  };
  return {
    createNamespacedPod: ({ body }) => call<V1Pod>('createNamespacedPod', body),
    replaceNamespacedPod: ({ body }) => call<V1Pod>('replaceNamespacedPod', body),
    deleteNamespacedPod: () => call<V1Pod>('deleteNamespacedPod'),
    createNamespacedPersistentVolumeClaim: ({ body }) => call<V1PersistentVolumeClaim>('createNamespacedPersistentVolumeClaim', body),
    replaceNamespacedPersistentVolumeClaim: ({ body }) => call<V1PersistentVolumeClaim>('replaceNamespacedPersistentVolumeClaim', body),
  };
}

describe('StatefulPodControl over a fake object manager (stateful_pod_control_test.go)', () => {
  it('CreatesPods: the claims first, then the pod, each with its Normal event', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = withClaims();
    await spc.createStatefulPod(set, newStatefulSetPod(set, 0));
    assert.deepEqual(om.calls, ['createClaim data-web-0', 'createPod web-0']);
    assert.deepEqual(recorder.events, [
      'Normal SuccessfulCreate: Create Claim data-web-0 Pod web-0 in StatefulSet web success',
      'Normal SuccessfulCreate: Create Pod web-0 in StatefulSet web successful',
    ]);
  });

  it('CreatePodExists / PVCExists: an existing claim is reused; AlreadyExists for the pod is returned without an event', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = withClaims();
    const pod = newStatefulSetPod(set, 0);
    for (const claim of getPersistentVolumeClaims(set, pod).values()) om.claims.set(claim.metadata!.name!, claim);
    om.failures.createPod = [apiError(409, 'AlreadyExists')];
    await assert.rejects(spc.createStatefulPod(set, pod));
    assert.deepEqual(om.calls, ['createPod web-0']);
    assert.deepEqual(recorder.events, []);
  });

  it('CreatePodPVCDeleting: a claim being deleted blocks the pod with a Warning', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = withClaims();
    const pod = newStatefulSetPod(set, 0);
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      claim.metadata!.deletionTimestamp = new Date();
      om.claims.set(claim.metadata!.name!, claim);
    }
    await assert.rejects(spc.createStatefulPod(set, pod), /pvc data-web-0 is being deleted/);
    assert.deepEqual(om.calls, []);
    assert.deepEqual(recorder.events, ['Warning FailedCreate: Create Pod web-0 in StatefulSet web failed error: pvc data-web-0 is being deleted']);
  });

  it('CreatePVCFailure: a failed claim create fails the pod create, with both Warnings', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = withClaims();
    om.failures.createClaim = [apiError(500, 'InternalError', 'data-web-0')];
    await assert.rejects(spc.createStatefulPod(set, newStatefulSetPod(set, 0)), /failed to create PVC data-web-0/);
    assert.deepEqual(om.calls, ['createClaim data-web-0']);
    assert.equal(recorder.events.length, 2);
    assert.match(recorder.events[0], /^Warning FailedCreate: Create Claim data-web-0 for Pod web-0 in StatefulSet web failed error: /);
    assert.match(recorder.events[1], /^Warning FailedCreate: Create Pod web-0 in StatefulSet web failed error: failed to create PVC data-web-0/);
  });

  it('NoOpUpdate: a pod that keeps its invariants is not written and gets no event', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = makeSet();
    await spc.updateStatefulPod(set, newStatefulSetPod(set, 0));
    assert.deepEqual(om.calls, []);
    assert.deepEqual(recorder.events, []);
  });

  it('UpdatesIdentity; UpdatePodConflictSuccess: a conflict is retried from the lister copy', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = makeSet();
    const pod = newStatefulSetPod(set, 0);
    pod.metadata!.labels!['statefulset.kubernetes.io/pod-name'] = 'wrong';
    om.pods.set('web-0', structuredClone(pod));
    om.failures.updatePod = [apiError(409, 'Conflict')];
    await spc.updateStatefulPod(set, pod);
    assert.deepEqual(om.calls, ['updatePod web-0', 'updatePod web-0']);
    assert.ok(identityMatches(set, om.pods.get('web-0')!), 'the stored pod has its identity back');
    assert.deepEqual(recorder.events, ['Normal SuccessfulUpdate: Update Pod web-0 in StatefulSet web successful']);
  });

  it('UpdatePodFailure: another error is returned with a Warning', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = makeSet();
    const pod = newStatefulSetPod(set, 0);
    pod.metadata!.labels!['statefulset.kubernetes.io/pod-name'] = 'wrong';
    om.failures.updatePod = [apiError(500, 'InternalError')];
    await assert.rejects(spc.updateStatefulPod(set, pod));
    assert.deepEqual(recorder.events, ['Warning FailedUpdate: Update Pod web-0 in StatefulSet web failed error: pods "web-0" InternalError']);
  });

  it('DeleteStatefulPod: NotFound is success, with the Normal event (1.37)', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = makeSet();
    om.failures.deletePod = [apiError(404, 'NotFound')];
    await spc.deleteStatefulPod(set, newStatefulSetPod(set, 0));
    assert.deepEqual(recorder.events, ['Normal SuccessfulDelete: Delete Pod web-0 in StatefulSet web successful']);
  });

  it('DeleteStatefulPod: other errors fail, with the Warning event', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = makeSet();
    om.failures.deletePod = [apiError(500, 'InternalError')];
    await assert.rejects(spc.deleteStatefulPod(set, newStatefulSetPod(set, 0)));
    assert.deepEqual(recorder.events, ['Warning FailedDelete: Delete Pod web-0 in StatefulSet web failed error: pods "web-0" InternalError']);
  });

  it('CreateStatefulPod: a failed create still fixes claim retention refs, then reports the create error', async () => {
    const { om, recorder, spc } = fakeControl();
    const set = makeSet();
    om.failures.createPod = [apiError(500, 'InternalError')];
    await assert.rejects(spc.createStatefulPod(set, newStatefulSetPod(set, 0)), (err: unknown) => err instanceof ApiException && err.code === 500);
    assert.deepEqual(recorder.events, ['Warning FailedCreate: Create Pod web-0 in StatefulSet web failed error: pods "web-0" InternalError']);
  });
});

describe('realStatefulPodControlObjectManager over a fake clientset and listers', () => {
  it('a created pod is recorded for the set: its syncs wait until the pod informer has seen it', async () => {
    let podsSeen = '5';
    const store = new ConsistencyStore({ pods: () => podsSeen });
    const client = fakeClient((call, body) => (call === 'createNamespacedPod' ? { ...body, metadata: { ...body?.metadata, resourceVersion: '12' } } : new Error(call)));
    const spc = new StatefulPodControl(new RealStatefulPodControlObjectManager(client, lister<V1Pod>(), lister<V1PersistentVolumeClaim>(), store), new FakeRecorder());
    const set = makeSet();
    await spc.createStatefulPod(set, newStatefulSetPod(set, 0));
    assert.throws(() => store.ensureReady('ns/web'), (err: unknown) => err instanceof ConsistencyError && /read version: 5 is not as new as written version: 12 for group resource pods/.test(err.message));
    assert.doesNotThrow(() => store.ensureReady('ns/other'), 'other sets are not held back');
    podsSeen = '12';
    store.ensureReady('ns/web');
    podsSeen = '3';
    assert.doesNotThrow(() => store.ensureReady('ns/web'), 'a satisfied record is dropped');
  });

  it('reads come from the listers: an existing claim is not created again', async () => {
    const set = withClaims();
    const pod = newStatefulSetPod(set, 0);
    const claims = [...getPersistentVolumeClaims(set, pod).values()];
    const calls: string[] = [];
    const client = fakeClient((call, body) => (calls.push(call), body));
    const spc = new StatefulPodControl(new RealStatefulPodControlObjectManager(client, lister<V1Pod>(), lister(claims)), new FakeRecorder());
    await spc.createStatefulPod(set, pod);
    assert.deepEqual(calls, ['createNamespacedPod']);
  });
});

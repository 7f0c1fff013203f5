/**
 * StatefulPodControl (pod-control.ts) against a fake CoreV1Api: DeleteStatefulPod's NotFound
 * handling (v1.37) and the consistency store records of the controller's writes.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException, type CoreV1Api, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import type { Informer } from '../reference/controllers/runtime.ts';
import { ConsistencyStore, ConsistencyError } from '../reference/controllers/statefulset/consistency.ts';
import type { EventRecorder } from '../reference/controllers/statefulset/events.ts';
import { StatefulPodControl } from '../reference/controllers/statefulset/pod-control.ts';
import { newStatefulSetPod } from '../reference/controllers/statefulset/pod-identity.ts';
import { makeSet } from './statefulset-fixtures.ts';

const apiError = (code: number, reason: string) => new ApiException(code, reason, JSON.stringify({ reason, message: `pods "web-0" ${reason}` }), {});

function control(core: Partial<CoreV1Api>, consistency?: ConsistencyStore) {
  const events: string[] = [];
  const recorder = { event: (_s: unknown, type: string, reason: string, message: string) => events.push(`${type} ${reason}: ${message}`) } as unknown as EventRecorder;
  const empty = { get: () => undefined, list: () => [] };
  const pc = new StatefulPodControl(
    core as CoreV1Api,
    empty as unknown as Informer<V1Pod>,
    empty as unknown as Informer<V1PersistentVolumeClaim>,
    recorder,
    consistency,
  );
  return { pc, events };
}

describe('StatefulPodControl (stateful_pod_control.go)', () => {
  const set = makeSet();
  const pod = newStatefulSetPod(set, 0);

  it('DeleteStatefulPod: NotFound is success, with the Normal event (1.37)', async () => {
    const { pc, events } = control({ deleteNamespacedPod: async () => Promise.reject(apiError(404, 'NotFound')) });
    await pc.deleteStatefulPod(set, pod);
    assert.deepEqual(events, ['Normal SuccessfulDelete: Delete Pod web-0 in StatefulSet web successful']);
  });

  it('DeleteStatefulPod: other errors fail, with the Warning event', async () => {
    const { pc, events } = control({ deleteNamespacedPod: async () => Promise.reject(apiError(500, 'InternalError')) });
    await assert.rejects(pc.deleteStatefulPod(set, pod));
    assert.deepEqual(events, ['Warning FailedDelete: Delete Pod web-0 in StatefulSet web failed error: pods "web-0" InternalError']);
  });

  it('CreateStatefulPod: a failed create still fixes claim retention refs, then reports the create error', async () => {
    const { pc, events } = control({ createNamespacedPod: async () => Promise.reject(apiError(500, 'InternalError')) });
    await assert.rejects(pc.createStatefulPod(set, structuredClone(pod)), (err: unknown) => err instanceof ApiException && err.code === 500);
    assert.deepEqual(events, ['Warning FailedCreate: Create Pod web-0 in StatefulSet web failed error: pods "web-0" InternalError']);
    const exists = control({ createNamespacedPod: async () => Promise.reject(apiError(409, 'AlreadyExists')) });
    await assert.rejects(exists.pc.createStatefulPod(set, structuredClone(pod)));
    assert.deepEqual(exists.events, [], 'AlreadyExists is returned without an Event');
  });

  it('a created pod is recorded for the set: its syncs wait until the pod informer has seen it', async () => {
    let podsSeen = '5';
    const store = new ConsistencyStore({ pods: () => podsSeen });
    const { pc } = control(
      { createNamespacedPod: async ({ body }: { body: V1Pod }) => ({ ...body, metadata: { ...body.metadata, resourceVersion: '12' } }) } as Partial<CoreV1Api>,
      store,
    );
    await pc.createStatefulPod(set, structuredClone(pod));
    assert.throws(() => store.ensureReady('ns/web'), (err: unknown) => err instanceof ConsistencyError && /read version: 5 is not as new as written version: 12 for group resource pods/.test(err.message));
    assert.doesNotThrow(() => store.ensureReady('ns/other'), 'other sets are not held back');
    podsSeen = '12';
    store.ensureReady('ns/web');
    podsSeen = '3';
    assert.doesNotThrow(() => store.ensureReady('ns/web'), 'a satisfied record is dropped');
  });
});

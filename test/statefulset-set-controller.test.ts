/**
 * StatefulSetController (index.ts) as upstream's stateful_set_test.go tests it: the pod handlers
 * and the set queue (addPod, updatePod, deletePod, getStatefulSetsForPod), claiming pods and
 * adopting revisions (getPodsForStatefulSet, adoptOrphanRevisions), and whole syncs that scale
 * a set up and down. Everything behind the controller is a fake: in-memory listers (the
 * informers' indexers), a queue that only records keys, upstream's fakeObjectManager under the
 * real StatefulPodControl, the real history over a fake clientset, a fake status updater.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  type KubernetesObject,
  type V1ControllerRevision,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1StatefulSet,
  type V1StatefulSetStatus,
} from '@kubernetes/client-node';
import type { Clock, Timer } from '../reference/clock.ts';
import type { Lister } from '../reference/controllers/runtime.ts';
import { NO_CONSISTENCY } from '../reference/controllers/statefulset/consistency.ts';
import type { EventRecorder } from '../reference/controllers/statefulset/events.ts';
import { RealHistory, type RevisionClient } from '../reference/controllers/statefulset/history.ts';
import { StatefulSetController } from '../reference/controllers/statefulset/index.ts';
import { StatefulPodControl, type StatefulPodControlObjectManager } from '../reference/controllers/statefulset/pod-control.ts';
import { newStatefulSetPod } from '../reference/controllers/statefulset/pod-identity.ts';
import type { PodControlInterface } from '../reference/controllers/statefulset/ref-manager.ts';
import { DefaultStatefulSetControl } from '../reference/controllers/statefulset/set-control.ts';
import type { StatefulSetStatusUpdaterInterface } from '../reference/controllers/statefulset/status-updater.ts';
import { newRevision } from '../reference/controllers/statefulset/revisions.ts';
import { makeSet, readyPod } from './statefulset-fixtures.ts';

const notFound = (name: string) => new ApiException(404, 'NotFound', JSON.stringify({ reason: 'NotFound', message: `"${name}" not found` }), {});
const alreadyExists = (name: string) => new ApiException(409, 'AlreadyExists', JSON.stringify({ reason: 'AlreadyExists', message: `"${name}" already exists` }), {});

class ManualClock implements Clock {
  readonly scale = 1;
  private ms = Date.parse('2026-01-01T00:00:00Z');
  now() { return new Date(this.ms); }
  nowMs() { return this.ms; }
  after(): Timer { return { cancel: () => undefined }; }
  toRealMs(ms: number) { return ms; }
}

/** An informer's indexer: objects by namespace/name. */
class Indexer<T extends KubernetesObject> implements Lister<T> {
  private readonly objects = new Map<string, T>();
  private rv = 100;
  add(obj: T): T {
    obj.metadata ??= {};
    obj.metadata.resourceVersion = String(++this.rv);
    this.objects.set(`${obj.metadata.namespace}/${obj.metadata.name}`, obj);
    return obj;
  }
  delete(obj: T): void {
    this.objects.delete(`${obj.metadata?.namespace}/${obj.metadata?.name}`);
  }
  get(name: string, namespace?: string): T | undefined {
    return this.objects.get(`${namespace}/${name}`);
  }
  list(namespace?: string): T[] {
    return [...this.objects.values()].filter((o) => namespace === undefined || o.metadata?.namespace === namespace);
  }
}

/** The work queue, recording keys: Get pops the oldest; AddAfter is kept apart. */
class FakeQueue {
  readonly keys: string[] = [];
  readonly later: Array<{ key: string; ms: number }> = [];
  add(key: string): void {
    if (!this.keys.includes(key)) this.keys.push(key);
  }
  addAfter(key: string, ms: number): void {
    this.later.push({ key, ms });
  }
  get(): string | undefined {
    return this.keys.shift();
  }
  len(): number {
    return this.keys.length;
  }
}

/** upstream's fakeObjectManager: writes go straight to the indexers; deletion is immediate. */
class FakeObjectManager implements StatefulPodControlObjectManager {
  readonly podsIndexer = new Indexer<V1Pod>();
  readonly claimsIndexer = new Indexer<V1PersistentVolumeClaim>();
  readonly setsIndexer = new Indexer<V1StatefulSet>();
  readonly revisionsIndexer = new Indexer<V1ControllerRevision>();
  private uid = 0;
  async createPod(pod: V1Pod): Promise<void> {
    if (this.podsIndexer.get(pod.metadata!.name!, pod.metadata!.namespace)) throw alreadyExists(pod.metadata!.name!);
    const stored = structuredClone(pod);
    stored.metadata!.uid = `pod-uid-${++this.uid}`;
    stored.status = { phase: 'Pending' };
    this.podsIndexer.add(stored);
  }
  getPod(namespace: string, podName: string): V1Pod | undefined {
    return this.podsIndexer.get(podName, namespace);
  }
  async updatePod(pod: V1Pod): Promise<void> {
    this.podsIndexer.add(structuredClone(pod));
  }
  async deletePod(pod: V1Pod): Promise<void> {
    if (!this.podsIndexer.get(pod.metadata!.name!, pod.metadata!.namespace)) throw notFound(pod.metadata!.name!);
    this.podsIndexer.delete(pod);
  }
  async createClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    this.claimsIndexer.add(structuredClone(claim));
  }
  getClaim(namespace: string, claimName: string): V1PersistentVolumeClaim | undefined {
    return this.claimsIndexer.get(claimName, namespace);
  }
  async updateClaim(claim: V1PersistentVolumeClaim): Promise<void> {
    this.claimsIndexer.add(structuredClone(claim));
  }
  /** The kubelet: every pod Running and Ready. */
  setPodsRunningAndReady(nowMs: number): void {
    for (const pod of this.podsIndexer.list()) if (pod.status?.phase !== 'Running') this.podsIndexer.add(readyPod(structuredClone(pod), nowMs));
  }
}

/** A fake clientset for ControllerRevisions, over the revisions indexer. */
function revisionClient(revisions: Indexer<V1ControllerRevision>): RevisionClient {
  const stored = (name: string, namespace: string) => {
    const r = revisions.get(name, namespace);
    if (!r) throw notFound(name);
    return r;
  };
  return {
    createNamespacedControllerRevision: async ({ body }) => {
      if (revisions.get(body.metadata!.name!, body.metadata!.namespace)) throw alreadyExists(body.metadata!.name!);
      return revisions.add(structuredClone(body));
    },
    readNamespacedControllerRevision: async ({ name, namespace }) => stored(name, namespace),
    replaceNamespacedControllerRevision: async ({ body }) => revisions.add(structuredClone(body)),
    deleteNamespacedControllerRevision: async ({ name, namespace }) => {
      revisions.delete(stored(name, namespace));
      return {};
    },
    patchNamespacedControllerRevision: async ({ name, namespace, body }) => {
      const patched = structuredClone(stored(name, namespace));
      patched.metadata!.ownerReferences = (body as V1ControllerRevision).metadata?.ownerReferences;
      return revisions.add(patched);
    },
  };
}

/** newFakeStatefulSetController. */
function newFakeStatefulSetController() {
  const om = new FakeObjectManager();
  const queue = new FakeQueue();
  const clock = new ManualClock();
  const events: string[] = [];
  const logs: string[] = [];
  const log = (line: string) => void logs.push(line);
  const recorder: EventRecorder = { event: (_s, type, reason, message) => void events.push(`${type} ${reason}: ${message}`) };
  const statusUpdater: StatefulSetStatusUpdaterInterface = {
    async updateStatefulSetStatus(set: V1StatefulSet, status: V1StatefulSetStatus) {
      om.setsIndexer.add({ ...structuredClone(set), status: structuredClone(status) });
    },
  };
  // controller.PodControlInterface.PatchPod: ClaimPods' adoption and release.
  const podControl: PodControlInterface = {
    async patchPod(namespace, name, body) {
      const pod = om.podsIndexer.get(name, namespace);
      if (!pod) throw notFound(name);
      const patched = structuredClone(pod);
      patched.metadata!.ownerReferences = (body as V1Pod).metadata?.ownerReferences;
      return om.podsIndexer.add(patched);
    },
  };
  const control = new DefaultStatefulSetControl(new StatefulPodControl(om, recorder), statusUpdater, new RealHistory(revisionClient(om.revisionsIndexer), om.revisionsIndexer), log);
  const ssc = new StatefulSetController({
    kubeClient: {
      readNamespacedStatefulSet: async ({ name, namespace }) => {
        const set = om.setsIndexer.get(name, namespace);
        if (!set) throw notFound(name);
        return set;
      },
    },
    control,
    podControl,
    podLister: om.podsIndexer,
    setLister: om.setsIndexer,
    queue,
    clock,
    consistencyStore: NO_CONSISTENCY,
    log,
  });
  return { ssc, control, om, queue, clock, events, logs };
}

/** fakeWorker: one queued key synced. */
async function fakeWorker(ssc: StatefulSetController, queue: FakeQueue): Promise<void> {
  const key = queue.get();
  if (key !== undefined) await ssc.sync(key);
}

const named = (name: string, overrides: Partial<V1StatefulSet['spec']> = {}) => makeSet({ replicas: 3, ...overrides }, name);
/** pod.Labels for a pod of a set selecting app=<name>. */
const orphan = (pod: V1Pod) => ((pod.metadata!.ownerReferences = undefined), pod);
const bumped = (pod: V1Pod) => ((pod.metadata!.resourceVersion = String(Number(pod.metadata?.resourceVersion ?? '0') + 1)), pod);

describe('StatefulSetController (stateful_set_test.go)', () => {
  it('AddPod: a pod with a controller ref queues its set', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const set1 = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    ssc.addPod(newStatefulSetPod(set1, 0));
    assert.equal(queue.get(), 'ns/foo');
    ssc.addPod(newStatefulSetPod(set2, 0));
    assert.equal(queue.get(), 'ns/foo2');
  });

  it('AddPodOrphan: an orphan queues every set whose selector matches it', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const set1 = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    set2.spec!.selector = set1.spec!.selector;
    om.setsIndexer.add(named('foo3'));
    ssc.addPod(orphan(newStatefulSetPod(set1, 0)));
    assert.deepEqual(queue.keys, ['ns/foo', 'ns/foo2']);
  });

  it('AddPodNoSet: a pod whose set is gone (or has another UID) queues nothing', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    ssc.addPod(newStatefulSetPod(named('foo'), 0));
    const recreated = om.setsIndexer.add(named('bar'));
    const pod = newStatefulSetPod(recreated, 0);
    pod.metadata!.ownerReferences![0].uid = 'an-older-uid';
    ssc.addPod(pod);
    assert.equal(queue.len(), 0);
  });

  it('AddPod of a terminating pod counts as its deletion', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const pod = newStatefulSetPod(om.setsIndexer.add(named('foo')), 0);
    pod.metadata!.deletionTimestamp = new Date();
    ssc.addPod(pod);
    assert.deepEqual(queue.keys, ['ns/foo']);
  });

  it('UpdatePod: a changed pod queues its set', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const set1 = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    const pod1 = newStatefulSetPod(set1, 0);
    ssc.updatePod(pod1, bumped(structuredClone(pod1)));
    assert.equal(queue.get(), 'ns/foo');
    const pod2 = newStatefulSetPod(set2, 0);
    ssc.updatePod(pod2, bumped(structuredClone(pod2)));
    assert.equal(queue.get(), 'ns/foo2');
  });

  it('UpdatePodWithNoSet / WithSameVersion: nothing is queued', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const lost = newStatefulSetPod(named('gone'), 0);
    ssc.updatePod(lost, bumped(structuredClone(lost)));
    const pod = newStatefulSetPod(om.setsIndexer.add(named('foo')), 0);
    ssc.updatePod(pod, pod);
    assert.equal(queue.len(), 0);
  });

  it('UpdatePodOrphanWithNewLabels: an orphan whose labels changed queues every matching set', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    set2.spec!.selector = set.spec!.selector;
    const pod = orphan(newStatefulSetPod(set, 0));
    const old = structuredClone(pod);
    old.metadata!.labels = { foo2: 'bar2' };
    ssc.updatePod(old, bumped(pod));
    assert.equal(queue.len(), 2);
  });

  it('UpdatePodChangeControllerRef: both the old and the new controller are queued', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    const pod = newStatefulSetPod(set, 0);
    const old = structuredClone(pod);
    old.metadata!.ownerReferences = newStatefulSetPod(set2, 0).metadata!.ownerReferences;
    ssc.updatePod(old, bumped(pod));
    assert.deepEqual([...queue.keys].sort(), ['ns/foo', 'ns/foo2']);
  });

  it('UpdatePodRelease: a released pod queues its old controller and the sets that may adopt it', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    set2.spec!.selector = set.spec!.selector;
    const pod = newStatefulSetPod(set, 0);
    ssc.updatePod(pod, orphan(bumped(structuredClone(pod))));
    assert.equal(queue.len(), 2);
  });

  it('a pod turning Ready requeues its set after minReadySeconds (StatefulSetAvailabilityCheck)', () => {
    const { ssc, om, queue, clock } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo', { minReadySeconds: 30 }));
    const pod = newStatefulSetPod(set, 0);
    pod.status = { phase: 'Running' };
    ssc.updatePod(pod, bumped(readyPod(structuredClone(pod), clock.nowMs())));
    assert.deepEqual(queue.keys, ['ns/foo']);
    assert.deepEqual(queue.later, [{ key: 'ns/foo', ms: 30_000 }]);
  });

  it('DeletePod queues the controller; DeletePodOrphan queues nothing', () => {
    const { ssc, om, queue } = newFakeStatefulSetController();
    const set1 = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    ssc.deletePod(newStatefulSetPod(set1, 0));
    assert.equal(queue.get(), 'ns/foo');
    ssc.deletePod(newStatefulSetPod(set2, 0));
    assert.equal(queue.get(), 'ns/foo2');
    ssc.deletePod(orphan(newStatefulSetPod(set1, 0)));
    assert.equal(queue.len(), 0);
  });

  it('GetStatefulSetsForPod: every set whose selector matches', () => {
    const { ssc, om } = newFakeStatefulSetController();
    const set1 = om.setsIndexer.add(named('foo'));
    const set2 = om.setsIndexer.add(named('foo2'));
    set2.spec!.selector = set1.spec!.selector;
    om.setsIndexer.add(named('other'));
    assert.deepEqual(ssc.getStatefulSetsForPod(newStatefulSetPod(set1, 0)).map((s) => s.metadata?.name).sort(), ['foo', 'foo2']);
  });

  it('GetPodsForStatefulSetAdopt: an orphan with matching labels and name is adopted; wrong labels or name are ignored', async () => {
    const { ssc, om } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo', { replicas: 5 }));
    const pod1 = om.podsIndexer.add(newStatefulSetPod(set, 1));
    const pod2 = om.podsIndexer.add(orphan(newStatefulSetPod(set, 2)));
    const pod3 = orphan(newStatefulSetPod(set, 3));
    pod3.metadata!.labels = {};
    om.podsIndexer.add(pod3);
    const pod4 = orphan(newStatefulSetPod(set, 4));
    pod4.metadata!.name = `x${pod4.metadata!.name}`;
    om.podsIndexer.add(pod4);
    const pods = await ssc.getPodsForStatefulSet(set);
    assert.deepEqual(pods.map((p) => p.metadata?.name).sort(), [pod1.metadata!.name, pod2.metadata!.name]);
    assert.equal(om.podsIndexer.get(pod2.metadata!.name!, 'ns')?.metadata?.ownerReferences?.[0].uid, set.metadata!.uid);
  });

  it('GetPodsForStatefulSetRelease: owned pods with a wrong name or labels are released', async () => {
    const { ssc, om } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo'));
    const pod1 = om.podsIndexer.add(newStatefulSetPod(set, 1));
    const pod2 = newStatefulSetPod(set, 2);
    pod2.metadata!.name = `x${pod2.metadata!.name}`;
    om.podsIndexer.add(pod2);
    const pod3 = newStatefulSetPod(set, 3);
    pod3.metadata!.labels = {};
    om.podsIndexer.add(pod3);
    const pod4 = orphan(newStatefulSetPod(set, 4));
    pod4.metadata!.labels = {};
    om.podsIndexer.add(pod4);
    const pods = await ssc.getPodsForStatefulSet(set);
    assert.deepEqual(pods.map((p) => p.metadata?.name), [pod1.metadata!.name]);
    for (const released of [pod2, pod3]) assert.deepEqual(om.podsIndexer.get(released.metadata!.name!, 'ns')?.metadata?.ownerReferences, []);
  });

  it('AdoptOrphanRevisions: an orphan revision matching the selector is adopted', async () => {
    const { ssc, control, om } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('ss1'));
    const rev1 = newRevision(set, 1, 0);
    set.spec!.template!.metadata!.annotations = { ss1: 'ss1' };
    const rev2 = newRevision(set, 2, 0);
    rev2.metadata!.ownerReferences = [];
    om.revisionsIndexer.add(rev1);
    om.revisionsIndexer.add(rev2);
    await ssc.adoptOrphanRevisions(set);
    const adopted = control.ListRevisions(set).find((r) => r.metadata?.name === rev2.metadata?.name);
    assert.equal(adopted?.metadata?.ownerReferences?.find((o) => o.controller)?.uid, set.metadata!.uid);
  });

  it('Creates, then Deletes: syncs scale a set up one Running and Ready pod at a time, and back down', async () => {
    const { ssc, om, queue, clock, logs } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo', { replicas: 3 }));
    for (let i = 0; i < 10 && om.setsIndexer.get('foo', 'ns')?.status?.readyReplicas !== 3; i++) {
      ssc.enqueueStatefulSet(set);
      await fakeWorker(ssc, queue);
      assert.ok(om.podsIndexer.list('ns').length <= i + 1, 'OrderedReady: one new pod per sync while the others are not Ready');
      om.setPodsRunningAndReady(clock.nowMs());
    }
    assert.deepEqual(om.podsIndexer.list('ns').map((p) => p.metadata?.name).sort(), ['foo-0', 'foo-1', 'foo-2']);
    assert.equal(om.setsIndexer.get('foo', 'ns')?.status?.readyReplicas, 3);

    om.setsIndexer.add({ ...structuredClone(om.setsIndexer.get('foo', 'ns')!), spec: { ...set.spec!, replicas: 0 } });
    for (let i = 0; i < 10 && om.podsIndexer.list('ns').length > 0; i++) {
      ssc.enqueueStatefulSet(set);
      await fakeWorker(ssc, queue);
      assert.equal(om.podsIndexer.list('ns').length, 2 - i, 'one pod deleted per sync, highest ordinal first');
    }
    assert.equal(om.podsIndexer.list('ns').length, 0);
    assert.ok(logs.includes('"Pod of StatefulSet is terminating for scale down" statefulSet="ns/foo" pod="ns/foo-2"'), logs.join('\n'));
  });

  it('BlocksScaling: a pod that is not Running and Ready blocks OrderedReady scale-up, and the log says so', async () => {
    const { ssc, om, queue, logs } = newFakeStatefulSetController();
    const set = om.setsIndexer.add(named('foo', { replicas: 3 }));
    for (let i = 0; i < 3; i++) {
      ssc.enqueueStatefulSet(set);
      await fakeWorker(ssc, queue);
    }
    assert.deepEqual(om.podsIndexer.list('ns').map((p) => p.metadata?.name), ['foo-0']);
    assert.ok(logs.includes('"StatefulSet is waiting for Pod to be Running and Ready" statefulSet="ns/foo" pod="ns/foo-0"'), logs.join('\n'));
  });

  it('sync of a deleted set is a no-op', async () => {
    const { ssc, om } = newFakeStatefulSetController();
    await ssc.sync('ns/gone');
    assert.equal(om.podsIndexer.list().length, 0);
  });
});

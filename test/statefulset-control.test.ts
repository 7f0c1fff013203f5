/**
 * The reconcile pass (set-control.ts) against an in-memory fake of the API: pods, revisions and
 * status live in maps, the test plays kubelet. One `sync()` is one upstream UpdateStatefulSet.
 * As upstream's stateful_set_control_test.go: the real StatefulPodControl over a fake object
 * manager, a fake history and a fake status updater.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  ApiException,
  type V1ControllerRevision,
  type V1PersistentVolumeClaim,
  type V1Pod,
  type V1StatefulSet,
  type V1StatefulSetStatus,
} from '@kubernetes/client-node';
import type { Clock, Timer } from '../reference/clock.ts';
import { DefaultStatefulSetControl, slowStartBatch } from '../reference/controllers/statefulset/set-control.ts';
import { getPodRevision } from '../reference/controllers/statefulset/pod-identity.ts';
import { StatefulPodControl, type StatefulPodControlObjectManager } from '../reference/controllers/statefulset/pod-control.ts';
import type { EventRecorder } from '../reference/controllers/statefulset/events.ts';
import type { HistoryInterface } from '../reference/controllers/statefulset/history.ts';
import type { StatefulSetStatusUpdaterInterface } from '../reference/controllers/statefulset/status-updater.ts';
import { makeSet, readyPod } from './statefulset-fixtures.ts';

class ManualClock implements Clock {
  readonly scale = 1;
  constructor(private ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now() { return new Date(this.ms); }
  nowMs() { return this.ms; }
  advance(seconds: number) { this.ms += seconds * 1000; }
  after(): Timer { return { cancel: () => undefined }; }
  toRealMs(ms: number) { return ms; }
}

/**
 * upstream's fakeObjectManager: pods live in the cluster's map (created Pending), deletions set
 * deletionTimestamp (the test's kubelet reaps them); no claims (the sets here have no templates).
 */
class FakeObjectManager implements StatefulPodControlObjectManager {
  constructor(private readonly c: FakeCluster) {}
  async createPod(pod: V1Pod): Promise<void> {
    if (this.c.pods.has(pod.metadata!.name!)) throw new ApiException(409, 'exists', JSON.stringify({ reason: 'AlreadyExists' }), {});
    const stored = structuredClone(pod);
    stored.metadata!.uid = `pod-${++this.c.uid}`;
    stored.status = { phase: 'Pending' };
    this.c.pods.set(pod.metadata!.name!, stored);
    this.c.actions.push(`create ${pod.metadata!.name}`);
  }
  getPod(_namespace: string, podName: string): V1Pod | undefined {
    return this.c.pods.get(podName);
  }
  async updatePod(pod: V1Pod): Promise<void> {
    this.c.pods.set(pod.metadata!.name!, structuredClone(pod));
  }
  async deletePod(pod: V1Pod): Promise<void> {
    this.c.actions.push(`delete ${pod.metadata!.name}`);
    if (this.c.deleteError) throw this.c.deleteError;
    const stored = this.c.pods.get(pod.metadata!.name!);
    if (stored) stored.metadata!.deletionTimestamp = this.c.clock.now();
  }
  async createClaim(): Promise<void> {
    throw new Error('no claims in these tests');
  }
  getClaim(): V1PersistentVolumeClaim | undefined {
    return undefined;
  }
  async updateClaim(): Promise<void> {
    throw new Error('no claims in these tests');
  }
}

/** history.Interface over the cluster's revision list. */
class FakeHistory implements HistoryInterface {
  constructor(private readonly c: FakeCluster) {}
  listControllerRevisions(): V1ControllerRevision[] {
    return this.c.revisions.map((r) => structuredClone(r));
  }
  async createControllerRevision(_s: V1StatefulSet, r: V1ControllerRevision): Promise<V1ControllerRevision> {
    const existing = this.c.revisions.find((x) => x.metadata!.name === r.metadata!.name);
    if (existing) return existing;
    const stored = structuredClone(r);
    stored.metadata!.creationTimestamp = this.c.clock.now();
    this.c.revisions.push(stored);
    this.c.actions.push(`create-revision ${r.revision}`);
    return stored;
  }
  async updateControllerRevision(r: V1ControllerRevision, revision: number): Promise<V1ControllerRevision> {
    const stored = this.c.revisions.find((x) => x.metadata!.name === r.metadata!.name)!;
    stored.revision = revision;
    this.c.actions.push(`bump-revision ${revision}`);
    return structuredClone(stored);
  }
  async deleteControllerRevision(r: V1ControllerRevision): Promise<void> {
    this.c.revisions.splice(this.c.revisions.findIndex((x) => x.metadata!.name === r.metadata!.name), 1);
    this.c.actions.push(`delete-revision ${r.revision}`);
  }
  async adoptControllerRevision(_s: V1StatefulSet, r: V1ControllerRevision): Promise<V1ControllerRevision> {
    return r;
  }
}

class FakeCluster implements StatefulSetStatusUpdaterInterface, EventRecorder {
  readonly clock = new ManualClock();
  readonly pods = new Map<string, V1Pod>();
  readonly revisions: V1ControllerRevision[] = [];
  readonly actions: string[] = [];
  readonly events: string[] = [];
  /** When set, pod deletions fail with this error (after being recorded as actions). */
  deleteError?: unknown;
  statusWrites = 0;
  uid = 0;
  readonly control: DefaultStatefulSetControl;

  constructor(public set: V1StatefulSet) {
    const podControl = new StatefulPodControl(new FakeObjectManager(this), this);
    this.control = new DefaultStatefulSetControl(podControl, this, new FakeHistory(this));
  }

  event(_s: V1StatefulSet, type: string, reason: string, message: string): void {
    this.events.push(`${type} ${reason}: ${message}`);
  }

  async updateStatefulSetStatus(_s: V1StatefulSet, status: V1StatefulSetStatus): Promise<void> {
    this.statusWrites++;
    this.set = { ...this.set, status: structuredClone(status) };
  }

  lastError?: unknown;

  /** One controller pass; returns the actions it took. */
  async sync(): Promise<string[]> {
    const before = this.actions.length;
    this.lastError = undefined;
    try {
      await this.control.UpdateStatefulSet(this.set, [...this.pods.values()], this.clock.nowMs());
    } catch (err) {
      // errors requeue upstream; the tests look at actions
      this.lastError = err;
    }
    return this.actions.slice(before);
  }

  ready(...names: string[]) {
    for (const n of names) readyPod(this.pods.get(n)!, this.clock.nowMs());
  }
  readyAll() {
    for (const p of this.pods.values()) if (p.status?.phase !== 'Running') readyPod(p, this.clock.nowMs());
  }
  /** The kubelet finishes graceful deletions. */
  reap() {
    for (const [n, p] of this.pods) if (p.metadata?.deletionTimestamp) this.pods.delete(n);
  }
  /** Syncs, readies and reaps until nothing happens. */
  async settle(max = 50) {
    for (let i = 0; i < max; i++) {
      const acted = await this.sync();
      this.readyAll();
      this.reap();
      if (acted.length === 0 && (await this.sync()).length === 0) return;
    }
    throw new Error('did not settle');
  }
  update(spec: Partial<V1StatefulSet['spec']>) {
    this.set = { ...this.set, metadata: { ...this.set.metadata, generation: (this.set.metadata!.generation ?? 1) + 1 }, spec: { ...this.set.spec!, ...spec } };
  }
  image(image: string) {
    const template = structuredClone(this.set.spec!.template);
    template.spec!.containers[0].image = image;
    this.update({ template });
  }
  names() {
    return [...this.pods.keys()].sort();
  }
  revisionOf(name: string) {
    return getPodRevision(this.pods.get(name)!);
  }
}

describe('StatefulSet reconcile pass (stateful_set_control.go)', () => {
  it('OrderedReady creates one pod per pass, only after its predecessors are Running and Ready', async () => {
    const c = new FakeCluster(makeSet());
    assert.deepEqual(await c.sync(), ['create-revision 1', 'create web-0']);
    assert.deepEqual(await c.sync(), []);
    c.ready('web-0');
    assert.deepEqual(await c.sync(), ['create web-1']);
    c.ready('web-1');
    assert.deepEqual(await c.sync(), ['create web-2']);
    // The pass counts the pods it listed: web-2 shows up in status on the next pass.
    assert.equal(c.set.status?.replicas, 2);
    await c.sync();
    assert.equal(c.set.status?.replicas, 3);
    assert.equal(c.set.status?.readyReplicas, 2);
    assert.equal(c.set.status?.observedGeneration, 1);
  });

  it('minReadySeconds gates the next creation', async () => {
    const c = new FakeCluster(makeSet({ minReadySeconds: 30 }));
    await c.sync();
    c.ready('web-0');
    assert.deepEqual(await c.sync(), []);
    assert.equal(c.set.status?.availableReplicas, 0);
    c.clock.advance(31);
    assert.deepEqual(await c.sync(), ['create web-1']);
    assert.equal(c.set.status?.availableReplicas, 1);
  });

  it('Parallel creates all missing pods in one pass even when pods are unhealthy', async () => {
    const c = new FakeCluster(makeSet({ podManagementPolicy: 'Parallel', replicas: 4 }));
    assert.deepEqual((await c.sync()).slice(1).sort(), ['create web-0', 'create web-1', 'create web-2', 'create web-3']);
  });

  it('slowStartBatch: batches 1, 2, 4 … and stops after a failing batch', async () => {
    const calls: number[] = [];
    await assert.rejects(slowStartBatch(1, 10, async (i) => {
      calls.push(i);
      if (i === 2) throw new Error('quota');
    }));
    assert.deepEqual(calls.sort((a, b) => a - b), [0, 1, 2]);
  });

  it('scale-down deletes the highest ordinal first and waits for it to be gone', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    c.update({ replicas: 1 });
    assert.deepEqual(await c.sync(), ['delete web-2']);
    assert.deepEqual(await c.sync(), [], 'waits for web-2 to terminate');
    assert.equal(c.set.status?.replicas, 3, 'terminating pods still count in status.replicas');
    c.reap();
    assert.deepEqual(await c.sync(), ['delete web-1']);
  });

  it('scale-down halts while a remaining replica is unhealthy', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    c.pods.get('web-0')!.status!.conditions![0].status = 'False';
    c.update({ replicas: 1 });
    assert.deepEqual(await c.sync(), []);
  });

  it('Failed pods are deleted, and recreated only once the old object is gone', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    c.pods.get('web-1')!.status = { phase: 'Failed' };
    assert.deepEqual(await c.sync(), ['delete web-1']);
    assert.deepEqual(await c.sync(), []);
    c.reap();
    assert.deepEqual(await c.sync(), ['create web-1']);
  });

  it('a Terminating pod is never replaced while its object exists', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    c.pods.get('web-0')!.metadata!.deletionTimestamp = c.clock.now();
    c.clock.advance(60);
    assert.deepEqual(await c.sync(), []);
  });

  it('rolling update replaces from the highest ordinal, one at a time, then completes', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    const oldRev = c.set.status!.currentRevision!;
    c.image('img:2');
    assert.deepEqual(await c.sync(), ['create-revision 2', 'delete web-2']);
    assert.deepEqual(await c.sync(), []);
    c.reap();
    assert.deepEqual(await c.sync(), ['create web-2']);
    const newRev = c.set.status!.updateRevision!;
    assert.notEqual(newRev, oldRev);
    assert.equal(c.revisionOf('web-2'), newRev);
    assert.deepEqual(await c.sync(), [], 'waits for web-2 to be available');
    c.ready('web-2');
    assert.deepEqual(await c.sync(), ['delete web-1']);
    await c.settle();
    assert.equal(c.set.status?.currentRevision, newRev);
    assert.equal(c.set.status?.currentReplicas, 3);
    assert.equal(c.set.status?.updatedReplicas, 3);
  });

  it('partition keeps lower ordinals on the current revision (relative to ordinals.start)', async () => {
    const c = new FakeCluster(makeSet({ ordinals: { start: 5 }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 1 } } }));
    await c.settle();
    const oldRev = c.set.status!.currentRevision!;
    c.image('img:2');
    await c.settle();
    assert.deepEqual(c.names(), ['web-5', 'web-6', 'web-7']);
    assert.equal(c.revisionOf('web-5'), oldRev);
    assert.equal(c.revisionOf('web-6'), oldRev);
    assert.notEqual(c.revisionOf('web-7'), oldRev);
    assert.equal(c.set.status?.currentRevision, oldRev, 'a partitioned rollout never completes');
  });

  it('maxUnavailable deletes in batches from the top', async () => {
    const c = new FakeCluster(makeSet({ replicas: 5, podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }));
    await c.settle();
    c.image('img:2');
    assert.deepEqual(await c.sync(), ['create-revision 2', 'delete web-4', 'delete web-3']);
    assert.deepEqual(await c.sync(), [], 'two unavailable pods use up the budget');
    c.reap();
    assert.deepEqual((await c.sync()).sort(), ['create web-3', 'create web-4'], 'new pods, not yet available, fill the budget');
    c.ready('web-4');
    assert.deepEqual(await c.sync(), ['delete web-2'], 'web-3 (updated, not ready yet) takes one of the two slots');
  });

  const parallel = (replicas: number, maxUnavailable: number | string, extra: Partial<V1StatefulSet['spec']> = {}) =>
    makeSet({ replicas, podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable } }, ...extra });
  const unready = (c: FakeCluster, ...names: string[]) => {
    for (const n of names) c.pods.get(n)!.status!.conditions![0].status = 'False';
  };

  it('Parallel (1.37) phase 1: old pods that are not available are all deleted, whatever the budget', async () => {
    const c = new FakeCluster(parallel(5, 2));
    await c.settle();
    unready(c, 'web-0', 'web-1');
    c.image('img:2');
    // Two unavailable use up maxUnavailable 2, but both still need the update: phase 1 deletes
    // them, phase 2 has no budget left for the available ones.
    assert.deepEqual(await c.sync(), ['create-revision 2', 'delete web-1', 'delete web-0']);
    assert.deepEqual(await c.sync(), [], 'terminating pods do not need the update any more');
  });

  it('Parallel (1.37) phase 2: available old pods only within the remaining budget, from the top', async () => {
    const c = new FakeCluster(parallel(4, 2));
    await c.settle();
    unready(c, 'web-0');
    c.image('img:2');
    assert.deepEqual(await c.sync(), ['create-revision 2', 'delete web-0', 'delete web-3']);
  });

  it('Parallel (1.37): with minReadySeconds no pod is available, so every old pod is replaced at once', async () => {
    const c = new FakeCluster(parallel(3, 1, { minReadySeconds: 3600 }));
    await c.settle();
    assert.equal(c.set.status?.availableReplicas, 0);
    c.image('img:2');
    assert.deepEqual(await c.sync(), ['create-revision 2', 'delete web-2', 'delete web-1', 'delete web-0']);
    c.reap();
    assert.deepEqual((await c.sync()).sort(), ['create web-0', 'create web-1', 'create web-2']);
    c.readyAll();
    await c.sync();
    assert.equal(c.set.status?.currentRevision, c.set.status?.updateRevision, 'complete once updated and ready, available or not');
  });

  it('Parallel (1.37): the partition bounds both phases; a new unavailable pod holds back the rest', async () => {
    const c = new FakeCluster(parallel(4, 1, { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2, maxUnavailable: 1 } } }));
    await c.settle();
    unready(c, 'web-0', 'web-3');
    c.image('img:2');
    assert.deepEqual(await c.sync(), ['create-revision 2', 'delete web-3'], 'web-0 is below the partition');
    c.reap();
    assert.deepEqual(await c.sync(), ['create web-3']);
    assert.deepEqual(await c.sync(), [], 'web-0 needs the update but lies below the partition; web-3 is updated');
    c.ready('web-3');
    assert.deepEqual(await c.sync(), [], 'web-0 (unavailable, below the partition) still uses up the budget');
    c.ready('web-0');
    assert.deepEqual(await c.sync(), ['delete web-2']);
  });

  it('OrderedReady (1.37) keeps the single pass: an unavailable old pod blocks the update', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    unready(c, 'web-0');
    c.image('img:2');
    assert.deepEqual(await c.sync(), ['create-revision 2'], 'unavailable (1) >= maxUnavailable (1): nothing');
  });

  it('a failed deletion ends the rolling update with the error; NotFound is handled by DeleteStatefulPod', async () => {
    const c = new FakeCluster(parallel(3, 2));
    await c.settle();
    c.image('img:2');
    c.deleteError = new ApiException(500, 'boom', JSON.stringify({ reason: 'InternalError', message: 'boom' }), {});
    assert.deepEqual(await c.sync(), ['create-revision 2', 'delete web-2']);
    assert.ok(c.lastError, 'the pass returns the error');
    assert.equal(c.set.status?.currentReplicas, 3, 'a failed deletion is not counted');
  });

  it('OnDelete never deletes for update; recreated pods take the update revision', async () => {
    const c = new FakeCluster(makeSet({ updateStrategy: { type: 'OnDelete' } }));
    await c.settle();
    c.image('img:2');
    assert.deepEqual(await c.sync(), ['create-revision 2']);
    c.pods.delete('web-0');
    assert.deepEqual(await c.sync(), ['create web-0']);
    assert.equal(c.revisionOf('web-0'), c.set.status?.updateRevision);
    assert.notEqual(c.set.status?.currentRevision, c.set.status?.updateRevision);
  });

  it('OnDelete (1.37 completeUpdate): once every pod is updated and ready the update revision becomes current', async () => {
    const c = new FakeCluster(makeSet({ updateStrategy: { type: 'OnDelete' } }));
    await c.settle();
    const old = c.set.status!.currentRevision;
    c.image('img:2');
    await c.sync();
    const update = c.set.status!.updateRevision;
    for (const name of ['web-2', 'web-1']) {
      c.pods.delete(name);
      await c.settle();
    }
    assert.equal(c.set.status?.currentRevision, old, 'web-0 is still on the old revision');
    assert.equal(c.set.status?.updatedReplicas, 2);
    c.pods.delete('web-0');
    await c.settle();
    assert.equal(c.set.status?.currentRevision, update);
    assert.equal(c.set.status?.currentReplicas, 3);
  });

  it('status conditions are carried over from the stored status (1.37)', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    const writes = c.statusWrites;
    const conditions = [{ type: 'Example', status: 'True', reason: 'Test', lastTransitionTime: c.clock.now() }];
    c.set = { ...c.set, status: { ...c.set.status!, conditions } };
    await c.sync();
    assert.equal(c.statusWrites, writes, 'unchanged conditions do not make the status inconsistent');
    c.update({ minReadySeconds: 0 });
    await c.sync();
    assert.equal(c.statusWrites, writes + 1);
    assert.deepEqual(c.set.status?.conditions, conditions, 'a status write keeps them');
  });

  it('Recreate while StatefulSetRecreateStrategy is off: a Warning, an error, no pods and no status write', async () => {
    const c = new FakeCluster(makeSet({ updateStrategy: { type: 'Recreate' } }));
    assert.deepEqual(await c.sync(), ['create-revision 1']);
    assert.match(String(c.lastError), /uses Recreate strategy but feature gate StatefulSetRecreateStrategy is disabled/);
    assert.deepEqual(c.events, ['Warning UnknownStrategy: statefulset ns/web uses Recreate strategy but feature gate StatefulSetRecreateStrategy is disabled']);
    assert.equal(c.statusWrites, 0);
  });

  it('an old revision that restores to the current template is reused (StatefulSetSemanticRevisionComparison)', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    assert.equal(c.revisions.length, 1);
    // The same template recorded by another serialiser: an extra field the model does not know.
    const data = c.revisions[0].data as { spec: { template: { spec: Record<string, unknown> } } };
    data.spec.template.spec.someFutureField = true;
    const before = c.revisions[0].metadata!.name;
    assert.deepEqual(await c.sync(), []);
    assert.equal(c.revisions.length, 1);
    assert.equal(c.set.status?.updateRevision, before);
    c.image('img:2');
    assert.deepEqual((await c.sync()).slice(0, 1), ['create-revision 2'], 'a real template change still makes a revision');
  });

  it('rollback reuses the earlier revision and bumps its number', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    const first = c.set.status!.currentRevision!;
    c.image('img:2');
    await c.settle();
    c.image('img:1');
    const acted = await c.sync();
    assert.deepEqual(acted.slice(0, 1), ['bump-revision 3']);
    assert.equal(c.set.status?.updateRevision, first);
    assert.equal(c.revisions.length, 2);
  });

  it('revisionHistoryLimit truncates non-live revisions, oldest first', async () => {
    const c = new FakeCluster(makeSet({ revisionHistoryLimit: 1 }));
    await c.settle();
    for (const img of ['img:2', 'img:3', 'img:4']) {
      c.image(img);
      await c.settle();
    }
    assert.deepEqual(c.revisions.map((r) => r.revision).sort(), [3, 4]);
  });

  it('status is written only when it changes; observedGeneration follows generation', async () => {
    const c = new FakeCluster(makeSet());
    await c.settle();
    const writes = c.statusWrites;
    await c.sync();
    await c.sync();
    assert.equal(c.statusWrites, writes);
    c.update({ minReadySeconds: 0 });
    await c.sync();
    assert.equal(c.set.status?.observedGeneration, 2);
    assert.equal(c.statusWrites, writes + 1);
  });

  it('a set being deleted only refreshes its status', async () => {
    const c = new FakeCluster(makeSet());
    c.set.metadata!.deletionTimestamp = c.clock.now();
    assert.deepEqual(await c.sync(), ['create-revision 1']);
    assert.equal(c.pods.size, 0);
  });
});

/**
 * The shared event recorder (reference/controllers/event-recorder.ts) against the reference API
 * server, as client-go's record package behaves: a repeat patches count and lastTimestamp of the
 * first Event, the 10th distinct message of a reason within 10 minutes is combined, the spam
 * filter lets 25 Events of an object through and then one every 5 minutes.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CoreV1Event, V1StatefulSet } from '@kubernetes/client-node';
import type { Clock, Timer } from '../reference/clock.ts';
import { EventBroadcaster } from '../reference/controllers/event-recorder.ts';
import { startTestServer, type TestServer } from './apiserver-helpers.ts';

class ManualClock implements Clock {
  readonly scale = 1;
  constructor(private ms = Date.parse('2026-01-01T00:00:00Z')) {}
  now() { return new Date(this.ms); }
  nowMs() { return this.ms; }
  advance(seconds: number) { this.ms += seconds * 1000; }
  after(): Timer { return { cancel: () => undefined }; }
  toRealMs(ms: number) { return ms; }
}

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(async () => {
  await server.api.close();
});

const set = (name: string): V1StatefulSet => ({
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '7' },
});

async function events(name: string): Promise<CoreV1Event[]> {
  const list = await server.core.listNamespacedEvent({ namespace: 'default', fieldSelector: `involvedObject.name=${name}` });
  return list.items.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
}

function recorder() {
  const clock = new ManualClock();
  const broadcaster = new EventBroadcaster(server.core, clock, () => undefined);
  return { clock, broadcaster, rec: broadcaster.newRecorder('statefulset-controller') };
}

test('an Event recorded again is one Event whose count and lastTimestamp rise', async () => {
  const { clock, broadcaster, rec } = recorder();
  rec.event(set('a'), 'Warning', 'FailedCreate', 'create Pod a-0 failed');
  clock.advance(3);
  rec.event(set('a'), 'Warning', 'FailedCreate', 'create Pod a-0 failed');
  clock.advance(4);
  rec.event(set('a'), 'Warning', 'FailedCreate', 'create Pod a-0 failed');
  rec.event(set('a'), 'Normal', 'SuccessfulCreate', 'create Pod a-1 successful');
  await broadcaster.flush();
  const got = await events('a');
  assert.equal(got.length, 2);
  const failed = got.find((e) => e.reason === 'FailedCreate')!;
  assert.equal(failed.count, 3);
  assert.equal(new Date(failed.lastTimestamp!).getTime() - new Date(failed.firstTimestamp!).getTime(), 7000);
  assert.match(failed.metadata.name!, /^a\.[0-9a-f]+$/);
  assert.deepEqual(
    { ...failed.involvedObject },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'a', namespace: 'default', uid: 'uid-a', resourceVersion: '7' },
  );
  assert.equal(failed.source?.component, 'statefulset-controller');
  assert.equal(failed.reportingComponent, 'statefulset-controller');
});

test('the 10th distinct message of a reason within 10 minutes is combined from similar events', async () => {
  const { clock, broadcaster, rec } = recorder();
  for (let i = 0; i < 12; i++) rec.event(set('b'), 'Warning', 'FailedCreate', `create Pod b-${i} failed`);
  await broadcaster.flush();
  let got = await events('b');
  // Nine Events of their own; the 10th, 11th and 12th are one combined Event counted three times.
  assert.equal(got.length, 10);
  const combined = got.filter((e) => e.message!.startsWith('(combined from similar events): '));
  assert.equal(combined.length, 1);
  assert.equal(combined[0]!.count, 3);
  assert.equal(combined[0]!.message, '(combined from similar events): create Pod b-11 failed');
  // After 10 minutes without one, the reason's messages count afresh.
  clock.advance(601);
  rec.event(set('b'), 'Warning', 'FailedCreate', 'create Pod b-99 failed');
  await broadcaster.flush();
  got = await events('b');
  assert.equal(got.filter((e) => e.message === 'create Pod b-99 failed').length, 1);
});

test('after 25 Events of one object and type, one more every 5 minutes', async () => {
  const { clock, broadcaster, rec } = recorder();
  for (let i = 0; i < 30; i++) rec.event(set('c'), 'Normal', `Reason${i}`, 'm');
  await broadcaster.flush();
  assert.equal((await events('c')).length, 25);
  // Another type has a bucket of its own.
  rec.event(set('c'), 'Warning', 'Other', 'm');
  clock.advance(299);
  rec.event(set('c'), 'Normal', 'Late', 'm');
  clock.advance(1);
  rec.event(set('c'), 'Normal', 'Later', 'm');
  await broadcaster.flush();
  const reasons = (await events('c')).map((e) => e.reason);
  assert.equal(reasons.length, 27);
  assert.ok(reasons.includes('Other') && reasons.includes('Later') && !reasons.includes('Late'));
});

test('a repeat whose Event was deleted is created again', async () => {
  const { clock, broadcaster, rec } = recorder();
  rec.event(set('d'), 'Warning', 'FailedCreate', 'x');
  await broadcaster.flush();
  const [first] = await events('d');
  await server.core.deleteNamespacedEvent({ name: first!.metadata.name!, namespace: 'default' });
  clock.advance(1);
  rec.event(set('d'), 'Warning', 'FailedCreate', 'x');
  await broadcaster.flush();
  const got = await events('d');
  assert.equal(got.length, 1);
  assert.equal(got[0]!.count, 2);
});

import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod, V1Service } from '@kubernetes/client-node';
import { LAST_CHANGE_TRIGGER_TIME, TriggerTimeTracker, withTriggerTime } from '../reference/controllers/endpoint-trigger-time.ts';

const at = (s: number) => new Date(Date.UTC(2026, 11, 5, 16, 0, s));
const svc: V1Service = { metadata: { name: 'web', namespace: 'ns', creationTimestamp: at(0) } };
const pod = (name: string, readySince: number): V1Pod => ({
  metadata: { name },
  status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: at(readySince) }] },
});

test('the trigger time is the Service creation first, then the earliest Ready change since the last sync (upstream trigger_time_tracker_test)', () => {
  const t = new TriggerTimeTracker();
  assert.equal(t.compute('ns', svc, [pod('a', 1)]), at(0).getTime(), 'a Service seen for the first time: its creation');
  assert.equal(t.compute('ns', svc, [pod('a', 1)]), undefined, 'nothing changed: zero time');
  assert.equal(t.compute('ns', svc, [pod('a', 5), pod('b', 3)]), at(3).getTime(), 'two changes: the earliest');
  assert.equal(t.compute('ns', svc, [pod('b', 3)]), undefined, 'a pod gone is no trigger');
  t.deleteService('ns', 'web');
  assert.equal(t.compute('ns', svc, [pod('b', 3)]), at(0).getTime(), 'forgotten with the Service');
});

test('the annotation is RFC 3339 with a trimmed fraction, and a zero time removes it', () => {
  assert.equal(withTriggerTime(undefined, at(7).getTime())[LAST_CHANGE_TRIGGER_TIME], '2026-12-05T16:00:07Z');
  assert.equal(withTriggerTime(undefined, at(7).getTime() + 500)[LAST_CHANGE_TRIGGER_TIME], '2026-12-05T16:00:07.5Z');
  assert.deepEqual(withTriggerTime({ [LAST_CHANGE_TRIGGER_TIME]: 'x', keep: 'y' }, undefined), { keep: 'y' });
});

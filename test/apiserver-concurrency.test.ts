/**
 * Reference API server under concurrent writers to one StatefulSet: optimistic concurrency and
 * watch delivery. Nothing here depends on timing — where contention matters it is made certain
 * (every writer reads before any of them writes), and waits end on events, with a deadline only
 * to turn a hang into a failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Watch } from '@kubernetes/client-node';
import { startTestServer, statefulSet, type TestServer } from './apiserver-helpers.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.api.close());

const NS = 'default';
const COLLECTION = `/apis/apps/v1/namespaces/${NS}/statefulsets`;
const OBJECT = `${COLLECTION}/web`;

interface Event {
  type: string;
  rv: number;
  object: any;
}

/** A watch that records every event and can wait (event-driven) for a given resourceVersion. */
async function recorder(path: string, query: Record<string, string>) {
  const events: Event[] = [];
  let wake: () => void = () => undefined;
  let closedWith: unknown;
  const ctrl = await new Watch(t.kc).watch(
    path,
    query,
    (type, object) => {
      if (type !== 'BOOKMARK') events.push({ type, rv: Number(object?.metadata?.resourceVersion), object });
      wake();
    },
    (err) => {
      closedWith = err ?? 'closed';
      wake();
    },
  );
  const until = (rv: number, what: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`${what}: no event at resourceVersion ${rv} within 20 s; last ${events.at(-1)?.rv}`)), 20_000);
      wake = () => {
        if (events.some((e) => e.rv >= rv)) {
          clearTimeout(deadline);
          resolve();
        } else if (closedWith !== undefined) {
          clearTimeout(deadline);
          reject(new Error(`${what}: the watch closed (${String(closedWith)}) before resourceVersion ${rv}`));
        }
      };
      wake();
    });
  return { events, until, stop: () => ctrl.abort() };
}

const rvOf = (body: any): number => Number(body?.metadata?.resourceVersion);

/** One conditional write adding `key`: a PUT of the object read, or a merge patch carrying its resourceVersion. */
function conditionalWrite(read: any, key: string, kind: 'put' | 'patch') {
  if (kind === 'put') {
    const body = structuredClone(read);
    body.metadata.annotations = { ...body.metadata.annotations, [key]: 'x' };
    return t.raw('PUT', OBJECT, body);
  }
  return t.raw('PATCH', OBJECT, { metadata: { resourceVersion: read.metadata.resourceVersion, annotations: { [key]: 'x' } } }, { 'Content-Type': 'application/merge-patch+json' });
}

describe('concurrent writers to one StatefulSet', () => {
  /** Every write that returned 200, with the resourceVersion it returned, and every key a 409 rejected. */
  const applied = new Map<number, string>();
  const rejected = new Set<string>();
  let createdRv = 0;
  let midRv = 0;
  let watchers: Array<Awaited<ReturnType<typeof recorder>> & { name: string; from: number }> = [];

  const record = (key: string, res: { status: number; body: any }): boolean => {
    assert.ok(res.status === 200 || res.status === 409, `write ${key}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    if (res.status === 409) {
      assert.equal(res.body.reason, 'Conflict', `write ${key}`);
      rejected.add(key);
      return false;
    }
    const rv = rvOf(res.body);
    assert.ok(!applied.has(rv), `write ${key} returned resourceVersion ${rv}, already returned for ${applied.get(rv)}`);
    applied.set(rv, key);
    return true;
  };

  before(async () => {
    const created = await t.raw('POST', COLLECTION, statefulSet('web', { replicas: 1 }));
    assert.equal(created.status, 201);
    createdRv = rvOf(created.body);
    const from = { resourceVersion: String(createdRv) };
    watchers = [
      { name: 'namespace', from: createdRv, ...(await recorder(COLLECTION, from)) },
      { name: 'all namespaces', from: createdRv, ...(await recorder('/apis/apps/v1/statefulsets', from)) },
      { name: 'by name', from: createdRv, ...(await recorder(COLLECTION, { ...from, fieldSelector: 'metadata.name=web' })) },
    ];
  });
  after(() => watchers.forEach((w) => w.stop()));

  it('with every writer holding the same version, exactly one write applies and the rest get 409, round after round', async () => {
    const writers = Array.from({ length: 12 }, (_, i) => i);
    let pending = writers;
    for (let round = 1; pending.length; round++) {
      // Every writer reads before any writes: they all hold the same resourceVersion.
      const reads = await Promise.all(pending.map(() => t.raw('GET', OBJECT)));
      assert.equal(new Set(reads.map((r) => r.body.metadata.resourceVersion)).size, 1);
      const results = await Promise.all(
        pending.map((w, j) => {
          const key = `a-${w}-${round}`;
          return conditionalWrite(reads[j]!.body, key, w % 2 ? 'patch' : 'put').then((res) => ({ w, key, won: record(key, res) }));
        }),
      );
      assert.equal(results.filter((r) => r.won).length, 1, `round ${round}: ${results.filter((r) => r.won).length} writes applied`);
      pending = results.filter((r) => !r.won).map((r) => r.w);
      assert.ok(round <= writers.length, 'one writer must win each round');
    }
    midRv = Math.max(...applied.keys());
    assert.equal(applied.size, writers.length);
  });

  it('under a free-for-all of conditional writers (retrying on 409) and unconditional patches, no write is lost', async () => {
    const resumed = await recorder(COLLECTION, { resourceVersion: String(midRv) });
    watchers.push({ name: 'resumed mid-way', from: midRv, ...resumed });
    const conditional = Array.from({ length: 16 }, async (_, w) => {
      for (let change = 0; change < 8; change++) {
        for (let attempt = 0; ; attempt++) {
          const read = await t.raw('GET', OBJECT);
          const key = `b-${w}-${change}-${attempt}`;
          if (record(key, await conditionalWrite(read.body, key, (w + change) % 2 ? 'patch' : 'put'))) break;
        }
      }
    });
    const unconditional = Array.from({ length: 4 }, async (_, w) => {
      for (let change = 0; change < 8; change++) {
        const key = `c-${w}-${change}`;
        const res = await t.raw('PATCH', OBJECT, { metadata: { annotations: { [key]: 'x' } } }, { 'Content-Type': 'application/strategic-merge-patch+json' });
        assert.equal(res.status, 200, `unconditional patch ${key}: HTTP ${res.status}`);
        record(key, res);
      }
    });
    await Promise.all([...conditional, ...unconditional]);

    const final = (await t.raw('GET', OBJECT)).body;
    const annotations = Object.keys(final.metadata.annotations ?? {});
    // Every applied write is in the final object, no rejected one is, and nothing else is.
    for (const key of applied.values()) assert.ok(annotations.includes(key), `applied write ${key} was lost`);
    for (const key of rejected) assert.ok(!annotations.includes(key), `rejected write ${key} took effect`);
    assert.equal(annotations.length, applied.size);
    assert.equal(rvOf(final), Math.max(...applied.keys()));
  });

  it('every watch delivers every change exactly once, in resourceVersion order, ending at the listed state', async () => {
    const list = (await t.raw('GET', COLLECTION)).body;
    const listed = list.items.find((i: any) => i.metadata.name === 'web');
    const finalRv = rvOf(listed);
    assert.equal(finalRv, Math.max(...applied.keys()));
    for (const w of watchers) {
      await w.until(finalRv, `watch ${w.name}`);
      const rvs = w.events.map((e) => e.rv);
      for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `watch ${w.name}: resourceVersion ${rvs[i]} after ${rvs[i - 1]}`);
      const expected = [...applied.keys()].filter((rv) => rv > w.from).sort((a, b) => a - b);
      assert.deepEqual(rvs, expected, `watch ${w.name}: the events are not exactly the applied writes`);
      assert.ok(w.events.every((e) => e.type === 'MODIFIED'), `watch ${w.name}: ${w.events.map((e) => e.type).join(',')}`);
      // Each event carries the state its write produced: the annotations up to that write.
      for (const e of w.events) assert.ok(e.object.metadata.annotations?.[applied.get(e.rv)!], `watch ${w.name}: event ${e.rv} lacks its own write`);
      assert.deepEqual(w.events.at(-1)!.object, listed, `watch ${w.name}: the last event differs from the list`);
    }
    assert.ok(Number(list.metadata.resourceVersion) >= finalRv);
  });
});

/** Reference API server: watch semantics (resume, 410, initial state, selectors, bookmarks, timeouts). */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { pod, startTestServer, type TestServer } from './apiserver-helpers.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer({ watchWindow: 50, bookmarkIntervalMs: 20 });
});
after(() => t.api.close());

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);

interface Seen {
  type: string;
  name: string;
  rv: string;
  object: any;
}

/** Opens a watch and collects events; `next(n)` resolves once n events have arrived. */
async function watch(path: string, query: Record<string, string | boolean | number>) {
  const events: Seen[] = [];
  let waiters: Array<() => void> = [];
  let doneErr: unknown = 'open';
  const closed = new Promise<unknown>((resolve) => {
    void new Watch(t.kc)
      .watch(
        path,
        query,
        (type, object) => {
          events.push({ type, name: object?.metadata?.name, rv: object?.metadata?.resourceVersion, object });
          waiters.forEach((w) => w());
        },
        (err) => {
          doneErr = err;
          resolve(err);
          waiters.forEach((w) => w());
        },
      )
      .then((ctrl) => (abort = () => ctrl.abort()));
  });
  let abort = (): void => undefined;
  const next = (n: number): Promise<Seen[]> =>
    new Promise((resolve, reject) => {
      const check = () => {
        if (events.length >= n) {
          waiters = waiters.filter((w) => w !== check);
          resolve(events.slice(0, n));
        } else if (doneErr !== 'open') reject(new Error(`watch closed after ${events.length} events: ${String(doneErr)}`));
      };
      waiters.push(check);
      check();
    });
  return { events, next, closed, stop: () => abort() };
}

describe('watch', () => {
  before(async () => {
    await t.core.createNamespace({ body: { metadata: { name: 'w' } } });
  });

  it('sends synthetic ADDED events for the current state when resourceVersion is unset', async () => {
    await t.core.createNamespacedPod({ namespace: 'w', body: pod('initial') });
    const w = await watch('/api/v1/namespaces/w/pods', {});
    const [first] = await w.next(1);
    assert.equal(first!.type, 'ADDED');
    assert.equal(first!.name, 'initial');
    await t.core.deleteNamespacedPod({ namespace: 'w', name: 'initial' });
    // An unscheduled pod is deleted at once; like upstream, the deletionTimestamp write comes first.
    const [, marked, del] = await w.next(3);
    assert.equal(marked!.type, 'MODIFIED');
    assert.ok(marked!.object.metadata.deletionTimestamp);
    assert.equal(del!.type, 'DELETED');
    assert.ok(Number(del!.rv) > Number(first!.rv), 'DELETED carries a new resourceVersion');
    w.stop();
  });

  it('resumes from a resourceVersion with every later event, in order', async () => {
    const list = await t.core.listNamespacedPod({ namespace: 'w' });
    const rv = list.metadata!.resourceVersion!;
    await t.core.createNamespacedPod({ namespace: 'w', body: pod('r1') });
    await t.core.patchNamespacedPod({ namespace: 'w', name: 'r1', body: { metadata: { labels: { x: '1' } } } }, merge);
    await t.core.createNamespacedPod({ namespace: 'w', body: pod('r2') });
    await t.core.createNamespacedPod({ namespace: 'other-missing-ns', body: pod('nope') }).catch(() => undefined);
    const w = await watch('/api/v1/namespaces/w/pods', { resourceVersion: rv });
    const got = await w.next(3);
    assert.deepEqual(got.map((e) => `${e.type}:${e.name}`), ['ADDED:r1', 'MODIFIED:r1', 'ADDED:r2']);
    assert.ok(Number(got[0]!.rv) < Number(got[1]!.rv) && Number(got[1]!.rv) < Number(got[2]!.rv));
    await t.core.deleteNamespacedPod({ namespace: 'w', name: 'r2' });
    const live = (await w.next(5)).slice(3);
    assert.deepEqual(live.map((e) => `${e.type}:${e.name}`), ['MODIFIED:r2', 'DELETED:r2']);
    w.stop();
  });

  it('answers a resourceVersion older than the window with an ERROR 410 Expired event and closes', async () => {
    const rv = (await t.core.listNamespacedPod({ namespace: 'w' })).metadata!.resourceVersion!;
    for (let i = 0; i < 60; i++) await t.core.createNamespace({ body: { metadata: { name: `churn-${i}` } } });
    const w = await watch('/api/v1/namespaces/w/pods', { resourceVersion: rv });
    const [err] = await w.next(1);
    assert.equal(err!.type, 'ERROR');
    assert.equal(err!.object.kind, 'Status');
    assert.equal(err!.object.code, 410);
    assert.equal(err!.object.reason, 'Expired');
    assert.match(err!.object.message, /too old resource version/);
    assert.equal(await w.closed, null);
  });

  it('applies selectors with upstream transitions: stop matching → DELETED, start matching → ADDED', async () => {
    const w = await watch('/api/v1/namespaces/w/pods', { resourceVersion: '0', labelSelector: 'role=db' });
    await t.core.createNamespacedPod({ namespace: 'w', body: pod('s1', { role: 'web' }) });
    await t.core.patchNamespacedPod({ namespace: 'w', name: 's1', body: { metadata: { labels: { role: 'db' } } } }, merge);
    await t.core.patchNamespacedPod({ namespace: 'w', name: 's1', body: { metadata: { annotations: { a: 'b' } } } }, merge);
    await t.core.patchNamespacedPod({ namespace: 'w', name: 's1', body: { metadata: { labels: { role: 'web' } } } }, merge);
    const got = await w.next(3);
    assert.deepEqual(got.map((e) => `${e.type}:${e.name}`), ['ADDED:s1', 'MODIFIED:s1', 'DELETED:s1']);
    assert.equal(got[2]!.object.metadata.labels.role, 'web');
    w.stop();
  });

  it('filters watches by field selector across all namespaces', async () => {
    const w = await watch('/api/v1/pods', { fieldSelector: 'metadata.name=fs-target' });
    await t.core.createNamespacedPod({ namespace: 'w', body: pod('fs-other') });
    await t.core.createNamespacedPod({ namespace: 'default', body: pod('fs-target') });
    const [e] = await w.next(1);
    assert.equal(`${e!.type}:${e!.object.metadata.namespace}/${e!.name}`, 'ADDED:default/fs-target');
    assert.equal(w.events.length, 1);
    w.stop();
  });

  it('sends BOOKMARK events when allowed', async () => {
    const w = await watch('/api/v1/namespaces/w/pods', { resourceVersion: (await t.core.listNamespacedPod({ namespace: 'w' })).metadata!.resourceVersion!, allowWatchBookmarks: true });
    const [b] = await w.next(1);
    assert.equal(b!.type, 'BOOKMARK');
    assert.equal(b!.object.kind, 'Pod');
    assert.match(b!.rv, /^\d+$/);
    w.stop();
  });

  it('ends the stream after timeoutSeconds', async () => {
    const w = await watch('/api/v1/namespaces/w/pods', { resourceVersion: '0', timeoutSeconds: 1 });
    assert.equal(await w.closed, null);
  });

  it('serves the legacy /watch/ paths and kubectl-style Table watches', async () => {
    const rv = (await t.core.listNamespacedPod({ namespace: 'w' })).metadata!.resourceVersion!;
    const res = await fetch(`${t.api.url}/api/v1/watch/namespaces/w/pods?resourceVersion=${rv}`, {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    assert.equal(res.status, 200);
    const reader = res.body!.getReader();
    await t.core.createNamespacedPod({ namespace: 'w', body: pod('legacy') });
    let text = '';
    while (!text.includes('\n')) text += new TextDecoder().decode((await reader.read()).value);
    const ev = JSON.parse(text.split('\n')[0]!);
    assert.equal(ev.type, 'ADDED');
    assert.equal(ev.object.kind, 'Table');
    assert.equal(ev.object.rows[0].cells[0], 'legacy');
    await reader.cancel();
  });
});

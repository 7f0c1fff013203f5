/** Reference API server: deletion (grace, preconditions, finalizers, propagation), namespaces, security. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { networkInterfaces } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startApiServer } from '../reference/apiserver/index.ts';
import { ScaledClock } from '../reference/clock.ts';
import { pod, rejects, startTestServer, statefulSet, type TestServer } from './apiserver-helpers.ts';

const clock = new ScaledClock(1, Date.parse('2030-01-01T00:00:00Z'));
let t: TestServer;
before(async () => {
  t = await startTestServer({ clock });
  await t.core.createNamespace({ body: { metadata: { name: 'd' } } });
});
after(() => t.api.close());

const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const ns = 'd';

/** Resolves once a TCP connection to host:port is established (then closes it), rejects with the error. */
function connectTo(host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = connect({ host, port });
    s.once('connect', () => {
      s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

async function scheduledPod(name: string, grace?: number) {
  await t.core.createNamespacedPod({ namespace: ns, body: pod(name, {}, grace === undefined ? {} : { terminationGracePeriodSeconds: grace }) });
  await t.core.createNamespacedPodBinding({ namespace: ns, name, body: { metadata: { name }, target: { kind: 'Node', name: 'n1' } } });
}

const exists = (name: string) =>
  t.core.readNamespacedPod({ namespace: ns, name }).then(
    () => true,
    (e: unknown) => (e instanceof ApiException && e.code === 404 ? false : Promise.reject(e)),
  );

describe('pod deletion', () => {
  it('records graceful deletion of a scheduled pod with the clock and leaves it for the kubelet', async () => {
    await scheduledPod('g1');
    const before = Date.parse(clock.now().toISOString());
    const deleted = await t.core.deleteNamespacedPod({ namespace: ns, name: 'g1' });
    const ts = deleted.metadata?.deletionTimestamp?.getTime() ?? 0;
    assert.ok(ts >= before + 29_000 && ts <= before + 31_000, `deletionTimestamp ≈ now+30s, got ${deleted.metadata?.deletionTimestamp?.toISOString()}`);
    assert.equal(deleted.metadata?.deletionGracePeriodSeconds, 30);
    assert.equal(deleted.metadata?.generation, 2);
    assert.ok(await exists('g1'));
    // A longer grace period is ignored, a shorter one moves the deadline earlier.
    const longer = await t.core.deleteNamespacedPod({ namespace: ns, name: 'g1', gracePeriodSeconds: 60 });
    assert.equal(longer.metadata?.deletionGracePeriodSeconds, 30);
    const shorter = await t.core.deleteNamespacedPod({ namespace: ns, name: 'g1', gracePeriodSeconds: 10 });
    assert.equal(shorter.metadata?.deletionGracePeriodSeconds, 10);
    assert.equal((shorter.metadata?.deletionTimestamp?.getTime() ?? 0) - ts, -20_000);
    // The kubelet's final delete.
    await t.core.deleteNamespacedPod({ namespace: ns, name: 'g1', gracePeriodSeconds: 0 });
    assert.equal(await exists('g1'), false);
  });

  it('deletes unscheduled and terminated pods at once', async () => {
    await t.core.createNamespacedPod({ namespace: ns, body: pod('unscheduled') });
    await t.core.deleteNamespacedPod({ namespace: ns, name: 'unscheduled' });
    assert.equal(await exists('unscheduled'), false);
    await scheduledPod('done');
    await t.core.patchNamespacedPodStatus({ namespace: ns, name: 'done', body: { status: { phase: 'Succeeded' } } }, merge);
    await t.core.deleteNamespacedPod({ namespace: ns, name: 'done' });
    assert.equal(await exists('done'), false);
  });

  it('evicts through pods/eviction with the delete options of the eviction', async () => {
    await scheduledPod('ev');
    await t.core.createNamespacedPodEviction({ namespace: ns, name: 'ev', body: { metadata: { name: 'ev' }, deleteOptions: { gracePeriodSeconds: 7 } } });
    const p = await t.core.readNamespacedPod({ namespace: ns, name: 'ev' });
    assert.equal(p.metadata?.deletionGracePeriodSeconds, 7);
  });

  it('honours uid and resourceVersion preconditions', async () => {
    await scheduledPod('pre', 5);
    const s = await rejects(t.core.deleteNamespacedPod({ namespace: ns, name: 'pre', body: { preconditions: { uid: 'not-the-uid' } } }), 409);
    assert.equal(s.reason, 'Conflict');
    assert.match(s.message, /Precondition failed: UID in precondition: not-the-uid/);
    await rejects(t.core.deleteNamespacedPod({ namespace: ns, name: 'pre', body: { preconditions: { resourceVersion: '1' } } }), 409);
    assert.ok(await exists('pre'));
  });

  it('keeps an object with finalizers until the last one is removed', async () => {
    const p = pod('fin');
    p.metadata!.finalizers = ['example.com/hold'];
    await t.core.createNamespacedPod({ namespace: ns, body: p });
    const marked = await t.core.deleteNamespacedPod({ namespace: ns, name: 'fin', gracePeriodSeconds: 0 });
    assert.ok(marked.metadata?.deletionTimestamp);
    assert.ok(await exists('fin'));
    const s = await rejects(
      t.core.patchNamespacedPod({ namespace: ns, name: 'fin', body: { metadata: { finalizers: ['example.com/hold', 'example.com/new'] } } }, merge),
      422,
    );
    assert.match(s.message, /no new finalizers can be added if the object is being deleted/);
    await t.core.patchNamespacedPod({ namespace: ns, name: 'fin', body: { metadata: { finalizers: null } } }, merge);
    assert.equal(await exists('fin'), false);
  });
});

describe('propagation policies', () => {
  it('deletes a StatefulSet in the background by default, returning a Success Status', async () => {
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('bg') });
    const r = await t.raw('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/bg`);
    assert.equal(r.status, 200);
    assert.deepEqual([r.body.kind, r.body.status, r.body.details.name, r.body.details.kind], ['Status', 'Success', 'bg', 'statefulsets']);
    await rejects(t.apps.readNamespacedStatefulSet({ namespace: ns, name: 'bg' }), 404);
  });

  it('adds foregroundDeletion / orphan finalizers for the garbage collector', async () => {
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('fg') });
    await t.apps.deleteNamespacedStatefulSet({ namespace: ns, name: 'fg', propagationPolicy: 'Foreground' });
    const fg = await t.apps.readNamespacedStatefulSet({ namespace: ns, name: 'fg' });
    assert.deepEqual(fg.metadata?.finalizers, ['foregroundDeletion']);
    assert.ok(fg.metadata?.deletionTimestamp);
    assert.equal(fg.metadata?.deletionGracePeriodSeconds, 0);
    assert.equal(fg.metadata?.generation, 2);

    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('orph') });
    const r = await t.raw('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/orph`, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Orphan' });
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.metadata.finalizers, ['orphan']);
    // The legacy orphanDependents=false is a foreground-free cascade and answers 202.
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('legacy') });
    const legacy = await t.raw('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/legacy?orphanDependents=true`);
    assert.deepEqual(legacy.body.metadata.finalizers, ['orphan']);
    const bad = await t.raw('DELETE', `/apis/apps/v1/namespaces/${ns}/statefulsets/legacy?propagationPolicy=Sometimes`);
    assert.equal(bad.status, 422);
  });

  it('deletes collections by label selector', async () => {
    for (const [name, labels] of [['c1', { batch: 'x' }], ['c2', { batch: 'x' }], ['c3', { batch: 'y' }]] as const) {
      await t.core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name, labels } } });
    }
    await t.core.deleteCollectionNamespacedConfigMap({ namespace: ns, labelSelector: 'batch=x' });
    const left = await t.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'batch' });
    assert.deepEqual(left.items.map((c) => c.metadata?.name), ['c3']);
  });
});

describe('namespaces', () => {
  it('pre-creates the system namespaces with the kubernetes finalizer', async () => {
    const list = await t.core.listNamespace();
    const names = list.items.map((n) => n.metadata?.name);
    for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(n), n);
    assert.deepEqual(list.items[0]?.spec?.finalizers, ['kubernetes']);
    assert.equal(list.items[0]?.status?.phase, 'Active');
    const s = await rejects(t.core.deleteNamespace({ name: 'default' }), 403);
    assert.match(s.message, /this namespace may not be deleted/);
  });

  it('rejects content in a missing namespace with 404', async () => {
    const s = await rejects(t.core.createNamespacedPod({ namespace: 'missing', body: pod('x') }), 404);
    assert.equal(s.message, 'namespaces "missing" not found');
  });

  it('terminates: phase Terminating, 403 for new content, gone after /finalize', async () => {
    await t.core.createNamespace({ body: { metadata: { name: 'doomed' } } });
    await t.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'old' } } });
    const terminating = await t.core.deleteNamespace({ name: 'doomed' });
    assert.equal((terminating as { status?: { phase?: string } }).status?.phase, 'Terminating');
    const s = await rejects(t.core.createNamespacedConfigMap({ namespace: 'doomed', body: { metadata: { name: 'new' } } }), 403);
    assert.equal(s.message, 'configmaps "new" is forbidden: unable to create new content in namespace doomed because it is being terminated');
    // What the namespace controller does: empty it, then drop the finalizer via /finalize.
    await t.core.deleteNamespacedConfigMap({ namespace: 'doomed', name: 'old' });
    const ns0 = await t.core.readNamespace({ name: 'doomed' });
    ns0.spec = { finalizers: [] };
    await t.core.replaceNamespaceFinalize({ name: 'doomed', body: ns0 });
    await rejects(t.core.readNamespace({ name: 'doomed' }), 404);
  });

  it('does not let a plain update change spec.finalizers', async () => {
    await t.core.createNamespace({ body: { metadata: { name: 'keep' } } });
    const n = await t.core.patchNamespace({ name: 'keep', body: { spec: { finalizers: [] } } }, merge);
    assert.deepEqual(n.spec?.finalizers, ['kubernetes']);
  });
});

describe('robustness and security', () => {
  it('requires the bearer token when one is configured', async () => {
    const secured = await startTestServer({ token: 'sekret' });
    try {
      assert.equal((await secured.core.listNamespace()).items.length >= 4, true);
      const res = await fetch(`${secured.api.url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer wrong' } });
      assert.equal(res.status, 401);
      const body = await res.json();
      assert.deepEqual([body.kind, body.reason, body.code], ['Status', 'Unauthorized', 401]);
      assert.equal((await fetch(`${secured.api.url}/api/v1/pods`)).status, 401);
      assert.equal((await fetch(`${secured.api.url}/healthz`)).status, 200);
    } finally {
      await secured.api.close();
    }
  });

  it('answers 413 for oversized bodies and leaves the store unchanged', async () => {
    const small = await startTestServer({ maxBodyBytes: 1024 });
    try {
      const big = { ...pod('big'), metadata: { name: 'big', annotations: { a: 'x'.repeat(4096) } } };
      const r = await small.raw('POST', '/api/v1/namespaces/default/pods', big);
      assert.equal(r.status, 413);
      assert.equal(r.body.reason, 'RequestEntityTooLarge');
      assert.equal((await small.raw('GET', '/api/v1/namespaces/default/pods/big')).status, 404);
    } finally {
      await small.api.close();
    }
  });

  it('binds to 127.0.0.1 unless told otherwise, and to the host it is told', async () => {
    // Default: loopback only. Another local address of this machine, if it has one, refuses.
    const port = Number(new URL(t.api.url).port);
    assert.equal(new URL(t.api.url).hostname, '127.0.0.1');
    const external = Object.values(networkInterfaces()).flat().find((a) => a && a.family === 'IPv4' && !a.internal);
    if (external) await assert.rejects(connectTo(external.address, port), /ECONNREFUSED/);
    // Told otherwise (another loopback address here, so the test opens nothing to the network).
    const other = await startApiServer({ host: '127.0.0.2' });
    try {
      assert.equal(new URL(other.url).hostname, '127.0.0.2');
      assert.equal((await fetch(`${other.url}/healthz`)).status, 200);
      await assert.rejects(connectTo('127.0.0.1', other.port), /ECONNREFUSED/);
    } finally {
      await other.close();
    }
  });

  it('`--token` on the command line: 401 without the token, 200 with it', async () => {
    // The same loader flags as this test process (tsx), whatever the working directory.
    const main = fileURLToPath(new URL('../reference/apiserver/main.ts', import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv.filter((a) => !a.startsWith('--test')), main, '--port', '0', '--token', 'cli-sekret'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const started = once(createInterface({ input: child.stdout! }), 'line') as Promise<[string]>;
      const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`the server exited (${code}) before listening`)));
      exited.catch(() => undefined); // once it has started, its exit at the end is expected
      const [line] = await Promise.race([started, exited]);
      const url = /listening on (\S+)/.exec(line)![1]!;
      assert.equal(new URL(url).hostname, '127.0.0.1');
      assert.equal((await fetch(`${url}/api/v1/namespaces`)).status, 401);
      assert.equal((await fetch(`${url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer wrong' } })).status, 401);
      assert.equal((await fetch(`${url}/api/v1/namespaces`, { headers: { Authorization: 'Bearer cli-sekret' } })).status, 200);
    } finally {
      child.kill('SIGTERM');
      if (child.exitCode === null) await once(child, 'exit');
    }
  });

  it('answers 413 to a chunked body that grows past the limit, and to one over the default 3 MiB', async () => {
    const small = await startTestServer({ maxBodyBytes: 1024 });
    try {
      // No Content-Length: the limit is enforced while the body streams in.
      const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = httpRequest(`${small.api.url}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' } }, (r) => {
          let body = '';
          r.on('data', (c) => (body += c));
          r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.write(`{"metadata":{"name":"chunked"},"data":{"a":"`);
        for (let i = 0; i < 8; i++) req.write('x'.repeat(512));
        req.end('"}}');
      });
      assert.equal(res.status, 413);
      assert.equal(JSON.parse(res.body).reason, 'RequestEntityTooLarge');
      assert.equal((await small.raw('GET', '/api/v1/namespaces/default/configmaps/chunked')).status, 404);
    } finally {
      await small.api.close();
    }
    const big = { metadata: { name: 'huge' }, data: { a: 'x'.repeat(3 * 1024 * 1024) } };
    const r = await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, big);
    assert.equal(r.status, 413);
    assert.equal((await t.raw('GET', `/api/v1/namespaces/${ns}/configmaps/huge`)).status, 404);
  });

  it('never answers 5xx to malformed requests', async () => {
    const cases: Array<[string, string, unknown?, Record<string, string>?]> = [
      ['POST', `/api/v1/namespaces/${ns}/pods`, '[]'],
      ['POST', `/api/v1/namespaces/${ns}/pods`, '"x"'],
      ['POST', `/api/v1/namespaces/${ns}/pods`, { metadata: 'x', spec: 7 }],
      ['POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name: 'm', labels: [] }, spec: { containers: 'no' } }],
      ['POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, { metadata: { name: 's' }, spec: { selector: 'x', template: 5, updateStrategy: [] } }],
      ['POST', `/api/v1/namespaces/${ns}/services`, { metadata: { name: 'svc' }, spec: { ports: [null, 3] } }],
      ['PUT', `/api/v1/namespaces/${ns}/pods`, {}],
      ['GET', `/api/v1/namespaces/${ns}/pods?limit=abc`],
      ['GET', `/api/v1/namespaces/${ns}/pods?continue=%%%`],
      ['GET', `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=abc`],
      ['GET', '/api/v1/namespaces/%zz/pods'],
      ['PATCH', `/api/v1/namespaces/${ns}/pods/none`, '[]', { 'Content-Type': 'application/json-patch+json' }],
      ['DELETE', `/api/v1/namespaces/${ns}/pods/none`, '{"gracePeriodSeconds":"x"}'],
      ['POST', '/api/v1/namespaces', { metadata: { name: 'x'.repeat(300) } }],
      ['GET', '/apis/apps/v1/nonsense/things'],
      ['OPTIONS', '/api/v1/pods'],
    ];
    await t.core.createNamespacedPod({ namespace: ns, body: pod('target') });
    cases.push(['PATCH', `/api/v1/namespaces/${ns}/pods/target`, '[{"op":"replace","path":"/spec","value":null}]', { 'Content-Type': 'application/json-patch+json' }]);
    cases.push(['PATCH', `/api/v1/namespaces/${ns}/pods/target`, '{"metadata":{"name":null}}', { 'Content-Type': 'application/merge-patch+json' }]);
    for (const [method, path, body, headers] of cases) {
      const r = await t.raw(method, path, body, headers);
      assert.ok(r.status >= 400 && r.status < 500, `${method} ${path} → ${r.status} ${JSON.stringify(r.body)}`);
      if (typeof r.body === 'object') assert.equal(r.body.kind, 'Status', `${method} ${path}`);
    }
    // Except where kube-apiserver itself answers 500: strategicpatch's errors other than the
    // few interpretStrategicMergePatchError converts reach the client unconverted.
    const bogus = await t.raw('PATCH', `/api/v1/namespaces/${ns}/pods/target`, '{"spec":{"containers":[{"$patch":"bogus"}]}}', { 'Content-Type': 'application/strategic-merge-patch+json' });
    assert.deepEqual([bogus.status, bogus.body], [
      500,
      { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'unknown patch type: bogus in map: map[$patch:bogus]', code: 500 },
    ]);
    const after = await t.core.readNamespacedPod({ namespace: ns, name: 'target' });
    assert.equal(after.spec?.containers[0]?.image, 'busybox:1.36');
  });
});

describe('dry run', () => {
  it('validates and answers but writes nothing with dryRun=All', async () => {
    const created = await t.core.createNamespacedPod({ namespace: ns, body: pod('dry'), dryRun: 'All' });
    assert.equal(created.metadata?.name, 'dry');
    assert.equal(created.status?.phase, 'Pending');
    assert.equal(await exists('dry'), false);
    await rejects(t.core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'dry' }, spec: { containers: [] } }, dryRun: 'All' }), 422);
    await t.core.createNamespacedPod({ namespace: ns, body: pod('wet') });
    await t.core.deleteNamespacedPod({ namespace: ns, name: 'wet', dryRun: 'All' });
    assert.ok(await exists('wet'));
    const rv = (await t.core.readNamespacedPod({ namespace: ns, name: 'wet' })).metadata?.resourceVersion;
    await t.core.patchNamespacedPod({ namespace: ns, name: 'wet', body: { metadata: { labels: { x: 'y' } } }, dryRun: 'All' }, merge);
    assert.equal((await t.core.readNamespacedPod({ namespace: ns, name: 'wet' })).metadata?.resourceVersion, rv);
  });
});

/**
 * The cluster target's preflight (support/targets/cluster.ts): before any scenario it checks that
 * the cluster answers, accepts the credentials and lets them create namespaces, and each failure
 * is a message that names the context and the kubeconfig. Against the reference API server (its
 * bearer-token option gives the 401) and small node:http servers (403s, silence).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { startApiServer, type ApiServer } from '../reference/apiserver/index.ts';
import { ClusterTarget, ClusterTargetError } from '../support/targets/cluster.ts';
import { KubeConfigError, loadKubeConfig } from '../support/targets/kubeconfig.ts';

let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'sts-preflight-'));
  // The DNS probe's namespace is recorded in the ledger: keep it out of the user's.
  process.env.STATEFULSET_CONFORMANCE_LEDGER = join(dir, 'ledger.ndjson');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig file with one context, as a user would have. */
function kubeconfig(name: string, server: string, token?: string): string {
  const file = join(dir, `${name}.kubeconfig`);
  writeFileSync(
    file,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name, cluster: { server, 'insecure-skip-tls-verify': true } }],
      users: [{ name, user: token ? { token } : {} }],
      contexts: [{ name, context: { cluster: name, user: name } }],
      'current-context': name,
    }),
  );
  return file;
}

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const json = (res: ServerResponse, code: number, body: unknown) => {
  res.writeHead(code, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
};
const VERSION = { major: '1', minor: '34', gitVersion: 'v1.34.2' };
const forbiddenStatus = (message: string) => ({ kind: 'Status', apiVersion: 'v1', status: 'Failure', message, reason: 'Forbidden', code: 403 });

/** A fake API server whose user may read but not create namespaces. */
function restrictive(authorizationApi: boolean) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/version') return json(res, 200, VERSION);
    if (req.method === 'GET' && url.pathname === '/api/v1/namespaces') return json(res, 200, { kind: 'NamespaceList', apiVersion: 'v1', metadata: {}, items: [] });
    if (req.method === 'POST' && url.pathname === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (!authorizationApi) return json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'the server could not find the requested resource' });
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const review = JSON.parse(body);
        const verb = review.spec.resourceAttributes.verb;
        json(res, 201, { ...review, status: { allowed: verb !== 'create', reason: verb === 'create' ? 'RBAC: no rule allows create on namespaces for user "viewer"' : '' } });
      });
      return;
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/namespaces') {
      return json(res, 403, forbiddenStatus('namespaces is forbidden: User "viewer" cannot create resource "namespaces" in API group "" at the cluster scope'));
    }
    json(res, 404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: 'not found' });
  };
}

async function startFails(file: string, opts: { context?: string; requestTimeoutMs?: number } = {}): Promise<ClusterTargetError> {
  const target = new ClusterTarget({ kubeconfig: file, context: opts.context, requestTimeoutMs: opts.requestTimeoutMs, dnsProbeTimeoutMs: 5_000 });
  try {
    await target.start();
  } catch (err) {
    assert.ok(err instanceof ClusterTargetError, `a ClusterTargetError, got ${(err as Error).stack}`);
    return err;
  } finally {
    await target.stop();
  }
  assert.fail('the target started');
}

describe('cluster preflight', () => {
  test('unreachable server: names the context, the kubeconfig, the server and the network error', async () => {
    // A port that was free a moment ago: nothing listens there.
    const { server, url } = await listen(() => undefined);
    await new Promise((r) => server.close(r));
    const file = kubeconfig('gone', url);
    const err = await startFails(file);
    assert.match(err.message, new RegExp(`^cannot reach the cluster of context "gone" \\(kubeconfig ${file}\\) at ${url} \\(trying to read the server version\\): ECONNREFUSED`));
  });

  test('a server that never answers: a deadline, not a hang', async () => {
    const { server, url } = await listen(() => undefined); // accepts, never responds
    try {
      const file = kubeconfig('silent', url);
      const started = Date.now();
      const err = await startFails(file, { requestTimeoutMs: 500 });
      assert.match(err.message, new RegExp(`^cannot reach the cluster of context "silent" \\(kubeconfig ${file}\\) at ${url}: no answer within 0.5s \\(trying to read the server version\\)`));
      assert.ok(Date.now() - started < 5_000);
    } finally {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    }
  });

  describe('credentials refused (401)', () => {
    let api: ApiServer;
    before(async () => {
      api = await startApiServer({ token: 'the-right-token' });
    });
    after(() => api.close());

    test('a wrong token: says the credentials were refused, for which context', async () => {
      const file = kubeconfig('wrong-token', api.url, 'not-the-token');
      const err = await startFails(file);
      assert.match(err.message, new RegExp(`^the cluster of context "wrong-token" \\(kubeconfig ${file}\\) at ${api.url} refused the credentials \\(401 Unauthorized, trying to read the server version\\): log in again or fix the user of that context`));
    });

    test('no token at all: likewise', async () => {
      const err = await startFails(kubeconfig('no-token', api.url));
      assert.match(err.message, /context "no-token" .* refused the credentials \(401 Unauthorized/);
    });

    test('the right token passes the preflight and reports the server version', async () => {
      const target = new ClusterTarget({ kubeconfig: kubeconfig('right-token', api.url, 'the-right-token'), dnsProbeTimeoutMs: 5_000 });
      try {
        const info = await target.start();
        assert.match(info.serverVersion, /^v1\.\d+/);
        assert.ok(info.minor >= 30);
        // No nodes run pods on a bare API server: DNS is missing with a reason, not an error.
        assert.match(info.missing.get('dns') ?? '', /DNS look-ups from inside a pod failed/);
      } finally {
        await target.stop();
      }
    });
  });

  test('namespace creation forbidden (403, SelfSubjectAccessReview): names the context and says why it is needed', async () => {
    const { server, url } = await listen(restrictive(true));
    try {
      const file = kubeconfig('viewer', url, 'viewer-token');
      const err = await startFails(file);
      assert.match(
        err.message,
        new RegExp(
          `^the credentials of context "viewer" \\(kubeconfig ${file}\\) may not create namespaces \\(RBAC: no rule allows create on namespaces for user "viewer"\\): ` +
            'the harness creates a labelled namespace per scenario',
        ),
      );
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('namespace creation forbidden, on a server without the authorization API: found by a dry-run create', async () => {
    const { server, url } = await listen(restrictive(false));
    try {
      const file = kubeconfig('old-viewer', url, 'viewer-token');
      const err = await startFails(file);
      assert.match(err.message, new RegExp(`^the credentials of context "old-viewer" \\(kubeconfig ${file}\\) may not create namespaces: the harness creates a labelled namespace per scenario`));
    } finally {
      await new Promise((r) => server.close(r));
    }
  });

  test('--context picks a context; an unknown one is named with the ones the kubeconfig has', () => {
    const file = kubeconfig('only', 'http://127.0.0.1:1');
    assert.equal(loadKubeConfig({ kubeconfig: file, context: 'only' }).context, 'only');
    assert.throws(() => loadKubeConfig({ kubeconfig: file, context: 'prod' }), (err: Error) => {
      assert.ok(err instanceof KubeConfigError);
      assert.equal(err.message, `context "prod" is not in kubeconfig ${file} (it has: only)`);
      return true;
    });
  });

  test('KUBECONFIG lists several files: merged as kubectl does, the first current-context wins', () => {
    const a = kubeconfig('alpha', 'http://127.0.0.1:1001');
    const b = kubeconfig('beta', 'http://127.0.0.1:1002');
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = `${a}:${b}`;
    try {
      const loaded = loadKubeConfig();
      assert.equal(loaded.context, 'alpha');
      assert.equal(loaded.server, 'http://127.0.0.1:1001');
      assert.equal(loadKubeConfig({ context: 'beta' }).server, 'http://127.0.0.1:1002');
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  test('no kubeconfig at all: says which files were looked for', () => {
    assert.throws(() => loadKubeConfig({ kubeconfig: join(dir, 'missing') }), /no kubeconfig: .*missing does not exist/);
  });
});

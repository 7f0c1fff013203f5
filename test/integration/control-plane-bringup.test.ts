/**
 * Brings the real control plane up and down. Skipped when the binaries are not built
 * (`npm run control-plane:build`); takes ~15-30 s on 2 cores when they are.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { BINARIES, binaryPath, controlPlaneBinDir } from '../../support/control-plane/binaries.ts';
import { startControlPlane, StartError } from '../../support/control-plane/index.ts';
import { resolveAt } from '../../support/targets/dns-lookup.ts';

const binDir = controlPlaneBinDir();
const built = BINARIES.every((b) => existsSync(binaryPath(binDir, b)));

test('control plane: starts, serves the API and DNS, and stops every process it started', { skip: !built && `no binaries in ${binDir}`, timeout: 180_000 }, async () => {
  const cp = await startControlPlane({ binDir, hybrid: true, withDns: true, defaultTolerationSeconds: 30 });
  const pids = Object.values(cp.pids);
  try {
    assert.match(cp.serverVersion, /^v1\.\d+\.\d+$/);
    const kc = new KubeConfig();
    kc.loadFromFile(cp.kubeconfigPath);
    const core = kc.makeApiClient(CoreV1Api);
    const ns = `cp-test-${Date.now()}`;
    await core.createNamespace({ body: { metadata: { name: ns } } });
    await core.createNamespacedService({
      namespace: ns,
      body: { metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 80 }] } },
    });
    // The headless Service exists but has no ready endpoints: NXDOMAIN/empty, not an error.
    assert.deepEqual(await resolveAt(`127.0.0.1:${cp.dnsPort}`, `web.${ns}.svc.cluster.local`, 'A'), []);
    const logs = await cp.logs();
    assert.ok(logs['kube-apiserver']?.includes('--secure-port'));
  } finally {
    await cp.stop();
  }
  for (const pid of pids) assert.throws(() => process.kill(pid, 0), `pid ${pid} still alive`);
});

test('control plane: a component that fails to start is named with its log tail, and what started is stopped', { skip: !built && `no binaries in ${binDir}`, timeout: 60_000 }, async () => {
  const { execFileSync } = await import('node:child_process');
  const etcds = (): string[] => execFileSync('ps', ['-eo', 'pid,args']).toString().split('\n').filter((l) => l.includes('--data-dir=/dev/shm/sts-etcd-') || l.includes('etcd-data'));
  const before = new Set(etcds());
  let err: unknown;
  try {
    await startControlPlane({ binDir, withDns: false, withScheduler: false, extraArgs: { 'kube-apiserver': ['--no-such-flag=1'] } });
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof StartError, `expected a StartError, got ${String(err)}`);
  assert.equal(err.component, 'kube-apiserver');
  assert.match(err.message, /exited with code \d+ before ready/);
  assert.match(err.logTail, /unknown flag: --no-such-flag/);
  // etcd was started first and must be gone again.
  assert.deepEqual(etcds().filter((l) => !before.has(l)), []);
});

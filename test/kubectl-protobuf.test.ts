/**
 * The real kubectl of the pinned release against an in-process reference plane, on the paths
 * where it speaks protobuf (typed clients: create namespace/deployment, describe) and where it
 * speaks JSON (apply, get -o yaml, get -w). What it prints here is what it prints against
 * kube-apiserver v1.37.2 (compared by hand with `npm run local-cluster`; the kubectl
 * differential compares whole sessions). Skipped without the built binaries.
 */
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { binaryPath, controlPlaneBinDir } from '../support/control-plane/binaries.ts';
import { startReferenceControlPlane, type ReferenceControlPlane } from '../reference/index.ts';

const kubectl = binaryPath(controlPlaneBinDir(), 'kubectl');
const skip = existsSync(kubectl) ? false : `no kubectl at ${kubectl} (npm run control-plane:build)`;

describe('kubectl against the reference plane', { skip }, () => {
  let plane: ReferenceControlPlane;
  let dir: string;
  const run = (args: string[], input?: string) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(kubectl, args, { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir }, timeout: 30_000 }, (err, stdout, stderr) =>
        resolve({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
      if (input !== undefined) child.stdin!.end(input);
    });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kubectl-protobuf-'));
    plane = await startReferenceControlPlane({ nodes: 2 });
    writeFileSync(join(dir, 'kubeconfig'), plane.kubeConfig.exportConfig());
  });
  after(async () => {
    await plane?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('create namespace sends and receives protobuf', async () => {
    const r = await run(['create', 'namespace', 'x', '-v=8']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'namespace/x created\n');
    assert.match(r.stderr, /Content-Type: application\/vnd\.kubernetes\.protobuf/);
    assert.match(r.stderr, /Response.*status="201 Created"/);
    const again = await run(['create', 'namespace', 'x']);
    assert.equal(again.code, 1);
    assert.equal(again.stderr, 'Error from server (AlreadyExists): namespaces "x" already exists\n');
  });

  test('create deployment succeeds, then is a conflict, and bad input is a 422 as upstream words it', async () => {
    const r = await run(['create', 'deployment', 'd', '--image=busybox', '-n', 'x']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'deployment.apps/d created\n');
    const again = await run(['create', 'deployment', 'd', '--image=busybox', '-n', 'x']);
    assert.equal(again.stderr, 'error: failed to create deployment: deployments.apps "d" already exists\n');
    const bad = await run(['create', 'deployment', 'e', '--image=busybox', '-n', 'x', '--replicas=-1']);
    assert.equal(bad.stderr, 'error: failed to create deployment: Deployment.apps "e" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0\n');
    const got = await run(['get', 'deploy', 'd', '-n', 'x', '-o', 'yaml']);
    const spec = parseYaml(got.stdout).spec;
    assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } });
    assert.equal(spec.template.spec.containers[0].terminationMessagePath, '/dev/termination-log');
  });

  test('apply a StatefulSet, watch its pods come up, get -o yaml and describe it', async () => {
    const manifest = `
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web, namespace: x}
spec:
  serviceName: web
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: c, image: busybox, resources: {requests: {cpu: 100m}}}]
`;
    const applied = await run(['apply', '-f', '-'], manifest);
    assert.equal(applied.stdout, 'statefulset.apps/web created\n', applied.stderr);

    // `kubectl get pods -w` until both pods are Running (it never ends by itself).
    const watch = spawn(kubectl, ['get', 'pods', '-w', '-n', 'x'], { env: { ...process.env, KUBECONFIG: join(dir, 'kubeconfig'), HOME: dir } });
    let out = '';
    const running = () => ['web-0', 'web-1'].every((p) => new RegExp(`^${p}\\s+1/1\\s+Running\\s+0\\s+\\S+$`, 'm').test(out));
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`pods not Running within 30 s; kubectl printed:\n${out}`)), 30_000);
        watch.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          if (running()) {
            clearTimeout(timer);
            resolve();
          }
        });
        watch.on('exit', (code) => {
          clearTimeout(timer);
          reject(new Error(`kubectl get pods -w exited (${code}):\n${out}`));
        });
      });
    } finally {
      watch.kill();
    }
    assert.match(out, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/m);

    const yaml = await run(['get', 'sts', '-n', 'x', '-o', 'yaml']);
    assert.equal(yaml.code, 0, yaml.stderr);
    const list = parseYaml(yaml.stdout);
    assert.deepEqual([list.kind, list.apiVersion, list.items.length], ['List', 'v1', 1]);
    assert.equal(list.items[0].spec.updateStrategy.rollingUpdate.maxUnavailable, 1);

    const described = await run(['describe', 'sts', 'web', '-n', 'x']);
    assert.equal(described.code, 0, described.stderr);
    assert.match(described.stdout, /^Pods Status:\s+2 Running \/ 0 Waiting \/ 0 Succeeded \/ 0 Failed$/m);
    assert.match(described.stdout, /^\s+Normal\s+SuccessfulCreate\s+\S+\s+statefulset-controller\s+create Pod web-1 in StatefulSet web successful$/im);
  });
});

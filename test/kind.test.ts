/**
 * The kind wrapper (support/kind/index.ts) against stub `kind` and `docker` executables
 * (test/kind-stub.ts). The kind target's whole run is in test/integration/kind-run.test.ts.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { Kind, KIND_CONFIG, KIND_CONFIG_PATH, kindAvailability } from '../support/kind/index.ts';
import { argvOf, stubEnv } from './kind-stub.ts';

describe('kind availability', () => {
  test('kind missing: says what to install', async () => {
    const { env } = stubEnv({ KIND: '/nonexistent/kind' });
    const a = await kindAvailability({ env });
    assert.equal(a.ok, false);
    assert.match(!a.ok ? a.reason : '', /kind is not installed: install kind \(https:\/\/kind\.sigs\.k8s\.io/);
  });

  test('docker missing: says what to install', async () => {
    const { env } = stubEnv({ DOCKER: '/nonexistent/docker' });
    const a = await kindAvailability({ env });
    assert.equal(a.ok, false);
    assert.match(!a.ok ? a.reason : '', /docker is not installed .*install Docker \(https:\/\/docs\.docker\.com/);
  });

  test('Docker engine down: says so, with docker info\'s own words', async () => {
    const { env } = stubEnv({ STUB_DOCKER_DOWN: '1' });
    const a = await kindAvailability({ env });
    assert.equal(a.ok, false);
    assert.match(!a.ok ? a.reason : '', /the Docker engine is not running \(docker info: Cannot connect to the Docker daemon/);
  });

  test('both present and the engine up', async () => {
    const { env } = stubEnv();
    const a = await kindAvailability({ env });
    assert.deepEqual(a, { ok: true, kindVersion: 'kind v0.29.0 go1.24.2 linux/amd64', dockerVersion: '27.3.1' });
  });
});

describe('Kind wrapper', () => {
  test('creates a cluster of one control-plane node and three workers from a config, then reuses it', async () => {
    const { env, calls } = stubEnv();
    const kind = new Kind({ name: 'sts-a', env });
    assert.deepEqual(await kind.ensure(), { created: true });
    const create = calls().find((c) => c.tool === 'kind' && c.argv[0] === 'create')!;
    assert.deepEqual(create.argv.slice(0, 4), ['create', 'cluster', '--name', 'sts-a']);
    assert.deepEqual(create.argv.slice(4), ['--config', KIND_CONFIG_PATH, '--wait', '180s']);
    assert.equal(create.config, KIND_CONFIG);
    assert.deepEqual([...create.config!.matchAll(/role: (\S+)/g)].map((m) => m[1]), ['control-plane', 'worker', 'worker', 'worker']);
    assert.deepEqual(await kind.nodes(), ['sts-a-control-plane', 'sts-a-worker', 'sts-a-worker2', 'sts-a-worker3']);

    // Same name again: reused, never created twice.
    const before = calls().length;
    assert.deepEqual(await new Kind({ name: 'sts-a', env }).ensure(), { created: false });
    assert.deepEqual(argvOf(calls().slice(before)), ['kind get clusters']);
  });

  test('a node image can be chosen', async () => {
    const { env, calls } = stubEnv({ KIND_NODE_IMAGE: 'kindest/node:v1.34.0' });
    await new Kind({ name: 'sts-img', env }).create();
    const create = calls().find((c) => c.argv[0] === 'create')!;
    assert.deepEqual(create.argv.slice(-2), ['--image', 'kindest/node:v1.34.0']);
  });

  test('exports the kubeconfig to a file of its own, readable only by the user', async () => {
    const { env, dir } = stubEnv();
    const kind = new Kind({ name: 'sts-b', env });
    await kind.create();
    const file = await kind.writeKubeconfig(join(dir, 'kubeconfig'));
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const kc = new KubeConfig();
    kc.loadFromFile(file);
    assert.equal(kc.getCurrentContext(), 'kind-sts-b');
    assert.equal(kc.getCurrentCluster()?.server, 'https://127.0.0.1:39877');
  });

  test('kubeconfig of a cluster that does not exist: kind\'s error, with the command', async () => {
    const { env } = stubEnv();
    await assert.rejects(new Kind({ name: 'nope', env }).kubeconfig(), /kind get kubeconfig --name nope failed: ERROR: could not locate any control plane nodes for cluster named 'nope'/);
  });

  test('stops and starts a node\'s container for node faults, and refuses anything not a node of the cluster', async () => {
    const { env, calls } = stubEnv();
    const kind = new Kind({ name: 'sts-c', env });
    await kind.create();
    const before = calls().length;
    await kind.stopNode('sts-c-worker2');
    await kind.startNode('sts-c-worker2');
    assert.deepEqual(
      argvOf(calls().slice(before)).filter((c) => c.startsWith('docker')),
      ['docker stop sts-c-worker2', 'docker start sts-c-worker2'],
    );
    const n = calls().length;
    await assert.rejects(kind.stopNode('some-other-container'), /"some-other-container" is not a node of kind cluster "sts-c" \(nodes: sts-c-control-plane, sts-c-worker, sts-c-worker2, sts-c-worker3\)/);
    assert.equal(calls().slice(n).filter((c) => c.tool === 'docker').length, 0, 'docker is never called for a container that is not a node');
  });

  test('a failed create removes what it left, and says what kind said', async () => {
    const { env, calls } = stubEnv({ STUB_KIND_CREATE_FAILS: '1' });
    const kind = new Kind({ name: 'sts-bad', env });
    await assert.rejects(kind.create(), /kind create cluster --name sts-bad .* failed: .*ERROR: failed to create cluster: failed to init node with kubeadm/);
    assert.deepEqual(argvOf(calls()).slice(-1), ['kind delete cluster --name sts-bad']);
    assert.equal(await kind.exists(), false);
  });

  test('deletes the cluster', async () => {
    const { env, calls } = stubEnv();
    const kind = new Kind({ name: 'sts-d', env });
    await kind.create();
    await kind.delete();
    assert.deepEqual(argvOf(calls()).slice(-1), ['kind delete cluster --name sts-d']);
    assert.equal(await kind.exists(), false);
  });
});

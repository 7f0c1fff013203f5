import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ETCD_VERSION, K8S_VERSION } from '../support/control-plane/binaries.ts';
import { goSatisfies, parseGoVersion, parseKubernetesGoMod, stagingVersion, wrapperGoMod } from '../support/control-plane/gomod.ts';

const SAMPLE = `module k8s.io/kubernetes

go 1.26.0

godebug default=go1.26

require (
	go.etcd.io/etcd/api/v3 v3.7.0
	k8s.io/api v0.0.0
)

require (
	go.etcd.io/etcd/server/v3 v3.7.0 // indirect
)

replace (
	k8s.io/api => ./staging/src/k8s.io/api
	k8s.io/streaming => ./staging/src/k8s.io/streaming
	example.com/other => example.com/other v1.0.0
)
`;

test('parses the staging replaces, go directive, godebug and requires', () => {
  const m = parseKubernetesGoMod(SAMPLE);
  assert.equal(m.go, '1.26.0');
  assert.equal(m.godebugDefault, 'go1.26');
  assert.deepEqual(m.staging, ['k8s.io/api', 'k8s.io/streaming']);
  assert.equal(m.requires.get('go.etcd.io/etcd/server/v3'), 'v3.7.0');
});

test('rewrites every staging module to the published v0.<minor>.<patch> tag', () => {
  const { text, etcdVersion } = wrapperGoMod('v1.37.2', SAMPLE);
  assert.equal(etcdVersion, 'v3.7.0');
  assert.match(text, /^\tk8s\.io\/api => k8s\.io\/api v0\.37\.2$/m);
  assert.match(text, /^\tk8s\.io\/streaming => k8s\.io\/streaming v0\.37\.2$/m);
  assert.doesNotMatch(text, /example\.com\/other/);
  assert.match(text, /^go 1\.26\.0$/m);
  assert.match(text, /^godebug default=go1\.26$/m);
  assert.match(text, /^\tk8s\.io\/kubernetes v1\.37\.2$/m);
  assert.match(text, /^\tgo\.etcd\.io\/etcd\/server\/v3 v3\.7\.0$/m);
});

test('version helpers', () => {
  assert.equal(stagingVersion('v1.34.4'), 'v0.34.4');
  assert.throws(() => stagingVersion('v1.34.0-rc.1'));
  assert.deepEqual(parseGoVersion('go version go1.26.8 linux/amd64'), [1, 26, 8]);
  assert.ok(goSatisfies([1, 26, 8], '1.26.0'));
  assert.ok(goSatisfies([1, 26, 0], '1.26'));
  assert.ok(!goSatisfies([1, 25, 9], '1.26.0'));
  assert.ok(!goSatisfies([1, 26, 0], '1.26.1'));
});

test('the committed control-plane/go.mod is what the generator makes from the pinned release', (t) => {
  const gomodcache = process.env.GOMODCACHE || join(process.env.HOME ?? '/root', 'go', 'pkg', 'mod');
  const upstream = join(gomodcache, 'cache', 'download', 'k8s.io', 'kubernetes', '@v', `${K8S_VERSION}.mod`);
  if (!existsSync(upstream)) return t.skip(`k8s.io/kubernetes@${K8S_VERSION} go.mod not in the module cache`);
  const { text, etcdVersion } = wrapperGoMod(K8S_VERSION, readFileSync(upstream, 'utf8'));
  assert.equal(etcdVersion, ETCD_VERSION);
  assert.equal(readFileSync(new URL('../control-plane/go.mod', import.meta.url), 'utf8'), text);
});

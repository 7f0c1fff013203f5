/**
 * Defaulting and encoding as kube-apiserver v1.37.2 does them, so that a StatefulSet's
 * ControllerRevision names equal upstream's for the same spec (issue 11, item 6).
 *
 * test/fixtures/revision-names/names.json holds, for each manifest beside it, what upstream's
 * own code makes of it: the revision name and data kube-controller-manager computes and the
 * spec and status kube-apiserver stores. They were produced by
 * test/fixtures/revision-names/upstream/main.go (its header says how to build and run it).
 * Against a running upstream (`npm run local-cluster`), the same comparison is:
 *
 *   kubectl apply -f test/fixtures/revision-names/web.yaml
 *   kubectl get controllerrevisions -l app=nginx -o name    # controllerrevision.apps/web-66b655ddb7
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { V1StatefulSet } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { canonicalJson, getPatch, newRevision } from '../reference/controllers/statefulset/revisions.ts';
import { imageTag } from '../reference/apiserver/kinds/podspec.ts';
import { startTestServer, type TestServer } from './apiserver-helpers.ts';

const dir = new URL('./fixtures/revision-names/', import.meta.url);
const upstream = JSON.parse(readFileSync(new URL('names.json', dir), 'utf8')) as Record<string, { name: string; data: unknown; storedSpec: unknown; storedStatus: unknown }>;

let t: TestServer;
const ns = 'defaulting';
before(async () => {
  t = await startTestServer();
  await t.core.createNamespace({ body: { metadata: { name: ns } } });
});
after(() => t.api.close());

describe('ControllerRevision names equal upstream v1.37.2 for the same spec', () => {
  for (const [file, expected] of Object.entries(upstream)) {
    it(`${file}: ${expected.name}, and the stored spec is upstream's`, async () => {
      const manifest = parse(readFileSync(new URL(file, dir), 'utf8')) as V1StatefulSet;
      const created = await t.raw('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, manifest);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.deepEqual(created.body.spec, expected.storedSpec);
      assert.deepEqual(created.body.status, expected.storedStatus);
      // What the reference controller computes, from the set as its informer decodes it.
      const set = await t.apps.readNamespacedStatefulSet({ namespace: ns, name: manifest.metadata!.name! });
      assert.equal(canonicalJson(getPatch(set)), canonicalJson(expected.data));
      assert.equal(newRevision(set, 1, set.status?.collisionCount).metadata?.name, expected.name);
      await t.apps.deleteNamespacedStatefulSet({ namespace: ns, name: manifest.metadata!.name! });
    });
  }

  it('hashes strings as Go writes them (<, > and & escaped)', () => {
    assert.equal(canonicalJson({ b: 'a & <b>', a: ['\u2028'] }), '{"a":["\\u2028"],"b":"a \\u0026 \\u003cb\\u003e"}');
  });
});

describe('defaulting: pod templates versus pods (pkg/apis/core/v1/defaults.go)', () => {
  const template = {
    metadata: { labels: { app: 'd' } },
    spec: {
      terminationGracePeriodSeconds: -3,
      containers: [{ name: 'c', image: 'nginx', resources: { limits: { cpu: '1' } }, readinessProbe: { httpGet: { port: 80 } } }],
    },
  };

  it('a StatefulSet template gets SetDefaults_PodSpec only: no enableServiceLinks, no requests from limits, grace period kept', async () => {
    const r = await t.raw('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, {
      metadata: { name: 'd' },
      spec: { selector: { matchLabels: { app: 'd' } }, serviceName: 'd', template },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const spec = r.body.spec.template.spec;
    assert.equal(spec.enableServiceLinks, undefined);
    assert.equal(spec.terminationGracePeriodSeconds, -3);
    assert.deepEqual(spec.containers[0].resources, { limits: { cpu: '1' } });
    assert.equal(spec.containers[0].imagePullPolicy, 'Always');
    assert.deepEqual(spec.containers[0].readinessProbe, { httpGet: { path: '/', port: 80, scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    assert.deepEqual(r.body.spec.template.metadata, { labels: { app: 'd' } });
  });

  it('a pod gets SetDefaults_Pod too: enableServiceLinks, requests from limits, a negative grace period made 1', async () => {
    const r = await t.raw('POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name: 'd-0', labels: { app: 'd' } }, spec: template.spec });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const spec = r.body.spec;
    assert.equal(spec.enableServiceLinks, true);
    assert.equal(spec.terminationGracePeriodSeconds, 1);
    assert.deepEqual(spec.containers[0].resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
  });

  it('serviceAccount mirrors serviceAccountName (DeprecatedServiceAccount)', async () => {
    const r = await t.raw('POST', `/api/v1/namespaces/${ns}/pods`, { metadata: { name: 'sa' }, spec: { serviceAccount: 'old', containers: [{ name: 'c', image: 'x:1' }] } });
    assert.equal(r.body.spec.serviceAccountName, 'old');
    assert.equal(r.body.spec.serviceAccount, 'old');
  });

  it('imagePullPolicy follows parsers.ParseImageName: Always only for an explicit or implied latest tag', () => {
    assert.equal(imageTag('nginx'), 'latest');
    assert.equal(imageTag('nginx:latest'), 'latest');
    assert.equal(imageTag('registry.k8s.io/pause:3.10'), '3.10');
    assert.equal(imageTag('localhost:5000/a/b'), 'latest');
    assert.equal(imageTag(`x@sha256:${'a'.repeat(64)}`), '');
    assert.equal(imageTag('Nginx'), ''); // not a valid reference: IfNotPresent
  });
});

describe('encoding: what encoding/json leaves out and puts in', () => {
  it('drops readOnly: false, empty label maps and empty strings of omitempty fields; writes null times and {} structs', async () => {
    const r = await t.raw('POST', `/api/v1/namespaces/${ns}/pods`, {
      metadata: { name: 'enc', labels: {}, annotations: {} },
      spec: {
        nodeName: '',
        containers: [{ name: 'c', image: 'x:1', volumeMounts: [{ name: 'v', mountPath: '/v', readOnly: false }] }],
        volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c', readOnly: false } }],
      },
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal('labels' in r.body.metadata, false);
    assert.equal('annotations' in r.body.metadata, false);
    assert.equal('nodeName' in r.body.spec, false);
    assert.deepEqual(r.body.spec.volumes, [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }]);
    assert.deepEqual(r.body.spec.containers[0].volumeMounts, [{ name: 'v', mountPath: '/v' }]);
    assert.deepEqual(r.body.spec.containers[0].resources, {});
  });

  it('removing the last label leaves no labels: {} behind, and is a change', async () => {
    const created = await t.raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name: 'l', labels: { a: 'b' } } });
    const patched = await t.raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/l`, { metadata: { labels: { a: null } } }, { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200);
    assert.equal('labels' in patched.body.metadata, false);
    assert.notEqual(patched.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
  });
});

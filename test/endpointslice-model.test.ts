import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Node, V1Pod, V1Service } from '@kubernetes/client-node';
import { desiredSlices, MAX_ENDPOINTS_PER_SLICE, sliceLabels } from '../reference/controllers/endpointslice-model.ts';

const svc = (extra: Partial<V1Service['spec']> = {}): V1Service => ({
  metadata: { name: 'nginx', namespace: 'ns', labels: { app: 'nginx' } },
  spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 'http', protocol: 'TCP' }], ...extra },
});
const node: V1Node = { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'z1' } } };
function pod(name: string, opts: { ready?: boolean; ip?: string; deleting?: boolean; phase?: string; nodeName?: string } = {}): V1Pod {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: { app: 'nginx' }, deletionTimestamp: opts.deleting ? new Date() : undefined },
    spec: { hostname: name, subdomain: 'nginx', nodeName: opts.nodeName ?? 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: opts.phase ?? 'Running', podIP: opts.ip, conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
}
const nodeOf = (n: string) => (n === 'n1' ? node : undefined);

test('endpoints: ready/serving/terminating, hostname when subdomain matches, named port resolved', () => {
  const [slice] = desiredSlices(
    svc(),
    [pod('web-1', { ip: '10.0.0.2', ready: false }), pod('web-0', { ip: '10.0.0.1' }), pod('web-2', { ip: '10.0.0.3', deleting: true }), pod('web-3')],
    nodeOf,
  );
  assert.deepEqual(slice!.ports, [{ name: 'web', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(
    slice!.endpoints.map((e) => [e.addresses[0], e.hostname, e.conditions, e.zone, e.nodeName]),
    [
      ['10.0.0.1', 'web-0', { ready: true, serving: true, terminating: false }, 'z1', 'n1'],
      ['10.0.0.2', 'web-1', { ready: false, serving: false, terminating: false }, 'z1', 'n1'],
      ['10.0.0.3', 'web-2', { ready: false, serving: true, terminating: true }, 'z1', 'n1'],
    ],
  );
});

test('publishNotReadyAddresses makes every endpoint ready and keeps pods of missing nodes', () => {
  const pods = [pod('web-0', { ip: '10.0.0.1', ready: false }), pod('web-1', { ip: '10.0.0.2', nodeName: 'gone' })];
  assert.deepEqual(desiredSlices(svc(), pods, nodeOf)[0]!.endpoints.map((e) => e.addresses[0]), ['10.0.0.1']);
  const published = desiredSlices(svc({ publishNotReadyAddresses: true }), pods, nodeOf)[0]!;
  assert.deepEqual(published.endpoints.map((e) => [e.addresses[0], e.conditions?.ready]), [['10.0.0.1', true], ['10.0.0.2', true]]);
});

test('terminal pods are left out; no endpoints gives one placeholder slice; hostname only for the matching subdomain', () => {
  assert.deepEqual(desiredSlices(svc(), [pod('web-0', { ip: '10.0.0.1', phase: 'Failed' })], nodeOf), [{ ports: [], endpoints: [] }]);
  const other = { ...svc(), metadata: { name: 'other', namespace: 'ns' } };
  assert.equal(desiredSlices(other, [pod('web-0', { ip: '10.0.0.1' })], nodeOf)[0]!.endpoints[0]!.hostname, undefined);
});

test('slices hold at most MAX_ENDPOINTS_PER_SLICE endpoints; labels mark headless services', () => {
  const pods = Array.from({ length: 250 }, (_, i) => pod(`web-${i}`, { ip: `10.0.${i >> 8}.${i & 255}` }));
  assert.deepEqual(desiredSlices(svc(), pods, nodeOf).map((s) => s.endpoints.length), [MAX_ENDPOINTS_PER_SLICE, MAX_ENDPOINTS_PER_SLICE, 50]);
  assert.deepEqual(sliceLabels(svc()), {
    app: 'nginx',
    'kubernetes.io/service-name': 'nginx',
    'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io',
    'service.kubernetes.io/headless': '',
  });
});

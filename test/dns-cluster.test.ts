import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import { DiscoveryV1Api, type CoreV1Api, type V1EndpointSlice, type V1Pod } from '@kubernetes/client-node';
import { strategicMergePatch } from '../reference/controllers/api-util.ts';
import { startEndpointSliceController } from '../reference/controllers/endpointslice.ts';
import type { Informer } from '../reference/controllers/runtime.ts';
import { startScheduler } from '../reference/controllers/scheduler.ts';
import { startDnsServer } from '../reference/dns/index.ts';
import { startNodeSimulator } from '../reference/nodes/index.ts';
import { startTestCluster, until, type TestCluster } from './nodes-harness.ts';

const NS = 'dnsns';
const GATE = 'conformance.example.com/ready';
const ZONE = 'cluster.local';
let env: TestCluster;
let core: CoreV1Api;
let slices: Informer<V1EndpointSlice>;
let resolver: dns.promises.Resolver;

const pod = (name: string, gate: boolean): V1Pod => ({
  metadata: { name, labels: { app: 'nginx' } },
  spec: {
    hostname: name,
    subdomain: 'nginx',
    containers: [{ name: 'nginx', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }],
    readinessGates: gate ? [{ conditionType: GATE }] : undefined,
  },
});

before(async () => {
  env = await startTestCluster({ namespace: NS });
  core = env.core;
  const { kc, opts } = env;
  env.add(await startScheduler(kc, opts));
  env.add(await startEndpointSliceController(kc, opts));
  env.add(await startNodeSimulator(kc, { ...opts, nodes: 2 }));
  const server = await startDnsServer(kc, { ...opts, port: 0 });
  env.add({ stop: () => server.close() });
  resolver = new dns.promises.Resolver({ timeout: 1000, tries: 1 });
  resolver.setServers([`127.0.0.1:${server.port}`]);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  slices = await env.informer<V1EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices`, 'V1EndpointSlice',
    () => discovery.listNamespacedEndpointSlice({ namespace: NS }));
});

after(() => env.stop());

const readyHosts = (all: V1EndpointSlice[]) =>
  all.flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).map((e) => e.hostname).sort();

test('headless Service: slices list ready pods with hostnames; DNS answers A and SRV for ready pods only', async () => {
  await core.createNamespacedService({
    namespace: NS,
    body: { metadata: { name: 'nginx' }, spec: { clusterIP: 'None', selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80, targetPort: 'http' }] } },
  });
  await core.createNamespacedPod({ namespace: NS, body: pod('web-0', false) });
  await core.createNamespacedPod({ namespace: NS, body: pod('web-1', true) });

  await until(slices, (all) => all.flatMap((s) => s.endpoints ?? []).length === 2 && readyHosts(all).join() === 'web-0', 'two endpoints, web-0 ready');
  const slice = slices.list()[0]!;
  assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'nginx');
  assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
  assert.equal(slice.metadata?.ownerReferences?.[0]?.kind, 'Service');
  assert.deepEqual(slice.ports?.map((p) => ({ ...p })), [{ name: 'web', port: 8080, protocol: 'TCP' }]);

  const web0 = (await core.readNamespacedPod({ name: 'web-0', namespace: NS })).status?.podIP;
  assert.deepEqual(await resolver.resolve4(`web-0.nginx.${NS}.svc.${ZONE}`), [web0]);
  await assert.rejects(resolver.resolve4(`web-1.nginx.${NS}.svc.${ZONE}`), { code: 'ENOTFOUND' });
  assert.deepEqual((await resolver.resolveSrv(`_web._tcp.nginx.${NS}.svc.${ZONE}`)).map((s) => [s.name, s.port]), [[`web-0.nginx.${NS}.svc.${ZONE}`, 8080]]);

  // The harness opens web-1's readiness gate: it becomes Ready and resolvable.
  await core.patchNamespacedPodStatus(
    { name: 'web-1', namespace: NS, body: { status: { conditions: [{ type: GATE, status: 'True', lastTransitionTime: env.clock.now() }] } } },
    strategicMergePatch(),
  );
  await until(slices, (all) => readyHosts(all).join() === 'web-0,web-1', 'both ready');
  const web1 = (await core.readNamespacedPod({ name: 'web-1', namespace: NS })).status?.podIP;
  assert.deepEqual(await resolver.resolve4(`web-1.nginx.${NS}.svc.${ZONE}`), [web1]);
  assert.deepEqual((await resolver.resolve4(`nginx.${NS}.svc.${ZONE}`)).sort(), [web0, web1].sort());
  assert.equal((await resolver.resolveSrv(`_web._tcp.nginx.${NS}.svc.${ZONE}`)).length, 2);
});

test('deleted pod: endpoint goes terminating (not ready), then away; a recreated pod resolves under the same name', async () => {
  await core.deleteNamespacedPod({ name: 'web-0', namespace: NS });
  await until(slices, (all) => readyHosts(all).join() === 'web-1', 'web-0 not ready while terminating');
  await assert.rejects(resolver.resolve4(`web-0.nginx.${NS}.svc.${ZONE}`), { code: 'ENOTFOUND' });
  await until(slices, (all) => !all.flatMap((s) => s.endpoints ?? []).some((e) => e.hostname === 'web-0'), 'web-0 endpoint removed');
  await core.createNamespacedPod({ namespace: NS, body: pod('web-0', false) });
  await until(slices, (all) => readyHosts(all).join() === 'web-0,web-1', 'web-0 back');
  const ip = (await core.readNamespacedPod({ name: 'web-0', namespace: NS })).status?.podIP;
  assert.deepEqual(await resolver.resolve4(`web-0.nginx.${NS}.svc.${ZONE}`), [ip]);
});

test('publishNotReadyAddresses: not-ready pods are published', async () => {
  await core.createNamespacedService({
    namespace: NS,
    body: { metadata: { name: 'nginx-all' }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'nginx' }, ports: [{ name: 'web', port: 80 }] } },
  });
  await core.patchNamespacedPodStatus(
    { name: 'web-1', namespace: NS, body: { status: { conditions: [{ type: GATE, status: 'False', lastTransitionTime: env.clock.now() }] } } },
    strategicMergePatch(),
  );
  await until(slices, (all) => readyHosts(all.filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'nginx')).join() === 'web-0', 'web-1 unready in nginx');
  await until(slices, (all) => all.filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === 'nginx-all').flatMap((s) => s.endpoints ?? []).filter((e) => e.conditions?.ready).length === 2, 'nginx-all publishes both');
  // Hostnames belong to the Service named by the pods' subdomain only: here they are dashed IPs.
  assert.equal((await resolver.resolve4(`nginx-all.${NS}.svc.${ZONE}`)).length, 2);
});

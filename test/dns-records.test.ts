import { test } from 'node:test';
import assert from 'node:assert/strict';
import dns from 'node:dns';
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { Answer } from 'dns-packet';
import { DnsRecords, type DnsSource } from '../reference/dns/records.ts';
import { serveDns } from '../reference/dns/server.ts';

const headless: V1Service = {
  metadata: { name: 'nginx', namespace: 'ns1' },
  spec: { clusterIP: 'None', ports: [{ name: 'web', port: 80, protocol: 'TCP' }] },
};
const clusterIp: V1Service = {
  metadata: { name: 'api', namespace: 'ns1' },
  spec: { clusterIP: '10.96.0.10', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] },
};
const slice: V1EndpointSlice = {
  metadata: { name: 'nginx-abc', namespace: 'ns1', labels: { 'kubernetes.io/service-name': 'nginx' } },
  addressType: 'IPv4',
  ports: [{ name: 'web', port: 8080, protocol: 'TCP' }],
  endpoints: [
    { addresses: ['10.244.0.2'], hostname: 'web-0', conditions: { ready: true } },
    { addresses: ['10.244.16.2'], hostname: 'web-1', conditions: { ready: true } },
    { addresses: ['10.244.32.2'], hostname: 'web-2', conditions: { ready: false, serving: false } },
    { addresses: ['10.244.32.3'] },
  ],
};

const dataOf = (a: Answer): unknown => (a as { data?: unknown }).data;

const source: DnsSource = {
  service: (ns, name) => [headless, clusterIp].find((s) => s.metadata?.namespace === ns && s.metadata.name === name),
  slices: (ns, svc) => (ns === 'ns1' && svc === 'nginx' ? [slice] : []),
};

test('records: headless service, endpoints, SRV, not-ready endpoints left out', () => {
  const r = new DnsRecords(source);
  const svc = r.lookup('nginx.ns1.svc.cluster.local', 'A');
  assert.equal(svc.rcode, 'NOERROR');
  assert.deepEqual(svc.answers.map(dataOf).sort(), ['10.244.0.2', '10.244.16.2', '10.244.32.3']);
  assert.deepEqual(r.lookup('web-1.nginx.ns1.svc.cluster.local.', 'A').answers.map(dataOf), ['10.244.16.2']);
  assert.equal(r.lookup('web-2.nginx.ns1.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  // An endpoint without hostname is named by its dashed IP.
  assert.deepEqual(r.lookup('10-244-32-3.nginx.ns1.svc.cluster.local', 'A').answers.map(dataOf), ['10.244.32.3']);
  const srv = r.lookup('_web._tcp.nginx.ns1.svc.cluster.local', 'SRV');
  assert.equal(srv.answers.length, 3);
  assert.equal(srv.additionals.length, 3);
  assert.equal(r.lookup('nope.ns1.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
  assert.equal(r.lookup('example.com', 'A').rcode, 'REFUSED');
  // The name exists but has no AAAA records: NODATA.
  assert.deepEqual(r.lookup('nginx.ns1.svc.cluster.local', 'AAAA'), { rcode: 'NOERROR', answers: [], additionals: [] });
});

test('records: ClusterIP service answers with its ClusterIP', () => {
  const r = new DnsRecords(source);
  assert.deepEqual(r.lookup('api.ns1.svc.cluster.local', 'A').answers.map(dataOf), ['10.96.0.10']);
  const srv = r.lookup('_http._tcp.api.ns1.svc.cluster.local', 'SRV');
  assert.deepEqual(srv.answers.map(dataOf), [{ priority: 0, weight: 100, port: 8080, target: 'api.ns1.svc.cluster.local' }]);
  assert.equal(r.lookup('web-0.api.ns1.svc.cluster.local', 'A').rcode, 'NXDOMAIN');
});

test('server: node resolver over UDP gets A and SRV answers, ENOTFOUND for unknown names', async () => {
  const server = await serveDns(new DnsRecords(source), { host: '127.0.0.1', port: 0 });
  try {
    const resolver = new dns.promises.Resolver({ timeout: 1000, tries: 1 });
    resolver.setServers([`127.0.0.1:${server.port}`]);
    assert.deepEqual(await resolver.resolve4('web-0.nginx.ns1.svc.cluster.local'), ['10.244.0.2']);
    const srv = await resolver.resolveSrv('_web._tcp.nginx.ns1.svc.cluster.local');
    assert.deepEqual(srv.map((s) => s.name).sort(), [
      '10-244-32-3.nginx.ns1.svc.cluster.local',
      'web-0.nginx.ns1.svc.cluster.local',
      'web-1.nginx.ns1.svc.cluster.local',
    ]);
    assert.ok(srv.every((s) => s.port === 8080));
    await assert.rejects(resolver.resolve4('web-9.nginx.ns1.svc.cluster.local'), { code: 'ENOTFOUND' });
    await assert.rejects(resolver.resolve4('nginx.ns1.svc.cluster.local'.replace('nginx', 'nginx2')), { code: 'ENOTFOUND' });
  } finally {
    await server.close();
  }
});

test('server: answers over TCP with a length-prefixed message', async () => {
  const { default: dnsPacket } = await import('dns-packet');
  const net = await import('node:net');
  const server = await serveDns(new DnsRecords(source), { host: '127.0.0.1', port: 0 });
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      const socket = net.connect(server.port, '127.0.0.1', () => {
        socket.write(dnsPacket.streamEncode({ type: 'query', id: 7, questions: [{ type: 'A', name: 'web-1.nginx.ns1.svc.cluster.local' }] }));
      });
      let buf = Buffer.alloc(0);
      socket.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        if (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          socket.end();
          resolve(buf);
        }
      });
      socket.on('error', reject);
    });
    const decoded = dnsPacket.streamDecode(reply) as ReturnType<typeof dnsPacket.decode>;
    assert.equal(decoded.id, 7);
    assert.ok(decoded.flag_aa);
    assert.deepEqual(decoded.answers?.map(dataOf), ['10.244.16.2']);
  } finally {
    await server.close();
  }
});

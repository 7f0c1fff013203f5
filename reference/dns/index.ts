/**
 * Cluster DNS for the reference target: a small authoritative server for the cluster zone on
 * loopback (UDP and TCP), answering from Service and EndpointSlice informers — the records of
 * `records.ts`. Wire format by `dns-packet`.
 */
import { CoreV1Api, DiscoveryV1Api, KubeConfig, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import { type ComponentOptions, informersFor } from '../controllers/runtime.ts';
import { DnsRecords, SERVICE_NAME_LABEL } from './records.ts';
import { serveDns } from './server.ts';

export { DnsRecords, type DnsSource } from './records.ts';
export { serveDns } from './server.ts';

export interface DnsServerOptions extends ComponentOptions {
  /** 0 (default) picks a free port; UDP and TCP share it. */
  port?: number;
  host?: string;
  zone?: string;
}

export async function startDnsServer(kc: KubeConfig, opts: DnsServerOptions): Promise<{ port: number; close(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const host = opts.host ?? '127.0.0.1';
  const zone = (opts.zone ?? 'cluster.local').replace(/\.$/, '');
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const services = informers.informer<V1Service>('/api/v1/services', 'V1Service', () => core.listServiceForAllNamespaces());
  const slices = informers.informer<V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', 'V1EndpointSlice', () => discovery.listEndpointSliceForAllNamespaces());
  await Promise.all([services.start(), slices.start()]);

  const records = new DnsRecords(
    {
      service: (ns, name) => services.get(name, ns),
      slices: (ns, svc) => slices.list(ns).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === svc),
    },
    zone,
  );
  const server = await serveDns(records, { host, port: opts.port ?? 0 });

  return {
    port: server.port,
    async close() {
      await Promise.all([server.close(), services.stop(), slices.stop()]);
    },
  };
}

/**
 * DNS look-ups from the harness's own process, with node's resolver, against a DNS server on
 * loopback: the reference plane's and the control plane's CoreDNS. (On a real cluster the
 * harness asks from inside it instead: cluster-dns.ts.)
 */
import { Resolver } from 'node:dns/promises';
import type { DnsAnswer } from './target.ts';

/** Resolves `name` against one server ("127.0.0.1:PORT"); NXDOMAIN / no data is an empty answer. */
export async function resolveAt(server: string, name: string, type: 'A' | 'SRV'): Promise<DnsAnswer[]> {
  const resolver = new Resolver({ timeout: 2000, tries: 2 });
  resolver.setServers([server]);
  try {
    if (type === 'A') return (await resolver.resolve4(name)).map((address) => ({ type, name, address }));
    return (await resolver.resolveSrv(name)).map((r) => ({ type, name, target: r.name, port: r.port, priority: r.priority, weight: r.weight }));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOTFOUND' || code === 'ENODATA') return [];
    throw err;
  }
}

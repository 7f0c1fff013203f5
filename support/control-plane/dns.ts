/** DNS look-ups against the control plane's CoreDNS, with node's own resolver. */
import { Resolver } from 'node:dns/promises';

export type DnsRecord =
  | { type: 'A'; name: string; address: string }
  | { type: 'SRV'; name: string; target: string; port: number; priority: number; weight: number };

/** Resolves `name` against one server ("127.0.0.1:PORT"); NXDOMAIN / no data is an empty answer. */
export async function resolveAt(server: string, name: string, type: 'A' | 'SRV'): Promise<DnsRecord[]> {
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

/**
 * The Kubernetes DNS specification (kubernetes/dns `docs/specification.md`) as CoreDNS's
 * `kubernetes` plugin answers it, computed from Services and EndpointSlices:
 * - `<svc>.<ns>.svc.<zone>` A: the ClusterIP, or for a headless Service every ready endpoint IP;
 * - `<endpoint>.<svc>.<ns>.svc.<zone>` A (headless): that endpoint's IP, where the endpoint's
 *   name is its `hostname`, else its dashed IP (`endpointHostname`);
 * - `_<port>._<proto>.<svc>.<ns>.svc.<zone>` SRV: per ready endpoint, target the endpoint name
 *   (headless) or the Service name, with the A records as additionals;
 * - `<a-b-c-d>.<ns>.pod.<zone>` A: the IP spelled in the name (`pods insecure`).
 * Endpoints with `conditions.ready == false` are left out (nil counts as ready). A name with
 * no records is NXDOMAIN, as `errNoItems` is in CoreDNS.
 */
import type { V1EndpointSlice, V1Service } from '@kubernetes/client-node';
import type { Answer, SrvAnswer, StringAnswer } from 'dns-packet';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface DnsSource {
  service(namespace: string, name: string): V1Service | undefined;
  slices(namespace: string, service: string): V1EndpointSlice[];
}

export type Rcode = 'NOERROR' | 'NXDOMAIN' | 'REFUSED';

export interface Lookup {
  rcode: Rcode;
  answers: Answer[];
  additionals: Answer[];
}

interface ReadyEndpoint {
  name: string;
  ip: string;
  ports: Array<{ name: string; protocol: string; port: number }>;
}

const NONE: Lookup = { rcode: 'NXDOMAIN', answers: [], additionals: [] };

function isHeadless(svc: V1Service): boolean {
  return svc.spec?.clusterIP === 'None';
}

function readyEndpoints(source: DnsSource, namespace: string, service: string): ReadyEndpoint[] {
  const out: ReadyEndpoint[] = [];
  const seen = new Set<string>();
  for (const slice of source.slices(namespace, service)) {
    if (slice.addressType !== 'IPv4') continue;
    const ports = (slice.ports ?? []).map((p) => ({ name: p.name ?? '', protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port ?? 0 }));
    for (const ep of slice.endpoints ?? []) {
      if (ep.conditions?.ready === false) continue;
      for (const ip of ep.addresses.slice(0, 1)) {
        const name = ep.hostname || ip.replaceAll('.', '-');
        if (seen.has(`${name}/${ip}`)) continue;
        seen.add(`${name}/${ip}`);
        out.push({ name, ip, ports });
      }
    }
  }
  return out;
}

export class DnsRecords {
  constructor(
    private readonly source: DnsSource,
    readonly zone = 'cluster.local',
    private readonly ttl = 0,
  ) {}

  private a(name: string, ip: string): StringAnswer {
    return { type: 'A', name, ttl: this.ttl, class: 'IN', data: ip };
  }

  /** Answers one question; `qname` without the trailing dot. */
  lookup(qname: string, qtype: string): Lookup {
    const name = qname.toLowerCase().replace(/\.$/, '');
    const zone = this.zone.toLowerCase();
    if (name !== zone && !name.endsWith(`.${zone}`)) return { rcode: 'REFUSED', answers: [], additionals: [] };
    const labels = name === zone ? [] : name.slice(0, -zone.length - 1).split('.');
    const found = this.resolve(name, labels);
    if (found.rcode !== 'NOERROR') return found;
    // The name exists; keep only the records of the asked type (NODATA when none).
    const answers = qtype === 'ANY' ? found.answers : found.answers.filter((a) => a.type === qtype);
    return { rcode: 'NOERROR', answers, additionals: answers.length ? found.additionals : [] };
  }

  private resolve(name: string, labels: string[]): Lookup {
    const n = labels.length;
    if (n === 0) return { rcode: 'NOERROR', answers: [], additionals: [] }; // the zone apex
    if (labels[n - 1] === 'pod' && n === 3) {
      const ip = labels[0]!.replaceAll('-', '.');
      return /^(\d{1,3}\.){3}\d{1,3}$/.test(ip) ? { rcode: 'NOERROR', answers: [this.a(name, ip)], additionals: [] } : NONE;
    }
    if (labels[n - 1] !== 'svc') return NONE;
    if (n === 3) return this.serviceRecords(name, labels[1]!, labels[0]!);
    if (n === 4) return this.endpointRecords(name, labels[2]!, labels[1]!, labels[0]!);
    if (n === 5 && labels[0]!.startsWith('_') && labels[1]!.startsWith('_')) {
      return this.srvRecords(name, labels[3]!, labels[2]!, labels[0]!.slice(1), labels[1]!.slice(1));
    }
    return NONE;
  }

  private serviceRecords(name: string, namespace: string, service: string): Lookup {
    const svc = this.source.service(namespace, service);
    if (!svc) return NONE;
    if (svc.spec?.type === 'ExternalName') return NONE;
    if (!isHeadless(svc)) {
      const ip = svc.spec?.clusterIP;
      if (!ip) return NONE;
      const srv = (svc.spec?.ports ?? []).filter((p) => p.name).map((p) => this.srv(name, name, p.port));
      return { rcode: 'NOERROR', answers: [this.a(name, ip), ...srv], additionals: [] };
    }
    const eps = readyEndpoints(this.source, namespace, service);
    if (eps.length === 0) return NONE;
    const answers: Answer[] = eps.map((e) => this.a(name, e.ip));
    return { rcode: 'NOERROR', answers, additionals: [] };
  }

  private endpointRecords(name: string, namespace: string, service: string, endpoint: string): Lookup {
    const svc = this.source.service(namespace, service);
    if (!svc || !isHeadless(svc)) return NONE;
    const eps = readyEndpoints(this.source, namespace, service).filter((e) => e.name === endpoint);
    if (eps.length === 0) return NONE;
    return { rcode: 'NOERROR', answers: eps.map((e) => this.a(name, e.ip)), additionals: [] };
  }

  private srv(name: string, target: string, port: number, weight = 100): SrvAnswer {
    return { type: 'SRV', name, ttl: this.ttl, class: 'IN', data: { priority: 0, weight, port, target } };
  }

  private srvRecords(name: string, namespace: string, service: string, portName: string, protocol: string): Lookup {
    const svc = this.source.service(namespace, service);
    if (!svc) return NONE;
    const svcName = `${service}.${namespace}.svc.${this.zone}`;
    if (!isHeadless(svc)) {
      const port = (svc.spec?.ports ?? []).find((p) => p.name === portName && (p.protocol ?? 'TCP').toLowerCase() === protocol);
      if (!port || !svc.spec?.clusterIP) return NONE;
      return { rcode: 'NOERROR', answers: [this.srv(name, svcName, port.port)], additionals: [this.a(svcName, svc.spec.clusterIP)] };
    }
    const eps = readyEndpoints(this.source, namespace, service).flatMap((e) =>
      e.ports.filter((p) => p.name === portName && p.protocol === protocol).map((p) => ({ ...e, port: p.port })),
    );
    if (eps.length === 0) return NONE;
    // CoreDNS splits a weight of 100 across the records of one priority.
    const weight = Math.floor(100 / eps.length);
    const answers: Answer[] = [];
    const additionals: Answer[] = [];
    for (const e of eps) {
      const target = `${e.name}.${svcName}`;
      answers.push(this.srv(name, target, e.port, weight));
      additionals.push(this.a(target, e.ip));
    }
    return { rcode: 'NOERROR', answers, additionals };
  }
}

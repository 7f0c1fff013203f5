/**
 * Mutants of the reference cluster DNS (reference/dns/): the records a headless Service gives a
 * StatefulSet's pods, and the server that answers for them.
 */
import type { Edit, Mutant } from './mutant.ts';

const RECORDS = 'reference/dns/records.ts';

function dns(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'dns', area, description, targets: ['reference'], edits };
}

export const DNS_MUTANTS: Mutant[] = [
  dns('dns-unready-endpoints-resolve', 'DNS/readiness',
    'endpoints marked not ready still get A and SRV records, so an unready pod keeps its name',
    { file: RECORDS, find: '      if (ep.conditions?.ready === false) continue;\n', replace: '' }),
  dns('dns-slices-of-any-service', 'DNS/services',
    "a Service's names are answered from every EndpointSlice of the namespace, not only its own: a pod's hostname leaks into every headless Service",
    {
      file: 'reference/dns/index.ts',
      find: 'slices: (ns, svc) => slices.list(ns).filter((s) => s.metadata?.labels?.[SERVICE_NAME_LABEL] === svc),',
      replace: 'slices: (ns, _svc) => slices.list(ns),',
    }),
  dns('dns-srv-targets-service', 'DNS/SRV',
    'SRV records of a headless Service target the Service name instead of each pod\'s own name',
    { file: RECORDS, find: '      const target = `${e.name}.${svcName}`;', replace: '      const target = svcName;' }),
  dns('dns-headless-service-one-address', 'DNS/services',
    'the name of a headless Service answers with the first ready pod only, not every ready pod',
    { file: RECORDS, find: '    const answers: Answer[] = eps.map((e) => this.a(name, e.ip));', replace: '    const answers: Answer[] = eps.slice(0, 1).map((e) => this.a(name, e.ip));' }),
];

/**
 * Output media type negotiation as kube-apiserver's (apiserver/pkg/endpoints/handlers/negotiation
 * over munnerz/goautoneg): the Accept clauses ordered by q-value, then concrete before wildcard
 * types; the first clause one of the server's serializers (JSON, YAML, protobuf, in that order)
 * matches wins. No Accept header means JSON.
 */
export type OutputFormat = 'json' | 'yaml' | 'protobuf';

interface Clause {
  type: string;
  subType: string;
  q: number;
  params: Record<string, string>;
}

const SERIALIZERS: Array<{ format: OutputFormat; type: string; subType: string }> = [
  { format: 'json', type: 'application', subType: 'json' },
  { format: 'yaml', type: 'application', subType: 'yaml' },
  { format: 'protobuf', type: 'application', subType: 'vnd.kubernetes.protobuf' },
];

/** goautoneg.ParseAccept: malformed clauses are skipped; a bad q reads as 0. */
export function parseAccept(header: string): Clause[] {
  const clauses: Clause[] = [];
  for (const raw of header.split(',')) {
    const [media = '', ...params] = raw.replace(/^ +| +$/g, '').split(';');
    const parts = media.split('/');
    const type = parts[0]!.replace(/^ +| +$/g, '');
    if (parts.length > 2 || (parts.length === 1 && type !== '*')) continue;
    const clause: Clause = { type, subType: parts.length === 1 ? '*' : parts[1]!.replace(/^ +| +$/g, ''), q: 1, params: {} };
    for (const p of params) {
      const kv = p.split('=');
      if (kv.length !== 2) continue;
      const key = kv[0]!.replace(/^ +| +$/g, '');
      if (key === 'q') {
        const q = Number(kv[1]);
        clause.q = Number.isFinite(q) && kv[1]!.trim() !== '' ? q : 0;
      } else clause.params[key] = kv[1]!.replace(/^ +| +$/g, '');
    }
    clauses.push(clause);
  }
  // sort.Sort with goautoneg's Less, which is no strict order; sort.Sort runs insertion sort
  // on up to 12 elements, so that is what is done here (a longer header is sorted the same way).
  const less = (a: Clause, b: Clause): boolean =>
    a.q > b.q || (a.type !== '*' && b.type === '*') || (a.subType !== '*' && b.subType === '*');
  for (let i = 1; i < clauses.length; i++) {
    for (let j = i; j > 0 && less(clauses[j]!, clauses[j - 1]!); j--) [clauses[j], clauses[j - 1]] = [clauses[j - 1]!, clauses[j]!];
  }
  return clauses;
}

/** The serializer the response is written with, or undefined when none is acceptable (406 upstream). */
export function negotiateOutput(accept: string | undefined): OutputFormat | undefined {
  if (!accept) return 'json';
  for (const c of parseAccept(accept)) {
    // q=0 means "not acceptable"; goautoneg keeps the clause, and so does the apiserver.
    for (const s of SERIALIZERS) {
      if ((c.type === s.type && (c.subType === s.subType || c.subType === '*')) || (c.type === '*' && c.subType === '*')) return s.format;
    }
  }
  return undefined;
}

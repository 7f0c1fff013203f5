/**
 * Headless-Service DNS, resolved through the target (a real DNS client against the reference
 * DNS server or CoreDNS; a lookup from inside a pod on real clusters), and the EndpointSlices
 * it is answered from.
 */
import { Then, When, type DataTable } from '@cucumber/cucumber';
import { PatchStrategy, setHeaderOptions, type V1EndpointSlice } from '@kubernetes/client-node';
import { expect } from 'chai';
import { fqdn, resolveUntil } from '../support/dns.ts';
import { nameList } from '../support/text.ts';
import { notYet, ok } from '../support/waiting.ts';
import type { ConformanceWorld } from '../support/world.ts';

Then('there is no Service {string}', async function (this: ConformanceWorld, name: string) {
  const services = await this.core.listNamespacedService({ namespace: this.namespace });
  expect(services.items.map((s) => s.metadata?.name)).to.not.include(name);
});

async function resolvesToPods(world: ConformanceWorld, host: string, pods: string[]): Promise<void> {
  await resolveUntil(world, `${host} to resolve to the IPs of ${pods.join(', ')}`, host, 'A', (answers) => {
    const ips = pods.map((p) => world.pod(p)?.status?.podIP);
    const want = ips.filter((ip): ip is string => !!ip).sort();
    const got = answers.map((a) => (a.type === 'A' ? a.address : '')).sort();
    return want.length === pods.length && got.join(',') === want.join(',')
      ? undefined
      : `answers [${got.join(', ')}], pod IPs [${ips.map((ip) => ip ?? 'none').join(', ')}]`;
  });
}

Then('{string} resolves to the IP(s) of pod(s) {string}', async function (this: ConformanceWorld, name: string, pods: string) {
  await resolvesToPods(this, fqdn(this, name), nameList(pods));
});

// Through a headless Service that does not name the pod's subdomain, the endpoint has no
// hostname and CoreDNS names it by its address: 10-244-0-5.<service>.
Then('the address record of pod {string} under {string} resolves to its IP', async function (this: ConformanceWorld, pod: string, service: string) {
  const ip = this.pod(pod)?.status?.podIP;
  if (!ip) throw new Error(`pod ${pod} has no IP`);
  await resolvesToPods(this, fqdn(this, `${ip.replaceAll('.', '-')}.${service}`), [pod]);
});

Then('{string} does not resolve', async function (this: ConformanceWorld, name: string) {
  const host = fqdn(this, name);
  await resolveUntil(this, `${host} not to resolve`, host, 'A', (answers) => (answers.length ? `answers ${JSON.stringify(answers)}` : undefined));
});

Then(
  'the SRV records of port {string} of Service {string} are {string}',
  async function (this: ConformanceWorld, port: string, service: string, targets: string) {
    const name = fqdn(this, `_${port}._tcp.${service}`);
    const want = nameList(targets).map((t) => fqdn(this, t)).sort();
    await resolveUntil(this, `${name} to list ${want.join(', ')}`, name, 'SRV', (answers) => {
      const got = answers.map((a) => (a.type === 'SRV' ? a.target.replace(/\.$/, '') : '')).sort();
      return got.join(',') === want.join(',') ? undefined : `targets [${got.join(', ')}]`;
    });
  },
);

When('Service {string} publishes not-ready addresses', async function (this: ConformanceWorld, name: string) {
  this.markAction();
  await this.core.patchNamespacedService(
    { name, namespace: this.namespace, body: { spec: { publishNotReadyAddresses: true } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
});

const ENDPOINT_COLUMNS = ['pod', 'hostname', 'ready', 'serving', 'terminating'] as const;

/**
 * The endpoints the EndpointSlices of a Service list, one row per pod: exactly those pods, with
 * the columns given (an empty hostname cell: no hostname; a condition cell: true or false).
 */
Then('the endpoints of Service {string} become:', async function (this: ConformanceWorld, service: string, table: DataTable) {
  const rows = table.hashes();
  const columns = Object.keys(rows[0] ?? {});
  const unknown = columns.filter((c) => !(ENDPOINT_COLUMNS as readonly string[]).includes(c));
  if (unknown.length || !columns.includes('pod')) throw new Error(`endpoint columns are ${ENDPOINT_COLUMNS.join(', ')} (pod first), got ${columns.join(', ')}`);
  const describe = (row: Record<string, string>) => columns.map((c) => `${c}=${row[c]}`).join(' ');
  const want = rows.map(describe).sort();
  await this.until(`the endpoints of Service ${service} to be [${want.join('; ')}]`, () => {
    const slices = this.timeline
      .list<V1EndpointSlice>('EndpointSlice')
      .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === service);
    const have = slices
      .flatMap((s) => s.endpoints ?? [])
      .map((e) =>
        describe({
          pod: e.targetRef?.name ?? `(address ${e.addresses.join(',')})`,
          hostname: e.hostname ?? '',
          // A nil condition reads as true for ready and serving, false for terminating (the API's documentation).
          ready: String(e.conditions?.ready ?? true),
          serving: String(e.conditions?.serving ?? e.conditions?.ready ?? true),
          terminating: String(e.conditions?.terminating ?? false),
        }),
      )
      .sort();
    return have.join(';') === want.join(';') ? ok(true) : notYet(`${slices.length} slices listing [${have.join('; ')}]`);
  });
});

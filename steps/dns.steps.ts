/**
 * Headless-Service DNS, resolved through the target (a real DNS client against the reference
 * DNS server or CoreDNS; a lookup from inside a pod on real clusters).
 */
import { Then, When } from '@cucumber/cucumber';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'chai';
import { fqdn, resolveUntil } from '../support/dns.ts';
import { nameList } from '../support/text.ts';
import type { ConformanceWorld } from '../support/world.ts';

Then('there is no Service {string}', async function (this: ConformanceWorld, name: string) {
  const services = await this.core.listNamespacedService({ namespace: this.namespace });
  expect(services.items.map((s) => s.metadata?.name)).to.not.include(name);
});

Then('{string} resolves to the IP of pod {string}', async function (this: ConformanceWorld, name: string, pod: string) {
  const host = fqdn(this, name);
  await resolveUntil(this, `${host} to resolve to the IP of ${pod}`, host, 'A', (answers) => {
    const ip = this.pod(pod)?.status?.podIP;
    const got = answers.map((a) => (a.type === 'A' ? a.address : '')).join(', ');
    return ip && got === ip ? undefined : `answers [${got}], pod IP ${ip ?? 'none'}`;
  });
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

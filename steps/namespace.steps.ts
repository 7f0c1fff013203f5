/**
 * Deleting the scenario's own namespace, and what the namespace shows while it goes.
 */
import { Then, When } from '@cucumber/cucumber';
import type { V1Namespace } from '@kubernetes/client-node';
import { expect } from 'chai';
import { isNotFound } from '../reference/api-errors.ts';
import { watchUntil } from '../support/watch-until.ts';
import type { ConformanceWorld } from '../support/world.ts';

/** A wait gives up after this many target seconds (as the timeline's waits do). */
const NAMESPACE_GONE_SECONDS = 120;

When('I delete the namespace', async function (this: ConformanceWorld) {
  this.markAction();
  await this.core.deleteNamespace({ name: this.namespace });
});

Then('the namespace is terminating', async function (this: ConformanceWorld) {
  let ns: V1Namespace | undefined;
  try {
    ns = await this.core.readNamespace({ name: this.namespace });
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
  expect(ns, `namespace ${this.namespace} is already gone`).to.not.equal(undefined);
  expect(ns!.metadata?.deletionTimestamp, 'deletionTimestamp').to.not.equal(undefined);
  expect(ns!.status?.phase, 'status.phase').to.equal('Terminating');
});

// The namespace is not on the timeline (it watches what is inside the namespace), so this wait
// watches the namespace itself, with a deadline.
Then('the namespace is gone', async function (this: ConformanceWorld) {
  const name = this.namespace;
  let last = 'not seen yet';
  await watchUntil<V1Namespace>(
    this.kc,
    '/api/v1/namespaces',
    (all) => {
      const ns = all.get(`/${name}`);
      if (ns) last = `${ns.status?.phase ?? 'no phase'}, finalizers ${(ns.spec?.finalizers ?? []).join(',') || 'none'}, conditions ${(ns.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => `${c.type}: ${c.message}`).join('; ') || 'none'}`;
      return !ns;
    },
    Math.max(this.clock.toRealMs(NAMESPACE_GONE_SECONDS * 1000), 15_000),
    `namespace ${name} to be gone`,
  ).catch((err: Error) => {
    throw new Error(`${err.message}\nLast seen: ${last}`);
  });
});

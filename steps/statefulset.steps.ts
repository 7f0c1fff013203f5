/**
 * Creating, scaling and changing StatefulSets, and waiting for them to settle.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import type { V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import { applySetting, headlessService, statefulSet } from '../support/manifests.ts';
import { isRunningAndReady, ownedBy, parseOrdinal } from '../support/pods.ts';
import { pairs } from '../support/text.ts';
import { notYet, ok } from '../support/waiting.ts';
import type { ConformanceWorld } from '../support/world.ts';

function build(name: string, replicas: number | undefined, table?: DataTable): V1StatefulSet {
  const set = statefulSet(name, replicas ?? 1);
  for (const [key, value] of table ? pairs(table.raw()) : []) applySetting(set, key, value);
  return set;
}

async function create(world: ConformanceWorld, set: V1StatefulSet): Promise<void> {
  world.markAction();
  await world.createStatefulSet(set);
}

/** Waits until the set's status and its pods agree that `replicas` pods are ready. */
export function becomesReady(world: ConformanceWorld, name: string, replicas: number): Promise<V1StatefulSet> {
  return world.until(`StatefulSet ${name} to have ${replicas} ready replicas`, () => {
    const seen = world.observedCheck(name);
    if (!seen.ok) return seen;
    const set = seen.value;
    const s: V1StatefulSetStatus = set.status ?? { replicas: 0 };
    const pods = world.pods().filter((p) => ownedBy(p, set));
    const ready = pods.filter(isRunningAndReady).length;
    const settled =
      // A real API server omits zero counts (omitempty): absent is 0.
      (s.replicas ?? 0) === replicas &&
      (s.readyReplicas ?? 0) === replicas &&
      pods.length === replicas &&
      ready === replicas;
    return settled
      ? ok(set)
      : notYet(`status replicas=${s.replicas ?? 0} ready=${s.readyReplicas ?? 0} observedGeneration=${s.observedGeneration ?? '-'}/${set.metadata?.generation}; ${pods.length} pods, ${ready} running and ready`);
  });
}

Given('a headless Service {string}', async function (this: ConformanceWorld, name: string) {
  await this.core.createNamespacedService({ namespace: this.namespace, body: headlessService(name) });
});

// A headless Service other than the set's serviceName, selecting the same pods.
Given('a headless Service {string} selecting the pods of {string}', async function (this: ConformanceWorld, name: string, set: string) {
  await this.core.createNamespacedService({ namespace: this.namespace, body: headlessService(name, statefulSet(set).spec!.selector.matchLabels) });
});

When('I create a StatefulSet {string} with {int} replica(s)', async function (this: ConformanceWorld, name: string, replicas: number) {
  await create(this, build(name, replicas));
});

When('I create a StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  await create(this, build(name, undefined, table));
});

/** The set of the table, its claims in the target's WaitForFirstConsumer class (`@needs:wffc-storage`). */
function withFirstConsumerClaims(world: ConformanceWorld, name: string, table: DataTable): V1StatefulSet {
  const set = build(name, undefined, table);
  applySetting(set, 'storageClassName', world.firstConsumerClass());
  return set;
}

When('I create a StatefulSet {string} whose claims use the first-consumer StorageClass, with:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  await create(this, withFirstConsumerClaims(this, name, table));
});

Given('a ready StatefulSet {string} with {int} replica(s)', async function (this: ConformanceWorld, name: string, replicas: number) {
  await create(this, build(name, replicas));
  await becomesReady(this, name, replicas);
});

Given('a ready StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const set = build(name, undefined, table);
  await create(this, set);
  await becomesReady(this, name, set.spec!.replicas!);
});

Given('a ready StatefulSet {string} whose claims use the first-consumer StorageClass, with:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const set = withFirstConsumerClaims(this, name, table);
  await create(this, set);
  await becomesReady(this, name, set.spec!.replicas!);
});

Then('StatefulSet {string} becomes ready with {int} replica(s)', async function (this: ConformanceWorld, name: string, replicas: number) {
  await becomesReady(this, name, replicas);
});

When('I scale StatefulSet {string} to {int}', async function (this: ConformanceWorld, name: string, replicas: number) {
  this.markAction();
  await this.patchStatefulSet(name, { spec: { replicas } });
});

When('I change StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  this.markAction();
  await this.updateStatefulSet(name, (set) => {
    for (const [key, value] of pairs(table.raw())) applySetting(set, key, value);
  });
});

/**
 * An update that changes nothing a controller acts on: upstream's controller enqueues a set on
 * every update event, so this wakes it where it waits for an object it does not watch (claims).
 */
When('StatefulSet {string} is touched', async function (this: ConformanceWorld, name: string) {
  await this.patchStatefulSet(name, { metadata: { annotations: { 'statefulset-conformance.io/touched': new Date().toISOString() } } });
});

Then('the pods of {string} are {string}', async function (this: ConformanceWorld, name: string, expected: string) {
  const set = await this.observed(name);
  const want = expected.split(',').map((s) => s.trim()).sort();
  await this.until(`the pods of ${name} to be exactly ${want.join(', ')}`, () => {
    const have = this.pods().filter((p) => ownedBy(p, set)).map((p) => p.metadata!.name!).sort();
    return have.join(',') === want.join(',') ? ok(have) : notYet(`pods ${have.join(', ') || '(none)'}`);
  });
});

Then('StatefulSet {string} has no pods', async function (this: ConformanceWorld, name: string) {
  await this.until(`StatefulSet ${name} to have no pods`, () => {
    const left = this.pods().filter((p) => parseOrdinal(p.metadata!.name!)?.parent === name);
    return left.length === 0 ? ok(true) : notYet(`pods ${left.map((p) => p.metadata!.name).join(', ')}`);
  });
  await this.until(`StatefulSet ${name} to report 0 replicas`, () => {
    const s = this.statefulSet(name)?.status;
    return (s?.replicas ?? 0) === 0 ? ok(true) : notYet(`status.replicas=${s?.replicas}`);
  });
});

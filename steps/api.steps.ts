/**
 * The StatefulSet API itself: creating from manifests, reading fields back, patches of the
 * main resource and its status and scale subresources, rejections, discovery and collections.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import { PatchStrategy, setHeaderOptions, type V1StatefulSet } from '@kubernetes/client-node';
import { expect } from 'chai';
import { yamlDocString } from '../support/docstrings.ts';
import { fieldMismatches, getPath, hasPath } from '../support/fields.ts';
import { applySetting, statefulSet } from '../support/manifests.ts';
import { nameList, pairs } from '../support/text.ts';
import { notYet, ok } from '../support/waiting.ts';
import { plain, type ConformanceWorld } from '../support/world.ts';

async function readPlain(world: ConformanceWorld, name: string): Promise<Record<string, unknown>> {
  return plain(await world.readStatefulSet(name), 'V1StatefulSet');
}

When('I create a StatefulSet from:', async function (this: ConformanceWorld, manifest: string) {
  this.markAction();
  await this.createStatefulSet(yamlDocString(manifest, this.currentStep) as V1StatefulSet);
});

When('I try to create a StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const set = statefulSet(name, 1);
  for (const [key, value] of pairs(table.raw())) applySetting(set, key, value);
  await this.attempt(() => this.createStatefulSet(set));
});

When('I patch StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, patch: string) {
  this.markAction();
  await this.patchStatefulSet(name, yamlDocString(patch, this.currentStep));
});

When('I try to patch StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, patch: string) {
  await this.attempt(() => this.patchStatefulSet(name, yamlDocString(patch, this.currentStep)));
});

When('I patch the status of StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, patch: string) {
  await this.patchStatefulSetStatus(name, yamlDocString(patch, this.currentStep));
});

When('I try to patch the status of StatefulSet {string} with:', async function (this: ConformanceWorld, name: string, patch: string) {
  await this.attempt(() => this.patchStatefulSetStatus(name, yamlDocString(patch, this.currentStep)));
});

// ---- optimistic concurrency: writes based on an earlier read ----

function readEarlier(world: ConformanceWorld, name: string): V1StatefulSet {
  const set = world.remembered.get(`read:${name}`) as V1StatefulSet | undefined;
  if (!set) throw new Error(`the scenario never read StatefulSet ${name}: say "When I read StatefulSet \"${name}\"" first`);
  return structuredClone(set);
}

When('I read StatefulSet {string}', async function (this: ConformanceWorld, name: string) {
  this.remembered.set(`read:${name}`, await this.readStatefulSet(name));
});

// A replace (PUT) carries the resourceVersion of the copy it was read as: the way kubectl
// replace, client-go's Update and every read-modify-write controller write.
When('I try to replace StatefulSet {string} with the copy I read, changed with:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const set = readEarlier(this, name);
  for (const [key, value] of pairs(table.raw())) applySetting(set, key, value);
  await this.attempt(() => this.apps.replaceNamespacedStatefulSet({ name, namespace: this.namespace, body: set }));
});

When(
  'I try to patch StatefulSet {string} with the resourceVersion I read and:',
  async function (this: ConformanceWorld, name: string, patch: string) {
    const body = yamlDocString(patch, this.currentStep) as { metadata?: Record<string, unknown> };
    body.metadata = { ...body.metadata, resourceVersion: readEarlier(this, name).metadata?.resourceVersion };
    await this.attempt(() => this.patchStatefulSet(name, body));
  },
);

Then('StatefulSet {string} has:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const problems = fieldMismatches(await readPlain(this, name), pairs(table.raw()));
  expect(problems, problems.join('\n')).to.deep.equal([]);
});

Then('StatefulSet {string} has no field {string}', async function (this: ConformanceWorld, name: string, path: string) {
  const value = getPath(await readPlain(this, name), path);
  expect(hasPath(await readPlain(this, name), path), `${path} is ${JSON.stringify(value)}`).to.equal(false);
});

Then('the response has:', function (this: ConformanceWorld, table: DataTable) {
  const problems = fieldMismatches(this.lastResponse, pairs(table.raw()));
  expect(problems, problems.join('\n')).to.deep.equal([]);
});

Then('the response has no field {string}', function (this: ConformanceWorld, path: string) {
  expect(hasPath(this.lastResponse, path), `${path} is ${JSON.stringify(getPath(this.lastResponse, path))}`).to.equal(false);
});

Then('in the response, {string} is not {string}', function (this: ConformanceWorld, path: string, value: string) {
  expect(String(getPath(this.lastResponse, path))).not.to.equal(value);
});

Then('the request is rejected as {string} on field {string}', function (this: ConformanceWorld, reason: string, field: string) {
  const error = this.lastError;
  expect(error, 'the request was accepted').to.not.equal(undefined);
  expect(error!.status?.reason, error!.message).to.equal(reason);
  const fields = (error!.status?.details?.causes ?? []).map((c) => c.field);
  expect(fields, `causes of: ${error!.message}`).to.include(field);
});

Then('the request is rejected as {string} with a message containing {string}', function (this: ConformanceWorld, reason: string, text: string) {
  const error = this.lastError;
  expect(error, 'the request was accepted').to.not.equal(undefined);
  expect(error!.status?.reason, error!.message).to.equal(reason);
  expect(error!.message).to.contain(text);
});

Then('the response carries a warning containing {string}', function (this: ConformanceWorld, text: string) {
  expect(this.lastWarnings.join('\n'), 'Warning headers').to.contain(text);
});

Then('StatefulSet {string} observes its latest generation', async function (this: ConformanceWorld, name: string) {
  await this.observed(name);
});

// ---- scale subresource ----

Then('the scale of StatefulSet {string} has:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const read = await this.apps.readNamespacedStatefulSetScale({ name, namespace: this.namespace });
  const problems = fieldMismatches(plain(read, 'V1Scale'), pairs(table.raw()));
  expect(problems, problems.join('\n')).to.deep.equal([]);
});

When('I set the scale of StatefulSet {string} to {int}', async function (this: ConformanceWorld, name: string, replicas: number) {
  this.markAction();
  const scale = await this.apps.readNamespacedStatefulSetScale({ name, namespace: this.namespace });
  scale.spec = { replicas };
  await this.apps.replaceNamespacedStatefulSetScale({ name, namespace: this.namespace, body: scale });
  this.noteWrite(await this.readStatefulSet(name));
});

When('I patch the scale of StatefulSet {string} to {int}', async function (this: ConformanceWorld, name: string, replicas: number) {
  this.markAction();
  await this.apps.patchNamespacedStatefulSetScale(
    { name, namespace: this.namespace, body: { spec: { replicas } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
  this.noteWrite(await this.readStatefulSet(name));
});

// ---- discovery and collections ----

Given(
  'the API lists {string} with the short name {string} in the category {string}',
  async function (this: ConformanceWorld, resource: string, shortName: string, category: string) {
    const list = await this.apps.getAPIResources();
    const found = list.resources.find((r) => r.name === resource);
    expect(found, `apps/v1 resources: ${list.resources.map((r) => r.name).join(', ')}`).to.not.equal(undefined);
    expect(found!.shortNames ?? []).to.include(shortName);
    expect(found!.categories ?? []).to.include(category);
    const subresources = list.resources.map((r) => r.name).filter((n) => n.startsWith(`${resource}/`));
    expect(subresources).to.include.members([`${resource}/status`, `${resource}/scale`]);
  },
);

Then('listing StatefulSets with the label selector {string} gives {string}', async function (this: ConformanceWorld, selector: string, names: string) {
  const want = nameList(names).sort();
  const list = await this.apps.listNamespacedStatefulSet({ namespace: this.namespace, labelSelector: selector });
  const have = list.items.filter((s) => !s.metadata?.deletionTimestamp).map((s) => s.metadata!.name!).sort();
  expect(have).to.deep.equal(want);
});

Then('listing pods with the label selector {string} gives {string}', async function (this: ConformanceWorld, selector: string, names: string) {
  const want = nameList(names).sort();
  const list = await this.core.listNamespacedPod({ namespace: this.namespace, labelSelector: selector });
  const have = list.items.map((p) => p.metadata!.name!).sort();
  expect(have, `pods listed with the label selector ${JSON.stringify(selector)}`).to.deep.equal(want);
});

When('I delete the StatefulSets with the label selector {string}', async function (this: ConformanceWorld, selector: string) {
  this.markAction();
  await this.apps.deleteCollectionNamespacedStatefulSet({ namespace: this.namespace, labelSelector: selector });
});

Then('StatefulSet {string} exists', function (this: ConformanceWorld, name: string) {
  expect(this.statefulSet(name), `StatefulSet ${name}`).to.not.equal(undefined);
});

When('I delete StatefulSet {string}', async function (this: ConformanceWorld, name: string) {
  this.markAction();
  await this.apps.deleteNamespacedStatefulSet({ name, namespace: this.namespace });
});

When('I delete StatefulSet {string}, orphaning its dependents', async function (this: ConformanceWorld, name: string) {
  this.markAction();
  await this.apps.deleteNamespacedStatefulSet({ name, namespace: this.namespace, propagationPolicy: 'Orphan' });
});

When('I delete StatefulSet {string} in the foreground', async function (this: ConformanceWorld, name: string) {
  this.markAction();
  await this.apps.deleteNamespacedStatefulSet({ name, namespace: this.namespace, propagationPolicy: 'Foreground' });
});

Then('StatefulSet {string} is gone', async function (this: ConformanceWorld, name: string) {
  await this.until(`StatefulSet ${name} to be gone`, () => {
    const set = this.statefulSet(name);
    return set ? notYet(`it exists${set.metadata?.deletionTimestamp ? ', being deleted' : ''} with finalizers ${set.metadata?.finalizers?.join(',') || 'none'}`) : ok(true);
  });
});

Then('StatefulSet {string} is being deleted', async function (this: ConformanceWorld, name: string) {
  await this.until(`StatefulSet ${name} to be being deleted`, () => {
    const set = this.statefulSet(name);
    return set?.metadata?.deletionTimestamp ? ok(set) : notYet(set ? 'no deletionTimestamp' : 'it is gone');
  });
});

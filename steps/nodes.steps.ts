/**
 * Nodes: cordoning through the API, and stopping a node's kubelet through the target.
 * Changes to nodes outlive the scenario's namespace, so each is undone after the scenario.
 */
import { Then, When } from '@cucumber/cucumber';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { expect } from 'chai';
import type { ConformanceWorld } from '../support/world.ts';

async function setUnschedulable(world: ConformanceWorld, node: string, unschedulable: boolean): Promise<void> {
  await world.core.patchNode({ name: node, body: { spec: { unschedulable } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

async function cordon(world: ConformanceWorld, node: string): Promise<void> {
  await setUnschedulable(world, node, true);
  world.onCleanup(() => setUnschedulable(world, node, false));
}

async function schedulableNodes(world: ConformanceWorld): Promise<string[]> {
  const nodes = await world.core.listNode();
  return nodes.items.filter((n) => !n.spec?.unschedulable).map((n) => n.metadata!.name!);
}

When('I cordon the node of pod {string}', async function (this: ConformanceWorld, pod: string) {
  const node = this.nodeOf(pod);
  this.remembered.set(`node:${pod}`, node);
  await cordon(this, node);
});

When('every node is cordoned', async function (this: ConformanceWorld) {
  for (const node of await schedulableNodes(this)) await cordon(this, node);
});

When('every node is uncordoned', async function (this: ConformanceWorld) {
  const nodes = await this.core.listNode();
  this.markAction();
  for (const node of nodes.items.filter((n) => n.spec?.unschedulable)) await setUnschedulable(this, node.metadata!.name!, false);
});

function nodeBefore(world: ConformanceWorld, pod: string): string {
  const node = world.remembered.get(`node:${pod}`);
  if (typeof node !== 'string') throw new Error(`the scenario never cordoned or stopped the node of pod ${pod}, so "before" has no node`);
  return node;
}

When('I uncordon the node pod {string} ran on', async function (this: ConformanceWorld, pod: string) {
  this.markAction();
  await setUnschedulable(this, nodeBefore(this, pod), false);
});

Then('pod {string} runs on a different node than before', function (this: ConformanceWorld, pod: string) {
  expect(this.nodeOf(pod)).to.not.equal(nodeBefore(this, pod));
});

Then('pod {string} runs on the same node as before', function (this: ConformanceWorld, pod: string) {
  expect(this.nodeOf(pod)).to.equal(nodeBefore(this, pod));
});

// Remembers the node (for "runs on a different node than before") and the pod (for "is replaced").
When('the node of pod {string} stops', async function (this: ConformanceWorld, pod: string) {
  const node = this.nodeOf(pod);
  this.remembered.set('stopped-node', node);
  this.remembered.set(`node:${pod}`, node);
  this.remembered.set(`uid:${pod}`, this.pod(pod)?.metadata?.uid);
  this.markAction();
  await this.target.stopNode(node);
  this.onCleanup(() => this.target.startNode(node));
});

When('the node that stopped is started again', async function (this: ConformanceWorld) {
  const node = this.remembered.get('stopped-node');
  if (typeof node !== 'string') throw new Error('no node was stopped in this scenario');
  await this.target.startNode(node);
});

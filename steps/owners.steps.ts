/**
 * Owners besides the StatefulSet: objects a user makes co-own the set's claims, so that the
 * garbage collector must keep what one of its owners still holds.
 */
import { Given, Then } from '@cucumber/cucumber';
import { PatchStrategy, setHeaderOptions, type V1OwnerReference } from '@kubernetes/client-node';
import { DefaultRetry, retryOnConflict } from '../reference/api-errors.ts';
import { notYet, ok } from '../support/waiting.ts';
import type { ConformanceWorld } from '../support/world.ts';

Given('a ConfigMap {string}', async function (this: ConformanceWorld, name: string) {
  await this.core.createNamespacedConfigMap({ namespace: this.namespace, body: { metadata: { name }, data: { purpose: 'owner' } } });
});

// A non-controller reference, added beside the ones the claim has (the set's, with whenDeleted: Delete).
Given('claim {string} is also owned by ConfigMap {string}', async function (this: ConformanceWorld, claim: string, owner: string) {
  const map = await this.core.readNamespacedConfigMap({ name: owner, namespace: this.namespace });
  const ref: V1OwnerReference = { apiVersion: 'v1', kind: 'ConfigMap', name: owner, uid: map.metadata!.uid! };
  const result = await retryOnConflict(DefaultRetry, async () => {
    const c = await this.core.readNamespacedPersistentVolumeClaim({ name: claim, namespace: this.namespace });
    const body = { metadata: { ownerReferences: [...(c.metadata?.ownerReferences ?? []), ref], resourceVersion: c.metadata?.resourceVersion } };
    return this.core.patchNamespacedPersistentVolumeClaim(
      { name: claim, namespace: this.namespace, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  });
  await this.caughtUp('PersistentVolumeClaim', claim, result.metadata?.resourceVersion);
});

Then('claim {string} is owned only by ConfigMap {string}', async function (this: ConformanceWorld, claim: string, owner: string) {
  await this.until(`claim ${claim} to be owned by ConfigMap ${owner} alone`, () => {
    const c = this.timeline.get('PersistentVolumeClaim', claim);
    if (!c) return notYet('no such claim');
    const refs = (c.metadata?.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}`);
    return refs.length === 1 && refs[0] === `ConfigMap/${owner}` ? ok(true) : notYet(`owners: ${refs.join(', ') || 'none'}`);
  });
});

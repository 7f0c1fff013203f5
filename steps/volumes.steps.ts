/**
 * Claims made from volumeClaimTemplates, and what becomes of them.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import type { V1PersistentVolume, V1PersistentVolumeClaim, V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { matchesNodeSelector } from '../reference/controllers/node-selection.ts';
import { ownedBy, parseOrdinal } from '../support/pods.ts';
import { nameList } from '../support/text.ts';
import { notYet, ok } from '../support/waiting.ts';
import type { ConformanceWorld } from '../support/world.ts';

function claim(world: ConformanceWorld, name: string): V1PersistentVolumeClaim | undefined {
  return world.timeline.get<V1PersistentVolumeClaim>('PersistentVolumeClaim', name);
}

function describeClaim(c: V1PersistentVolumeClaim | undefined): string {
  if (!c) return 'no such claim';
  return `${c.status?.phase ?? 'Pending'}${c.metadata?.deletionTimestamp ? ', terminating' : ''}, uid ${c.metadata?.uid}`;
}

/** The scheduler's pick for a WaitForFirstConsumer claim (VolumeBinding PreBind), which the provisioner provisions on. */
const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

/** Each pod of the set with the claims its volumes name (none: the set has no pods). */
function podsAndClaims(world: ConformanceWorld, set: string): Array<{ pod: V1Pod; claims: string[] }> {
  return world
    .pods()
    .filter((p) => parseOrdinal(p.metadata!.name!)?.parent === set)
    .map((pod) => ({ pod, claims: (pod.spec?.volumes ?? []).map((v) => v.persistentVolumeClaim?.claimName).filter((c): c is string => !!c) }));
}

/** As podsAndClaims, asserting that the set has pods and each pod claims. */
function claimsOfPods(world: ConformanceWorld, set: string): Array<{ pod: V1Pod; claims: string[] }> {
  const all = podsAndClaims(world, set);
  expect(all.length, `pods of ${set}`).to.be.greaterThan(0);
  for (const { pod, claims } of all) expect(claims.length, `claims of ${pod.metadata?.name}`).to.be.greaterThan(0);
  return all;
}

/** Resource versions are opaque, but every server the suite targets serves one increasing integer counter. */
function before(a: string | undefined, b: string | undefined): boolean | undefined {
  return a && b && /^\d+$/.test(a) && /^\d+$/.test(b) ? BigInt(a) < BigInt(b) : undefined;
}

Then('claim(s) {string} is/are bound', async function (this: ConformanceWorld, names: string) {
  await this.until(`claims ${names} to be Bound`, () => {
    const unbound = nameList(names).filter((n) => claim(this, n)?.status?.phase !== 'Bound');
    return unbound.length ? notYet(unbound.map((n) => `${n}: ${describeClaim(claim(this, n))}`).join('; ')) : ok(true);
  });
});

Then('each claim of {string} was created before its pod', function (this: ConformanceWorld, set: string) {
  for (const { pod, claims } of claimsOfPods(this, set)) {
    const podAdded = this.timeline.history('Pod', pod.metadata!.name!).find((e) => e.type === 'ADDED');
    for (const c of claims) {
      // Each watch stream is ordered, and resourceVersions of one store are ordered too: a
      // claim created first carries the smaller creation resourceVersion.
      const claimAdded = this.timeline.history('PersistentVolumeClaim', c).find((e) => e.type === 'ADDED');
      expect(claimAdded, `claim ${c} was seen`).to.not.equal(undefined);
      const claimTime = new Date(claim(this, c)!.metadata!.creationTimestamp!).getTime();
      const podTime = new Date(pod.metadata!.creationTimestamp!).getTime();
      expect(claimTime, `${c} created after ${pod.metadata?.name}`).to.be.at.most(podTime);
      if (podAdded && claimAdded && /^\d+$/.test(podAdded.resourceVersion) && /^\d+$/.test(claimAdded.resourceVersion)) {
        expect(BigInt(claimAdded.resourceVersion) < BigInt(podAdded.resourceVersion), `${c} was created before ${pod.metadata?.name}`).to.equal(true);
      }
    }
  }
});

// WaitForFirstConsumer (upstream: the scheduler's VolumeBinding plugin and the PV controller's
// delayed binding): a claim gets no volume until the scheduler has chosen a node for a pod that
// uses it and written it to the claim's selected-node annotation; the volume is provisioned for
// that node and the pod is bound there once the claim is Bound.
Then("each claim of {string} stayed unbound until its pod's node was chosen", async function (this: ConformanceWorld, set: string) {
  await this.until(`the pods of ${set} to be scheduled and their claims Bound`, () => {
    const all = podsAndClaims(this, set);
    if (!all.length) return notYet(`no pods of ${set}`);
    const waiting = all.flatMap(({ pod, claims }) => [
      ...(pod.spec?.nodeName ? [] : [`${pod.metadata?.name}: not scheduled`]),
      ...claims.filter((c) => claim(this, c)?.status?.phase !== 'Bound').map((c) => `${c}: ${describeClaim(claim(this, c))}`),
    ]);
    return waiting.length ? notYet(waiting.join('; ')) : ok(true);
  });
  for (const { pod, claims } of claimsOfPods(this, set)) {
    const podName = pod.metadata!.name!;
    const podAdded = this.timeline.history('Pod', podName).find((e) => e.type === 'ADDED' && e.uid === pod.metadata?.uid);
    for (const c of claims) {
      const versions = this.timeline.history('PersistentVolumeClaim', c).filter((e) => e.uid === claim(this, c)?.metadata?.uid);
      const objects = versions.map((e) => ({ rv: e.resourceVersion, pvc: e.object as V1PersistentVolumeClaim }));
      const unselected = objects.find(({ pvc }) => (pvc.spec?.volumeName || pvc.status?.phase === 'Bound') && !pvc.metadata?.annotations?.[SELECTED_NODE]);
      if (unselected) {
        expect.fail(`${c} got volume ${unselected.pvc.spec?.volumeName ?? '-'} (phase ${unselected.pvc.status?.phase}, resourceVersion ${unselected.rv}) before a node was selected for it: it did not wait for its first consumer`);
      }
      const selected = claim(this, c)?.metadata?.annotations?.[SELECTED_NODE];
      expect(selected, `the node selected for ${c}`).to.equal(pod.spec?.nodeName);
      const firstSelected = objects.find(({ pvc }) => pvc.metadata?.annotations?.[SELECTED_NODE]);
      const after = before(podAdded?.resourceVersion, firstSelected?.rv);
      if (after !== undefined) expect(after, `the node for ${c} was selected (resourceVersion ${firstSelected?.rv}) after ${podName} was created (${podAdded?.resourceVersion})`).to.equal(true);
    }
  }
});

Then('each claim of {string} is bound to a volume pinned to the node of its pod', async function (this: ConformanceWorld, set: string) {
  const nodes = (await this.core.listNode()).items;
  for (const { pod, claims } of claimsOfPods(this, set)) {
    const podNode = pod.spec?.nodeName;
    expect(podNode, `the node of ${pod.metadata?.name}`).to.be.a('string');
    for (const c of claims) {
      const pvc = await this.core.readNamespacedPersistentVolumeClaim({ name: c, namespace: this.namespace });
      expect(pvc.status?.phase, `phase of ${c}`).to.equal('Bound');
      const pv = await this.core.readPersistentVolume({ name: pvc.spec!.volumeName! });
      const required = pv.spec?.nodeAffinity?.required;
      expect(required, `the required node affinity of volume ${pv.metadata?.name} (of ${c})`).to.not.equal(undefined);
      const matching = nodes.filter((n) => matchesNodeSelector(required!, n)).map((n) => n.metadata?.name);
      expect(matching, `the nodes volume ${pv.metadata?.name} (of ${c}) may be used on`).to.deep.equal([podNode]);
    }
  }
});

Then('claim {string} has the label {string} with value {string}', function (this: ConformanceWorld, name: string, label: string, value: string) {
  expect(claim(this, name)?.metadata?.labels?.[label]).to.equal(value);
});

Then('pod {string} mounts claim {string} as volume {string}', async function (this: ConformanceWorld, pod: string, claimName: string, volume: string) {
  const p = await this.core.readNamespacedPod({ name: pod, namespace: this.namespace });
  const v = p.spec?.volumes?.find((x) => x.name === volume);
  expect(v?.persistentVolumeClaim?.claimName, `volume ${volume} of ${pod}`).to.equal(claimName);
});

When('I remember claim {string}', async function (this: ConformanceWorld, name: string) {
  const c = await this.core.readNamespacedPersistentVolumeClaim({ name, namespace: this.namespace });
  this.remembered.set(`claim:${name}`, { uid: c.metadata?.uid, volume: c.spec?.volumeName });
});

Then('claim {string} is the one from before', async function (this: ConformanceWorld, name: string) {
  const before = this.remembered.get(`claim:${name}`) as { uid: string; volume: string } | undefined;
  if (!before) throw new Error(`the scenario never remembered claim ${name}`);
  const c = await this.core.readNamespacedPersistentVolumeClaim({ name, namespace: this.namespace });
  expect({ uid: c.metadata?.uid, volume: c.spec?.volumeName }).to.deep.equal(before);
});

Then('claim {string} is a new one', async function (this: ConformanceWorld, name: string) {
  const before = this.remembered.get(`claim:${name}`) as { uid: string } | undefined;
  if (!before) throw new Error(`the scenario never remembered claim ${name}`);
  await this.until(`claim ${name} to be recreated`, () => {
    const c = claim(this, name);
    return c && c.metadata?.uid !== before.uid && !c.metadata?.deletionTimestamp ? ok(c) : notYet(describeClaim(c));
  });
});

Then('claim {string} from before is deleted', async function (this: ConformanceWorld, name: string) {
  const before = this.remembered.get(`claim:${name}`) as { uid: string } | undefined;
  if (!before) throw new Error(`the scenario never remembered claim ${name}`);
  // On the timeline, not the live view: the controller may already have made a new one.
  await this.until(`claim ${name} (uid ${before.uid}) to be deleted`, () =>
    this.timeline.history('PersistentVolumeClaim', name).some((e) => e.type === 'DELETED' && e.uid === before.uid)
      ? ok(true)
      : notYet(describeClaim(claim(this, name))),
  );
});

Given('claim {string} has the finalizer {string}', async function (this: ConformanceWorld, name: string, finalizer: string) {
  await this.editFinalizers('claim', name, (f) => [...f, finalizer]);
});

When('I remove the finalizer {string} from claim {string}', async function (this: ConformanceWorld, finalizer: string, name: string) {
  this.markAction();
  await this.editFinalizers('claim', name, (f) => f.filter((x) => x !== finalizer));
});

When('I delete claim {string}', async function (this: ConformanceWorld, name: string) {
  this.markAction();
  await this.core.deleteNamespacedPersistentVolumeClaim({ name, namespace: this.namespace });
});

/**
 * The volume a remembered claim was bound to, followed on the timeline from now on (volumes are
 * cluster-scoped: the timeline watches only those a step asks for).
 */
async function volumeOfRememberedClaim(world: ConformanceWorld, name: string): Promise<{ volume: string; claimUid: string }> {
  const before = world.remembered.get(`claim:${name}`) as { uid: string; volume?: string } | undefined;
  if (!before?.volume) throw new Error(`the scenario never remembered claim ${name} bound to a volume`);
  await world.timeline.followVolume(before.volume);
  return { volume: before.volume, claimUid: before.uid };
}

function describeVolume(pv: V1PersistentVolume | undefined): string {
  if (!pv) return 'no such volume';
  return `${pv.status?.phase ?? 'Pending'}, claim uid ${pv.spec?.claimRef?.uid ?? '(none)'}${pv.metadata?.deletionTimestamp ? ', terminating' : ''}`;
}

When('I delete the volume of claim {string}', async function (this: ConformanceWorld, name: string) {
  const { volume } = await volumeOfRememberedClaim(this, name);
  this.markAction();
  await this.core.deletePersistentVolume({ name: volume });
});

Then('claim {string} stays terminating for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  const terminating = () => {
    const c = claim(this, name);
    return c?.metadata?.deletionTimestamp ? ok(true) : notYet(describeClaim(c));
  };
  await this.until(`claim ${name} to be terminating`, terminating);
  await this.throughout(`claim ${name} to stay terminating`, terminating, seconds);
});

Then('the volume of claim {string} stays bound to it for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  const { volume, claimUid } = await volumeOfRememberedClaim(this, name);
  await this.throughout(
    `volume ${volume} to stay Bound to claim ${name} (uid ${claimUid})`,
    () => {
      const pv = this.timeline.get<V1PersistentVolume>('PersistentVolume', volume);
      return pv?.status?.phase === 'Bound' && pv.spec?.claimRef?.uid === claimUid ? ok(true) : notYet(describeVolume(pv));
    },
    seconds,
  );
});

Then('the volume of claim {string} from before is deleted', async function (this: ConformanceWorld, name: string) {
  const { volume } = await volumeOfRememberedClaim(this, name);
  await this.until(`volume ${volume} to be deleted`, () =>
    this.timeline.get('PersistentVolume', volume) ? notYet(describeVolume(this.timeline.get('PersistentVolume', volume))) : ok(true),
  );
});

async function stillExist(world: ConformanceWorld, names: string[], seconds: number): Promise<void> {
  await world.throughout(
    `claims ${names.join(', ')} to remain`,
    () => {
      const gone = names.filter((n) => !claim(world, n) || claim(world, n)!.metadata?.deletionTimestamp);
      return gone.length ? notYet(`gone or going: ${gone.join(', ')}`) : ok(true);
    },
    seconds,
  );
}

Then('claims {string} still exist for {int} seconds', async function (this: ConformanceWorld, names: string, seconds: number) {
  await stillExist(this, nameList(names), seconds);
});

Then('claim {string} still exists for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  await stillExist(this, [name], seconds);
});

Then('claim {string} has no owner references', async function (this: ConformanceWorld, name: string) {
  await this.until(`claim ${name} to have no owner references`, () => {
    const refs = claim(this, name)?.metadata?.ownerReferences ?? [];
    return refs.length === 0 ? ok(true) : notYet(refs.map((r) => `${r.kind}/${r.name}`).join(', '));
  });
});

Then('claim {string} is controlled by StatefulSet {string}', async function (this: ConformanceWorld, name: string, setName: string) {
  await this.until(`claim ${name} to be controlled by StatefulSet ${setName}`, () => {
    const c = claim(this, name);
    const set = this.statefulSet(setName);
    return c && ownedBy(c, set) ? ok(true) : notYet(`owners: ${(c?.metadata?.ownerReferences ?? []).map((r) => `${r.kind}/${r.name}${r.controller ? ' (controller)' : ''}`).join(', ') || 'none'}`);
  });
});

Then('claims {string} are deleted', async function (this: ConformanceWorld, names: string) {
  await this.until(`claims ${names} to be deleted`, () => {
    const left = nameList(names).filter((n) => claim(this, n));
    return left.length ? notYet(left.map((n) => `${n}: ${describeClaim(claim(this, n))}`).join('; ')) : ok(true);
  });
});

Given('a claim {string} controlled by StatefulSet {string}', async function (this: ConformanceWorld, name: string, setName: string) {
  const owner = await this.readStatefulSet(setName);
  await this.core.createNamespacedPersistentVolumeClaim({
    namespace: this.namespace,
    body: {
      metadata: {
        name,
        ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: setName, uid: owner.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
      },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
    },
  });
});

/**
 * Pods: their states, readiness held and released by the harness, and the order things
 * happened to them.
 */
import { Given, Then, When, type DataTable } from '@cucumber/cucumber';
import type { V1Pod } from '@kubernetes/client-node';
import { expect } from 'chai';
import { fieldMismatches } from '../support/fields.ts';
import { assertOrdering, createdInOrderAfterReady, terminatedInOrderAfterGone } from '../support/ordering.ts';
import { condition, describePod, isRunningAndReady, ordinalOf, ownedBy } from '../support/pods.ts';
import { nameList, pairs } from '../support/text.ts';
import { notYet, ok } from '../support/waiting.ts';
import { plain, type ConformanceWorld } from '../support/world.ts';

Given('pod {string} is held unready', function (this: ConformanceWorld, pod: string) {
  this.readiness.hold(pod);
});

Given('the replacement of pod {string} is held unready', function (this: ConformanceWorld, pod: string) {
  this.readiness.holdReplacement(pod);
});

Given('every pod is held unready', function (this: ConformanceWorld) {
  this.readiness.holdEveryPod();
});

When('pod {string} is released', function (this: ConformanceWorld, pod: string) {
  this.markAction();
  this.readiness.release(pod);
});

When('every pod is released', function (this: ConformanceWorld) {
  this.markAction();
  this.readiness.releaseEveryPod();
});

Then('pod {string} becomes running', async function (this: ConformanceWorld, name: string) {
  await this.until(`pod ${name} to be Running`, () => {
    const pod = this.pod(name);
    return pod?.status?.phase === 'Running' ? ok(pod) : notYet(pod ? describePod(pod) : 'no such pod');
  });
});

Then('pod {string} becomes running and ready', async function (this: ConformanceWorld, name: string) {
  await this.until(`pod ${name} to be Running and Ready`, () => {
    const pod = this.pod(name);
    return pod && isRunningAndReady(pod) ? ok(pod) : notYet(pod ? describePod(pod) : 'no such pod');
  });
});

Then('pod {string} is not created for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  await this.throughout(
    `pod ${name} not to exist`,
    () => {
      const pod = this.pod(name);
      return pod ? notYet(`pod ${name} exists: ${describePod(pod)}`) : ok(true);
    },
    seconds,
  );
});

Then(
  'pods {string} were created in that order, each once the one before it was running and ready',
  function (this: ConformanceWorld, names: string) {
    assertOrdering(`pods ${names} created in that order, each once the one before it was running and ready`, createdInOrderAfterReady(this.timeline, nameList(names), this.actionMark));
  },
);

Then(
  'pods {string} were terminated in that order, each once the one before it was gone',
  function (this: ConformanceWorld, names: string) {
    assertOrdering(`pods ${names} terminated in that order, each once the one before it was gone`, terminatedInOrderAfterGone(this.timeline, nameList(names), this.actionMark));
  },
);

// ---- deleting and replacing ----

When('I delete pod {string}', async function (this: ConformanceWorld, name: string) {
  await this.deletePod(name);
});

When('I force-delete pod {string}', async function (this: ConformanceWorld, name: string) {
  await this.deletePod(name, 0);
});

When('I delete pod {string} with a grace period of {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  await this.deletePod(name, seconds);
});

function rememberedUid(world: ConformanceWorld, name: string): string {
  const uid = world.remembered.get(`uid:${name}`);
  if (typeof uid !== 'string') throw new Error(`the scenario never deleted, failed or lost pod ${name}, so "replaced" has no "before"`);
  return uid;
}

Then('pod {string} is replaced', async function (this: ConformanceWorld, name: string) {
  const old = rememberedUid(this, name);
  await this.until(`pod ${name} to be replaced by a pod with a new UID`, () => {
    const pod = this.pod(name);
    if (!pod) return notYet('no such pod');
    return pod.metadata!.uid !== old ? ok(pod) : notYet(`still the old pod: ${describePod(pod)}`);
  });
});

Then('pod {string} is not replaced for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  const old = rememberedUid(this, name);
  await this.throughout(
    `pod ${name} not to be replaced`,
    () => {
      const pod = this.pod(name);
      return pod && pod.metadata!.uid !== old ? notYet(`a replacement exists: ${describePod(pod)}`) : ok(true);
    },
    seconds,
  );
});

Then('pod {string} is terminating', async function (this: ConformanceWorld, name: string) {
  await this.until(`pod ${name} to be terminating`, () => {
    const pod = this.pod(name);
    return pod?.metadata?.deletionTimestamp ? ok(pod) : notYet(pod ? describePod(pod) : 'no such pod');
  });
});

Then('pod {string} stays terminating for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  await this.throughout(
    `pod ${name} to stay terminating`,
    () => {
      const pod = this.pod(name);
      return pod?.metadata?.deletionTimestamp ? ok(true) : notYet(pod ? describePod(pod) : 'it is gone');
    },
    seconds,
  );
});

Then(
  'pod {string} is terminating with a grace period of {int} seconds',
  async function (this: ConformanceWorld, name: string, seconds: number) {
    // Waits for the period rather than reading it once: a later delete may shorten it.
    const pod = await this.until(`pod ${name} to be terminating with a grace period of ${seconds} seconds`, () => {
      const p = this.pod(name);
      if (!p?.metadata?.deletionTimestamp) return notYet(p ? describePod(p) : 'no such pod');
      const grace = p.metadata.deletionGracePeriodSeconds;
      return grace === seconds ? ok(p) : notYet(`terminating with a grace period of ${grace ?? '(none)'} seconds`);
    });
    // Each deadline seen, for "the deletion deadline … moved earlier".
    const deadlines = (this.remembered.get(`deadlines:${name}`) as Date[] | undefined) ?? [];
    deadlines.push(new Date(pod.metadata!.deletionTimestamp!));
    this.remembered.set(`deadlines:${name}`, deadlines);
  },
);

Then(
  'the deletion deadline of pod {string} moved earlier by at least {int} seconds',
  function (this: ConformanceWorld, name: string, seconds: number) {
    const deadlines = (this.remembered.get(`deadlines:${name}`) as Date[] | undefined) ?? [];
    if (deadlines.length < 2) throw new Error(`the scenario checked pod ${name}'s grace period ${deadlines.length} time(s); "moved earlier" needs a check before and after`);
    const [first, last] = [deadlines[0]!, deadlines[deadlines.length - 1]!];
    const moved = (first.getTime() - last.getTime()) / 1000;
    if (moved < seconds) {
      throw new Error(
        `Expected pod ${name}'s deletion deadline (metadata.deletionTimestamp) to move at least ${seconds}s earlier, but it moved ${moved}s: ${first.toISOString()} then ${last.toISOString()}`,
      );
    }
  },
);

Then('pod {string} is gone', async function (this: ConformanceWorld, name: string) {
  await this.until(`pod ${name} to be gone`, () => {
    const pod = this.pod(name);
    return pod ? notYet(describePod(pod)) : ok(true);
  });
});

Then('pod {string} is pending', async function (this: ConformanceWorld, name: string) {
  await this.until(`pod ${name} to be Pending`, () => {
    const pod = this.pod(name);
    return pod?.status?.phase === 'Pending' ? ok(pod) : notYet(pod ? describePod(pod) : 'no such pod');
  });
});

// The scheduler found no node for it (PodScheduled False, Unschedulable), and it stays without one.
Then('pod {string} stays unschedulable for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  const pod = await this.until(`pod ${name} to be found unschedulable`, () => {
    const p = this.pod(name);
    // Scheduled already: no window will see it unscheduled again.
    if (p?.spec?.nodeName) throw new Error(`pod ${name} was scheduled to ${p.spec.nodeName}: ${describePod(p)}`);
    const scheduled = p && condition(p, 'PodScheduled');
    return scheduled?.status === 'False' && scheduled.reason === 'Unschedulable' ? ok(p!) : notYet(p ? describePod(p) : 'no such pod');
  });
  await this.throughout(
    `pod ${name} to stay unscheduled`,
    () => {
      const p = this.pod(name);
      if (!p || p.metadata?.uid !== pod.metadata?.uid) return notYet(p ? `replaced: ${describePod(p)}` : 'it is gone');
      return p.spec?.nodeName ? notYet(`scheduled to ${p.spec.nodeName}: ${describePod(p)}`) : ok(true);
    },
    seconds,
  );
});

Then('pods {string} exist', async function (this: ConformanceWorld, names: string) {
  await this.until(`pods ${names} to exist`, () => {
    const missing = nameList(names).filter((n) => !this.pod(n));
    return missing.length ? notYet(`missing ${missing.join(', ')}`) : ok(true);
  });
});

Then('pods {string} are terminating at the same time', async function (this: ConformanceWorld, names: string) {
  await this.until(`pods ${names} to be terminating together`, () => {
    const not = nameList(names).filter((n) => !this.pod(n)?.metadata?.deletionTimestamp);
    return not.length ? notYet(`not terminating: ${not.join(', ')}`) : ok(true);
  });
});

Then('no pod of {string} is deleted for {int} seconds', async function (this: ConformanceWorld, set: string, seconds: number) {
  const since = this.actionMark;
  await this.throughout(
    `no pod of ${set} to be deleted`,
    () => {
      const deleted = this.timeline
        .history('Pod')
        .filter((e) => e.seq > since && e.name.startsWith(`${set}-`) && (e.type === 'DELETED' || (e.object as V1Pod).metadata?.deletionTimestamp));
      return deleted.length ? notYet(`${deleted[0].name} ${deleted[0].type === 'DELETED' ? 'was deleted' : 'began terminating'}`) : ok(true);
    },
    seconds,
  );
});

When('pod {string} ends in phase {word}', async function (this: ConformanceWorld, name: string, phase: string) {
  const pod = this.pod(name);
  if (!pod) throw new Error(`no pod ${name}`);
  this.remembered.set(`uid:${name}`, pod.metadata!.uid);
  this.markAction();
  await this.endPod(name, phase as 'Failed' | 'Succeeded');
});

// ---- readiness ----

async function becomesUnready(world: ConformanceWorld, names: () => string[]): Promise<void> {
  await world.until('pods to report Ready=False', () => {
    const ready = names().filter((n) => {
      const pod = world.pod(n);
      return pod && isRunningAndReady(pod);
    });
    return ready.length ? notYet(`still ready: ${ready.join(', ')}`) : ok(true);
  });
}

When('pod {string} becomes unready', async function (this: ConformanceWorld, name: string) {
  this.readiness.hold(name);
  await becomesUnready(this, () => [name]);
  this.markAction();
});

// Someone other than the harness (the node lifecycle controller) takes Ready away.
Then('pod {string} is marked not ready', async function (this: ConformanceWorld, name: string) {
  await becomesUnready(this, () => [name]);
});

When('every pod becomes unready', async function (this: ConformanceWorld) {
  this.readiness.holdEveryPod();
  await becomesUnready(this, () => this.pods().map((p) => p.metadata!.name!));
  this.markAction();
});

// ---- metadata: finalizers, labels, owners ----

Given('pod {string} has the finalizer {string}', async function (this: ConformanceWorld, name: string, finalizer: string) {
  await this.editFinalizers('pod', name, (f) => [...f, finalizer]);
});

When('I remove the finalizer {string} from pod {string}', async function (this: ConformanceWorld, finalizer: string, name: string) {
  this.markAction();
  await this.editFinalizers('pod', name, (f) => f.filter((x) => x !== finalizer));
});

When('I remove the label {string} from pod {string}', async function (this: ConformanceWorld, label: string, name: string) {
  this.markAction();
  await this.patchPod(name, { metadata: { labels: { [label]: null } } });
});

When('I set the label {string} of pod {string} to {string}', async function (this: ConformanceWorld, label: string, name: string, value: string) {
  this.markAction();
  await this.patchPod(name, { metadata: { labels: { [label]: value } } });
});

Then('pod {string} gets the label {string} with value {string}', async function (this: ConformanceWorld, name: string, label: string, value: string) {
  await this.until(`pod ${name} to have ${label}=${value}`, () => {
    const have = this.pod(name)?.metadata?.labels?.[label];
    return have === value ? ok(true) : notYet(`${label}=${have ?? '(absent)'}`);
  });
});

Then('pod {string} is without the label {string} for {int} seconds', async function (this: ConformanceWorld, name: string, label: string, seconds: number) {
  await this.throughout(
    `pod ${name} to stay without ${label}`,
    () => {
      const have = this.pod(name)?.metadata?.labels?.[label];
      return have === undefined ? ok(true) : notYet(`${label}=${have}`);
    },
    seconds,
  );
});

Then('pod {string} has:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const pod = await this.core.readNamespacedPod({ name, namespace: this.namespace });
  const problems = fieldMismatches(plain(pod, 'V1Pod'), pairs(table.raw()));
  expect(problems, problems.join('\n')).to.deep.equal([]);
});

Then('every pod of {string} has its identity labels', async function (this: ConformanceWorld, name: string) {
  const set = await this.observed(name);
  const problems = this.pods()
    .filter((p) => ownedBy(p, set))
    .flatMap((p) => {
      const labels = p.metadata?.labels ?? {};
      const want: Record<string, string | undefined> = {
        'statefulset.kubernetes.io/pod-name': p.metadata!.name,
        'apps.kubernetes.io/pod-index': String(ordinalOf(p.metadata!.name!)),
        'controller-revision-hash': set.status?.updateRevision,
        ...set.spec!.template.metadata!.labels,
      };
      return Object.entries(want)
        .filter(([k, v]) => labels[k] !== v)
        .map(([k, v]) => `${p.metadata!.name}: ${k}=${labels[k] ?? '(absent)'}, expected ${v}`);
    });
  expect(problems, problems.join('\n')).to.deep.equal([]);
});

function controllerOf(pod: V1Pod | undefined) {
  return pod?.metadata?.ownerReferences?.find((r) => r.controller);
}

Then('every pod of {string} is controlled by StatefulSet {string}', async function (this: ConformanceWorld, _pods: string, name: string) {
  const set = await this.observed(name);
  const pods = this.pods().filter((p) => p.metadata?.name?.startsWith(`${name}-`));
  expect(pods.length, 'pods').to.be.greaterThan(0);
  for (const pod of pods) {
    const ref = controllerOf(pod);
    expect(ref, `${pod.metadata?.name} controller reference`).to.deep.include({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name,
      uid: set.metadata!.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
    expect(pod.metadata?.ownerReferences?.filter((r) => r.controller).length, 'controller references').to.equal(1);
  }
});

/** Creates a pod of nobody's with the set's template and its template labels, less `without`. */
async function createOrphan(world: ConformanceWorld, name: string, setName: string, without?: string): Promise<void> {
  const set = await world.readStatefulSet(setName);
  const labels = { ...set.spec!.template.metadata!.labels };
  if (without !== undefined) {
    if (!(without in labels)) throw new Error(`the template of StatefulSet ${setName} has no label ${without}`);
    delete labels[without];
  }
  world.markAction();
  await world.core.createNamespacedPod({
    namespace: world.namespace,
    body: { metadata: { name, labels }, spec: structuredClone(set.spec!.template.spec!) },
  });
}

When('I create an orphan pod {string} with the labels of StatefulSet {string}', async function (this: ConformanceWorld, name: string, setName: string) {
  await createOrphan(this, name, setName);
});

When(
  'I create an orphan pod {string} with the labels of StatefulSet {string} except {string}',
  async function (this: ConformanceWorld, name: string, setName: string, without: string) {
    await createOrphan(this, name, setName, without);
  },
);

async function staysWithoutController(world: ConformanceWorld, names: string[], seconds: number): Promise<void> {
  await world.until(`pods ${names.join(', ')} to exist without a controller`, () => {
    const bad = names.filter((n) => !world.pod(n) || controllerOf(world.pod(n)));
    return bad.length ? notYet(`not (yet) free: ${bad.join(', ')}`) : ok(true);
  });
  await world.throughout(
    `pods ${names.join(', ')} to stay without a controller`,
    () => {
      const owned = names.filter((n) => controllerOf(world.pod(n)));
      return owned.length ? notYet(`adopted: ${owned.join(', ')}`) : ok(true);
    },
    seconds,
  );
}

Then('pod {string} has no controller for {int} seconds', async function (this: ConformanceWorld, name: string, seconds: number) {
  await staysWithoutController(this, [name], seconds);
});

Then('pods {string} have no controller for {int} seconds', async function (this: ConformanceWorld, names: string, seconds: number) {
  await staysWithoutController(this, nameList(names), seconds);
});

async function becomeControlled(world: ConformanceWorld, names: string[], setName: string): Promise<void> {
  await world.until(`pods ${names.join(', ')} to be controlled by StatefulSet ${setName}`, () => {
    const set = world.statefulSet(setName);
    const free = names.filter((n) => controllerOf(world.pod(n))?.uid !== set?.metadata?.uid || !set);
    return free.length ? notYet(`not controlled: ${free.join(', ')}`) : ok(true);
  });
}

Then('pod {string} becomes controlled by StatefulSet {string}', async function (this: ConformanceWorld, name: string, setName: string) {
  await becomeControlled(this, [name], setName);
});

Then('pods {string} become controlled by StatefulSet {string}', async function (this: ConformanceWorld, names: string, setName: string) {
  await becomeControlled(this, nameList(names), setName);
});

Then('pod {string} loses its controller', async function (this: ConformanceWorld, name: string) {
  const uid = this.pod(name)?.metadata?.uid;
  this.remembered.set(`uid:${name}`, uid);
  await this.until(`pod ${name} to lose its controller reference`, () => {
    const pod = this.pod(name);
    return pod && !controllerOf(pod) ? ok(true) : notYet(pod ? `controller ${controllerOf(pod)?.name}` : 'no such pod');
  });
});

When('I remember the UIDs of the pods of {string}', function (this: ConformanceWorld, name: string) {
  const uids = Object.fromEntries(this.pods().filter((p) => p.metadata?.name?.startsWith(`${name}-`)).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
  this.remembered.set(`uids:${name}`, uids);
});

Then('the pods of {string} have the UIDs from before', function (this: ConformanceWorld, name: string) {
  const uids = Object.fromEntries(this.pods().filter((p) => p.metadata?.name?.startsWith(`${name}-`)).map((p) => [p.metadata!.name!, p.metadata!.uid!]));
  expect(uids).to.deep.equal(this.remembered.get(`uids:${name}`));
});

// ---- timing ----

Then(
  'pod {string} was created at least {int} seconds after pod {string} became ready',
  function (this: ConformanceWorld, later: string, seconds: number, earlier: string) {
    const readyAt = condition(this.pod(earlier)!, 'Ready')?.lastTransitionTime;
    const createdAt = this.pod(later)?.metadata?.creationTimestamp;
    expect(readyAt, `${earlier} Ready transition time`).to.not.equal(undefined);
    expect(createdAt, `${later} creation time`).to.not.equal(undefined);
    const gap = (new Date(createdAt!).getTime() - new Date(readyAt!).getTime()) / 1000;
    expect(gap, `${later} was created ${gap}s after ${earlier} became ready`).to.be.at.least(seconds);
  },
);

Then(
  'pod {string} was deleted at least {int} seconds after it became ready',
  function (this: ConformanceWorld, name: string, seconds: number) {
    const history = this.timeline.history('Pod', name);
    const deleted = history.find((e) => e.type === 'DELETED' || (e.object as V1Pod).metadata?.deletionTimestamp);
    expect(deleted, `pod ${name} deleted`).to.not.equal(undefined);
    // That pod's (UID's) last Ready transition before the delete: second precision, from the pod.
    const before = history.filter((e) => e.uid === deleted!.uid && e.seq <= deleted!.seq && e.type !== 'DELETED');
    const readyAt = before.map((e) => condition(e.object as V1Pod, 'Ready')).filter((c) => c?.status === 'True').pop()?.lastTransitionTime;
    expect(readyAt, `pod ${name}'s Ready transition before it was deleted`).to.not.equal(undefined);
    const gap = (deleted!.at.getTime() - new Date(readyAt!).getTime()) / 1000;
    expect(gap, `pod ${name} was deleted ${gap.toFixed(1)}s after it became ready`).to.be.at.least(seconds);
  },
);

/**
 * Template changes, ControllerRevisions and rolling updates.
 */
import { Then, When, type DataTable } from '@cucumber/cucumber';
import type { V1ControllerRevision, V1StatefulSet } from '@kubernetes/client-node';
import { expect } from 'chai';
import { fieldMismatches } from '../support/fields.ts';
import { ALTERNATE_IMAGE, PAUSE_IMAGE } from '../support/manifests.ts';
import { assertOrdering, createdSince } from '../support/ordering.ts';
import { describePod, isRunningAndReady, ownedBy, revisionOf } from '../support/pods.ts';
import { maxTerminatingTogether, maxUnavailable, replacements, rolloutComplete } from '../support/rollout.ts';
import { nameList, pairs } from '../support/text.ts';
import type { TimelineEntry } from '../support/timeline.ts';
import { notYet, ok } from '../support/waiting.ts';
import { plain, type ConformanceWorld } from '../support/world.ts';

/** Flips the first container between two images: each call is a template change. */
async function changeImage(world: ConformanceWorld, name: string): Promise<void> {
  const set = await world.readStatefulSet(name);
  const current = set.spec!.template.spec!.containers[0].image;
  const image = current === ALTERNATE_IMAGE ? PAUSE_IMAGE : ALTERNATE_IMAGE;
  world.markAction();
  await world.patchStatefulSet(name, { spec: { template: { spec: { containers: [{ name: set.spec!.template.spec!.containers[0].name, image }] } } } });
}

export function finishesRollingOut(world: ConformanceWorld, name: string, replicas: number): Promise<V1StatefulSet> {
  return world.until(`StatefulSet ${name} to finish rolling out with ${replicas} replicas`, () => {
    const seen = world.observedCheck(name);
    if (!seen.ok) return seen;
    const set = seen.value;
    const pending = rolloutComplete(set, world.pods().filter((p) => ownedBy(p, set)), replicas);
    return pending ? notYet(pending) : ok(set);
  });
}

function revisionsOf(world: ConformanceWorld, set: V1StatefulSet): V1ControllerRevision[] {
  return world.timeline.list<V1ControllerRevision>('ControllerRevision').filter((r) => r.metadata?.ownerReferences?.some((o) => o.uid === set.metadata?.uid));
}

When('I change the image of StatefulSet {string}', async function (this: ConformanceWorld, name: string) {
  await changeImage(this, name);
});

When(
  'I change the image of StatefulSet {string} {int} times, waiting for each rollout',
  async function (this: ConformanceWorld, name: string, times: number) {
    const replicas = (await this.readStatefulSet(name)).spec!.replicas!;
    for (let i = 0; i < times; i++) {
      await changeImage(this, name);
      await finishesRollingOut(this, name, replicas);
    }
  },
);

Then('StatefulSet {string} finishes rolling out with {int} replica(s)', async function (this: ConformanceWorld, name: string, replicas: number) {
  await finishesRollingOut(this, name, replicas);
});

Then('StatefulSet {string} reports a rollout in progress', async function (this: ConformanceWorld, name: string) {
  await this.until(`StatefulSet ${name} to report currentRevision != updateRevision`, () => {
    const seen = this.observedCheck(name);
    if (!seen.ok) return seen;
    const s = seen.value.status;
    return s?.updateRevision && s.currentRevision !== s.updateRevision ? ok(s) : notYet(`current=${s?.currentRevision} update=${s?.updateRevision}`);
  });
});

Then('StatefulSet {string} has the same current and update revision', async function (this: ConformanceWorld, name: string) {
  const s = (await this.observed(name)).status!;
  expect(s.currentRevision).to.be.a('string').and.equal(s.updateRevision);
});

Then('StatefulSet {string} keeps its current revision', async function (this: ConformanceWorld, name: string) {
  const s = (await this.observed(name)).status!;
  expect(s.updateRevision, 'updateRevision').to.be.a('string');
  expect(s.currentRevision, 'currentRevision should still be the old revision').to.not.equal(s.updateRevision);
});

When('I remember the update revision of {string}', async function (this: ConformanceWorld, name: string) {
  this.remembered.set(`revision:${name}`, (await this.observed(name)).status?.updateRevision);
});

Then('the update revision of {string} is the one from before', async function (this: ConformanceWorld, name: string) {
  const s = (await this.observed(name)).status!;
  expect(s.updateRevision).to.equal(this.remembered.get(`revision:${name}`));
});

Then('the update revision of {string} is not the one from before', async function (this: ConformanceWorld, name: string) {
  const s = (await this.observed(name)).status!;
  expect(s.updateRevision).to.not.equal(this.remembered.get(`revision:${name}`));
});

/** The data of a ControllerRevision that is nobody's template. */
const FOREIGN_DATA = { foreign: 'data of another owner' };

// The remembered update revision must be history by now (not current, not update, on no pod):
// its name is given to a ControllerRevision of nobody's, with labels no selector matches.
When(
  'a foreign ControllerRevision takes the name of the update revision of {string} from before',
  async function (this: ConformanceWorld, name: string) {
    const revision = this.remembered.get(`revision:${name}`) as string | undefined;
    if (!revision) throw new Error(`the scenario never remembered the update revision of ${name}`);
    this.markAction();
    await this.apps.deleteNamespacedControllerRevision({ name: revision, namespace: this.namespace });
    await this.until(`ControllerRevision ${revision} to be deleted`, () =>
      this.timeline.get('ControllerRevision', revision) ? notYet('still there') : ok(true),
    );
    const foreign = await this.apps.createNamespacedControllerRevision({
      namespace: this.namespace,
      body: { metadata: { name: revision, labels: { owner: 'someone-else' } }, data: FOREIGN_DATA, revision: 1 },
    });
    this.remembered.set('foreign-revision', { name: revision, uid: foreign.metadata?.uid });
  },
);

Then('the foreign ControllerRevision is left as it was', async function (this: ConformanceWorld) {
  const foreign = this.remembered.get('foreign-revision') as { name: string; uid: string } | undefined;
  if (!foreign) throw new Error('the scenario never created a foreign ControllerRevision');
  const r = await this.apps.readNamespacedControllerRevision({ name: foreign.name, namespace: this.namespace });
  expect({ uid: r.metadata?.uid, data: r.data, owners: r.metadata?.ownerReferences ?? [] }).to.deep.equal({ uid: foreign.uid, data: FOREIGN_DATA, owners: [] });
});

Then('StatefulSet {string} has {int} revision(s)', async function (this: ConformanceWorld, name: string, count: number) {
  const set = await this.observed(name);
  await this.until(`StatefulSet ${name} to own ${count} ControllerRevisions`, () => {
    const names = revisionsOf(this, set).map((r) => `${r.metadata?.name}(revision ${r.revision})`);
    return names.length === count ? ok(names) : notYet(names.join(', ') || 'none');
  });
});

Then('StatefulSet {string} keeps {int} revision(s) for {int} seconds', async function (this: ConformanceWorld, name: string, count: number, seconds: number) {
  const set = await this.observed(name);
  await this.throughout(
    `StatefulSet ${name} to keep ${count} ControllerRevisions`,
    () => {
      const names = revisionsOf(this, set).map((r) => `${r.metadata?.name}(revision ${r.revision})`);
      return names.length === count ? ok(names) : notYet(names.join(', ') || 'none');
    },
    seconds,
  );
});

Then('no ControllerRevisions remain', async function (this: ConformanceWorld) {
  await this.until('every ControllerRevision to be deleted', () => {
    const left = this.timeline.list('ControllerRevision').map((r) => r.metadata?.name);
    return left.length === 0 ? ok(true) : notYet(left.join(', '));
  });
});

Then('every ControllerRevision is controlled by StatefulSet {string}', async function (this: ConformanceWorld, name: string) {
  await this.until(`every ControllerRevision to be controlled by ${name}`, () => {
    const set = this.statefulSet(name);
    const revisions = this.timeline.list<V1ControllerRevision>('ControllerRevision');
    const stray = revisions.filter((r) => !r.metadata?.ownerReferences?.some((o) => o.controller && o.uid === set?.metadata?.uid));
    return revisions.length > 0 && stray.length === 0 ? ok(true) : notYet(`not controlled: ${stray.map((r) => r.metadata?.name).join(', ') || '(no revisions)'}`);
  });
});

Then('pod {string} is created on the update revision of {string}', async function (this: ConformanceWorld, pod: string, name: string) {
  await this.until(`pod ${pod} to be created on the update revision of ${name}`, () => {
    const seen = this.observedCheck(name);
    if (!seen.ok) return seen;
    const update = seen.value.status?.updateRevision;
    const p = this.pod(pod);
    return p && !p.metadata?.deletionTimestamp && revisionOf(p) === update ? ok(p) : notYet(`update revision ${update}; ${p ? describePod(p) : 'no such pod'}`);
  });
});

Then('pods {string} move to the update revision of {string}', async function (this: ConformanceWorld, names: string, name: string) {
  await this.until(`pods ${names} to run the update revision of ${name} and be ready`, () => {
    const seen = this.observedCheck(name);
    if (!seen.ok) return seen;
    const update = seen.value.status?.updateRevision;
    const behind = nameList(names).filter((n) => {
      const pod = this.pod(n);
      return !pod || revisionOf(pod) !== update || !isRunningAndReady(pod);
    });
    return behind.length === 0 ? ok(true) : notYet(`update revision ${update}; behind: ${behind.map((n) => `${n}(${this.pod(n) ? revisionOf(this.pod(n)!) : 'missing'})`).join(', ')}`);
  });
});

Then(
  'pods {string} stay on the current revision of {string} for {int} seconds',
  async function (this: ConformanceWorld, names: string, name: string, seconds: number) {
    const set = await this.observed(name);
    const current = set.status?.currentRevision;
    expect(current, 'currentRevision').to.not.equal(set.status?.updateRevision);
    await this.throughout(
      `pods ${names} to stay on revision ${current}`,
      () => {
        const moved = nameList(names).filter((n) => {
          const pod = this.pod(n);
          return pod && revisionOf(pod) !== current;
        });
        return moved.length ? notYet(`moved: ${moved.map((n) => `${n}(${revisionOf(this.pod(n)!)})`).join(', ')}`) : ok(true);
      },
      seconds,
    );
  },
);

Then(
  'pods {string} were replaced in that order, each once the one before it was running and ready',
  function (this: ConformanceWorld, names: string) {
    const want = nameList(names);
    const set = want[0].replace(/-\d+$/, '');
    const seen = replacements(this.timeline, set, this.actionMark);
    const at = (e: TimelineEntry) => this.timeline.when(e);
    const problems: string[] = [];
    if (seen.map((r) => r.pod).join() !== want.join()) {
      problems.push(`the pods were replaced in the order ${seen.map((r) => `${r.pod} (stopped at ${at(r.stopped)})`).join(', ') || '(none)'}, not ${want.join(', ')}`);
    } else {
      for (let i = 1; i < seen.length; i++) {
        const previousReady = seen[i - 1].ready;
        if (!previousReady) problems.push(`${seen[i].pod} was stopped at ${at(seen[i].stopped)}, but ${seen[i - 1].pod}'s replacement never became ready`);
        else if (seen[i].stopped.seq < previousReady.seq) {
          problems.push(`${seen[i].pod} was stopped at ${at(seen[i].stopped)}, while ${seen[i - 1].pod}'s replacement was not ready until ${at(previousReady)}`);
        }
      }
    }
    assertOrdering(`pods ${names} replaced in that order, each once the one before it was running and ready`, problems);
  },
);

Then('every pod of {string} has a new UID', function (this: ConformanceWorld, name: string) {
  const seen = replacements(this.timeline, name, this.actionMark);
  const replicas = this.statefulSet(name)?.spec?.replicas ?? 0;
  expect(seen.filter((r) => r.created).length, 'pods recreated with a new UID').to.equal(replicas);
});

Then('pod {string} was created before any pod was deleted for the update', function (this: ConformanceWorld, pod: string) {
  const set = pod.replace(/-\d+$/, '');
  const created = this.timeline.history('Pod', pod).find((e) => e.seq > this.actionMark && e.type === 'ADDED');
  expect(created, `${pod} was created`).to.not.equal(undefined);
  const firstStop = replacements(this.timeline, set, this.actionMark)[0];
  expect(firstStop, 'a pod was replaced for the update').to.not.equal(undefined);
  expect(created!.seq, `${firstStop.pod} was stopped before ${pod} was created`).to.be.lessThan(firstStop.stopped.seq);
  expect(createdSince(this.timeline, this.actionMark)).to.include(pod);
});

Then('at no time were more than {int} pods of {string} unavailable', function (this: ConformanceWorld, most: number, name: string) {
  const set = this.statefulSet(name)!;
  const seen = maxUnavailable(this.timeline, name, set.spec!.replicas!, this.actionMark, set.spec?.ordinals?.start ?? 0);
  expect(seen, 'most pods unavailable at once').to.be.at.most(most);
});

Then('at some time {int} pods of {string} were terminating together', function (this: ConformanceWorld, count: number, name: string) {
  expect(maxTerminatingTogether(this.timeline, name, this.actionMark), 'most pods terminating at once').to.equal(count);
});

Then(
  'each replaced pod of {string} was deleted at least {int} seconds after the previous replacement became ready',
  function (this: ConformanceWorld, name: string, seconds: number) {
    const seen = replacements(this.timeline, name, this.actionMark);
    expect(seen.length, 'pods replaced').to.be.greaterThan(1);
    for (let i = 1; i < seen.length; i++) {
      const ready = seen[i - 1].ready;
      expect(ready, `${seen[i - 1].pod}'s replacement became ready`).to.not.equal(undefined);
      // The Ready transition time comes from the pod (second precision); the stop is when we saw it.
      const readyAt = (ready!.object as { status?: { conditions?: Array<{ type: string; lastTransitionTime?: Date }> } }).status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
      const gap = (seen[i].stopped.at.getTime() - new Date(readyAt ?? ready!.at).getTime()) / 1000;
      expect(gap, `${seen[i].pod} was stopped ${gap.toFixed(1)}s after ${seen[i - 1].pod} became ready`).to.be.at.least(seconds);
    }
  },
);

Then('StatefulSet {string} reports:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  const set = await this.observed(name);
  const problems = fieldMismatches(plain(set, 'V1StatefulSet').status ?? {}, pairs(table.raw()));
  expect(problems, problems.join('\n')).to.deep.equal([]);
});

Then('eventually StatefulSet {string} reports:', async function (this: ConformanceWorld, name: string, table: DataTable) {
  await this.until(`StatefulSet ${name} to report ${table.raw().map((r) => r.join('=')).join(', ')}`, () => {
    const seen = this.observedCheck(name);
    if (!seen.ok) return seen;
    const set = seen.value;
    const problems = fieldMismatches(plain(set, 'V1StatefulSet').status ?? {}, pairs(table.raw()));
    return problems.length ? notYet(problems.join('; ')) : ok(true);
  });
});

Then(
  'while pod {string} is terminating, StatefulSet {string} reports:',
  async function (this: ConformanceWorld, pod: string, name: string, table: DataTable) {
    await this.until(`StatefulSet ${name} to report ${table.raw().map((r) => r.join('=')).join(', ')} while ${pod} is terminating`, () => {
      const p = this.pod(pod);
      if (!p?.metadata?.deletionTimestamp) return notYet(p ? `${pod} is not terminating` : `${pod} is gone`);
      const set = this.statefulSet(name);
      const problems = fieldMismatches(plain(set, 'V1StatefulSet').status ?? {}, pairs(table.raw()));
      return problems.length ? notYet(problems.join('; ')) : ok(true);
    });
  },
);

/**
 * Events the controller records on a StatefulSet. Events are aggregated and deduplicated by
 * the API, so scenarios assert that a reason (and message) was recorded, never how often.
 */
import { Then } from '@cucumber/cucumber';
import type { CoreV1Event } from '@kubernetes/client-node';
import { notYet, ok } from '../support/waiting.ts';
import type { ConformanceWorld } from '../support/world.ts';

function eventRecorded(world: ConformanceWorld, type: string, reason: string, set: string, mentioning?: string) {
  return world.until(`a ${type} ${reason} event${mentioning ? ` mentioning "${mentioning}"` : ''} on StatefulSet ${set}`, () => {
    const events = world.timeline.list<CoreV1Event>('Event').filter((e) => e.involvedObject.kind === 'StatefulSet' && e.involvedObject.name === set);
    const match = events.find((e) => e.type === type && e.reason === reason && (!mentioning || e.message?.includes(mentioning)));
    return match ? ok(match) : notYet(events.map((e) => `${e.type} ${e.reason}: ${e.message}`).join(' | ') || 'no events on the set');
  });
}

Then('a {string} event {string} is recorded for StatefulSet {string}', async function (this: ConformanceWorld, type: string, reason: string, set: string) {
  await eventRecorded(this, type, reason, set);
});

Then(
  'a {string} event {string} mentioning {string} is recorded for StatefulSet {string}',
  async function (this: ConformanceWorld, type: string, reason: string, text: string, set: string) {
    await eventRecorded(this, type, reason, set, text);
  },
);

Then(
  'no {string} event {string} is recorded for StatefulSet {string} for {int} seconds',
  async function (this: ConformanceWorld, type: string, reason: string, set: string, seconds: number) {
    await this.throughout(
      `no ${type} ${reason} event on StatefulSet ${set}`,
      () => {
        const match = this.timeline
          .list<CoreV1Event>('Event')
          .find((e) => e.involvedObject.kind === 'StatefulSet' && e.involvedObject.name === set && e.type === type && e.reason === reason);
        return match ? notYet(`${match.type} ${match.reason}: ${match.message}`) : ok(true);
      },
      seconds,
    );
  },
);

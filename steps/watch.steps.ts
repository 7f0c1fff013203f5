/**
 * Watches through a label selector, as a user's `kubectl get pods -l … --watch` or a
 * selector-scoped informer sees the set's pods.
 */
import { Given, Then } from '@cucumber/cucumber';
import { SelectiveWatch, type SelectedEvent } from '../support/selective-watch.ts';
import type { ConformanceWorld } from '../support/world.ts';

/** A wait gives up after this many target seconds (as the timeline's waits do). */
const WAIT_SECONDS = 120;

function watchOf(world: ConformanceWorld, selector: string): SelectiveWatch {
  const w = world.remembered.get(`watch:${selector}`);
  if (!(w instanceof SelectiveWatch)) throw new Error(`the scenario never started a watch of pods with the label selector "${selector}"`);
  return w;
}

Given('I watch pods with the label selector {string}', async function (this: ConformanceWorld, selector: string) {
  const w = await SelectiveWatch.start(this.kc, this.namespace, selector);
  this.remembered.set(`watch:${selector}`, w);
  this.onCleanup(async () => w.stop());
});

Then(
  'the watch of pods with the label selector {string} reports pod {string} {word}',
  async function (this: ConformanceWorld, selector: string, pod: string, what: string) {
    const type = { added: 'ADDED', modified: 'MODIFIED', deleted: 'DELETED' }[what];
    if (!type) throw new Error(`a watch reports a pod added, modified or deleted, not "${what}"`);
    const w = watchOf(this, selector);
    // Each report is looked for after the one asserted before it: a pod can leave and come back.
    const markKey = `watch-mark:${selector}`;
    const from = (this.remembered.get(markKey) as number | undefined) ?? 0;
    const at = (events: SelectedEvent[]) => events.findIndex((e, i) => i >= from && e.name === pod && e.type === type);
    await w.until(`pod ${pod} reported ${type} after the events asserted before`, (events) => at(events) >= 0, Math.max(this.clock.toRealMs(WAIT_SECONDS * 1000), 15_000));
    this.remembered.set(markKey, at(w.events) + 1);
  },
);

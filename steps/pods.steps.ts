/**
 * Pods: their states, readiness held and released by the harness, and the order things
 * happened to them.
 */
import { Given, Then, When } from '@cucumber/cucumber';
import { expect } from 'chai';
import { createdInOrderAfterReady, terminatedInOrderAfterGone } from '../support/ordering.ts';
import { describePod, isRunningAndReady } from '../support/pods.ts';
import { nameList } from '../support/text.ts';
import { notYet, ok } from '../support/waiting.ts';
import type { ConformanceWorld } from '../support/world.ts';

Given('pod {string} is held unready', function (this: ConformanceWorld, pod: string) {
  this.readiness.hold(pod);
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
    const problems = createdInOrderAfterReady(this.timeline, nameList(names), this.actionMark);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  },
);

Then(
  'pods {string} were terminated in that order, each once the one before it was gone',
  function (this: ConformanceWorld, names: string) {
    const problems = terminatedInOrderAfterGone(this.timeline, nameList(names), this.actionMark);
    expect(problems, problems.join('\n')).to.deep.equal([]);
  },
);

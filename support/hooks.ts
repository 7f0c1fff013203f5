/**
 * Lifecycle: one target per worker process; per scenario a fresh labelled namespace, a
 * timeline, readiness control and, on failure, the timeline and a namespace dump attached to
 * the report. Every scenario also checks the identity invariant the whole run long: never two
 * pods with one name at the same time.
 */
import { After, AfterAll, Before, BeforeAll, BeforeStep, Status, setDefaultTimeout, setParallelCanAssign, type ITestCaseHookParameter, type ITestStepHookParameter } from '@cucumber/cucumber';
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stepSource } from './docstrings.ts';
import { dumpNamespace } from './dump.ts';
import { LIFECYCLE_MEDIA_TYPE } from './report/differential.ts';
import { skipReason } from './gates.ts';
import { identityViolations } from './invariants.ts';
import { installInterruptHandlers, interruptedBy } from './interrupt.ts';
import { createTarget } from './targets/index.ts';
import type { Target, TargetInfo } from './targets/target.ts';
import { RUN_ID_LABEL } from './labels.ts';
import type { ConformanceParameters, ConformanceWorld } from './world.ts';

// Steps bound their own waits with deadlines (support/waiting.ts); this only catches a hang.
setDefaultTimeout(15 * 60 * 1000);

/** Targets whose nodes are the harness's own: node faults hurt nobody there. */
const LOCAL_TARGETS = new Set(['reference', 'control-plane', 'hybrid']);

// Parallel workers share a real cluster's nodes: a @disruptive scenario (node faults, cordoning
// every node) runs alone — it starts when nothing else runs, and nothing starts while it runs.
// (On the reference, control-plane and hybrid targets each worker has a plane and nodes of its own.)
const disruptive = (p: { tags: readonly { name: string }[] }) => p.tags.some((t) => t.name === '@disruptive');
setParallelCanAssign(
  (pickle, running) =>
    LOCAL_TARGETS.has(process.env.CONFORMANCE_TARGET ?? '') || (!running.some(disruptive) && (!disruptive(pickle) || running.length === 0)),
);

let target: Target | undefined;
let info: TargetInfo | undefined;
// Set in the environment so that parallel workers (forked after this loads) share it.
export const runId = (process.env.CONFORMANCE_RUN_ID ??= randomBytes(4).toString('hex'));

BeforeAll(async function () {
  // SIGINT/SIGTERM: finish the running scenario early, skip the rest, remove namespaces (support/interrupt.ts).
  installInterruptHandlers();
  const params = (this as unknown as { parameters: ConformanceParameters }).parameters;
  target = await createTarget(params);
  info = await target.start();
});

/** Scenarios of this worker that failed: their target's component logs are kept in reports/. */
let failedScenarios = 0;

AfterAll(async function () {
  try {
    if (failedScenarios > 0 && target?.logs && info) await keepLogs(target, `reports/${info.name}/logs`);
  } finally {
    await target?.stop();
  }
});

/** Writes each component's log to `dir`, one file per component (and worker, when parallel). */
async function keepLogs(t: Target, dir: string): Promise<void> {
  const logs = await t.logs!();
  await mkdir(dir, { recursive: true });
  const worker = process.env.CUCUMBER_WORKER_ID ? `.worker-${process.env.CUCUMBER_WORKER_ID}` : '';
  for (const [component, text] of Object.entries(logs)) await writeFile(join(dir, `${component}${worker}.log`), text);
  process.stderr.write(`${failedScenarios} scenario(s) failed: component logs kept in ${dir}/\n`);
}

Before(async function (this: ConformanceWorld, { pickle }: ITestCaseHookParameter) {
  const interrupted = interruptedBy();
  if (interrupted) {
    this.attach(`skipped: run interrupted by ${interrupted}`, 'text/plain');
    return 'skipped';
  }
  if (!target || !info) throw new Error('the target did not start');
  const tags = pickle.tags.map((t) => t.name);
  const reason = skipReason(tags, info, { allowDisruptive: LOCAL_TARGETS.has(target.name) || !!this.parameters.disruptive });
  if (reason) {
    this.attach(`skipped: ${reason}`, 'text/plain');
    return 'skipped';
  }
  this.connect(target, info);
  const slug = createHash('sha1').update(`${pickle.uri}:${pickle.name}`).digest('hex').slice(0, 6);
  await this.openNamespace(`sts-${slug}-${randomBytes(3).toString('hex')}`, {
    [RUN_ID_LABEL]: runId,
    'statefulset-conformance.io/worker': process.env.CUCUMBER_WORKER_ID ?? '0',
  });
  this.attach(`namespace ${this.namespace} on ${info.name} (${info.serverVersion})`, 'text/plain');
});

// Steps name their feature file and line in errors about their own input (support/docstrings.ts).
BeforeStep(function (this: ConformanceWorld, { gherkinDocument, pickle, pickleStep }: ITestStepHookParameter) {
  this.currentStep = stepSource(gherkinDocument, pickleStep, pickle.uri);
  if (this.namespace) this.stepMarks.push({ at: this.clock.now(), text: `${this.currentStep?.keyword ?? ''}${pickleStep.text}` });
});

After(async function (this: ConformanceWorld, { result }: ITestCaseHookParameter) {
  if (!this.namespace) return;
  try {
    const violations = identityViolations(this.timeline);
    const failed = result?.status === Status.FAILED || violations.length > 0;
    if ((failed || this.parameters.swimlanes) && !this.swimlaneAttached) this.attachSwimlane();
    if (failed) {
      failedScenarios++;
      if (this.parameters.timelineByObject) this.attach(this.timeline.renderByObject(), { mediaType: 'text/plain', fileName: 'timeline by object' });
      else this.attach(this.timeline.render(), { mediaType: 'text/plain', fileName: 'timeline (oldest first)' });
      this.attach(await dumpNamespace(this), { mediaType: 'text/yaml', fileName: 'namespace dump' });
    }
    this.attach(JSON.stringify(this.timeline.lifecycles()), LIFECYCLE_MEDIA_TYPE);
    if (this.readiness.errors.length) this.attach(`readiness writes that failed:\n${this.readiness.errors.join('\n')}`, 'text/plain');
    if (violations.length > 0) {
      throw new Error(`at-most-one pod per identity was violated:\n${violations.join('\n')}`);
    }
  } finally {
    await this.closeNamespace();
  }
});

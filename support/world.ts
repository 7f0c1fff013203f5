/**
 * The World of one scenario: its own namespace on the target, client-node APIs, the timeline
 * of what happened in the namespace, the readiness controller and watch-driven waits.
 */
import { World, setWorldConstructor, type IWorldOptions } from '@cucumber/cucumber';
import {
  ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1Status,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { config as chaiConfig } from 'chai';
import { apiStatus, DefaultRetry, isNotFound, retryOnConflict } from '../reference/api-errors.ts';
import type { Clock } from '../reference/clock.ts';
import type { StepSource } from './docstrings.ts';
import { MANAGED_BY } from './labels.ts';
import { closeTrackedNamespace, interruptSignal, openTrackedNamespace } from './interrupt.ts';
import { ReadinessController } from './readiness.ts';
import type { Target, TargetInfo } from './targets/target.ts';
import { renderSwimlane, type StepMark } from './report/swimlane.ts';
import { Timeline, type WatchedKind } from './timeline.ts';
import { Waiter, WaitFailure, notYet, ok, type Check, type FailedWait } from './waiting.ts';

export interface ConformanceParameters {
  target: 'reference' | 'control-plane' | 'cluster' | 'kind';
  /** Reference target: simulated seconds per real second. */
  clockScale?: number;
  /** Control-plane target: run the reference StatefulSet controller against the real API server. */
  hybrid?: boolean;
  /** Cluster target: kubeconfig context (defaults to the current context). */
  context?: string;
  /** Real clusters: allow @disruptive scenarios. */
  disruptive?: boolean;
  /** kind target: keep the cluster after the run. */
  keepCluster?: boolean;
  /** Attach the swimlane picture to passing scenarios too (failing ones always get it). */
  swimlanes?: boolean;
  /** A failing scenario's text timeline grouped by object instead of in time order. */
  timelineByObject?: boolean;
}

// A failed assertion shows what it saw in full: a truncated API error message explains nothing.
chaiConfig.truncateThreshold = 0;

/** The labels that mark a namespace as the harness's own. */

export class ConformanceWorld extends World<ConformanceParameters> {
  target!: Target;
  info!: TargetInfo;
  kc!: KubeConfig;
  core!: CoreV1Api;
  apps!: AppsV1Api;
  clock!: Clock;
  namespace = '';
  timeline!: Timeline;
  readiness!: ReadinessController;
  waiter!: Waiter;
  /** The error of the last API call a step expected might fail. */
  lastError?: { code: number; status?: V1Status; message: string };
  /** `Warning` headers of the last write. */
  lastWarnings: string[] = [];
  /** The object the last write returned, as plain JSON. */
  lastResponse?: Record<string, unknown>;
  /** Cluster-scoped changes (cordons, stopped nodes) undone after the scenario, newest first. */
  private readonly cleanups: Array<() => Promise<unknown>> = [];
  /** The generation of each StatefulSet as our own last write left it. */
  private readonly writtenGeneration = new Map<string, number>();
  /** Timeline sequence number at the last action a step took: ordering checks look after it. */
  actionMark = 0;
  /** The feature file and line of the step running now (set by a BeforeStep hook). */
  currentStep?: StepSource;
  /** When each step started, on the target's clock (the swimlane's step boundaries). */
  readonly stepMarks: StepMark[] = [];
  /** Values a scenario remembers to compare later (UIDs, revisions, IPs). */
  readonly remembered = new Map<string, unknown>();

  constructor(options: IWorldOptions<ConformanceParameters>) {
    super(options);
  }

  connect(target: Target, info: TargetInfo): void {
    this.target = target;
    this.info = info;
    this.kc = target.kubeConfig();
    this.core = this.kc.makeApiClient(CoreV1Api);
    this.apps = this.kc.makeApiClient(AppsV1Api);
    this.clock = target.clock();
  }

  async openNamespace(name: string, labels: Record<string, string>): Promise<void> {
    this.namespace = name;
    const all = { ...MANAGED_BY, ...labels };
    // Tracked (and on real clusters written to the ledger) first: see support/interrupt.ts.
    await openTrackedNamespace(this.kc, name, { target: this.target.name, labels: all }, () =>
      this.core.createNamespace({ body: { metadata: { name, labels: all } } }),
    );
    this.timeline = new Timeline(this.kc, name, this.clock);
    await this.timeline.start();
    this.readiness = new ReadinessController(this.core, this.timeline, this.clock);
    // A SIGINT/SIGTERM cuts the running scenario's waits short (support/interrupt.ts).
    this.waiter = new Waiter(this.timeline, this.clock, interruptSignal);
  }

  onCleanup(fn: () => Promise<unknown>): void {
    this.cleanups.push(fn);
  }

  async closeNamespace(): Promise<void> {
    try {
      for (const fn of this.cleanups.reverse()) await fn();
    } finally {
      // The namespace goes even when a cleanup failed (the failure still fails the scenario).
      this.readiness?.stop();
      this.timeline?.stop();
      if (this.namespace) {
        await this.core.deleteNamespace({ name: this.namespace }).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
        closeTrackedNamespace(this.namespace);
      }
    }
  }

  /** Marks the timeline before an action, so later ordering checks consider what followed it. */
  markAction(): void {
    const entries = this.timeline.entries;
    this.actionMark = entries.length ? entries[entries.length - 1].seq : 0;
  }

  // ---- waiting ------------------------------------------------------------------------------

  until<T>(expected: string, check: Check<T>, seconds?: number): Promise<T> {
    return this.waiter.until(expected, check, seconds).catch((err: unknown) => this.failedWait(err));
  }

  throughout(expected: string, check: Check<unknown>, seconds: number): Promise<void> {
    return this.waiter.throughout(expected, check, seconds).catch((err: unknown) => this.failedWait(err));
  }

  /** A wait failed: its step shows the swimlane with the wait's window shaded, right under the error. */
  private failedWait(err: unknown): never {
    if (err instanceof WaitFailure) this.attachSwimlane(this.waiter.lastFailure);
    throw err;
  }

  /** Whether this scenario's swimlane has been attached (the After hook attaches it otherwise). */
  swimlaneAttached = false;

  attachSwimlane(failed?: FailedWait): void {
    this.swimlaneAttached = true;
    const svg = renderSwimlane(this.timeline.entries, this.stepMarks, failed);
    this.attach(Buffer.from(svg), { mediaType: 'image/svg+xml', fileName: 'swimlane: the namespace over time' });
  }

  pod(name: string): V1Pod | undefined {
    return this.timeline.get<V1Pod>('Pod', name);
  }

  pods(): V1Pod[] {
    return this.timeline.list<V1Pod>('Pod');
  }

  statefulSet(name: string): V1StatefulSet | undefined {
    return this.timeline.get<V1StatefulSet>('StatefulSet', name);
  }

  /** Remembers the generation a write of ours produced, so that no wait trusts an older view. */
  noteWrite(set: V1StatefulSet): void {
    const { name, generation } = set.metadata ?? {};
    if (name && generation) this.writtenGeneration.set(name, Math.max(generation, this.writtenGeneration.get(name) ?? 0));
  }

  /**
   * The set as the controller has seen it: our view holds at least the generation our last
   * write produced, and the controller has observed it (observedGeneration ≥ generation). The
   * barrier before any assertion on status.
   */
  observedCheck(name: string): ReturnType<Check<V1StatefulSet>> {
    const set = this.statefulSet(name);
    if (!set) return notYet(`StatefulSet ${name} does not exist`);
    const generation = set.metadata?.generation ?? 0;
    const written = this.writtenGeneration.get(name) ?? 0;
    if (generation < written) return notYet(`the watch has not yet delivered generation ${written} (have ${generation})`);
    const observed = set.status?.observedGeneration;
    return observed !== undefined && observed >= generation ? ok(set) : notYet(`generation ${generation}, observedGeneration ${observed ?? 'unset'}`);
  }

  observed(name: string): Promise<V1StatefulSet> {
    return this.until(`StatefulSet ${name} to observe its latest generation`, () => this.observedCheck(name));
  }

  // ---- API calls -----------------------------------------------------------------------------

  /**
   * Runs an API call a scenario expects may be rejected: records the Status of a failure in
   * `lastError` instead of failing the step. Returns the result, or undefined on failure.
   */
  async attempt<T>(call: () => Promise<T>): Promise<T | undefined> {
    this.lastError = undefined;
    try {
      return await call();
    } catch (err) {
      if (!(err instanceof ApiException)) throw err;
      const status = apiStatus(err);
      this.lastError = { code: err.code, status, message: status?.message ?? String(err.body ?? err.message) };
      return undefined;
    }
  }

  /** Creates a StatefulSet, keeping the response and any `Warning` headers it carried. */
  async createStatefulSet(body: V1StatefulSet): Promise<V1StatefulSet> {
    const response = await this.apps.createNamespacedStatefulSetWithHttpInfo({ namespace: this.namespace, body });
    this.lastWarnings = warnings(response.headers);
    this.lastResponse = plain(response.data, 'V1StatefulSet');
    this.noteWrite(response.data);
    return response.data;
  }

  readStatefulSet(name: string): Promise<V1StatefulSet> {
    return this.apps.readNamespacedStatefulSet({ name, namespace: this.namespace });
  }

  /** JSON merge patch of a StatefulSet (the way `kubectl patch --type merge` sends it). */
  async patchStatefulSet(name: string, body: object): Promise<V1StatefulSet> {
    const set = await this.apps.patchNamespacedStatefulSet(
      { name, namespace: this.namespace, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    this.lastResponse = plain(set, 'V1StatefulSet');
    this.noteWrite(set);
    return set;
  }

  /**
   * Read, change, replace: the way a client updates an object that a controller also writes
   * (its status), retrying on 409 Conflict with a fresh read as client-go's RetryOnConflict does.
   */
  async updateStatefulSet(name: string, change: (set: V1StatefulSet) => void): Promise<V1StatefulSet> {
    return retryOnConflict(DefaultRetry, async () => {
      const set = await this.readStatefulSet(name);
      change(set);
      const updated = await this.apps.replaceNamespacedStatefulSet({ name, namespace: this.namespace, body: set });
      this.noteWrite(updated);
      return updated;
    });
  }

  async patchStatefulSetStatus(name: string, body: object): Promise<V1StatefulSet> {
    const set = await this.apps.patchNamespacedStatefulSetStatus(
      { name, namespace: this.namespace, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    this.lastResponse = plain(set, 'V1StatefulSet');
    return set;
  }

  /** Patches a pod and waits until the timeline shows the result, so no check sees the pod from before. */
  async patchPod(name: string, body: object, strategy = PatchStrategy.MergePatch): Promise<V1Pod> {
    const pod = await this.core.patchNamespacedPod({ name, namespace: this.namespace, body }, setHeaderOptions('Content-Type', strategy));
    await this.caughtUp('Pod', name, pod.metadata?.resourceVersion);
    return pod;
  }

  /** Waits until the timeline's view of an object is at least as new as a write of ours. */
  caughtUp(kind: WatchedKind, name: string, resourceVersion: string | undefined): Promise<unknown> {
    if (!resourceVersion || !/^\d+$/.test(resourceVersion)) return Promise.resolve();
    const want = BigInt(resourceVersion);
    return this.until(`the watch of ${kind} ${name} to reach resourceVersion ${resourceVersion}`, () => {
      const rv = this.timeline.get(kind, name)?.metadata?.resourceVersion;
      // Resource versions are opaque to clients, but every API server the suite targets serves
      // etcd-style increasing integers; a newer version or a deletion means we are caught up.
      return !rv || !/^\d+$/.test(rv) || BigInt(rv) >= want ? ok(true) : notYet(`at ${rv}`);
    });
  }

  /** Deletes a pod, remembering its UID so that its replacement can be told apart. */
  async deletePod(name: string, gracePeriodSeconds?: number): Promise<void> {
    const uid = this.pod(name)?.metadata?.uid ?? (await this.core.readNamespacedPod({ name, namespace: this.namespace })).metadata?.uid;
    this.remembered.set(`uid:${name}`, uid);
    this.markAction();
    await this.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds });
  }

  /**
   * Ends a pod in a terminal phase through the pod status API, as a kubelet reports a pod whose
   * containers exited (Succeeded) or that was evicted or crashed for good (Failed).
   */
  async endPod(name: string, phase: 'Failed' | 'Succeeded'): Promise<void> {
    const pod = await this.core.readNamespacedPod({ name, namespace: this.namespace });
    const exitCode = phase === 'Succeeded' ? 0 : 1;
    const now = this.clock.now();
    await this.core.patchNamespacedPodStatus(
      {
        name,
        namespace: this.namespace,
        body: {
          metadata: { uid: pod.metadata?.uid },
          status: {
            phase,
            conditions: [{ type: 'Ready', status: 'False', reason: 'PodCompleted', lastTransitionTime: now }],
            containerStatuses: (pod.status?.containerStatuses ?? []).map((c) => ({
              ...c,
              ready: false,
              started: false,
              state: { terminated: { exitCode, reason: phase === 'Failed' ? 'Error' : 'Completed', finishedAt: now } },
            })),
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
  }

  /** Rewrites an object's finalizers, retrying if someone else changed it meanwhile. */
  async editFinalizers(kind: 'pod' | 'claim', name: string, edit: (finalizers: string[]) => string[]): Promise<void> {
    const namespace = this.namespace;
    const result = await retryOnConflict(DefaultRetry, async () => {
      const obj = kind === 'pod' ? await this.core.readNamespacedPod({ name, namespace }) : await this.core.readNamespacedPersistentVolumeClaim({ name, namespace });
      const body = { metadata: { finalizers: edit(obj.metadata?.finalizers ?? []), resourceVersion: obj.metadata?.resourceVersion } };
      const options = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
      return kind === 'pod'
        ? await this.core.patchNamespacedPod({ name, namespace, body }, options)
        : await this.core.patchNamespacedPersistentVolumeClaim({ name, namespace, body }, options);
    });
    await this.caughtUp(kind === 'pod' ? 'Pod' : 'PersistentVolumeClaim', name, result.metadata?.resourceVersion);
  }

  /** The target's StorageClass that binds at first consumer (scenarios using it carry `@needs:wffc-storage`). */
  firstConsumerClass(): string {
    const name = this.info.firstConsumerClass;
    if (!name) throw new Error(`target ${this.info.name} has no WaitForFirstConsumer StorageClass: tag the scenario @needs:wffc-storage`);
    return name;
  }

  /** The node a pod runs on, read from the live view. */
  nodeOf(pod: string): string {
    const node = this.pod(pod)?.spec?.nodeName;
    if (!node) throw new Error(`pod ${pod} is not scheduled to a node`);
    return node;
  }
}

/** The plain JSON form of a client-node model, for field-path comparisons. */
export function plain(obj: unknown, model: string): Record<string, unknown> {
  return ObjectSerializer.serialize(obj, model) as Record<string, unknown>;
}

function warnings(headers: Record<string, string>): string[] {
  const raw = headers['warning'] ?? headers['Warning'];
  return raw ? raw.split(/,(?=\s*\d{3} )/).map((w) => w.trim()) : [];
}

setWorldConstructor(ConformanceWorld);

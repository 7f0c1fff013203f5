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
import type { Clock } from '../reference/clock.ts';
import { ReadinessController } from './readiness.ts';
import type { Target, TargetInfo } from './targets/target.ts';
import { Timeline } from './timeline.ts';
import { Waiter, notYet, ok, type Check } from './waiting.ts';

export interface ConformanceParameters {
  target: 'reference' | 'control-plane' | 'cluster' | 'kind';
  /** Reference target: simulated seconds per real second. */
  clockScale?: number;
  /** Reference target: broken StatefulSet controller behaviours to switch on. */
  mutants?: string[];
  /** Control-plane target: run the reference StatefulSet controller against the real API server. */
  hybrid?: boolean;
  /** Cluster target: kubeconfig context (defaults to the current context). */
  context?: string;
  /** Real clusters: allow @disruptive scenarios. */
  disruptive?: boolean;
  /** kind target: keep the cluster after the run. */
  keepCluster?: boolean;
}

/** The labels that mark a namespace as the harness's own. */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'statefulset-conformance' };
export const RUN_ID_LABEL = 'statefulset-conformance.io/run-id';

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
  /** Timeline sequence number at the last action a step took: ordering checks look after it. */
  actionMark = 0;
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
    await this.core.createNamespace({ body: { metadata: { name, labels: { ...MANAGED_BY, ...labels } } } });
    this.timeline = new Timeline(this.kc, name, this.clock);
    await this.timeline.start();
    this.readiness = new ReadinessController(this.core, this.timeline, this.clock);
    this.waiter = new Waiter(this.timeline, this.clock);
  }

  async closeNamespace(): Promise<void> {
    this.readiness?.stop();
    this.timeline?.stop();
    if (!this.namespace) return;
    await this.core.deleteNamespace({ name: this.namespace }).catch((err) => {
      if ((err as ApiException<unknown>).code !== 404) throw err;
    });
  }

  /** Marks the timeline before an action, so later ordering checks consider what followed it. */
  markAction(): void {
    const entries = this.timeline.entries;
    this.actionMark = entries.length ? entries[entries.length - 1].seq : 0;
  }

  // ---- waiting ------------------------------------------------------------------------------

  until<T>(expected: string, check: Check<T>, seconds?: number): Promise<T> {
    return this.waiter.until(expected, check, seconds);
  }

  throughout(expected: string, check: Check<unknown>, seconds: number): Promise<void> {
    return this.waiter.throughout(expected, check, seconds);
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

  /**
   * Waits until the controller has seen the set's latest spec (observedGeneration ==
   * generation): the barrier before any assertion on status.
   */
  observed(name: string): Promise<V1StatefulSet> {
    return this.until(`StatefulSet ${name} to observe its latest generation`, () => {
      const set = this.statefulSet(name);
      if (!set) return notYet(`StatefulSet ${name} does not exist`);
      const { generation } = set.metadata!;
      const observed = set.status?.observedGeneration;
      return observed !== undefined && observed >= (generation ?? 0) ? ok(set) : notYet(`generation ${generation}, observedGeneration ${observed ?? 'unset'}`);
    });
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
      let status: V1Status | undefined;
      try {
        status = typeof err.body === 'string' ? JSON.parse(err.body) : (err.body as V1Status);
      } catch {
        status = undefined;
      }
      this.lastError = { code: err.code, status, message: status?.message ?? String(err.body ?? err.message) };
      return undefined;
    }
  }

  async createStatefulSet(body: V1StatefulSet): Promise<V1StatefulSet> {
    return this.apps.createNamespacedStatefulSet({ namespace: this.namespace, body });
  }

  readStatefulSet(name: string): Promise<V1StatefulSet> {
    return this.apps.readNamespacedStatefulSet({ name, namespace: this.namespace });
  }

  /** JSON merge patch of a StatefulSet (the way `kubectl patch --type merge` sends it). */
  patchStatefulSet(name: string, body: object): Promise<V1StatefulSet> {
    return this.apps.patchNamespacedStatefulSet(
      { name, namespace: this.namespace, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }

  patchPod(name: string, body: object, strategy = PatchStrategy.MergePatch): Promise<V1Pod> {
    return this.core.patchNamespacedPod({ name, namespace: this.namespace, body }, setHeaderOptions('Content-Type', strategy));
  }

  deletePod(name: string, gracePeriodSeconds?: number): Promise<V1Pod> {
    return this.core.deleteNamespacedPod({ name, namespace: this.namespace, gracePeriodSeconds });
  }

  /** The node a pod runs on, read from the live view. */
  nodeOf(pod: string): string {
    const node = this.pod(pod)?.spec?.nodeName;
    if (!node) throw new Error(`pod ${pod} is not scheduled to a node`);
    return node;
  }
}

setWorldConstructor(ConformanceWorld);

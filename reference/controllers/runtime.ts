/**
 * The small controller runtime the reference controllers share: typed informers over
 * client-node's ListWatch, and a deduplicating work queue with delayed adds and backoff.
 * Controllers see the cluster only through these, i.e. through the HTTP API, so they run
 * unchanged against the reference API server and against a real kube-apiserver.
 */
import {
  KubeConfig,
  ListWatch,
  Watch,
  type KubernetesObject,
  type KubernetesListObject,
} from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import type { Clock, Timer } from '../clock.ts';

export type Handler<T> = (obj: T, old?: T) => void;

/**
 * A typed, self-restarting informer. ListWatch hands list items as typed models but watch
 * events as plain JSON; this wrapper deserialises watch objects so handlers always see models.
 */
export class Informer<T extends KubernetesObject> {
  private readonly lw: ListWatch<T>;
  private readonly handlers = { add: [] as Handler<T>[], update: [] as Handler<T>[], delete: [] as Handler<T>[] };
  private stopped = false;
  private synced = false;
  private syncWaiters: Array<() => void> = [];
  private retry?: Timer;
  /** The last version handed to handlers, per namespace/name: the `old` of the next update. */
  private readonly previous = new Map<string, T>();

  constructor(
    kc: KubeConfig,
    readonly path: string,
    private readonly typeName: string,
    list: () => Promise<KubernetesListObject<T>>,
    private readonly clock: Clock,
    options: { labelSelector?: string; fieldSelector?: string } = {},
  ) {
    this.lw = new ListWatch<T>(
      path,
      new Watch(kc),
      async () => {
        const result = await list();
        this.markSynced();
        return result;
      },
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    const typed = (o: T): T => this.typedOrSelf(o);
    // Update handlers get the previous version too (as client-go's UpdateFunc(old, new) does).
    const keyOfObj = (o: T) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    this.lw.on('add', (o) => {
      const t = typed(o);
      this.previous.set(keyOfObj(t), t);
      this.handlers.add.forEach((h) => h(t));
    });
    this.lw.on('update', (o) => {
      const t = typed(o);
      const old = this.previous.get(keyOfObj(t));
      this.previous.set(keyOfObj(t), t);
      this.handlers.update.forEach((h) => h(t, old));
    });
    this.lw.on('delete', (o) => {
      const t = typed(o);
      this.previous.delete(keyOfObj(t));
      this.handlers.delete.forEach((h) => h(t));
    });
    this.lw.on('error', () => {
      if (this.stopped) return;
      // Restart from the last resourceVersion; a 410 makes ListWatch relist by itself.
      this.retry = this.clock.after(this.clock.scale * 200, () => void this.lw.start().catch(() => undefined));
    });
  }

  private deserialize(o: T): T {
    return ObjectSerializer.deserialize(o, this.typeName) as T;
  }

  /**
   * The typed model of a cached object. ListWatch keeps watch objects as plain JSON; each one is
   * deserialised once and the model kept beside it (keyed by the plain object, which the cache
   * replaces on every change), so get() and list() do not deserialise the whole cache per call.
   * Models are shared, as client-go's cache objects are: callers must not mutate them.
   */
  private readonly models = new WeakMap<T, T>();

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.syncWaiters.forEach((w) => w());
    this.syncWaiters = [];
  }

  on(event: 'add' | 'update' | 'delete', handler: Handler<T>): this {
    this.handlers[event].push(handler);
    return this;
  }

  async start(): Promise<void> {
    this.stopped = false;
    void this.lw.start().catch(() => undefined);
    if (!this.synced) await new Promise<void>((resolve) => this.syncWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.retry?.cancel();
    await this.lw.stop();
  }

  get(name: string, namespace?: string): T | undefined {
    const o = this.lw.get(name, namespace);
    return o && this.typedOrSelf(o);
  }

  list(namespace?: string): T[] {
    return this.lw.list(namespace).map((o) => this.typedOrSelf(o));
  }

  /**
   * client-go's Store.LastStoreSyncResourceVersion: the resourceVersion of the last list or
   * watch event applied to the cache ('' before the first list and after a 410 Gone).
   */
  lastSyncResourceVersion(): string {
    return this.lw.latestResourceVersion();
  }

  private typedOrSelf(o: T): T {
    if (!o.metadata || o.metadata.creationTimestamp instanceof Date) return o;
    let model = this.models.get(o);
    if (!model) {
      model = this.deserialize(o);
      this.models.set(o, model);
    }
    return model;
  }
}

/**
 * A work queue of string keys, in the manner of client-go's workqueue: a key is queued at most
 * once, is never processed by two workers at once, and a key re-added while it is being
 * processed runs again afterwards. Failed keys are retried with exponential backoff.
 */
export class WorkQueue {
  private readonly queue: string[] = [];
  private readonly queued = new Set<string>();
  private readonly processing = new Set<string>();
  private readonly dirtyWhileProcessing = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Map<string, { due: number; timer: Timer }>();
  private running = 0;
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly process: (key: string) => Promise<void>,
    private readonly workers = 1,
    private readonly onError: (key: string, err: unknown) => void = () => undefined,
  ) {}

  add(key: string): void {
    if (this.stopped) return;
    if (this.processing.has(key)) {
      this.dirtyWhileProcessing.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.queue.push(key);
    this.pump();
  }

  /**
   * Adds the key after `simulatedMs`. Like client-go's AddAfter, the earliest pending deadline
   * for a key wins: a shorter delay replaces a longer pending one, a longer one is dropped.
   */
  addAfter(key: string, simulatedMs: number): void {
    if (this.stopped) return;
    if (simulatedMs <= 0) return this.add(key);
    const due = this.clock.nowMs() + simulatedMs;
    const pending = this.timers.get(key);
    if (pending && pending.due <= due) return;
    pending?.timer.cancel();
    this.timers.set(key, {
      due,
      timer: this.clock.after(simulatedMs, () => {
        this.timers.delete(key);
        this.add(key);
      }),
    });
  }

  stop(): void {
    this.stopped = true;
    this.timers.forEach((t) => t.timer.cancel());
    this.timers.clear();
    this.queue.length = 0;
    this.queued.clear();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.workers && this.queue.length > 0) {
      const key = this.queue.shift()!;
      this.queued.delete(key);
      this.processing.add(key);
      this.running++;
      void this.run(key);
    }
  }

  private async run(key: string): Promise<void> {
    try {
      await this.process(key);
      this.failures.delete(key);
    } catch (err) {
      this.onError(key, err);
      const n = (this.failures.get(key) ?? 0) + 1;
      this.failures.set(key, n);
      // 5ms, 10ms, 20ms … capped at 1 s of real time, like client-go's item backoff but faster.
      const realMs = Math.min(1000, 5 * 2 ** (n - 1));
      this.addAfter(key, realMs * this.clock.scale);
    } finally {
      this.processing.delete(key);
      this.running--;
      if (this.dirtyWhileProcessing.delete(key)) this.add(key);
      this.pump();
    }
  }
}

/** `namespace/name` of an object, the queue key every controller uses. */
export function keyOf(obj: KubernetesObject): string {
  return `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
}

export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

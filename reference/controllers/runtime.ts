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
type EventName = 'add' | 'update' | 'delete';

/** What a component holds of an informer: its cache, its events, its start and stop. */
export interface InformerHandle<T extends KubernetesObject> {
  readonly path: string;
  on(event: EventName, handler: Handler<T>): this;
  start(): Promise<void>;
  stop(): Promise<void>;
  get(name: string, namespace?: string): T | undefined;
  list(namespace?: string): T[];
  lastSyncResourceVersion(): string;
}

/** What a lister gives: the informer's cache (get: undefined is NotFound). Tests fake it. */
export type Lister<T extends KubernetesObject> = Pick<InformerHandle<T>, 'get' | 'list'>;

/**
 * A typed, self-restarting informer. ListWatch hands list items as typed models but watch
 * events as plain JSON; here each watch object is deserialised once, before ListWatch caches it,
 * so the cache holds one typed model per object (not the JSON and a model beside it) and
 * handlers, get() and list() always see models. Models are shared, as client-go's cache objects
 * are: callers must not mutate them.
 */
export class Informer<T extends KubernetesObject> implements InformerHandle<T> {
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
    typeName: string,
    list: () => Promise<KubernetesListObject<T>>,
    private readonly clock: Clock,
    options: { labelSelector?: string; fieldSelector?: string } = {},
  ) {
    this.lw = new ListWatch<T>(
      path,
      typedWatch(kc, typeName),
      async () => {
        const result = await list();
        this.markSynced();
        return result;
      },
      false,
      options.labelSelector,
      options.fieldSelector,
    );
    // Update handlers get the previous version too (as client-go's UpdateFunc(old, new) does).
    const keyOfObj = (o: T) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
    this.lw.on('add', (o) => {
      this.previous.set(keyOfObj(o), o);
      this.handlers.add.forEach((h) => h(o));
    });
    this.lw.on('update', (o) => {
      const old = this.previous.get(keyOfObj(o));
      this.previous.set(keyOfObj(o), o);
      this.handlers.update.forEach((h) => h(o, old));
    });
    this.lw.on('delete', (o) => {
      this.previous.delete(keyOfObj(o));
      this.handlers.delete.forEach((h) => h(o));
    });
    this.lw.on('error', () => {
      if (this.stopped) return;
      // Restart from the last resourceVersion; a 410 makes ListWatch relist by itself.
      this.retry = this.clock.after(this.clock.scale * 200, () => void this.lw.start().catch(() => undefined));
    });
  }

  private markSynced(): void {
    if (this.synced) return;
    this.synced = true;
    this.syncWaiters.forEach((w) => w());
    this.syncWaiters = [];
  }

  on(event: EventName, handler: Handler<T>): this {
    this.handlers[event].push(handler);
    return this;
  }

  off(event: EventName, handler: Handler<T>): this {
    const i = this.handlers[event].indexOf(handler);
    if (i >= 0) this.handlers[event].splice(i, 1);
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
    return this.lw.get(name, namespace);
  }

  list(namespace?: string): T[] {
    return [...this.lw.list(namespace)];
  }

  /**
   * client-go's Store.LastStoreSyncResourceVersion: the resourceVersion of the last list or
   * watch event applied to the cache ('' before the first list and after a 410 Gone).
   */
  lastSyncResourceVersion(): string {
    return this.lw.latestResourceVersion();
  }
}

/** The typed model of a plain object; for METADATA_ONLY, its apiVersion, kind and metadata alone. */
function toModel(obj: KubernetesObject, typeName: string): KubernetesObject {
  if (typeName !== METADATA_ONLY) return ObjectSerializer.deserialize(obj, typeName) as KubernetesObject;
  return { apiVersion: obj.apiVersion, kind: obj.kind, metadata: ObjectSerializer.deserialize(obj.metadata, 'V1ObjectMeta') };
}

/** A Watch whose events carry typed models (the ERROR event's Status stays as sent). */
function typedWatch(kc: KubeConfig, typeName: string): Watch {
  return new (class extends Watch {
    override watch(...[path, params, callback, done]: Parameters<Watch['watch']>): Promise<AbortController> {
      return super.watch(path, params, (phase, obj, watchObj) => callback(phase, phase === 'ERROR' ? obj : toModel(obj, typeName), watchObj), done);
    }
  })(kc);
}

/** Not a client-node model: objects cut to their apiVersion, kind and metadata (toModel). */
const METADATA_ONLY = 'PartialObjectMetadata';

/** What every component of the reference plane is started with. */
export interface ComponentOptions {
  clock: Clock;
  log?: (line: string) => void;
  /** Informers shared with the other components of the process (default: the component's own). */
  informers?: SharedInformers;
}

/** A component's informers: the process's shared ones, or its own. */
export function informersFor(kc: KubeConfig, opts: ComponentOptions): SharedInformers {
  return opts.informers ?? new SharedInformers(kc, opts.clock);
}

/**
 * One informer per resource for all the components of a process, as kube-controller-manager's
 * SharedInformerFactory: one watch and one cache of pods however many components look at pods
 * (seven in the reference plane, which at 10,000 pods was most of its memory). Each component
 * gets a handle of its own: its handlers see the objects already cached as adds when it starts,
 * then every change, and stop with it; the informer stops with its last handle. Cached objects
 * are shared, so no component may mutate them (as in client-go).
 */
export class SharedInformers {
  private readonly entries = new Map<string, SharedEntry>();

  constructor(
    private readonly kc: KubeConfig,
    private readonly clock: Clock,
  ) {}

  informer<T extends KubernetesObject>(
    path: string,
    typeName: string,
    list: () => Promise<KubernetesListObject<T>>,
    options: { labelSelector?: string; fieldSelector?: string } = {},
  ): InformerHandle<T> {
    const key = JSON.stringify([path, typeName, options.labelSelector ?? '', options.fieldSelector ?? '']);
    let entry = this.entries.get(key);
    if (!entry) {
      const informer = new Informer<T>(this.kc, path, typeName, list, this.clock, options) as unknown as Informer<KubernetesObject>;
      entry = { informer, whole: !options.labelSelector && !options.fieldSelector && typeName !== METADATA_ONLY, handles: 0 };
      this.entries.set(key, entry);
    }
    return this.handle<T>(key, entry);
  }

  /**
   * The objects' metadata, all the garbage collector needs (upstream it watches through
   * metadata-only informers). A whole-resource informer already shared serves, without a second
   * watch; otherwise each object is cached as its apiVersion, kind and metadata alone.
   */
  metadataInformer(path: string, list: () => Promise<KubernetesListObject<KubernetesObject>>): InformerHandle<KubernetesObject> {
    const whole = [...this.entries].find(([, e]) => e.whole && e.informer.path === path);
    if (whole) return this.handle(whole[0], whole[1]);
    return this.informer(path, METADATA_ONLY, async () => {
      const l = await list();
      return { ...l, items: l.items.map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: o.metadata })) };
    });
  }

  private handle<T extends KubernetesObject>(key: string, e: SharedEntry): InformerHandle<T> {
    e.handles++;
    return new SharedInformerHandle<T>(e.informer as unknown as Informer<T>, () => (e.started ??= e.informer.start()), async () => {
      if (--e.handles > 0) return;
      this.entries.delete(key);
      await e.informer.stop();
    });
  }
}

interface SharedEntry {
  informer: Informer<KubernetesObject>;
  /** Every object of the resource, whole: can serve a metadata-only request too. */
  whole: boolean;
  handles: number;
  started?: Promise<void>;
}

class SharedInformerHandle<T extends KubernetesObject> implements InformerHandle<T> {
  private readonly handlers = { add: [] as Handler<T>[], update: [] as Handler<T>[], delete: [] as Handler<T>[] };
  /** Events reach this handle's handlers from its start (with the cache replayed) to its stop. */
  private active = false;
  private stopped = false;
  private readonly relay = {
    add: (o: T) => this.active && this.handlers.add.forEach((h) => h(o)),
    update: (o: T, old?: T) => this.active && this.handlers.update.forEach((h) => h(o, old)),
    delete: (o: T) => this.active && this.handlers.delete.forEach((h) => h(o)),
  };

  constructor(
    private readonly informer: Informer<T>,
    private readonly startShared: () => Promise<void>,
    private readonly release: () => Promise<void>,
  ) {
    for (const event of ['add', 'update', 'delete'] as const) informer.on(event, this.relay[event]);
  }

  get path(): string {
    return this.informer.path;
  }

  on(event: EventName, handler: Handler<T>): this {
    this.handlers[event].push(handler);
    return this;
  }

  async start(): Promise<void> {
    await this.startShared();
    if (this.active || this.stopped) return;
    // Synchronously with switching on: whatever changes later arrives as events.
    this.active = true;
    for (const o of this.informer.list()) this.handlers.add.forEach((h) => h(o));
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.active = false;
    for (const event of ['add', 'update', 'delete'] as const) this.informer.off(event, this.relay[event]);
    await this.release();
  }

  get(name: string, namespace?: string): T | undefined {
    return this.informer.get(name, namespace);
  }

  list(namespace?: string): T[] {
    return this.informer.list(namespace);
  }

  lastSyncResourceVersion(): string {
    return this.informer.lastSyncResourceVersion();
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

/**
 * The timeline of a scenario: every change to the scenario namespace's pods, PVCs,
 * StatefulSets, ControllerRevisions and events (and to the PersistentVolumes a step chose to
 * follow), in the order the API server's watches delivered them. It is also the scenario's live view of those objects: waits re-check their
 * condition on each change (support/waiting.ts), and ordering guarantees are asserted on the
 * recorded history rather than by polling.
 */
import { AppsV1Api, CoreV1Api, DiscoveryV1Api, KubeConfig, Watch, type KubernetesObject, type KubernetesListObject, type V1PersistentVolume, type V1PersistentVolumeClaim, type V1Pod } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { statusCode } from '../reference/api-errors.ts';
import type { Clock } from '../reference/clock.ts';
import { describePod, isReady, isTerminating } from './pods.ts';

type Lister = (
  core: CoreV1Api,
  apps: AppsV1Api,
  discovery: DiscoveryV1Api,
  namespace: string,
  fieldSelector?: string,
) => Promise<KubernetesListObject<KubernetesObject>>;

export type WatchedKind = 'Pod' | 'PersistentVolumeClaim' | 'StatefulSet' | 'ControllerRevision' | 'Event' | 'EndpointSlice' | 'PersistentVolume';

/**
 * What the timeline watches. Namespaced kinds are watched from the start; a cluster-scoped kind
 * (volumes, which other scenarios' claims have too) only object by object, once a step follows one.
 */
export const WATCHED: Record<WatchedKind, { path: string; resource: string; model: string; list: Lister; clusterScoped?: true }> = {
  Pod: { path: 'api/v1', resource: 'pods', model: 'V1Pod', list: (c, _a, _d, namespace) => c.listNamespacedPod({ namespace }) },
  PersistentVolumeClaim: {
    path: 'api/v1',
    resource: 'persistentvolumeclaims',
    model: 'V1PersistentVolumeClaim',
    list: (c, _a, _d, namespace) => c.listNamespacedPersistentVolumeClaim({ namespace }),
  },
  StatefulSet: { path: 'apis/apps/v1', resource: 'statefulsets', model: 'V1StatefulSet', list: (_c, a, _d, namespace) => a.listNamespacedStatefulSet({ namespace }) },
  ControllerRevision: {
    path: 'apis/apps/v1',
    resource: 'controllerrevisions',
    model: 'V1ControllerRevision',
    list: (_c, a, _d, namespace) => a.listNamespacedControllerRevision({ namespace }),
  },
  Event: { path: 'api/v1', resource: 'events', model: 'CoreV1Event', list: (c, _a, _d, namespace) => c.listNamespacedEvent({ namespace }) },
  EndpointSlice: {
    path: 'apis/discovery.k8s.io/v1',
    resource: 'endpointslices',
    model: 'V1EndpointSlice',
    list: (_c, _a, d, namespace) => d.listNamespacedEndpointSlice({ namespace }),
  },
  PersistentVolume: {
    path: 'api/v1',
    resource: 'persistentvolumes',
    model: 'V1PersistentVolume',
    clusterScoped: true,
    list: (c, _a, _d, _namespace, fieldSelector) => c.listPersistentVolume({ fieldSelector }),
  },
};

export interface TimelineEntry {
  seq: number;
  /** Target-clock time the harness saw the change. */
  at: Date;
  kind: WatchedKind;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  name: string;
  uid: string;
  resourceVersion: string;
  summary: string;
  object: KubernetesObject;
}

/** Pod and PVC lifecycle milestones, compared across targets (support/report/differential.ts). */
export type Milestone = 'created' | 'running' | 'ready' | 'bound' | 'terminating' | 'deleted';

type Listener = () => void;

export class Timeline {
  readonly entries: TimelineEntry[] = [];
  private readonly objects = new Map<WatchedKind, Map<string, KubernetesObject>>();
  private readonly listeners = new Set<Listener>();
  private readonly aborts: AbortController[] = [];
  /** The PersistentVolumes followed (followVolume). */
  private readonly followed = new Set<string>();
  private stopped = false;
  private seq = 0;

  constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
    private readonly clock: Clock,
  ) {
    for (const kind of Object.keys(WATCHED) as WatchedKind[]) this.objects.set(kind, new Map());
    this.core = kc.makeApiClient(CoreV1Api);
    this.apps = kc.makeApiClient(AppsV1Api);
    this.discovery = kc.makeApiClient(DiscoveryV1Api);
  }
  private readonly discovery: DiscoveryV1Api;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;

  /** Starts every namespace watch; resolves once each has listed the namespace. */
  async start(): Promise<void> {
    await Promise.all((Object.keys(WATCHED) as WatchedKind[]).filter((kind) => !WATCHED[kind].clusterScoped).map((kind) => this.watch(kind, '')));
  }

  /** Follows one PersistentVolume from now on (its current state first); resolves once it is listed. */
  async followVolume(name: string): Promise<void> {
    if (this.followed.has(name)) return;
    this.followed.add(name);
    await this.watch('PersistentVolume', '', name);
  }

  stop(): void {
    this.stopped = true;
    this.aborts.forEach((a) => a.abort());
    this.listeners.clear();
  }

  /** Calls `listener` after every recorded change until the returned function is called. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get<T extends KubernetesObject>(kind: WatchedKind, name: string): T | undefined {
    return this.objects.get(kind)!.get(name) as T | undefined;
  }

  list<T extends KubernetesObject>(kind: WatchedKind): T[] {
    return [...this.objects.get(kind)!.values()] as T[];
  }

  /** When the entry was recorded, in seconds since the timeline's first entry ("2.8 s"). */
  when(entry: TimelineEntry): string {
    const start = this.entries[0]?.at.getTime() ?? entry.at.getTime();
    return `${((entry.at.getTime() - start) / 1000).toFixed(1)} s`;
  }

  /** Entries about one object name, oldest first. */
  history(kind: WatchedKind, name?: string): TimelineEntry[] {
    return this.entries.filter((e) => e.kind === kind && (name === undefined || e.name === name));
  }

  /** Watches the namespace's objects of a kind, or (a cluster-scoped kind) the one named `only`. */
  private async watch(kind: WatchedKind, fromVersion: string, only?: string): Promise<void> {
    const { path, resource, clusterScoped } = WATCHED[kind];
    const url = clusterScoped ? `/${path}/${resource}` : `/${path}/namespaces/${this.namespace}/${resource}`;
    const fieldSelector = only === undefined ? undefined : `metadata.name=${only}`;
    let resourceVersion = fromVersion;
    if (!resourceVersion) resourceVersion = await this.relist(kind, fieldSelector, only);
    if (this.stopped) return;
    const abort = await new Watch(this.kc).watch(
      url,
      { resourceVersion, allowWatchBookmarks: true, ...(fieldSelector ? { fieldSelector } : {}) },
      (type, raw) => {
        if (type === 'BOOKMARK') return void (resourceVersion = raw?.metadata?.resourceVersion ?? resourceVersion);
        if (type === 'ERROR') return void (resourceVersion = ''); // 410 Gone: relist on restart
        resourceVersion = raw?.metadata?.resourceVersion ?? resourceVersion;
        this.record(kind, type as TimelineEntry['type'], ObjectSerializer.deserialize(raw, WATCHED[kind].model));
      },
      (err) => {
        if (this.stopped) return;
        const gone = statusCode(err) === 410;
        // A watch the server closed resumes where it stopped; a lost one relists.
        setImmediate(() => void this.watch(kind, gone ? '' : resourceVersion, only).catch(() => undefined));
      },
    );
    this.aborts.push(abort);
  }

  /** Lists the kind (or the one object `only`), records what changed since the cache was last filled, returns the list's RV. */
  private async relist(kind: WatchedKind, fieldSelector?: string, only?: string): Promise<string> {
    const list = await WATCHED[kind].list(this.core, this.apps, this.discovery, this.namespace, fieldSelector);
    const seen = new Set<string>();
    for (const obj of list.items ?? []) {
      const name = obj.metadata?.name ?? '';
      seen.add(name);
      this.record(kind, this.objects.get(kind)!.has(name) ? 'MODIFIED' : 'ADDED', obj);
    }
    for (const [name, obj] of this.objects.get(kind)!) if (!seen.has(name) && (only === undefined || name === only)) this.record(kind, 'DELETED', obj);
    return list.metadata?.resourceVersion ?? '';
  }

  private record(kind: WatchedKind, type: TimelineEntry['type'], object: KubernetesObject): void {
    const name = object.metadata?.name ?? '';
    const cache = this.objects.get(kind)!;
    const previous = cache.get(name);
    if (type === 'DELETED') cache.delete(name);
    else cache.set(name, object);
    const summary = summarise(kind, object);
    // A modification that changes nothing a reader of the timeline cares about is not recorded.
    const unchanged = type === 'MODIFIED' && previous && summarise(kind, previous) === summary;
    if (!unchanged) {
      this.entries.push({
        seq: ++this.seq,
        at: this.clock.now(),
        kind,
        type,
        name,
        uid: object.metadata?.uid ?? '',
        resourceVersion: object.metadata?.resourceVersion ?? '',
        summary,
        object,
      });
    }
    this.listeners.forEach((l) => l());
  }

  /**
   * Lifecycle milestones of every pod and PVC, per name (`Pod/web-0`), in the order they were
   * reached; a recreated object's milestones follow its predecessor's. Each incarnation (uid)
   * reaches each milestone once, so repeated readiness flips do not count. These sequences are
   * what the differential report compares across targets: they hold no times.
   */
  lifecycles(): Record<string, Milestone[]> {
    const out: Record<string, Milestone[]> = {};
    const seen = new Map<string, Set<Milestone>>();
    for (const e of this.entries) {
      if (e.kind !== 'Pod' && e.kind !== 'PersistentVolumeClaim') continue;
      const reached: Milestone[] = ['created'];
      if (e.type === 'DELETED') reached.push('deleted');
      else if (e.kind === 'Pod') {
        const pod = e.object as V1Pod;
        if (pod.status?.phase === 'Running') reached.push('running');
        if (isReady(pod)) reached.push('ready');
        if (isTerminating(pod)) reached.push('terminating');
      } else {
        const claim = e.object as V1PersistentVolumeClaim;
        if (claim.status?.phase === 'Bound') reached.push('bound');
        if (claim.metadata?.deletionTimestamp) reached.push('terminating');
      }
      const done = seen.get(e.uid) ?? new Set<Milestone>();
      seen.set(e.uid, done);
      for (const m of reached) {
        if (done.has(m)) continue;
        done.add(m);
        (out[`${e.kind}/${e.name}`] ??= []).push(m);
      }
    }
    return out;
  }

  /**
   * The timeline as text, for reports: its start and its end, with the middle elided when there
   * are more than `limit` entries (the start shows how things began, the end where they stalled).
   */
  render(limit = 400): string {
    const start = this.entries[0]?.at.getTime() ?? 0;
    const line = (e: TimelineEntry) => `${offset(e, start)}  ${e.type.padEnd(8)} ${e.kind}/${e.name}  ${e.summary}`;
    if (this.entries.length <= limit) return this.entries.map(line).join('\n');
    const head = Math.floor(limit / 4);
    const tail = limit - head;
    return [
      ...this.entries.slice(0, head).map(line),
      `… ${this.entries.length - limit} entries elided …`,
      ...this.entries.slice(-tail).map(line),
    ].join('\n');
  }

  /** The timeline grouped by object (kind/name), each object's changes oldest first. */
  renderByObject(): string {
    const start = this.entries[0]?.at.getTime() ?? 0;
    const groups = new Map<string, TimelineEntry[]>();
    for (const e of this.entries) {
      const key = `${e.kind}/${e.name}`;
      const group = groups.get(key) ?? [];
      group.push(e);
      groups.set(key, group);
    }
    return [...groups]
      .map(([key, es]) => [key, ...es.map((e) => `  ${offset(e, start)}  ${e.type.padEnd(8)} ${e.summary}`)].join('\n'))
      .join('\n\n');
  }
}

function offset(e: TimelineEntry, start: number): string {
  return `${((e.at.getTime() - start) / 1000).toFixed(1).padStart(7)}s`;
}

function summarise(kind: WatchedKind, obj: KubernetesObject): string {
  const o = obj as Record<string, any>;
  switch (kind) {
    case 'Pod':
      return `${describePod(obj as V1Pod)} uid=${short(o.metadata?.uid)}`;
    case 'PersistentVolumeClaim': {
      const owners = (o.metadata?.ownerReferences ?? []).map((r: any) => `${r.kind}/${r.name}`).join(',');
      return `${o.status?.phase ?? 'Pending'}${o.spec?.volumeName ? ` volume=${o.spec.volumeName}` : ''}${owners ? ` owners=${owners}` : ''}${o.metadata?.deletionTimestamp ? ' terminating' : ''} uid=${short(o.metadata?.uid)}`;
    }
    case 'StatefulSet': {
      const s = o.status ?? {};
      return `gen=${o.metadata?.generation} observed=${s.observedGeneration ?? '-'} replicas=${o.spec?.replicas} status(replicas=${s.replicas ?? 0} ready=${s.readyReplicas ?? 0} available=${s.availableReplicas ?? 0} current=${s.currentReplicas ?? 0} updated=${s.updatedReplicas ?? 0} currentRevision=${s.currentRevision ?? '-'} updateRevision=${s.updateRevision ?? '-'})${o.metadata?.deletionTimestamp ? ' terminating' : ''}`;
    }
    case 'ControllerRevision':
      return `revision=${o.revision}`;
    case 'Event':
      return `${o.type} ${o.reason} ${o.involvedObject?.kind}/${o.involvedObject?.name}: ${o.message}`;
    case 'PersistentVolume': {
      const pv = obj as V1PersistentVolume;
      const claim = pv.spec?.claimRef ? ` claim=${pv.spec.claimRef.name} (uid ${short(pv.spec.claimRef.uid)})` : '';
      return `${pv.status?.phase ?? 'Pending'}${claim}${pv.metadata?.deletionTimestamp ? ' terminating' : ''} finalizers=${(pv.metadata?.finalizers ?? []).join(',') || 'none'}`;
    }
    case 'EndpointSlice':
      return (o.endpoints ?? [])
        .map((e: any) => `${e.hostname ?? e.targetRef?.name ?? '?'}=${(e.addresses ?? []).join('/')}${e.conditions?.ready === false ? '(not ready)' : ''}`)
        .join(' ') || 'no endpoints';
  }
}

function short(uid: string | undefined): string {
  return (uid ?? '').slice(0, 8);
}

/**
 * client-go's core/v1 event recording (k8s.io/client-go/tools/record v0.37.2), shared by every
 * reference controller that records Events: an EventRecorder per source component
 * (`record.EventBroadcaster.NewRecorder(scheme, EventSource{Component})`), whose Events go
 * through the broadcaster's EventCorrelator to the API one at a time:
 *
 * - EventAggregator: the 10th distinct message with the same source, object, type and reason
 *   within 10 minutes becomes one Event "(combined from similar events): <message>";
 * - eventLogger: an Event seen before (same key, message included) is not posted again but its
 *   `count` and `lastTimestamp` are patched (strategic merge, as recordToSink does);
 * - EventSourceObjectSpamFilter: per source, object and type, a token bucket of 25 that refills
 *   one every 5 minutes; Events beyond it are dropped.
 *
 * Upstream's caches are LRUs of 4096 entries; so are these.
 */
import type { CoreV1Api, CoreV1Event, KubernetesObject, V1ObjectReference } from '@kubernetes/client-node';
import { rfc3339, type Clock } from '../clock.ts';
import { errorMessage, isNotFound } from '../api-errors.ts';
import { strategicMergePatch } from './api-util.ts';

export type EventType = 'Normal' | 'Warning';

const MAX_LRU_CACHE_ENTRIES = 4096;
const DEFAULT_AGGREGATE_MAX_EVENTS = 10;
const DEFAULT_AGGREGATE_INTERVAL_MS = 600_000;
const DEFAULT_SPAM_BURST = 25;
// float32 upstream (qps float32), which makes it a hair over 1/300.
const DEFAULT_SPAM_QPS = Math.fround(1 / 300);

/** k8s.io/utils/lru: a bounded map whose least recently used entry goes first. */
class Lru<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly size: number) {}
  get(key: string): V | undefined {
    const v = this.map.get(key);
    if (v !== undefined) {
      this.map.delete(key);
      this.map.set(key, v);
    }
    return v;
  }
  add(key: string, v: V): void {
    this.map.delete(key);
    this.map.set(key, v);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value!);
  }
}

const join = (parts: Array<string | undefined>) => parts.map((p) => p ?? '').join('');

/** getEventKey: everything that makes two Events the same occurrence, message included. */
export function getEventKey(e: CoreV1Event): string {
  const o = e.involvedObject;
  return join([e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion, e.type, e.reason, e.message]);
}

/** getSpamKey: source, object and type (not the reason). */
function getSpamKey(e: CoreV1Event): string {
  const o = e.involvedObject;
  return join([e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type]);
}

/** EventAggregatorByReasonFunc: the aggregate key and the local key (the message). */
function aggregatorKeys(e: CoreV1Event): [string, string] {
  const o = e.involvedObject;
  return [join([e.source?.component, e.source?.host, o.kind, o.namespace, o.name, o.uid, o.apiVersion, e.type, e.reason, e.reportingComponent, e.reportingInstance]), e.message ?? ''];
}

/** Go's `fmt.Sprintf("%v.%x", name, unixNano)` (util.GenerateEventName). */
export function eventName(objectName: string, unixNanos: bigint): string {
  return `${objectName}.${unixNanos.toString(16)}`;
}

interface EventLog {
  count: number;
  firstTimestamp: Date | undefined;
  name: string;
  resourceVersion: string | undefined;
}

export interface CorrelateResult {
  event: CoreV1Event;
  /** The strategic-merge patch for an Event seen before; absent: create it. */
  patch?: Record<string, unknown>;
  skip: boolean;
}

/** record.EventCorrelator: aggregation, then the event logger, then the spam filter. */
export class EventCorrelator {
  private readonly aggregates = new Lru<{ localKeys: Set<string>; lastMs: number }>(MAX_LRU_CACHE_ENTRIES);
  private readonly logs = new Lru<EventLog>(MAX_LRU_CACHE_ENTRIES);
  private readonly spam = new Lru<{ tokens: number; lastMs: number }>(MAX_LRU_CACHE_ENTRIES);

  constructor(private readonly clock: Clock, private readonly nanos: () => bigint) {}

  correlate(newEvent: CoreV1Event): CorrelateResult {
    const [aggregate, key] = this.aggregate(newEvent);
    const { event, patch } = this.observe(aggregate, key);
    return this.filter(event) ? { event, skip: true } : { event, patch, skip: false };
  }

  /** EventAggregator.EventAggregate. */
  private aggregate(newEvent: CoreV1Event): [CoreV1Event, string] {
    const nowMs = this.clock.nowMs();
    const eventKey = getEventKey(newEvent);
    const [aggregateKey, localKey] = aggregatorKeys(newEvent);
    let record = this.aggregates.get(aggregateKey) ?? { localKeys: new Set<string>(), lastMs: 0 };
    if (nowMs - record.lastMs > DEFAULT_AGGREGATE_INTERVAL_MS) record = { localKeys: new Set(), lastMs: 0 };
    record.localKeys.add(localKey);
    record.lastMs = nowMs;
    this.aggregates.add(aggregateKey, record);
    if (record.localKeys.size < DEFAULT_AGGREGATE_MAX_EVENTS) return [newEvent, eventKey];
    // PopAny: one local key goes, so the next distinct message is aggregated too.
    record.localKeys.delete(record.localKeys.values().next().value!);
    const now = new Date(nowMs);
    const combined: CoreV1Event = {
      metadata: { name: eventName(newEvent.involvedObject.name ?? '', this.nanos()), namespace: newEvent.metadata.namespace },
      count: 1,
      firstTimestamp: now,
      involvedObject: newEvent.involvedObject,
      lastTimestamp: now,
      message: `(combined from similar events): ${newEvent.message ?? ''}`,
      type: newEvent.type,
      reason: newEvent.reason,
      source: newEvent.source,
    };
    return [combined, aggregateKey];
  }

  /** eventLogger.eventObserve: a repeat takes the first one's name, firstTimestamp and count + 1. */
  private observe(newEvent: CoreV1Event, key: string): { event: CoreV1Event; patch?: Record<string, unknown> } {
    const event: CoreV1Event = { ...newEvent, metadata: { ...newEvent.metadata } };
    const last = this.logs.get(key);
    let patch: Record<string, unknown> | undefined;
    if (last && last.count > 0) {
      event.metadata.name = last.name;
      event.metadata.resourceVersion = last.resourceVersion;
      event.firstTimestamp = last.firstTimestamp;
      event.count = last.count + 1;
      // CreateTwoWayMergePatch from the event with count 0, lastTimestamp 0 and no message.
      patch = { count: event.count, lastTimestamp: event.lastTimestamp && rfc3339(event.lastTimestamp), message: event.message };
    }
    this.logs.add(key, { count: event.count ?? 0, firstTimestamp: event.firstTimestamp, name: event.metadata.name!, resourceVersion: event.metadata.resourceVersion });
    return { event, patch };
  }

  /** EventSourceObjectSpamFilter.Filter: true drops the event. */
  private filter(event: CoreV1Event): boolean {
    const key = getSpamKey(event);
    const nowMs = this.clock.nowMs();
    // flowcontrol's token bucket starts full.
    const bucket = this.spam.get(key) ?? { tokens: DEFAULT_SPAM_BURST, lastMs: nowMs };
    bucket.tokens = Math.min(DEFAULT_SPAM_BURST, bucket.tokens + ((nowMs - bucket.lastMs) / 1000) * DEFAULT_SPAM_QPS);
    bucket.lastMs = nowMs;
    const accept = bucket.tokens >= 1;
    if (accept) bucket.tokens -= 1;
    this.spam.add(key, bucket);
    return !accept;
  }

  /** eventLogger.updateState: what the server returned (its name and resourceVersion). */
  updateState(event: CoreV1Event): void {
    this.logs.add(getEventKey(event), {
      count: event.count ?? 0,
      firstTimestamp: event.firstTimestamp,
      name: event.metadata.name!,
      resourceVersion: event.metadata.resourceVersion,
    });
  }
}

/**
 * record.EventBroadcaster with StartRecordingToSink on the core/v1 Events API: one correlator,
 * Events written one at a time in the order they were recorded (the broadcaster's watcher).
 */
export class EventBroadcaster {
  private readonly correlator: EventCorrelator;
  private tail: Promise<void> = Promise.resolve();
  private lastNanos = 0n;

  constructor(
    private readonly core: CoreV1Api,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {
    this.correlator = new EventCorrelator(clock, () => this.unixNanos());
  }

  /** recorder.clock.Now().UnixNano(), kept strictly increasing so that names stay unique. */
  unixNanos(): bigint {
    const n = BigInt(this.clock.nowMs()) * 1_000_000n;
    this.lastNanos = n > this.lastNanos ? n : this.lastNanos + 1n;
    return this.lastNanos;
  }

  newRecorder(component: string, host = ''): EventRecorder {
    return new EventRecorder(this, this.clock, component, host);
  }

  /** recordToSink: correlate, then patch a repeat or create; a patch of a vanished Event creates it. */
  post(event: CoreV1Event): void {
    // Correlated at once, as the broadcaster's watcher does when nothing is queued before it;
    // written in order behind the Events before it.
    const result = this.correlator.correlate(event);
    if (result.skip) return;
    this.tail = this.tail.then(async () => {
      const e = result.event;
      const namespace = e.metadata.namespace!;
      try {
        let written: CoreV1Event | undefined;
        if (result.patch && (e.count ?? 0) > 1) {
          try {
            written = await this.core.patchNamespacedEvent(
              { name: e.metadata.name!, namespace, body: result.patch },
              strategicMergePatch(),
            );
          } catch (err) {
            if (!isNotFound(err)) throw err;
          }
        }
        written ??= await this.core.createNamespacedEvent({ namespace, body: { ...e, metadata: { ...e.metadata, resourceVersion: undefined } } });
        this.correlator.updateState(written);
      } catch (err) {
        // Upstream retries transport errors up to 12 times; a rejected Event is abandoned.
        this.log(`could not record event ${e.reason}: ${errorMessage(err)}`);
      }
    });
  }

  /** Waits for the Events recorded so far to be written (used on stop). */
  async flush(): Promise<void> {
    await this.tail;
  }
}

/** record.EventRecorder (core/v1): Event(object, type, reason, message). */
export class EventRecorder {
  constructor(
    private readonly broadcaster: EventBroadcaster,
    private readonly clock: Clock,
    private readonly component: string,
    private readonly host: string,
  ) {}

  event(object: KubernetesObject, type: EventType, reason: string, message: string): void {
    const ref: V1ObjectReference = {
      apiVersion: object.apiVersion,
      kind: object.kind,
      name: object.metadata?.name,
      namespace: object.metadata?.namespace,
      uid: object.metadata?.uid,
      resourceVersion: object.metadata?.resourceVersion,
    };
    this.eventFor(ref, type, reason, message);
  }

  /** generateEvent/makeEvent for a reference (objects whose apiVersion/kind the caller knows). */
  eventFor(ref: V1ObjectReference, type: EventType, reason: string, message: string): void {
    const now = this.clock.now();
    const namespace = ref.namespace || 'default';
    this.broadcaster.post({
      metadata: { name: eventName(ref.name ?? '', this.broadcaster.unixNanos()), namespace },
      involvedObject: ref,
      reason,
      message,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      type,
      source: { component: this.component, ...(this.host ? { host: this.host } : {}) },
      reportingComponent: this.component,
      reportingInstance: this.host,
    });
  }
}

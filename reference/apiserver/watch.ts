/**
 * Watch streams: newline-delimited `{"type":…,"object":…}` events, resumable from any
 * resourceVersion still in the store's window (older → an ERROR event carrying a 410 Expired
 * Status, as the watch cache answers), with upstream selector semantics (an object that stops
 * matching is DELETED, one that starts matching is ADDED), bookmarks and timeouts.
 */
import type { ServerResponse } from 'node:http';
import { badRequest, failureStatus } from './errors.ts';
import type { JsonObject } from './json.ts';
import { groupVersion, resourceKey } from './kinds/index.ts';
import type { KindSpec } from './kinds/types.ts';
import type { Registry } from './registry.ts';
import type { FieldSelector, Selector } from './selectors.ts';
import type { Entry, EventType, StoreEvent } from './store.ts';
import { toTable, type IncludeObject } from './table.ts';
import { encodeWatchEvent, PROTOBUF_WATCH } from './protobuf/codec.ts';

export interface WatchRequest {
  kind: KindSpec;
  namespace?: string;
  labelSelector: Selector;
  fieldSelector: FieldSelector;
  resourceVersion?: string;
  allowWatchBookmarks: boolean;
  sendInitialEvents: boolean;
  timeoutSeconds?: number;
  table?: IncludeObject;
  /** Length-prefixed protobuf WatchEvent frames instead of JSON lines. */
  protobuf?: boolean;
}

/** Above this much unsent data the client is too slow; it is disconnected and may resume. */
const MAX_BUFFERED = 64 * 1024 * 1024;

export function serveWatch(registry: Registry, req: WatchRequest, res: ServerResponse, bookmarkIntervalMs: number): void {
  const { kind, namespace } = req;
  const key = resourceKey(kind);
  const store = registry.store;
  const selective = !req.labelSelector.empty || !req.fieldSelector.empty;
  const matches = (e: Entry): boolean =>
    req.labelSelector.matches(e.labels) &&
    (req.fieldSelector.empty || req.fieldSelector.matches(registry.fieldsOf(kind, e)));

  const rv = req.resourceVersion;
  const fromScratch = rv === undefined || rv === '' || rv === '0';
  if (!fromScratch && !/^\d+$/.test(rv)) throw badRequest(`invalid resource version: ${JSON.stringify(rv)}`);

  res.writeHead(200, { 'Content-Type': req.protobuf ? PROTOBUF_WATCH : 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  res.socket?.setNoDelay(true);

  let closed = false;
  const timers: NodeJS.Timeout[] = [];
  let unsubscribe: () => void = () => undefined;
  const close = (): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    timers.forEach(clearTimeout);
    timers.forEach(clearInterval);
    res.end();
  };
  res.on('close', close);

  const write = (line: string | Buffer): void => {
    if (closed) return;
    res.write(line);
    if (res.writableLength > MAX_BUFFERED) close();
  };
  /** One event, `object` as JSON text: a JSON line, or a protobuf frame. */
  const event = (type: string, object: string): void => {
    if (!req.protobuf) return write(`{"type":"${type}","object":${object}}\n`);
    const frame = encodeWatchEvent(type, JSON.parse(object) as JsonObject);
    if (frame) write(frame);
  };
  const send = (type: EventType, e: Entry): void => {
    if (req.table) {
      const table = toTable(kind, [e.obj], registry.clock.nowMs(), req.table, { resourceVersion: String(e.rv) });
      event(type, JSON.stringify(table));
    } else {
      event(type, e.json);
    }
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: JsonObject = { resourceVersion: String(store.resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    event('BOOKMARK', JSON.stringify({ kind: kind.kind, apiVersion: groupVersion(kind), metadata }));
  };

  const deliver = (ev: StoreEvent): void => {
    if (namespace !== undefined && ev.namespace !== namespace) return;
    if (!selective) return send(ev.type, ev.entry);
    const now = matches(ev.entry);
    if (ev.type === 'ADDED' || ev.type === 'DELETED') {
      if (now) send(ev.type, ev.entry);
      return;
    }
    const before = ev.prev ? matches(ev.prev) : false;
    if (now && before) send('MODIFIED', ev.entry);
    else if (now) send('ADDED', ev.entry);
    else if (before) send('DELETED', ev.entry);
  };

  if (fromScratch || req.sendInitialEvents) {
    for (const e of store.list(key, namespace)) if (!selective || matches(e)) send('ADDED', e);
    if (req.sendInitialEvents && req.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  }
  if (!fromScratch && !req.sendInitialEvents) {
    const since = Number(rv);
    const events = since > store.resourceVersion ? undefined : store.eventsSince(key, since);
    if (!events) {
      // A version from the future (e.g. from before a restart of this in-memory server) is
      // answered like a compacted one, so that clients relist instead of retrying forever.
      const message =
        since > store.resourceVersion
          ? `Too large resource version: ${since}, current: ${store.resourceVersion}`
          : `too old resource version: ${since} (${store.oldestResumableRv + 1})`;
      event('ERROR', JSON.stringify(failureStatus(410, 'Expired', message)));
      close();
      return;
    }
    for (const ev of events) deliver(ev);
  }
  unsubscribe = store.subscribe(key, deliver);
  if (req.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), bookmarkIntervalMs));
  if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) timers.push(setTimeout(close, req.timeoutSeconds * 1000));
}

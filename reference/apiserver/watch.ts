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

  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
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

  const write = (line: string): void => {
    if (closed) return;
    res.write(line);
    if (res.writableLength > MAX_BUFFERED) close();
  };
  const send = (type: EventType, e: Entry): void => {
    if (req.table) {
      const table = toTable(kind, [e.obj], registry.clock.nowMs(), req.table, { resourceVersion: String(e.rv) });
      write(`{"type":"${type}","object":${JSON.stringify(table)}}\n`);
    } else {
      write(`{"type":"${type}","object":${e.json}}\n`);
    }
  };
  const bookmark = (annotations?: Record<string, string>): void => {
    const metadata: JsonObject = { resourceVersion: String(store.resourceVersion) };
    if (annotations) metadata.annotations = annotations;
    write(`${JSON.stringify({ type: 'BOOKMARK', object: { kind: kind.kind, apiVersion: groupVersion(kind), metadata } })}\n`);
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
      write(`${JSON.stringify({ type: 'ERROR', object: failureStatus(410, 'Expired', message) })}\n`);
      close();
      return;
    }
    for (const ev of events) deliver(ev);
  }
  unsubscribe = store.subscribe(key, deliver);
  if (req.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), bookmarkIntervalMs));
  if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0) timers.push(setTimeout(close, req.timeoutSeconds * 1000));
}

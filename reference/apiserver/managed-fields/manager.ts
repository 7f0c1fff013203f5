/**
 * kube-apiserver's field manager (k8s.io/apimachinery/pkg/util/managedfields/internal), the chain
 * NewDefaultFieldManager builds, for JSON objects: metadata.managedFields decoded, an update or an
 * apply recorded under its manager identifier ({manager, operation, apiVersion, subresource}), the
 * meta fields no one owns stripped, at most 10 update managers kept (the oldest merged into
 * "ancient-changes"), objects created without managedFields not tracked until an apply (which
 * first gives what exists to "before-first-apply"), kubectl's last-applied annotation honoured
 * (lastAppliedManager, lastAppliedUpdater), and the entries encoded in upstream's order.
 */
import { ApiError, badRequest } from '../errors.ts';
import { clone, deepEqual, isObject, obj, str, type JsonObject, type JsonValue } from '../json.ts';
import { Conflicts, Updater, type Conflict, type ManagedFields } from './apply.ts';
import { FieldSet, pathString, type Path } from './fieldset.ts';
import { rootType, type TypeRef } from './schema.ts';
import { compare, toFieldSet, TypedError } from './typed.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const MAX_UPDATE_MANAGERS = 10;
/** validation.FieldManagerMaxLength. */
const FIELD_MANAGER_MAX_LENGTH = 128;

export interface FieldManagerScope {
  /** e.g. 'apps/v1/StatefulSet'. */
  groupVersionKind: string;
  subresource?: string;
  /** The strategy's reset fields for this endpoint (GetResetFields). */
  reset: Path[];
  /** RFC 3339, seconds: the time an entry records. */
  now: string;
}

/** managerOrUserAgent: the fieldManager parameter, else the User-Agent up to its first "/". */
export function managerOf(fieldManager: string | null | undefined, userAgent: string | undefined): string {
  if (fieldManager) return fieldManager;
  let out = '';
  for (const ch of (userAgent ?? '').split('/')[0]!) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > FIELD_MANAGER_MAX_LENGTH) break;
    out += ch;
  }
  return out;
}

interface Entry {
  manager: string;
  operation: 'Apply' | 'Update';
  apiVersion: string;
  subresource?: string;
}

/** BuildManagerIdentifier: the entry's JSON without time and fields (and apiVersion for Apply). */
function identifier(e: Entry): string {
  const o: Record<string, string> = { manager: e.manager, operation: e.operation };
  if (e.operation === 'Update' && e.apiVersion) o.apiVersion = e.apiVersion;
  if (e.subresource) o.subresource = e.subresource;
  return JSON.stringify(o);
}

function parseIdentifier(id: string): Entry {
  return JSON.parse(id) as Entry;
}

class Managed {
  constructor(
    readonly fields: ManagedFields = new Map(),
    readonly times: Map<string, string | undefined> = new Map(),
  ) {}
}

/** DecodeManagedFields; throws on an entry it cannot read. */
function decode(entries: unknown): Managed {
  const m = new Managed();
  if (!Array.isArray(entries)) return m;
  entries.forEach((raw, i) => {
    const e = obj(raw) ?? {};
    const operation = e.operation;
    if (operation !== 'Apply' && operation !== 'Update') throw new Error('operation must be `Apply` or `Update`');
    const apiVersion = str(e.apiVersion) ?? '';
    if (!apiVersion) throw new Error('apiVersion must not be empty');
    if (e.fieldsType !== 'FieldsV1') throw new Error(e.fieldsType ? `invalid fieldsType ${JSON.stringify(e.fieldsType)} in managed fields entry ${i}` : `missing fieldsType in managed fields entry ${i}`);
    const id = identifier({ manager: str(e.manager) ?? '', operation, apiVersion, subresource: str(e.subresource) });
    m.fields.set(id, { set: FieldSet.fromFields(e.fieldsV1 ?? {}), apiVersion, applied: operation === 'Apply' });
    m.times.set(id, str(e.time));
  });
  return m;
}

/** encodeManagedFields: sorted by operation, time (seconds), manager, apiVersion, subresource. */
function encode(m: Managed): JsonObject[] | undefined {
  if (m.fields.size === 0) return undefined;
  const entries = [...m.fields].map(([id, vs]) => {
    const e = parseIdentifier(id);
    const out: JsonObject = { manager: e.manager, operation: vs.applied ? 'Apply' : 'Update', apiVersion: vs.apiVersion };
    const time = m.times.get(id);
    if (time !== undefined) out.time = time;
    out.fieldsType = 'FieldsV1';
    out.fieldsV1 = vs.set.toFields() as JsonObject;
    if (e.subresource) out.subresource = e.subresource;
    return out;
  });
  const seconds = (e: JsonObject): number => (typeof e.time === 'string' ? Math.floor(Date.parse(e.time) / 1000) : 0);
  const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return entries.sort(
    (p, q) =>
      cmp(String(p.operation), String(q.operation)) ||
      seconds(p) - seconds(q) ||
      cmp(String(p.manager), String(q.manager)) ||
      cmp(String(p.apiVersion), String(q.apiVersion)) ||
      cmp(String(p.subresource ?? ''), String(q.subresource ?? '')),
  );
}

const STRIPPED = FieldSet.of(
  [{ field: 'apiVersion' }],
  [{ field: 'kind' }],
  [{ field: 'metadata' }],
  ...['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'clusterName', 'generation', 'managedFields', 'resourceVersion'].map((f) => [{ field: 'metadata' }, { field: f }]),
);

function apiVersionOf(groupVersionKind: string): string {
  return groupVersionKind.slice(0, groupVersionKind.lastIndexOf('/'));
}

function typeOf(scope: FieldManagerScope): TypeRef {
  const t = rootType(scope.groupVersionKind);
  if (!t) throw new Error(`no schema for ${scope.groupVersionKind}`);
  return t;
}

function updaterOf(scope: FieldManagerScope): Updater {
  return new Updater(typeOf(scope), apiVersionOf(scope.groupVersionKind), FieldSet.of(...scope.reset));
}

function withoutManagedFields(o: JsonObject): JsonObject {
  const out = { ...o };
  if (isObject(out.metadata)) {
    out.metadata = { ...out.metadata };
    delete (out.metadata as JsonObject).managedFields;
  }
  return out;
}

/** What the chain below capManagers does for an update (buildManagerInfo, managedFieldsUpdater, stripMeta, structuredMerge). */
function recordUpdate(scope: FieldManagerScope, live: JsonObject, next: JsonObject, managed: Managed, manager: string): Managed {
  const id = identifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: apiVersionOf(scope.groupVersionKind), subresource: scope.subresource });
  const self = 'current-operation';
  const fields = updaterOf(scope).updateOwnership(withoutManagedFields(live), withoutManagedFields(next), managed.fields, self);
  const times = new Map(managed.times);
  const current = fields.get(self);
  if (current) {
    fields.delete(self);
    const set = current.set.difference(STRIPPED);
    if (!set.empty()) {
      const previous = fields.get(id);
      fields.set(id, { ...current, set: previous ? set.union(previous.set) : set });
      times.set(id, scope.now);
    }
  }
  return capUpdateManagers(new Managed(fields, times), apiVersionOf(scope.groupVersionKind));
}

/** capManagersManager: beyond 10 update managers, the oldest merge into "ancient-changes". */
function capUpdateManagers(m: Managed, _version: string): Managed {
  const updaters = [...m.fields].filter(([, vs]) => !vs.applied).map(([id]) => id);
  if (updaters.length <= MAX_UPDATE_MANAGERS) return m;
  const seconds = (id: string): number => {
    const t = m.times.get(id);
    return t ? Math.floor(Date.parse(t) / 1000) : 0;
  };
  updaters.sort((a, b) => seconds(a) - seconds(b) || (a < b ? -1 : a > b ? 1 : 0));
  const firstByVersion = new Map<string, string>();
  let length = updaters.length;
  for (let i = 0; i < updaters.length && length > MAX_UPDATE_MANAGERS; i++) {
    const id = updaters[i]!;
    const vs = m.fields.get(id)!;
    const bucket = identifier({ manager: 'ancient-changes', operation: 'Update', apiVersion: vs.apiVersion });
    const first = firstByVersion.get(vs.apiVersion);
    if (first === undefined) {
      firstByVersion.set(vs.apiVersion, id);
      continue;
    }
    if (!m.fields.has(bucket)) {
      m.fields.set(bucket, m.fields.get(first)!);
      m.fields.delete(first);
    }
    m.fields.set(bucket, { set: vs.set.union(m.fields.get(bucket)!.set), apiVersion: vs.apiVersion, applied: vs.applied });
    m.fields.delete(id);
    length--;
    m.times.set(bucket, m.times.get(id));
  }
  return m;
}

/** The zero object of the kind, as objectCreater.New makes it (what a create is compared with). */
function emptyObject(scope: FieldManagerScope, zero: (gvk: string) => JsonObject): JsonObject {
  return zero(scope.groupVersionKind);
}


function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && isObject(entries[0]) && Object.keys(entries[0]).length === 0;
}

/**
 * FieldManager.UpdateNoErrors for a create (`live` undefined) or an update: sets
 * `next.metadata.managedFields`. The entries come from `next` when its writer sent valid ones
 * (not on a subresource), else from the live object; an existing object without entries stays
 * untracked. On an internal error the live entries are kept, as upstream does.
 */
export function trackUpdate(scope: FieldManagerScope, live: JsonObject | undefined, next: JsonObject, manager: string, zero: (gvk: string) => JsonObject): void {
  const meta = (o: JsonObject): JsonObject => (isObject(o.metadata) ? o.metadata : (o.metadata = {}));
  const liveEntries = live ? obj(live.metadata)?.managedFields : undefined;
  const nextMeta = meta(next);
  const sent = nextMeta.managedFields;
  delete nextMeta.managedFields;
  try {
    let managed: Managed;
    const fromLive = (): Managed => {
      try {
        return decode(liveEntries);
      } catch {
        return new Managed();
      }
    };
    if (scope.subresource) managed = fromLive();
    else if (isReset(sent)) managed = new Managed();
    else {
      try {
        managed = decode(sent);
      } catch {
        managed = new Managed();
      }
      if (managed.fields.size === 0) managed = fromLive();
    }
    const base = live ?? emptyObject(scope, zero);
    // skipNonAppliedManager: an existing object nobody manages is not tracked by updates.
    if (managed.fields.size === 0 && live && str(obj(live.metadata)?.uid)) return;
    const encoded = encode(recordUpdate(scope, base, next, managed, manager));
    if (encoded) nextMeta.managedFields = encoded;
  } catch (e) {
    if (liveEntries !== undefined) nextMeta.managedFields = clone(liveEntries);
    else delete nextMeta.managedFields;
    if (!(e instanceof TypedError)) throw e;
  }
}

/**
 * IgnoreManagedFieldsTimestampsTransformer's test, on the final objects: they differ at most in
 * the times of their managedFields entries (the new one then keeps the old times).
 */
export function managedFieldsUnchangedButTimes(old: JsonObject, next: JsonObject): boolean {
  const a = obj(old.metadata)?.managedFields;
  const b = obj(next.metadata)?.managedFields;
  if (!Array.isArray(a) || !Array.isArray(b) || a.length === 0 || !sameButTimes(a, b)) return false;
  return deepEqual(withoutManagedFields(old), withoutManagedFields(next));
}

function sameButTimes(a: JsonValue[], b: JsonValue[]): boolean {
  if (a.length !== b.length) return false;
  const strip = (e: JsonValue): JsonValue => {
    if (!isObject(e)) return e;
    const { time: _t, ...rest } = e;
    return rest;
  };
  return a.every((e, i) => deepEqual(strip(e), strip(b[i]!)));
}

/**
 * FieldManager.Apply with the chain's wrappers: the object the applied configuration makes of
 * `live` (with its managedFields), or a 409 Conflict with upstream's message and causes. `live`
 * is the object, or the kind's zero object for an apply that creates.
 */
export function trackApply(scope: FieldManagerScope, live: JsonObject, config: JsonObject, manager: string, force: boolean, zero: (gvk: string) => JsonObject): JsonObject {
  const version = apiVersionOf(scope.groupVersionKind);
  if (str(config.apiVersion) !== version) {
    throw badRequest(`Incorrect version specified in apply patch. Specified patch version: ${String(config.apiVersion ?? '')}, expected: ${version}`);
  }
  if (isObject(config.metadata) && config.metadata.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  let managed: Managed;
  try {
    managed = decode(obj(live.metadata)?.managedFields);
  } catch (e) {
    throw new ApiError(500, 'InternalError', `failed to decode managed fields: ${(e as Error).message}`);
  }
  const apply = (force: boolean): { object: JsonObject; managed: Managed } => applyOnce(scope, live, config, managed, manager, force, zero);
  let result: { object: JsonObject; managed: Managed };
  try {
    result = apply(force);
  } catch (e) {
    if (!(e instanceof Conflicts)) throw e;
    // lastAppliedManager: kubectl's conflicts with what its client-side last-applied configuration
    // set, and the object still has, are not conflicts.
    const allowed = manager === 'kubectl' ? allowedConflictsFromLastApplied(scope, live) : undefined;
    if (!allowed) throw conflictError(e.conflicts);
    const remaining = e.conflicts.filter((c) => !allowed.has(c.path));
    if (remaining.length) throw conflictError(remaining);
    result = apply(true);
  }
  // lastAppliedUpdater: kubectl's apply keeps an existing last-applied annotation current.
  const annotations = obj(obj(result.object.metadata)?.annotations);
  if (manager === 'kubectl' && annotations && typeof annotations[LAST_APPLIED] === 'string' && annotations[LAST_APPLIED] !== '') {
    annotations[LAST_APPLIED] = lastAppliedOf(config);
  }
  const encoded = encode(result.managed);
  const meta = isObject(result.object.metadata) ? result.object.metadata : (result.object.metadata = {});
  if (encoded) meta.managedFields = encoded;
  else delete meta.managedFields;
  return result.object;
}

function applyOnce(scope: FieldManagerScope, live: JsonObject, config: JsonObject, managed0: Managed, manager: string, force: boolean, zero: (gvk: string) => JsonObject): { object: JsonObject; managed: Managed } {
  let managed = new Managed(new Map(managed0.fields), new Map(managed0.times));
  let current = withoutManagedFields(live);
  // skipNonAppliedManager: what exists before the first apply is "before-first-apply"'s.
  if (managed.fields.size === 0) managed = recordUpdate(scope, emptyObject(scope, zero), current, managed, 'before-first-apply');
  const id = identifier({ manager, operation: 'Apply', apiVersion: apiVersionOf(scope.groupVersionKind), subresource: scope.subresource });
  let r: ReturnType<Updater['apply']>;
  try {
    r = updaterOf(scope).apply(current, config, managed.fields, id, force);
  } catch (e) {
    if (e instanceof TypedError) throw badRequest(`failed to merge config: ${e.message}`);
    throw e;
  }
  const times = new Map(managed.times);
  const applier = r.managers.get(id);
  if (applier) {
    const set = applier.set.difference(STRIPPED);
    if (set.empty()) r.managers.delete(id);
    else r.managers.set(id, { ...applier, set });
  }
  if (r.object !== undefined) {
    times.set(id, scope.now);
    current = r.object as JsonObject;
  } else current = clone(current);
  return { object: current, managed: new Managed(r.managers, times) };
}

/** allowedConflictsFromLastApplied: the last-applied fields whose values the object still has. */
function allowedConflictsFromLastApplied(scope: FieldManagerScope, live: JsonObject): FieldSet | undefined {
  const text = obj(obj(live.metadata)?.annotations)?.[LAST_APPLIED];
  if (typeof text !== 'string' || text === '') return undefined;
  try {
    const last = JSON.parse(text) as unknown;
    if (!isObject(last) || last.apiVersion !== apiVersionOf(scope.groupVersionKind)) return undefined;
    const type = typeOf(scope);
    const c = compare(last, withoutManagedFields(live), type);
    return toFieldSet(last, type).difference(c.modified).difference(c.added).difference(c.removed);
  } catch {
    return undefined;
  }
}

/** buildLastApplied: the applied configuration without the annotation, as encoding/json writes a map. */
function lastAppliedOf(config: JsonObject): string {
  const copy = clone(config);
  const annotations = obj(obj(copy.metadata)?.annotations);
  if (annotations) delete annotations[LAST_APPLIED];
  return `${sortedJson(copy)}\n`;
}

function sortedJson(v: JsonValue): string {
  if (Array.isArray(v)) return `[${v.map(sortedJson).join(',')}]`;
  if (isObject(v)) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${sortedJson(v[k]!)}`).join(',')}}`;
  return JSON.stringify(v).replace(/[<>&]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** printManager: `"kubectl"`, or `"kubectl-set" using apps/v1` for an update, `with subresource "status"`. */
function printManager(id: string): string {
  let e: Entry;
  try {
    e = parseIdentifier(id);
  } catch {
    return JSON.stringify(id);
  }
  let s = JSON.stringify(e.manager);
  if (e.subresource) s = `${s} with subresource ${JSON.stringify(e.subresource)}`;
  if (e.operation === 'Update') return `${s} using ${e.apiVersion}`;
  return s;
}

/** NewConflictError: 409 Conflict, a cause per conflicting field. */
export function conflictError(conflicts: Conflict[]): ApiError {
  const sorted = [...conflicts].sort((a, b) => (a.manager < b.manager ? -1 : a.manager > b.manager ? 1 : 0));
  let message: string;
  if (sorted.length === 1) message = `Apply failed with 1 conflict: conflict with ${printManager(sorted[0]!.manager)}: ${pathString(sorted[0]!.path)}`;
  else {
    const lines: string[] = [];
    for (const manager of [...new Set(sorted.map((c) => c.manager))]) {
      lines.push(`conflicts with ${printManager(manager)}:`);
      for (const c of sorted.filter((x) => x.manager === manager)) lines.push(`- ${pathString(c.path)}`);
    }
    message = `Apply failed with ${sorted.length} conflicts: ${lines.join('\n')}`;
  }
  return new ApiError(409, 'Conflict', message, {
    causes: sorted.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) })),
  });
}

const REPLICAS: Path = [{ field: 'spec' }, { field: 'replicas' }];

/**
 * A write through the scale subresource, as the StatefulSet (and Deployment) registry's
 * ScaleHandler does it: the parent's owners of spec.replicas become the Scale's, the Scale's
 * field manager records the write (an existing Scale nobody manages stays untracked), and the
 * result maps back to the parent — where a new scale entry keeps no time, as upstream's does.
 * Returns the parent's new entries.
 */
export function trackScale(groupVersionKind: string, parent: JsonObject, oldReplicas: unknown, newReplicas: unknown, manager: string, now: string): JsonObject[] | undefined {
  const version = apiVersionOf(groupVersionKind);
  const entries = obj(parent.metadata)?.managedFields;
  let parentManaged: Managed;
  try {
    parentManaged = decode(entries);
  } catch {
    return Array.isArray(entries) ? (clone(entries) as JsonObject[]) : undefined;
  }
  // ToSubresource
  const scale = new Managed();
  for (const [id, vs] of parentManaged.fields) {
    if (vs.apiVersion !== version || !vs.set.has(REPLICAS)) continue;
    scale.fields.set(id, { set: FieldSet.of(REPLICAS), apiVersion: 'autoscaling/v1', applied: vs.applied });
    scale.times.set(id, parentManaged.times.get(id));
  }
  // The Scale's field manager (skipNonApplied: nothing when no one manages the Scale).
  if (scale.fields.size && !deepEqual(oldReplicas, newReplicas)) {
    const id = identifier({ manager: manager || 'unknown', operation: 'Update', apiVersion: 'autoscaling/v1', subresource: 'scale' });
    for (const [other, vs] of [...scale.fields]) {
      if (other === id) continue;
      const rest = vs.set.difference(FieldSet.of(REPLICAS));
      if (rest.empty()) scale.fields.delete(other);
      else scale.fields.set(other, { ...vs, set: rest });
    }
    const previous = scale.fields.get(id);
    scale.fields.set(id, { set: FieldSet.of(REPLICAS).union(previous?.set ?? new FieldSet()), apiVersion: 'autoscaling/v1', applied: false });
    scale.times.set(id, now);
  }
  // ToParent
  const out = new Managed();
  for (const [id, vs] of parentManaged.fields) {
    if (vs.apiVersion !== version) continue;
    if (!vs.set.has(REPLICAS)) {
      out.fields.set(id, vs);
      out.times.set(id, parentManaged.times.get(id));
    } else if (!scale.fields.has(id)) {
      const rest = vs.set.difference(FieldSet.of(REPLICAS));
      if (!rest.empty()) {
        out.fields.set(id, { ...vs, set: rest });
        out.times.set(id, parentManaged.times.get(id));
      }
    } else {
      out.fields.set(id, vs);
      out.times.set(id, parentManaged.times.get(id));
      scale.fields.delete(id);
    }
  }
  for (const [id, vs] of scale.fields) {
    if (!vs.set.has(REPLICAS)) continue;
    out.fields.set(id, { set: FieldSet.of(REPLICAS), apiVersion: version, applied: vs.applied });
    out.times.set(id, parentManaged.times.get(id));
  }
  return encode(out);
}

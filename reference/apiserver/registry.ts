/**
 * The generic registry (k8s.io/apiserver/pkg/registry/generic/registry.Store in spirit):
 * create/update/patch/delete with defaulting, admission, validation, optimistic concurrency,
 * status/scale subresources, graceful deletion, finalizers and GC finalizers. Every method is
 * synchronous and either commits one consistent change or throws an ApiError having changed
 * nothing, so a rejected write never leaves partial state behind.
 */
import { randomUUID } from 'node:crypto';
import { rfc3339, type Clock } from '../clock.ts';
import { alreadyExists, ApiError, badRequest, conflict, forbidden, invalid, notFound, OPTIMISTIC_LOCK } from './errors.ts';
import { arr, child, clone, deepEqual, isObject, obj, str, type JsonObject, type JsonValue } from './json.ts';
import { groupVersion, KINDS, resourceKey } from './kinds/index.ts';
import type { AdmissionContext, KindSpec } from './kinds/types.ts';
import { API_ROOTS } from './api-types.generated.ts';
import { checkApplied, checkJsonPatched, checkStrategicPatched, wrapIntegers, type FieldValidation } from './decode.ts';
import { goRoundTrip } from './go-encoding.ts';
import { applyPatch, type PatchType } from './patch.ts';
import { labelSelectorString, type FieldSelector, type Selector } from './selectors.ts';
import { Entry, type Store } from './store.ts';
import { Errors, validateObjectMeta, validateObjectMetaUpdate } from './validation.ts';
import { managedFieldsUnchangedButTimes, trackApply, trackScale, trackUpdate, type FieldManagerScope } from './managed-fields/manager.ts';

export interface WriteResult {
  entry: Entry;
  warnings: string[];
  created?: boolean;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: string;
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface DeleteResult {
  /** The object (while it lingers, or for kinds that return it) or a Success Status. */
  body: JsonObject;
  deleted: boolean;
}

/** Who writes, for managedFields: the field manager (managerOf), and for an apply whether it forces. */
export interface WriteOptions {
  manager?: string;
  force?: boolean;
}

export interface ListOptions {
  labelSelector: Selector;
  fieldSelector: FieldSelector;
  limit?: number;
  continueToken?: string;
}

export interface ListResult {
  items: Entry[];
  resourceVersion: number;
  continueToken?: string;
  remainingItemCount?: number;
}

const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);
const GENERATE_SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function meta(o: JsonObject): JsonObject {
  return child(o, 'metadata');
}

export class Registry implements AdmissionContext {
  readonly kinds = new Map<string, KindSpec>();
  private nextClusterIP = 1;

  constructor(
    readonly store: Store,
    readonly clock: Clock,
  ) {
    for (const k of KINDS) this.kinds.set(resourceKey(k), k);
  }

  allocateClusterIP(): string {
    for (let tries = 0; tries < 65534; tries++) {
      const n = this.nextClusterIP++ % 65534 || this.nextClusterIP++;
      const ip = `10.96.${n >> 8}.${n & 255}`;
      const taken = this.store.list('services').some((e) => obj(e.obj.spec)?.clusterIP === ip);
      if (!taken) return ip;
    }
    throw new ApiError(422, 'Invalid', 'failed to allocate a serviceIP: range is full');
  }

  private dryRun = false;

  /**
   * Runs `fn` with writes suppressed (`?dryRun=All`): every check runs as usual and the
   * would-be result is returned, but the store and the watch stream are untouched.
   */
  dry<T>(enabled: boolean, fn: () => T): T {
    if (!enabled) return fn();
    this.dryRun = true;
    try {
      return fn();
    } finally {
      this.dryRun = false;
    }
  }

  private write(key: string, ns: string, name: string, o: JsonObject, type: 'ADDED' | 'MODIFIED'): Entry {
    if (this.dryRun) return Entry.of(o, this.store.resourceVersion);
    return this.store.put(key, ns, name, o, type);
  }

  private erase(key: string, ns: string, name: string, last?: JsonObject): Entry | undefined {
    if (!this.dryRun) return this.store.remove(key, ns, name, last);
    const o = last ?? this.store.get(key, ns, name)?.obj;
    return o && Entry.of(o, this.store.resourceVersion);
  }

  private now(): string {
    return rfc3339(this.clock.now());
  }

  /** Fields a field selector can test for this kind. */
  fieldSet(kind: KindSpec, o: JsonObject): Record<string, string> {
    const m = obj(o.metadata) ?? {};
    const fields: Record<string, string> = { 'metadata.name': str(m.name) ?? '' };
    if (kind.namespaced) fields['metadata.namespace'] = str(m.namespace) ?? '';
    for (const [k, f] of Object.entries(kind.fields ?? {})) fields[k] = f(o);
    return fields;
  }

  private readonly entryFields = new WeakMap<Entry, Record<string, string>>();

  /** fieldSet of a stored entry, worked out once per entry (entries never change). */
  fieldsOf(kind: KindSpec, e: Entry): Record<string, string> {
    let fields = this.entryFields.get(e);
    if (!fields) {
      fields = this.fieldSet(kind, e.obj);
      this.entryFields.set(e, fields);
    }
    return fields;
  }

  supportedFields(kind: KindSpec): Set<string> {
    return new Set(['metadata.name', ...(kind.namespaced ? ['metadata.namespace'] : []), ...Object.keys(kind.fields ?? {})]);
  }

  get(kind: KindSpec, ns: string, name: string): Entry {
    const e = this.store.get(resourceKey(kind), ns, name);
    if (!e) throw notFound(kind, name);
    return e;
  }

  list(kind: KindSpec, ns: string | undefined, opts: ListOptions): ListResult {
    const resourceVersion = this.store.resourceVersion;
    let entries = this.store.list(resourceKey(kind), ns);
    if (!opts.labelSelector.empty || !opts.fieldSelector.empty) {
      entries = entries.filter(
        (e) =>
          opts.labelSelector.matches(e.labels) &&
          (opts.fieldSelector.empty || opts.fieldSelector.matches(this.fieldsOf(kind, e))),
      );
    }
    if (opts.continueToken) {
      const after = decodeContinue(opts.continueToken);
      entries = entries.filter((e) => entryKey(e) > after);
    }
    if (opts.limit && opts.limit > 0 && entries.length > opts.limit) {
      const page = entries.slice(0, opts.limit);
      return {
        items: page,
        resourceVersion,
        continueToken: encodeContinue(entryKey(page[page.length - 1]!)),
        remainingItemCount: entries.length - page.length,
      };
    }
    return { items: entries, resourceVersion };
  }

  // ---- create ------------------------------------------------------------------------------

  private checkTypeMeta(kind: KindSpec, body: JsonObject): void {
    const gv = groupVersion(kind);
    if (body.apiVersion !== undefined && body.apiVersion !== '' && body.apiVersion !== gv) {
      throw badRequest(`the API version in the data (${String(body.apiVersion)}) does not match the expected API version (${gv})`);
    }
    if (body.kind !== undefined && body.kind !== '' && body.kind !== kind.kind) {
      throw badRequest(`the kind in the data (${String(body.kind)}) does not match the expected kind (${kind.kind})`);
    }
    body.apiVersion = gv;
    body.kind = kind.kind;
  }

  private checkNamespace(kind: KindSpec, ns: string, body: JsonObject): void {
    const m = meta(body);
    if (!kind.namespaced) {
      delete m.namespace;
      return;
    }
    if (m.namespace !== undefined && m.namespace !== '' && m.namespace !== ns) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    m.namespace = ns;
  }

  /** NamespaceLifecycle admission for creates. */
  private admitNamespace(kind: KindSpec, ns: string, name: string): void {
    if (!kind.namespaced) return;
    const nsEntry = this.store.get('namespaces', '', ns);
    if (!nsEntry) throw notFound({ group: '', resource: 'namespaces', kind: 'Namespace' }, ns);
    if (obj(nsEntry.obj.status)?.phase === 'Terminating') {
      // The NamespaceLifecycle admission plugin's error, with its NamespaceTerminating cause.
      const err = forbidden(kind, name, `unable to create new content in namespace ${ns} because it is being terminated`);
      err.details!.causes = [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }];
      throw err;
    }
  }

  /**
   * `input` becomes the stored object: callers hand over ownership (it is freshly decoded).
   * With a manager, the create is recorded in managedFields (an Update, or the entries an apply
   * made when `applied`); without one (the plane's own bootstrap objects) nothing is recorded.
   */
  create(kind: KindSpec, ns: string, input: unknown, write: WriteOptions = {}, applied = false): WriteResult {
    if (!isObject(input)) throw badRequest('the request body must be a JSON object');
    this.checkTypeMeta(kind, input);
    this.checkNamespace(kind, ns, input);
    // Decoded into the Go struct (null and empty optional fields gone), as defaulting sees it.
    let body = goRoundTrip(gvkOf(kind), input);
    let m = meta(body);
    if (str(m.resourceVersion)) throw badRequest('resourceVersion should not be set on objects to be created');
    delete m.resourceVersion;
    if (write.manager === undefined) delete m.managedFields;
    delete m.selfLink;
    delete m.deletionTimestamp;
    delete m.deletionGracePeriodSeconds;
    m.uid = randomUUID();
    m.creationTimestamp = this.now();
    if (kind.generation) m.generation = 1;
    else delete m.generation;
    if (kind.initialStatus) {
      const status = kind.initialStatus(body);
      if (status === undefined) delete body.status;
      else body.status = status;
    }
    kind.defaults?.(body);
    if (write.manager !== undefined && !applied) trackUpdate(this.fieldManagerScope(kind), undefined, body, write.manager, zeroObject);
    const key = resourceKey(kind);
    const generateName = str(m.generateName);
    let name = str(m.name) ?? '';
    if (!name && generateName) name = this.generateName(key, ns, generateName);
    if (name) m.name = name;
    this.admitNamespace(kind, ns, name);
    kind.admit?.(body, this);
    // Stored as kube-apiserver encodes it.
    body = goRoundTrip(gvkOf(kind), body);
    m = meta(body);
    const errs = new Errors();
    validateObjectMeta(errs, m, kind.namespaced, kind.nameValidator);
    kind.validate?.(body, errs);
    if (!errs.empty) throw invalid(kind, name, errs.list);
    if (this.store.get(key, ns, name)) throw alreadyExists(kind, name);
    const entry = this.write(key, ns, name, body, 'ADDED');
    return { entry, warnings: kind.warnings?.(body) ?? [], created: true };
  }

  /** names.SimpleNameGenerator: a 5-character suffix, retried on collision like the registry does. */
  private generateName(key: string, ns: string, base: string): string {
    const prefix = base.length > 58 ? base.slice(0, 58) : base;
    for (let attempt = 0; attempt < 8; attempt++) {
      let suffix = '';
      for (let i = 0; i < 5; i++) suffix += GENERATE_SUFFIX_ALPHABET[Math.floor(Math.random() * GENERATE_SUFFIX_ALPHABET.length)];
      const name = prefix + suffix;
      if (!this.store.get(key, ns, name)) return name;
    }
    return prefix + 'xxxxx';
  }

  // ---- update ------------------------------------------------------------------------------

  update(kind: KindSpec, ns: string, name: string, input: unknown, subresource?: 'status' | 'finalize', write: WriteOptions = {}): WriteResult {
    if (!isObject(input)) throw badRequest('the request body must be a JSON object');
    const current = this.get(kind, ns, name);
    const body = input;
    this.checkTypeMeta(kind, body);
    this.checkNamespace(kind, ns, body);
    const m = meta(body);
    if (m.name !== undefined && m.name !== '' && m.name !== name) {
      throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${name})`);
    }
    m.name = name;
    const rv = str(m.resourceVersion);
    if (rv) {
      if (!/^\d+$/.test(rv)) throw badRequest(`invalid resourceVersion: ${JSON.stringify(rv)}`);
      if (Number(rv) !== current.rv) throw conflict(kind, name, OPTIMISTIC_LOCK);
    }
    return this.commitUpdate(kind, current, body, subresource, write.manager === undefined ? undefined : { manager: write.manager });
  }

  /** The field manager's scope for `kind` at `subresource`: the strategy's reset fields (GetResetFields) and the time now. */
  private fieldManagerScope(kind: KindSpec, subresource?: string): FieldManagerScope {
    const reset: FieldManagerScope['reset'] = [];
    if (kind.subresources.includes('status')) {
      if (subresource === 'status') {
        reset.push([{ field: 'spec' }]);
        if (kind.resource === 'pods' && !kind.group) reset.push([{ field: 'metadata' }, { field: 'deletionTimestamp' }], [{ field: 'metadata' }, { field: 'ownerReferences' }]);
      } else reset.push([{ field: 'status' }]);
    }
    return { groupVersionKind: gvkOf(kind), subresource, reset, now: this.now() };
  }

  /**
   * BeforeUpdate + strategy PrepareForUpdate + validation + ShouldDeleteDuringUpdate + write.
   * `track`: record the update in managedFields for this manager; without it the input's
   * managedFields are kept as they are (an apply or a scale made them), or the old ones when it
   * has none.
   */
  private commitUpdate(kind: KindSpec, current: Entry, input: JsonObject, subresource?: 'status' | 'finalize', track?: { manager: string }): WriteResult {
    const old = current.obj;
    const oldMeta = obj(old.metadata)!;
    const ns = str(oldMeta.namespace) ?? '';
    const name = str(oldMeta.name)!;
    const body = goRoundTrip(gvkOf(kind), input);
    const m = meta(body);
    const uid = str(m.uid);
    if (uid && uid !== oldMeta.uid) {
      throw conflict(kind, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(oldMeta.uid)}`);
    }
    // An empty list of entries (which omitempty drops) asks for them to be reset.
    if (Array.isArray(obj(input.metadata)?.managedFields) && m.managedFields === undefined) m.managedFields = [];
    kind.defaults?.(body);
    if (track) trackUpdate(this.fieldManagerScope(kind, subresource), old, body, track.manager, zeroObject);
    else if (m.managedFields === undefined && oldMeta.managedFields !== undefined) m.managedFields = clone(oldMeta.managedFields);
    let newObj: JsonObject;
    if (subresource === 'status') {
      // Status writes change status only (ResetObjectMetaForStatus + spec from the old object).
      newObj = { ...clone(old), status: body.status };
      setManagedFields(newObj, m.managedFields);
    } else if (subresource === 'finalize') {
      newObj = clone(old);
      child(newObj, 'spec').finalizers = obj(body.spec)?.finalizers ?? [];
      setManagedFields(newObj, m.managedFields);
    } else {
      newObj = body;
      if (kind.subresources.includes('status')) {
        if (old.status === undefined) delete newObj.status;
        else newObj.status = clone(old.status);
      }
      kind.prepareForUpdate?.(newObj, old);
      m.uid = oldMeta.uid;
      m.creationTimestamp = oldMeta.creationTimestamp;
      if (oldMeta.deletionTimestamp) m.deletionTimestamp = oldMeta.deletionTimestamp;
      else delete m.deletionTimestamp;
      if (oldMeta.deletionGracePeriodSeconds !== undefined) m.deletionGracePeriodSeconds = oldMeta.deletionGracePeriodSeconds;
      else delete m.deletionGracePeriodSeconds;
      if (oldMeta.generation !== undefined) m.generation = oldMeta.generation;
      else delete m.generation;
      delete m.selfLink;
    }
    newObj = goRoundTrip(gvkOf(kind), newObj);
    const newMeta = meta(newObj);
    if (kind.generation && subresource === undefined && !deepEqual(newObj.spec, old.spec)) {
      newMeta.generation = (Number(oldMeta.generation) || 0) + 1;
    }
    const errs = new Errors();
    validateObjectMeta(errs, newMeta, kind.namespaced, kind.nameValidator);
    validateObjectMetaUpdate(errs, newMeta, oldMeta);
    if (subresource === 'status') kind.validateStatusUpdate?.(newObj, old, errs);
    else if (subresource === undefined) {
      if (kind.validateUpdate) kind.validateUpdate(newObj, old, errs);
      else kind.validate?.(newObj, errs);
    }
    if (!errs.empty) throw invalid(kind, name, errs.list);
    const warnings = subresource === undefined ? (kind.warnings?.(newObj, old) ?? []) : [];
    newMeta.resourceVersion = oldMeta.resourceVersion;
    // IgnoreManagedFieldsTimestampsTransformer: a write that changes nothing but entries' times changes nothing.
    if (managedFieldsUnchangedButTimes(old, newObj)) newMeta.managedFields = clone(oldMeta.managedFields);
    if (deepEqual(newObj, old)) return { entry: current, warnings };
    if (this.shouldDeleteDuringUpdate(kind, newObj, old)) {
      return { entry: this.erase(resourceKey(kind), ns, name, newObj)!, warnings };
    }
    return { entry: this.write(resourceKey(kind), ns, name, newObj, 'MODIFIED'), warnings };
  }

  private shouldDeleteDuringUpdate(kind: KindSpec, o: JsonObject, old: JsonObject): boolean {
    const oldMeta = obj(old.metadata)!;
    if (arr(obj(o.metadata)?.finalizers).length > 0 || !oldMeta.deletionTimestamp) return false;
    if (kind.resource === 'namespaces' && !kind.group && arr(obj(o.spec)?.finalizers).length > 0) return false;
    const grace = oldMeta.deletionGracePeriodSeconds;
    return grace === undefined || grace === 0;
  }

  /**
   * `decoding`, for a request: the patch's text and the request's fieldValidation, to decode the
   * result as kube-apiserver does (decode.ts); its warnings lead the write's.
   */
  patch(kind: KindSpec, ns: string, name: string, type: PatchType, patch: unknown, subresource?: 'status', decoding?: { raw: string; validation: FieldValidation }, write: WriteOptions = {}): WriteResult {
    const current = this.store.get(resourceKey(kind), ns, name);
    const apply = type === 'application/apply-patch+yaml';
    if (!current) {
      // Server-side apply creates what does not exist; the other patch types need an object.
      if (type === 'application/apply-patch+yaml' && subresource === undefined) {
        if (!isObject(patch)) throw badRequest('apply patch must be an object');
        const m = obj(patch.metadata);
        if (m?.name !== undefined && m.name !== name) {
          throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${name})`);
        }
        if (decoding) {
          checkApplied(gvkOf(kind), patch);
          wrapIntegers(API_ROOTS[gvkOf(kind)]!, '', patch);
        }
        if (write.manager === undefined) return this.create(kind, ns, { ...patch, metadata: { ...(m ?? {}), name } });
        const scope = this.fieldManagerScope(kind);
        const live = zeroObject(gvkOf(kind));
        child(live, 'metadata').name = name;
        if (kind.namespaced) child(live, 'metadata').namespace = ns;
        return this.create(kind, ns, trackApply(scope, live, patch, write.manager, write.force ?? false, zeroObject), write, true);
      }
      throw notFound(kind, name);
    }
    if (apply && isObject(patch)) this.checkTypeMeta(kind, { ...patch });
    // The applied configuration is typed (a 500 when it does not fit the schema) before it can conflict.
    if (apply && decoding && isObject(patch)) checkApplied(gvkOf(kind), patch);
    const patched =
      apply && write.manager !== undefined && isObject(patch)
        ? trackApply(this.fieldManagerScope(kind, subresource), current.obj, patch, write.manager, write.force ?? false, zeroObject)
        : applyPatch(type, current.obj, patch, gvkOf(kind), decoding?.validation);
    const warnings = decoding ? this.decodePatched(kind, type, current.obj, patch, patched, decoding) : [];
    const m = meta(patched);
    if (m.name !== name) throw badRequest(`the name of the object (${String(m.name)}) does not match the name on the URL (${name})`);
    // A resourceVersion the patch wrote is a precondition, as for an update.
    const rv = str(m.resourceVersion);
    if (rv !== undefined && rv !== String(current.rv)) throw conflict(kind, name, OPTIMISTIC_LOCK);
    this.checkTypeMeta(kind, patched);
    this.checkNamespace(kind, ns, patched);
    const track = apply || write.manager === undefined ? undefined : { manager: write.manager };
    const r = this.commitUpdate(kind, current, patched, subresource, track);
    return warnings.length ? { ...r, warnings: [...warnings, ...r.warnings] } : r;
  }

  /** The patched object decoded as kube-apiserver's patcher for `type` decodes it: throws, or returns warnings. */
  private decodePatched(kind: KindSpec, type: PatchType, current: JsonObject, patch: unknown, patched: JsonObject, decoding: { raw: string; validation: FieldValidation }): string[] {
    const gvk = gvkOf(kind);
    switch (type) {
      case 'application/json-patch+json':
      case 'application/merge-patch+json':
        return checkJsonPatched(gvk, type, current, patch, patched, decoding.raw, decoding.validation);
      case 'application/strategic-merge-patch+json': {
        const warnings = checkStrategicPatched(gvk, patch, patched, decoding.raw, decoding.validation);
        wrapIntegers(API_ROOTS[gvk]!, '', patched);
        return warnings;
      }
      case 'application/apply-patch+yaml':
        if (isObject(patch)) checkApplied(gvk, patch, patched);
        wrapIntegers(API_ROOTS[gvk]!, '', patched);
        return [];
    }
  }

  // ---- scale -------------------------------------------------------------------------------

  getScale(kind: KindSpec, ns: string, name: string): JsonObject {
    return scaleOf(this.get(kind, ns, name));
  }

  updateScale(kind: KindSpec, ns: string, name: string, input: unknown, write: WriteOptions = {}): JsonObject {
    if (!isObject(input)) throw badRequest('the request body must be a JSON object');
    const current = this.get(kind, ns, name);
    const rv = str(obj(input.metadata)?.resourceVersion);
    if (rv && rv !== String(current.rv)) throw conflict(kind, name, OPTIMISTIC_LOCK);
    const replicas = obj(input.spec)?.replicas ?? 0;
    const scaleKind = { group: 'autoscaling', resource: kind.resource, kind: 'Scale' };
    if (typeof replicas !== 'number' || !Number.isInteger(replicas)) throw invalid(scaleKind, name, [{ type: 'Invalid', field: 'spec.replicas', value: replicas, detail: 'must be an integer' }]);
    if (replicas < 0) throw invalid(scaleKind, name, [{ type: 'Invalid', field: 'spec.replicas', value: replicas, detail: 'must be greater than or equal to 0' }]);
    const next = clone(current.obj);
    child(next, 'spec').replicas = replicas;
    if (write.manager !== undefined) {
      setManagedFields(next, trackScale(gvkOf(kind), current.obj, obj(current.obj.spec)?.replicas, replicas, write.manager, this.now()));
    }
    return scaleOf(this.commitUpdate(kind, current, next).entry);
  }

  patchScale(kind: KindSpec, ns: string, name: string, type: PatchType, patch: unknown, write: WriteOptions = {}): JsonObject {
    const current = this.getScale(kind, ns, name);
    const patched = applyPatch(type, current, patch, 'autoscaling/v1/Scale');
    return this.updateScale(kind, ns, name, patched, write);
  }

  // ---- pods/binding, pods/eviction, namespaces/finalize --------------------------------------

  bind(kind: KindSpec, ns: string, name: string, input: unknown): void {
    if (!isObject(input)) throw badRequest('the request body must be a JSON object');
    const target = obj(input.target) ?? {};
    const node = str(target.name);
    if (!node) throw invalid({ group: '', resource: 'bindings', kind: 'Binding' }, name, [{ type: 'Required', field: 'target.name' }]);
    const current = this.get(kind, ns, name);
    const m = obj(current.obj.metadata)!;
    const bindingName = str(obj(input.metadata)?.name);
    if (bindingName && bindingName !== name) throw badRequest(`the name of the binding (${bindingName}) does not match the name on the URL (${name})`);
    if (m.deletionTimestamp) throw conflict(kind, name, `pod ${name} is being deleted, cannot be assigned to a host`);
    const current_node = str(obj(current.obj.spec)?.nodeName);
    if (current_node) throw conflict(kind, name, `pod ${name} is already assigned to node ${JSON.stringify(current_node)}`);
    const uid = str(obj(input.metadata)?.uid);
    if (uid && uid !== m.uid) throw conflict(kind, name, `Precondition failed: UID in precondition: ${uid}, UID in object meta: ${String(m.uid)}`);
    const next = clone(current.obj);
    child(next, 'spec').nodeName = node;
    const status = child(next, 'status');
    const conditions = arr(status.conditions).filter((c) => obj(c)?.type !== 'PodScheduled');
    conditions.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: this.now() });
    status.conditions = conditions;
    const annotations = obj(obj(input.metadata)?.annotations);
    if (annotations) Object.assign(child(meta(next), 'annotations'), annotations);
    this.write(resourceKey(kind), ns, name, next, 'MODIFIED');
  }

  // ---- delete ------------------------------------------------------------------------------

  delete(kind: KindSpec, ns: string, name: string, options: DeleteOptions): DeleteResult {
    const current = this.get(kind, ns, name);
    this.checkPreconditions(kind, current, options);
    if (kind.resource === 'namespaces' && !kind.group) return this.deleteNamespace(kind, current, options);
    const key = resourceKey(kind);
    const next = clone(current.obj);
    const m = meta(next);
    const finalizersBefore = arr(m.finalizers) as string[];

    // rest.BeforeDelete: graceful deletion (pods) may set or shorten the deletion timestamp.
    let graceful = false;
    let grace = 0;
    if (kind.gracePeriod) {
      const requested = options.gracePeriodSeconds !== undefined && options.gracePeriodSeconds < 0 ? 1 : options.gracePeriodSeconds;
      if (m.deletionTimestamp) {
        const existing = m.deletionGracePeriodSeconds as number | undefined;
        if (existing === undefined || existing === 0) {
          graceful = false;
        } else if (requested === undefined || requested >= existing) {
          return { body: this.finalBody(kind, current.obj, false), deleted: false }; // graceful deletion already pending
        } else {
          const start = Date.parse(str(m.deletionTimestamp)!) - existing * 1000;
          m.deletionTimestamp = rfc3339(new Date(start + requested * 1000));
          m.deletionGracePeriodSeconds = requested;
          graceful = true;
          grace = requested;
        }
      } else {
        grace = kind.gracePeriod(next, requested);
        m.deletionTimestamp = rfc3339(new Date(this.clock.nowMs() + grace * 1000));
        m.deletionGracePeriodSeconds = grace;
        if (typeof m.generation === 'number') m.generation += 1;
        graceful = true;
      }
    }

    const gcFinalizers = this.gcFinalizers(kind, finalizersBefore, options);
    if (gcFinalizers) m.finalizers = gcFinalizers;
    const finalizers = arr(m.finalizers);
    if (!gcFinalizers && finalizers.length === 0) delete m.finalizers;
    const pendingFinalizers = finalizers.length > 0;

    if (!graceful && pendingFinalizers) {
      // markAsDeleting: deletionTimestamp now (or earlier), grace 0.
      if (!m.deletionTimestamp && typeof m.generation === 'number') m.generation += 1;
      const now = this.now();
      if (!m.deletionTimestamp || str(m.deletionTimestamp)! > now) m.deletionTimestamp = now;
      m.deletionGracePeriodSeconds = 0;
    }
    if (pendingFinalizers || (graceful && grace > 0)) {
      const entry = deepEqual(next, current.obj) ? current : this.write(key, ns, name, next, 'MODIFIED');
      return { body: entry.obj, deleted: false };
    }
    if (graceful || gcFinalizers) this.write(key, ns, name, next, 'MODIFIED');
    const removed = this.erase(key, ns, name)!;
    return { body: this.finalBody(kind, removed.obj, true), deleted: true };
  }

  private checkPreconditions(kind: KindSpec, current: Entry, options: DeleteOptions): void {
    const p = options.preconditions;
    const m = obj(current.obj.metadata)!;
    const name = str(m.name)!;
    if (p?.uid !== undefined && p.uid !== m.uid) {
      throw conflict(kind, name, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${String(m.uid)}`);
    }
    if (p?.resourceVersion !== undefined && p.resourceVersion !== m.resourceVersion) {
      throw conflict(kind, name, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${String(m.resourceVersion)}`);
    }
  }

  /** deletionFinalizersForGarbageCollection: the orphan / foregroundDeletion finalizers the options ask for, or undefined if unchanged. */
  private gcFinalizers(kind: KindSpec, finalizers: string[], options: DeleteOptions): string[] | undefined {
    const policy = kind.gcPolicy ?? 'background';
    if (policy === 'unsupported') return undefined;
    let orphan: boolean;
    let foreground: boolean;
    if (options.orphanDependents !== undefined) {
      orphan = options.orphanDependents;
      foreground = false;
    } else if (options.propagationPolicy === 'Orphan' || options.propagationPolicy === 'Foreground' || options.propagationPolicy === 'Background') {
      orphan = options.propagationPolicy === 'Orphan';
      foreground = options.propagationPolicy === 'Foreground';
    } else if (finalizers.includes('orphan') || finalizers.includes('foregroundDeletion')) {
      orphan = finalizers.includes('orphan');
      foreground = !orphan && finalizers.includes('foregroundDeletion');
    } else {
      orphan = policy === 'orphan';
      foreground = false;
    }
    const next = finalizers.filter((f) => f !== 'orphan' && f !== 'foregroundDeletion');
    if (orphan) next.push('orphan');
    if (foreground) next.push('foregroundDeletion');
    const same = new Set(next).size === new Set(finalizers).size && next.every((f) => finalizers.includes(f));
    return same ? undefined : next;
  }

  private finalBody(kind: KindSpec, o: JsonObject, deleted: boolean): JsonObject {
    if (kind.returnDeletedObject || !deleted) return o;
    const m = obj(o.metadata) ?? {};
    return {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Success',
      details: { name: m.name, group: kind.group, kind: kind.resource, uid: m.uid },
    };
  }

  /** Namespace deletion: the first delete marks it Terminating; the namespace controller empties and finalizes it. */
  private deleteNamespace(kind: KindSpec, current: Entry, options: DeleteOptions): DeleteResult {
    const m = obj(current.obj.metadata)!;
    const name = str(m.name)!;
    if (IMMORTAL_NAMESPACES.has(name)) throw forbidden(kind, name, 'this namespace may not be deleted');
    if (!m.deletionTimestamp) {
      const next = clone(current.obj);
      const nm = meta(next);
      nm.deletionTimestamp = this.now();
      nm.deletionGracePeriodSeconds = 0;
      child(next, 'status').phase = 'Terminating';
      const gc = this.gcFinalizers(kind, arr(nm.finalizers) as string[], options);
      if (gc) nm.finalizers = gc;
      const entry = this.write('namespaces', '', name, next, 'MODIFIED');
      return { body: entry.obj, deleted: false };
    }
    if (arr(obj(current.obj.spec)?.finalizers).length > 0 || arr(m.finalizers).length > 0) return { body: current.obj, deleted: false };
    const removed = this.erase('namespaces', '', name)!;
    return { body: removed.obj, deleted: true };
  }

  deleteCollection(kind: KindSpec, ns: string | undefined, list: ListOptions, options: DeleteOptions): JsonObject[] {
    const deleted: JsonObject[] = [];
    for (const e of this.list(kind, ns, { ...list, limit: undefined, continueToken: undefined }).items) {
      try {
        const r = this.delete(kind, e.namespace, e.name, { ...options });
        deleted.push(r.deleted || !kind.returnDeletedObject ? e.obj : r.body);
      } catch (err) {
        if (!(err instanceof ApiError && err.code === 404)) throw err;
      }
    }
    return deleted;
  }
}

/** The kind's zero object, as Go encodes it (what a create's fields are compared with). */
function zeroObject(groupVersionKind: string): JsonObject {
  return goRoundTrip(groupVersionKind, {});
}

function setManagedFields(o: JsonObject, entries: JsonValue | undefined): void {
  const m = meta(o);
  if (entries === undefined) delete m.managedFields;
  else m.managedFields = entries;
}

/** The kind's group/version/kind, as the Go type tables key it. */
function gvkOf(kind: KindSpec): string {
  return `${groupVersion(kind)}/${kind.kind}`;
}

function scaleOf(e: Entry): JsonObject {
  const o = e.obj;
  const m = obj(o.metadata)!;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: obj(o.spec)?.replicas ?? 0 },
    status: { replicas: obj(o.status)?.replicas ?? 0, selector: labelSelectorString(obj(o.spec)?.selector) },
  };
}

function entryKey(e: Entry): string {
  return `${e.namespace}/${e.name}`;
}

function encodeContinue(key: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', start: key })).toString('base64url');
}

function decodeContinue(token: string): string {
  try {
    const parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { start?: unknown };
    if (typeof parsed.start === 'string') return parsed.start;
  } catch {
    // fall through
  }
  throw badRequest(`continue key is not valid: ${token}`);
}

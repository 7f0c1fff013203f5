/**
 * The garbage collector of kube-controller-manager, after upstream
 * `pkg/controller/garbagecollector/garbagecollector.go`:
 * - a dependent none of whose owners exists any more (missing, or same name with another UID)
 *   is deleted, with the propagation its own finalizers ask for (`attemptToDeleteItem`);
 * - a dependent with a live owner and dangling refs keeps living, minus the dangling refs;
 * - an owner deleted in the foreground (`foregroundDeletion` finalizer) gets all its dependents
 *   deleted and keeps its finalizer until no dependent with `blockOwnerDeletion` remains
 *   (`processDeletingDependentsItem`);
 * - an owner deleted with `orphan` loses its refs on every dependent, then the finalizer
 *   (`attemptToOrphanWorker`).
 * Owner absence is confirmed with a live GET before deleting anything (`isDangling`), since an
 * informer may not have seen a just-created owner yet.
 */
import { KubeConfig, type KubernetesObject, type V1OwnerReference } from '@kubernetes/client-node';
import { errorMessage, isConflict, isNotFound } from '../api-errors.ts';
import { groupOf, objectKinds, servedKinds, type ObjectKind } from './object-kinds.ts';
import { type ComponentOptions, informersFor, WorkQueue } from './runtime.ts';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** Kinds the collector tracks as dependents and owners (events are neither in the suite). */
const TRACKED = new Set(['Pod', 'PersistentVolumeClaim', 'Service', 'ConfigMap', 'StatefulSet', 'ControllerRevision', 'EndpointSlice', 'Lease', 'Node', 'PersistentVolume']);

interface Item {
  kind: ObjectKind;
  obj: KubernetesObject;
}

const uidOf = (o: KubernetesObject) => o.metadata?.uid ?? '';
const has = (o: KubernetesObject, finalizer: string) => o.metadata?.finalizers?.includes(finalizer) ?? false;
const isDeletingDependents = (o: KubernetesObject) => !!o.metadata?.deletionTimestamp && has(o, FOREGROUND_FINALIZER);

export async function startGarbageCollector(kc: KubeConfig, opts: ComponentOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const kinds = objectKinds(kc).filter((k) => TRACKED.has(k.kind));
  const kindOf = (ref: { apiVersion?: string; kind?: string }) =>
    kinds.find((k) => k.kind === ref.kind && groupOf(k.apiVersion) === groupOf(ref.apiVersion ?? ''));

  // The dependency graph: every object by UID, and owner UID → dependent UIDs.
  const items = new Map<string, Item>();
  const dependents = new Map<string, Set<string>>();
  const absentOwners = new Set<string>();

  const link = (owner: string, dep: string, add: boolean) => {
    let set = dependents.get(owner);
    if (add) {
      if (!set) dependents.set(owner, (set = new Set()));
      set.add(dep);
    } else if (set) {
      set.delete(dep);
      if (set.size === 0) dependents.delete(owner);
    }
  };

  const observe = (kind: ObjectKind, obj: KubernetesObject) => {
    const uid = uidOf(obj);
    const old = items.get(uid)?.obj;
    items.set(uid, { kind, obj });
    const before = new Set((old?.metadata?.ownerReferences ?? []).map((r) => r.uid));
    const after = new Set((obj.metadata?.ownerReferences ?? []).map((r) => r.uid));
    for (const o of before) if (!after.has(o)) link(o, uid, false);
    for (const o of after) link(o, uid, true);
    // An owner whose refs or blocking changed may be waiting on this dependent.
    for (const r of old?.metadata?.ownerReferences ?? []) if (items.has(r.uid)) queue.add(r.uid);
    if (obj.metadata?.deletionTimestamp) {
      if (has(obj, FOREGROUND_FINALIZER) || has(obj, ORPHAN_FINALIZER)) queue.add(uid);
      // Entering foreground deletion: every dependent gets a chance to go (`processGraphChanges`).
      if (isDeletingDependents(obj) && !(old && isDeletingDependents(old))) dependents.get(uid)?.forEach((d) => queue.add(d));
    } else if (obj.metadata?.ownerReferences?.length) queue.add(uid);
  };

  const forget = (obj: KubernetesObject) => {
    const uid = uidOf(obj);
    items.delete(uid);
    for (const r of obj.metadata?.ownerReferences ?? []) {
      link(r.uid, uid, false);
      if (items.has(r.uid)) queue.add(r.uid);
    }
    // Its dependents may be dangling now.
    dependents.get(uid)?.forEach((d) => queue.add(d));
    dependents.delete(uid);
  };

  /** `isDangling`: is the owner gone (or reincarnated with another UID)? Returns the live owner otherwise. */
  const lookupOwner = async (ref: V1OwnerReference, dep: Item): Promise<KubernetesObject | undefined | 'unknown'> => {
    const cached = items.get(ref.uid);
    if (cached && cached.obj.metadata?.name === ref.name && cached.kind.kind === ref.kind) return cached.obj;
    if (absentOwners.has(ref.uid)) return undefined;
    const kind = kindOf(ref);
    if (!kind) return 'unknown';
    if (kind.namespaced && !dep.kind.namespaced) return undefined; // a namespaced owner of a cluster-scoped object never resolves
    try {
      const live = await kind.read(kind.namespaced ? (dep.obj.metadata?.namespace ?? '') : '', ref.name);
      if (live.metadata?.uid === ref.uid) return live;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    if (absentOwners.size > 10_000) absentOwners.clear();
    absentOwners.add(ref.uid);
    return undefined;
  };

  /** Merge patch guarded by resourceVersion, so a stale view fails with 409 and is retried. */
  const patchMeta = (item: Item, metadata: Record<string, unknown>) =>
    item.kind.patch(item.obj.metadata?.namespace ?? '', item.obj.metadata?.name ?? '', {
      metadata: { ...metadata, resourceVersion: item.obj.metadata?.resourceVersion },
    });

  const deleteItem = async (item: Item, propagationPolicy: string) => {
    log(`deleting ${item.kind.kind} ${item.obj.metadata?.namespace ?? ''}/${item.obj.metadata?.name} (${propagationPolicy})`);
    try {
      await item.kind.delete(item.obj.metadata?.namespace ?? '', item.obj.metadata?.name ?? '', {
        propagationPolicy,
        preconditions: { uid: uidOf(item.obj) },
      });
    } catch (err) {
      if (!isNotFound(err) && !isConflict(err)) throw err;
    }
  };

  const removeFinalizer = (item: Item, finalizer: string) =>
    patchMeta(item, { finalizers: (item.obj.metadata?.finalizers ?? []).filter((f) => f !== finalizer) });

  const orphanDependents = async (owner: Item) => {
    const ownerUid = uidOf(owner.obj);
    await Promise.all(
      [...(dependents.get(ownerUid) ?? [])].map(async (depUid) => {
        const dep = items.get(depUid);
        if (!dep) return;
        const refs = (dep.obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);
        try {
          await patchMeta(dep, { ownerReferences: refs.length ? refs : null });
        } catch (err) {
          if (!isNotFound(err)) throw err;
        }
      }),
    );
    await removeFinalizer(owner, ORPHAN_FINALIZER);
  };

  const processDeletingDependents = async (owner: Item) => {
    const ownerUid = uidOf(owner.obj);
    const blocking = [...(dependents.get(ownerUid) ?? [])]
      .map((d) => items.get(d))
      .filter((d): d is Item => !!d && (d.obj.metadata?.ownerReferences ?? []).some((r) => r.uid === ownerUid && r.blockOwnerDeletion));
    if (blocking.length === 0) return removeFinalizer(owner, FOREGROUND_FINALIZER);
    for (const d of blocking) if (!isDeletingDependents(d.obj)) queue.add(uidOf(d.obj));
  };

  const attemptToDelete = async (item: Item) => {
    const refs = item.obj.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const solid: V1OwnerReference[] = [];
    const dangling: V1OwnerReference[] = [];
    const waiting: V1OwnerReference[] = [];
    for (const ref of refs) {
      const owner = await lookupOwner(ref, item);
      if (owner === 'unknown') solid.push(ref); // a kind this collector does not know: never collect on its account
      else if (!owner) dangling.push(ref);
      else if (isDeletingDependents(owner)) waiting.push(ref);
      else solid.push(ref);
    }
    const uid = uidOf(item.obj);
    if (solid.length > 0) {
      if (dangling.length === 0 && waiting.length === 0) return;
      // Drop refs to gone or foreground-deleting owners, or those owners would wait forever.
      const drop = new Set([...dangling, ...waiting].map((r) => r.uid));
      return patchMeta(item, { ownerReferences: refs.filter((r) => !drop.has(r.uid)) });
    }
    if (waiting.length > 0 && (dependents.get(uid)?.size ?? 0) > 0) {
      const depsDeletingDependents = [...dependents.get(uid)!].some((d) => {
        const dep = items.get(d);
        return dep && isDeletingDependents(dep.obj);
      });
      if (depsDeletingDependents) {
        // Break a potential cycle of foreground deletions: make our refs non-blocking first.
        await patchMeta(item, { ownerReferences: refs.map((r) => ({ ...r, blockOwnerDeletion: false })) });
      }
      return deleteItem(item, 'Foreground');
    }
    const policy = has(item.obj, ORPHAN_FINALIZER) ? 'Orphan' : has(item.obj, FOREGROUND_FINALIZER) ? 'Foreground' : 'Background';
    return deleteItem(item, policy);
  };

  const process = async (uid: string): Promise<void> => {
    const item = items.get(uid);
    if (!item) return;
    const obj = item.obj;
    if (obj.metadata?.deletionTimestamp) {
      if (has(obj, ORPHAN_FINALIZER)) await orphanDependents(item);
      else if (has(obj, FOREGROUND_FINALIZER)) await processDeletingDependents(item);
      return; // otherwise being deleted: nothing to collect
    }
    await attemptToDelete(item);
  };

  const queue = new WorkQueue(clock, process, 16, (uid, err) => {
    const item = items.get(uid);
    log(`${item?.kind.kind ?? 'object'} ${item?.obj.metadata?.namespace ?? ''}/${item?.obj.metadata?.name ?? uid}: ${errorMessage(err)}`);
  });

  const served = await servedKinds(kinds);
  const watched = served.map((kind) => {
    const inf = informers.metadataInformer(kind.path, () => kind.listAll());
    inf.on('add', (o) => observe(kind, o)).on('update', (o) => observe(kind, o)).on('delete', forget);
    return inf;
  });
  await Promise.all(watched.map((i) => i.start()));

  return {
    async stop() {
      queue.stop();
      await Promise.all(watched.map((i) => i.stop()));
    },
  };
}

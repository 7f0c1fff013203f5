/**
 * ControllerRevision storage for one controller kind, ported from v1.37.2
 * pkg/controller/history/controller_history.go (realHistory): list owned-or-orphan revisions
 * from the informer, create with collision handling, bump .revision, adopt, delete.
 */
import { PatchStrategy, setHeaderOptions, type AppsV1Api, type V1ControllerRevision, type V1StatefulSet } from '@kubernetes/client-node';
import type { Lister } from '../runtime.ts';
import { DefaultRetry, isAlreadyExists, retryOnConflict } from '../../api-errors.ts';
import { controllerRefFor } from './pod-identity.ts';
import { canonicalJson, controllerRevisionName, hashControllerRevision } from './revisions.ts';
import { selectorMatches } from './selector.ts';

/** history.Interface, as far as the StatefulSet controller uses it. */
export interface HistoryInterface {
  listControllerRevisions(set: V1StatefulSet): V1ControllerRevision[];
  createControllerRevision(set: V1StatefulSet, revision: V1ControllerRevision, collisionCount: { value: number }): Promise<V1ControllerRevision>;
  deleteControllerRevision(revision: V1ControllerRevision): Promise<void>;
  updateControllerRevision(revision: V1ControllerRevision, newRevision: number): Promise<V1ControllerRevision>;
  adoptControllerRevision(set: V1StatefulSet, revision: V1ControllerRevision): Promise<V1ControllerRevision>;
}

/** The calls of the clientset realHistory makes. */
export type RevisionClient = Pick<
  AppsV1Api,
  | 'createNamespacedControllerRevision'
  | 'readNamespacedControllerRevision'
  | 'replaceNamespacedControllerRevision'
  | 'deleteNamespacedControllerRevision'
  | 'patchNamespacedControllerRevision'
>;

/** history.NewHistory's realHistory: the API for writes, the revision lister for reads. */
export class RealHistory implements HistoryInterface {
  constructor(
    private readonly apps: RevisionClient,
    private readonly revisions: Lister<V1ControllerRevision>,
  ) {}

  /**
   * ListControllerRevisions: revisions matching the selector that nobody controls or whose
   * controller ref is this set. Since v1.37 upstream looks them up by the controller index
   * (namespace/kind/name/uid of the ref, or the namespace for orphans), so a ref must name
   * the set by kind and name as well as UID.
   */
  listControllerRevisions(set: V1StatefulSet): V1ControllerRevision[] {
    return this.revisions.list(set.metadata?.namespace).filter((r) => {
      if (!selectorMatches(set.spec?.selector, r.metadata?.labels)) return false;
      const ref = r.metadata?.ownerReferences?.find((o) => o.controller);
      return !ref || (ref.kind === 'StatefulSet' && ref.name === set.metadata?.name && ref.uid === set.metadata?.uid);
    });
  }

  /**
   * CreateControllerRevision: on AlreadyExists with different data, bump collisionCount and
   * retry under a new name; an existing revision with equal data is returned as is. As upstream,
   * only the name is recomputed: the hash label keeps the value computed for the first attempt.
   */
  async createControllerRevision(set: V1StatefulSet, revision: V1ControllerRevision, collisionCount: { value: number }): Promise<V1ControllerRevision> {
    const namespace = set.metadata!.namespace!;
    const clone = structuredClone(revision);
    for (;;) {
      clone.metadata!.name = controllerRevisionName(set.metadata!.name!, hashControllerRevision(revision.data, collisionCount.value));
      try {
        return await this.apps.createNamespacedControllerRevision({ namespace, body: clone });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        const exists = await this.apps.readNamespacedControllerRevision({ name: clone.metadata!.name!, namespace });
        if (canonicalJson(exists.data ?? null) === canonicalJson(clone.data ?? null)) return exists;
        collisionCount.value++;
      }
    }
  }

  /** UpdateControllerRevision: sets .revision (the rollback bump), retrying conflicts from the cache. */
  async updateControllerRevision(revision: V1ControllerRevision, newRevision: number): Promise<V1ControllerRevision> {
    let clone = structuredClone(revision);
    return retryOnConflict(DefaultRetry, async () => {
      if (clone.revision === newRevision) return clone;
      clone.revision = newRevision;
      try {
        return await this.apps.replaceNamespacedControllerRevision({
          name: clone.metadata!.name!,
          namespace: clone.metadata!.namespace!,
          body: clone,
        });
      } catch (err) {
        const fresh = this.revisions.get(clone.metadata!.name!, clone.metadata!.namespace);
        if (fresh) clone = structuredClone(fresh);
        throw err;
      }
    });
  }

  async deleteControllerRevision(revision: V1ControllerRevision): Promise<void> {
    await this.apps.deleteNamespacedControllerRevision({ name: revision.metadata!.name!, namespace: revision.metadata!.namespace! });
  }

  /**
   * AdoptControllerRevision: adds the set's controller ref. Upstream sends a strategic-merge
   * patch that appends one ref; a JSON merge patch of the whole list with the cached
   * resourceVersion (409 on any concurrent change) has the same effect on any server.
   */
  async adoptControllerRevision(set: V1StatefulSet, revision: V1ControllerRevision): Promise<V1ControllerRevision> {
    const owner = revision.metadata?.ownerReferences?.find((o) => o.controller);
    if (owner) throw new Error(`attempt to adopt revision owned by ${owner.kind}/${owner.name}`);
    const body = {
      metadata: {
        uid: revision.metadata?.uid,
        resourceVersion: revision.metadata?.resourceVersion,
        ownerReferences: [...(revision.metadata?.ownerReferences ?? []), controllerRefFor(set)],
      },
    };
    return this.apps.patchNamespacedControllerRevision(
      { name: revision.metadata!.name!, namespace: revision.metadata!.namespace!, body },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
  }
}

/**
 * Writes a StatefulSet makes to its pods and claims: create (claims first), identity/storage
 * repair, delete, and retention-policy ownerRefs on claims, each with its Event. Ported from
 * v1.37.2 pkg/controller/statefulset/stateful_pod_control.go: StatefulPodControl works through
 * a StatefulPodControlObjectManager (the real one: the API for writes, the informers' caches
 * for reads, each write recorded in the consistency store), which tests replace by a fake.
 */
import type { CoreV1Api, V1PersistentVolumeClaim, V1Pod, V1StatefulSet } from '@kubernetes/client-node';
import type { Lister } from '../runtime.ts';
import { DefaultBackoff, errorMessage, isAlreadyExists, isNotFound, newAggregate, retryOnConflict } from '../../api-errors.ts';
import { NO_CONSISTENCY, type ConsistencyStore, type WrittenResource } from './consistency.ts';
import type { EventRecorder } from './events.ts';
import {
  getOrdinal,
  getPersistentVolumeClaimName,
  getPersistentVolumeClaims,
  identityMatches,
  storageMatches,
  updateIdentity,
  updateStorage,
} from './pod-identity.ts';
import {
  claimOwnerRefsForPolicy,
  getPersistentVolumeClaimRetentionPolicy,
  hasStaleOwnerRef,
  hasUnexpectedController,
  isClaimOwnerUpToDate,
  podKind,
} from './retention.ts';

/**
 * StatefulPodControlObjectManager abstracts the manipulation of Pods and PVCs. Reads come from
 * listers: undefined is the lister's NotFound (a cache has no other error).
 */
export interface StatefulPodControlObjectManager {
  createPod(pod: V1Pod, set: V1StatefulSet): Promise<void>;
  getPod(namespace: string, podName: string): V1Pod | undefined;
  updatePod(pod: V1Pod, set: V1StatefulSet): Promise<void>;
  deletePod(pod: V1Pod): Promise<void>;
  createClaim(claim: V1PersistentVolumeClaim, set: V1StatefulSet): Promise<void>;
  getClaim(namespace: string, claimName: string): V1PersistentVolumeClaim | undefined;
  updateClaim(claim: V1PersistentVolumeClaim, set: V1StatefulSet): Promise<void>;
}

/** The calls of the clientset the real object manager makes. */
export type PodClaimClient = Pick<
  CoreV1Api,
  'createNamespacedPod' | 'replaceNamespacedPod' | 'deleteNamespacedPod' | 'createNamespacedPersistentVolumeClaim' | 'replaceNamespacedPersistentVolumeClaim'
>;

/** realStatefulPodControlObjectManager: the API for writes, listers for reads. */
export class RealStatefulPodControlObjectManager implements StatefulPodControlObjectManager {
  constructor(
    private readonly core: PodClaimClient,
    private readonly podLister: Lister<V1Pod>,
    private readonly claimLister: Lister<V1PersistentVolumeClaim>,
    private readonly consistencyStore: ConsistencyStore = NO_CONSISTENCY,
  ) {}

  /** consistencyStore.WroteAt after a successful write for set. */
  private wroteAt(set: V1StatefulSet, resource: WrittenResource, written: { metadata?: { resourceVersion?: string } }): void {
    this.consistencyStore.wroteAt(`${set.metadata?.namespace}/${set.metadata?.name}`, set.metadata?.uid ?? '', resource, written.metadata?.resourceVersion);
  }

  async createPod(pod: V1Pod, set: V1StatefulSet): Promise<void> {
    this.wroteAt(set, 'pods', await this.core.createNamespacedPod({ namespace: pod.metadata!.namespace!, body: pod }));
  }

  getPod(namespace: string, podName: string): V1Pod | undefined {
    return this.podLister.get(podName, namespace);
  }

  async updatePod(pod: V1Pod, set: V1StatefulSet): Promise<void> {
    this.wroteAt(set, 'pods', await this.core.replaceNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace!, body: pod }));
  }

  async deletePod(pod: V1Pod): Promise<void> {
    await this.core.deleteNamespacedPod({ name: pod.metadata!.name!, namespace: pod.metadata!.namespace! });
  }

  async createClaim(claim: V1PersistentVolumeClaim, set: V1StatefulSet): Promise<void> {
    this.wroteAt(set, 'persistentvolumeclaims', await this.core.createNamespacedPersistentVolumeClaim({ namespace: claim.metadata!.namespace!, body: claim }));
  }

  getClaim(namespace: string, claimName: string): V1PersistentVolumeClaim | undefined {
    return this.claimLister.get(claimName, namespace);
  }

  async updateClaim(claim: V1PersistentVolumeClaim, set: V1StatefulSet): Promise<void> {
    this.wroteAt(
      set,
      'persistentvolumeclaims',
      await this.core.replaceNamespacedPersistentVolumeClaim({ name: claim.metadata!.name!, namespace: claim.metadata!.namespace!, body: claim }),
    );
  }
}

type Verb = 'create' | 'update' | 'delete';
const title = (verb: Verb) => verb[0].toUpperCase() + verb.slice(1);

/** NewStatefulPodControl: a StatefulPodControl over the real object manager. */
export function newStatefulPodControl(
  core: PodClaimClient,
  podLister: Lister<V1Pod>,
  claimLister: Lister<V1PersistentVolumeClaim>,
  recorder: EventRecorder,
  consistencyStore: ConsistencyStore = NO_CONSISTENCY,
): StatefulPodControl {
  return new StatefulPodControl(new RealStatefulPodControlObjectManager(core, podLister, claimLister, consistencyStore), recorder);
}

/**
 * StatefulPodControl: creates, updates and deletes a set's pods and claims in the ways the
 * set's guarantees need (claims before pods, identity enforcement, retention refs).
 */
export class StatefulPodControl {
  constructor(
    private readonly objectMgr: StatefulPodControlObjectManager,
    /** Public as upstream's is: the set control records UnknownStrategy through it. */
    readonly recorder: EventRecorder,
  ) {}

  /**
   * CreateStatefulPod: claims first; an AlreadyExists pod is returned silently (no Event). As
   * upstream, the claims' retention refs are fixed up even when the create failed otherwise, and
   * the create's Event and error come last.
   */
  async createStatefulPod(set: V1StatefulSet, pod: V1Pod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (err) {
      this.recordPodEvent('create', set, pod, err);
      throw err;
    }
    let createError: unknown;
    try {
      await this.objectMgr.createPod(pod, set);
    } catch (err) {
      if (isAlreadyExists(err)) throw err;
      createError = err;
    }
    // Set PVC policy as much as is possible at this point (the pod object has no UID yet).
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (err) {
      this.recordPodEvent('update', set, pod, err);
      throw err;
    }
    this.recordPodEvent('create', set, pod, createError);
    if (createError !== undefined) throw createError;
  }

  /**
   * UpdateStatefulPod: repairs identity (pod-name label, which rewrites pod-index too), storage
   * volumes (creating missing claims) and claim ownerRefs; retried on conflict from the cache.
   */
  async updateStatefulPod(set: V1StatefulSet, pod: V1Pod): Promise<void> {
    let attemptedUpdate = false;
    let current = pod;
    try {
      await retryOnConflict(DefaultBackoff, async () => {
        let consistent = true;
        if (!identityMatches(set, current)) {
          updateIdentity(set, current);
          consistent = false;
        }
        if (!storageMatches(set, current)) {
          updateStorage(set, current);
          consistent = false;
          try {
            await this.createPersistentVolumeClaims(set, current);
          } catch (err) {
            this.recordPodEvent('update', set, current, err);
            throw err;
          }
        }
        try {
          if (!(await this.claimsMatchRetentionPolicy(set, current))) {
            await this.updatePodClaimForRetentionPolicy(set, current);
            consistent = false;
          }
        } catch (err) {
          this.recordPodEvent('update', set, current, err);
          throw err;
        }
        if (consistent) return;
        attemptedUpdate = true;
        try {
          await this.objectMgr.updatePod(current, set);
        } catch (err) {
          // A copy, so that the shared cache is not mutated.
          const fresh = this.objectMgr.getPod(set.metadata!.namespace!, current.metadata!.name!);
          if (fresh) current = structuredClone(fresh);
          throw err;
        }
      });
    } catch (err) {
      if (attemptedUpdate) this.recordPodEvent('update', set, current, err);
      throw err;
    }
    if (attemptedUpdate) this.recordPodEvent('update', set, current);
  }

  /**
   * DeleteStatefulPod: a plain graceful delete, never a forced one (at most one pod per
   * identity). NotFound counts as success, Normal event included (v1.37): the pod is gone.
   */
  async deleteStatefulPod(set: V1StatefulSet, pod: V1Pod): Promise<void> {
    try {
      await this.objectMgr.deletePod(pod);
    } catch (err) {
      if (!isNotFound(err)) {
        this.recordPodEvent('delete', set, pod, err);
        throw err;
      }
    }
    this.recordPodEvent('delete', set, pod);
  }

  /** ClaimsMatchRetentionPolicy: every existing claim of the pod carries the refs the policy wants. */
  async claimsMatchRetentionPolicy(set: V1StatefulSet, pod: V1Pod): Promise<boolean> {
    const ordinal = getOrdinal(pod);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const claim = this.objectMgr.getClaim(set.metadata!.namespace!, getPersistentVolumeClaimName(set, template, ordinal));
      // A missing claim is picked up in a later iteration.
      if (claim && !isClaimOwnerUpToDate(claim, set, pod)) return false;
    }
    return true;
  }

  /** UpdatePodClaimForRetentionPolicy: rewrites the refs of claims that disagree with the policy. */
  async updatePodClaimForRetentionPolicy(set: V1StatefulSet, pod: V1Pod): Promise<void> {
    const ordinal = getOrdinal(pod);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const claimName = getPersistentVolumeClaimName(set, template, ordinal);
      const claim = this.objectMgr.getClaim(set.metadata!.namespace!, claimName);
      if (!claim) continue;
      if (hasUnexpectedController(claim, set, pod)) {
        this.recorder.event(
          set,
          'Warning',
          'ConflictingController',
          `PersistentVolumeClaim ${claimName} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`,
        );
      }
      if (!isClaimOwnerUpToDate(claim, set, pod)) {
        const updated = structuredClone(claim);
        updated.metadata!.ownerReferences = claimOwnerRefsForPolicy(claim, set, pod);
        try {
          await this.objectMgr.updateClaim(updated, set);
        } catch (err) {
          throw new Error(`could not update claim ${claimName} for delete policy ownerRefs: ${errorMessage(err)}`);
        }
      }
    }
  }

  /**
   * PodClaimIsStale: with whenScaled=Delete, a claim whose Pod ref names this pod but carries
   * another UID (a condemned predecessor awaiting garbage collection) blocks the new pod.
   */
  podClaimIsStale(set: V1StatefulSet, pod: V1Pod): boolean {
    if (getPersistentVolumeClaimRetentionPolicy(set).whenScaled === 'Retain') return false;
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const pvc = this.objectMgr.getClaim(claim.metadata!.namespace!, claim.metadata!.name!);
      if (pvc && hasStaleOwnerRef(pvc, pod, podKind)) return true;
    }
    return false;
  }

  /** createMissingPersistentVolumeClaims: for Pending pods whose claims went missing. */
  async createMissingPersistentVolumeClaims(set: V1StatefulSet, pod: V1Pod): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (err) {
      this.recordPodEvent('update', set, pod, err);
      throw err;
    }
  }

  /**
   * createPersistentVolumeClaims: creates absent claims; an existing claim is reused untouched
   * unless it is being deleted, which blocks the pod until it is gone.
   */
  async createPersistentVolumeClaims(set: V1StatefulSet, pod: V1Pod): Promise<void> {
    const errors: unknown[] = [];
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const existing = this.objectMgr.getClaim(claim.metadata!.namespace!, claim.metadata!.name!);
      if (!existing) {
        try {
          await this.objectMgr.createClaim(claim, set);
          this.recordClaimEvent('create', set, pod, claim);
        } catch (err) {
          errors.push(new Error(`failed to create PVC ${claim.metadata!.name}: ${errorMessage(err)}`));
          if (!isAlreadyExists(err)) this.recordClaimEvent('create', set, pod, claim, err);
        }
      } else if (existing.metadata?.deletionTimestamp) {
        errors.push(new Error(`pvc ${claim.metadata!.name} is being deleted`));
      }
    }
    const err = newAggregate(errors);
    if (err) throw err;
  }

  /** recordPodEvent: Successful<Verb> / Failed<Verb> on the set. */
  recordPodEvent(verb: Verb, set: V1StatefulSet, pod: V1Pod, err?: unknown): void {
    const podName = pod.metadata?.name, setName = set.metadata?.name;
    if (err === undefined) {
      this.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${title(verb)} Pod ${podName} in StatefulSet ${setName} successful`);
    } else {
      this.recorder.event(set, 'Warning', `Failed${title(verb)}`, `${title(verb)} Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(err)}`);
    }
  }

  /** recordClaimEvent: the PVC flavour (note upstream's "success" / "for Pod" wording). */
  recordClaimEvent(verb: Verb, set: V1StatefulSet, pod: V1Pod, claim: V1PersistentVolumeClaim, err?: unknown): void {
    const claimName = claim.metadata?.name, podName = pod.metadata?.name, setName = set.metadata?.name;
    if (err === undefined) {
      this.recorder.event(set, 'Normal', `Successful${title(verb)}`, `${title(verb)} Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`);
    } else {
      this.recorder.event(
        set,
        'Warning',
        `Failed${title(verb)}`,
        `${title(verb)} Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${errorMessage(err)}`,
      );
    }
  }
}

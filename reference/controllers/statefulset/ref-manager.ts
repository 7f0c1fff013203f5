/**
 * Adoption and release of pods, ported from v1.37.2 pkg/controller/controller_ref_manager.go
 * (PodControllerRefManager.ClaimPods / BaseControllerRefManager.ClaimObject, AdoptPod,
 * ReleasePod) and controller_utils.go (PodControlInterface.PatchPod, RealPodControl with its
 * OnWrite, RecheckDeletionTimestamp).
 */
import { PatchStrategy, setHeaderOptions, type CoreV1Api, type V1Pod, type V1StatefulSet } from '@kubernetes/client-node';
import { isInvalid, isNotFound, newAggregate } from '../../api-errors.ts';
import { controllerRefFor } from './pod-identity.ts';

export type ClaimAction = 'keep' | 'ignore' | 'release' | 'adopt';

/**
 * ClaimObject's decision: pods controlled by someone else are ignored; ours are kept while
 * they match, else released (not while the set is being deleted); orphans that match are
 * adopted unless the set or the pod is being deleted or the namespace differs.
 */
export function claimAction(set: V1StatefulSet, pod: V1Pod, matches: boolean): ClaimAction {
  const controllerRef = pod.metadata?.ownerReferences?.find((r) => r.controller);
  const setDeleting = set.metadata?.deletionTimestamp != null;
  if (controllerRef) {
    if (controllerRef.uid !== set.metadata?.uid) return 'ignore';
    if (matches) return 'keep';
    return setDeleting ? 'ignore' : 'release';
  }
  if (setDeleting || !matches) return 'ignore';
  if (pod.metadata?.deletionTimestamp != null) return 'ignore';
  if (set.metadata?.namespace && set.metadata.namespace !== pod.metadata?.namespace) return 'ignore';
  return 'adopt';
}

/** controller.PodControlInterface, as far as ClaimPods uses it: PatchPod (a JSON merge patch here). */
export interface PodControlInterface {
  patchPod(namespace: string, name: string, body: object): Promise<V1Pod>;
}

/** controller.RealPodControl: patches through the API; OnWrite sees each patched pod. */
export class RealPodControl implements PodControlInterface {
  constructor(
    private readonly core: CoreV1Api,
    private readonly onWrite: (pod: V1Pod) => void = () => undefined,
  ) {}

  async patchPod(namespace: string, name: string, body: object): Promise<V1Pod> {
    const pod = await this.core.patchNamespacedPod({ name, namespace, body }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    this.onWrite(pod);
    return pod;
  }
}

export interface ClaimDeps {
  podControl: PodControlInterface;
  /** The uncached re-check of the set (RecheckDeletionTimestamp); throws when adoption is not allowed. */
  canAdopt: () => Promise<void>;
}

/**
 * ClaimPods: the pods the set should manage after adopting/releasing. `match` is the selector
 * plus isMemberOf (the name must parse as <set>-<ordinal>). canAdopt runs at most once.
 */
export async function claimPods(set: V1StatefulSet, pods: V1Pod[], match: (pod: V1Pod) => boolean, deps: ClaimDeps): Promise<V1Pod[]> {
  const claimed: V1Pod[] = [];
  const errors: unknown[] = [];
  let canAdopt: Promise<void> | undefined;
  for (const pod of pods) {
    const action = claimAction(set, pod, match(pod));
    try {
      if (action === 'keep') claimed.push(pod);
      else if (action === 'release') await releasePod(deps.podControl, set, pod);
      else if (action === 'adopt') {
        canAdopt ??= deps.canAdopt();
        try {
          await canAdopt;
        } catch (err) {
          throw new Error(`can't adopt Pod ${pod.metadata?.namespace}/${pod.metadata?.name} (${pod.metadata?.uid}): ${(err as Error).message}`);
        }
        claimed.push(await adoptPod(deps.podControl, set, pod));
      }
    } catch (err) {
      if (!isNotFound(err)) errors.push(err);
    }
  }
  const err = newAggregate(errors);
  if (err) throw err;
  return claimed;
}

/**
 * AdoptPod: adds the controller ref. Upstream patches `{"metadata":{"ownerReferences":[ref],
 * "uid":...}}` as a strategic merge; here a JSON merge patch carries the whole list and the
 * cached resourceVersion, which is equivalent and works on any API server.
 */
async function adoptPod(podControl: PodControlInterface, set: V1StatefulSet, pod: V1Pod): Promise<V1Pod> {
  const body = {
    metadata: {
      uid: pod.metadata?.uid,
      resourceVersion: pod.metadata?.resourceVersion,
      ownerReferences: [...(pod.metadata?.ownerReferences ?? []), controllerRefFor(set)],
    },
  };
  return podControl.patchPod(pod.metadata!.namespace!, pod.metadata!.name!, body);
}

/** ReleasePod: removes our ref; NotFound and Invalid (pod gone or recreated) are ignored. */
async function releasePod(podControl: PodControlInterface, set: V1StatefulSet, pod: V1Pod): Promise<void> {
  const body = {
    metadata: {
      uid: pod.metadata?.uid,
      resourceVersion: pod.metadata?.resourceVersion,
      ownerReferences: (pod.metadata?.ownerReferences ?? []).filter((r) => r.uid !== set.metadata?.uid),
    },
  };
  try {
    await podControl.patchPod(pod.metadata!.namespace!, pod.metadata!.name!, body);
  } catch (err) {
    if (isNotFound(err) || isInvalid(err)) return;
    throw err;
  }
}

/** RecheckDeletionTimestamp over an uncached GET: the set must still be the same object and not deleting. */
export function recheckDeletionTimestamp(getFresh: () => Promise<V1StatefulSet>, set: V1StatefulSet): () => Promise<void> {
  return async () => {
    const fresh = await getFresh();
    if (fresh.metadata?.uid !== set.metadata?.uid) {
      throw new Error(`original StatefulSet ${set.metadata?.namespace}/${set.metadata?.name} is gone: got uid ${fresh.metadata?.uid}, wanted ${set.metadata?.uid}`);
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${set.metadata?.namespace}/${set.metadata?.name} has just been deleted at ${String(fresh.metadata.deletionTimestamp)}`);
    }
  };
}

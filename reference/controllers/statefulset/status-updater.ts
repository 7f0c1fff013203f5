/**
 * Writes a StatefulSet's status, ported from v1.37.2
 * pkg/controller/statefulset/stateful_set_status_updater.go: the whole status is replaced
 * (set.Status = *status; UpdateStatus), retrying conflicts with the cached set; a successful
 * write is recorded in the consistency store.
 */
import type { AppsV1Api, V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import type { Lister } from '../runtime.ts';
import { DefaultRetry, retryOnConflict } from '../../api-errors.ts';
import { NO_CONSISTENCY, type ConsistencyStore } from './consistency.ts';

/** StatefulSetStatusUpdaterInterface: writes a set's status (tests fake it). */
export interface StatefulSetStatusUpdaterInterface {
  updateStatefulSetStatus(set: V1StatefulSet, status: V1StatefulSetStatus): Promise<void>;
}

/** realStatefulSetStatusUpdater (NewRealStatefulSetStatusUpdater). */
export class RealStatefulSetStatusUpdater implements StatefulSetStatusUpdaterInterface {
  constructor(
    private readonly apps: AppsV1Api,
    private readonly setLister: Lister<V1StatefulSet>,
    private readonly consistencyStore: ConsistencyStore = NO_CONSISTENCY,
  ) {}

  async updateStatefulSetStatus(set: V1StatefulSet, status: V1StatefulSetStatus): Promise<void> {
    let current = structuredClone(set);
    await retryOnConflict(DefaultRetry, async () => {
      current.status = structuredClone(status);
      try {
        const updated = await this.apps.replaceNamespacedStatefulSetStatus({
          name: current.metadata!.name!,
          namespace: current.metadata!.namespace!,
          body: current,
        });
        this.consistencyStore.wroteAt(
          `${updated.metadata?.namespace}/${updated.metadata?.name}`,
          updated.metadata?.uid ?? '',
          'statefulsets',
          updated.metadata?.resourceVersion,
        );
      } catch (err) {
        const fresh = this.setLister.get(current.metadata!.name!, current.metadata!.namespace);
        if (fresh) current = structuredClone(fresh);
        throw err;
      }
    });
  }
}

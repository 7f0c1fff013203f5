/**
 * Writes a StatefulSet's status, ported from stateful_set_status_updater.go: the whole status is
 * replaced (set.Status = *status; UpdateStatus), retrying conflicts with the cached set.
 */
import type { AppsV1Api, V1StatefulSet, V1StatefulSetStatus } from '@kubernetes/client-node';
import type { Informer } from '../runtime.ts';
import { retryOnConflict } from './api-errors.ts';

export class StatusUpdater {
  constructor(
    private readonly apps: AppsV1Api,
    private readonly sets: Informer<V1StatefulSet>,
  ) {}

  async updateStatefulSetStatus(set: V1StatefulSet, status: V1StatefulSetStatus): Promise<void> {
    let current = structuredClone(set);
    await retryOnConflict(5, async () => {
      current.status = structuredClone(status);
      try {
        await this.apps.replaceNamespacedStatefulSetStatus({
          name: current.metadata!.name!,
          namespace: current.metadata!.namespace!,
          body: current,
        });
      } catch (err) {
        const fresh = this.sets.get(current.metadata!.name!, current.metadata!.namespace);
        if (fresh) current = structuredClone(fresh);
        throw err;
      }
    });
  }
}

/**
 * The PV protection controller of kube-controller-manager, after upstream v1.37.2
 * `pkg/controller/volume/pvprotection/pv_protection_controller.go`. The
 * StorageObjectInUseProtection admission plugin gives every new volume the finalizer
 * `kubernetes.io/pv-protection`; a deleted volume stays Terminating while it is in use, i.e.
 * while its phase is Bound (`isBeingUsed`: the PV controller keeps the phase), and this
 * controller removes the finalizer once it is not. A volume without the finalizer and not being
 * deleted gets it. A Released volume with reclaim policy Delete (its claim is gone) is not in
 * use, so the provisioner's deletion of it completes.
 * Updates are JSON merge patches guarded by the resourceVersion read, which conflict exactly
 * when upstream's Update of a copy of the cached object would.
 */
import { CoreV1Api, KubeConfig, type V1PersistentVolume } from '@kubernetes/client-node';
import { errorMessage } from '../api-errors.ts';
import { mergePatch } from './api-util.ts';
import { isDeletionCandidate, needToAddFinalizer } from './pvc-protection.ts';
import { type ComponentOptions, informersFor, WorkQueue } from './runtime.ts';

export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

export async function startPvProtectionController(
  kc: KubeConfig,
  opts: ComponentOptions & { workers?: number },
): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const volumes = informers.informer<V1PersistentVolume>('/api/v1/persistentvolumes', 'V1PersistentVolume', () => core.listPersistentVolume());
  let synced: Promise<unknown> = Promise.resolve();

  const setFinalizers = async (pv: V1PersistentVolume, finalizers: string[], what: string) => {
    await core.patchPersistentVolume(
      { name: pv.metadata!.name!, body: { metadata: { resourceVersion: pv.metadata?.resourceVersion, finalizers } } },
      mergePatch(),
    );
    log(`${what} protection finalizer ${pv.metadata?.name}`);
  };

  const processPV = async (name: string): Promise<void> => {
    await synced;
    const pv = volumes.get(name);
    if (!pv) return;
    if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) {
      // isBeingUsed: bound to a claim, as the PV controller reports in the phase.
      if (pv.status?.phase !== 'Bound') {
        return setFinalizers(pv, (pv.metadata?.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER), 'removed');
      }
      log(`keeping ${name}: it is being used`);
    }
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) {
      return setFinalizers(pv, [...(pv.metadata?.finalizers ?? []), PV_PROTECTION_FINALIZER], 'added');
    }
  };

  const queue = new WorkQueue(clock, processPV, opts.workers ?? 1, (name, err) => log(`PV ${name} failed with: ${errorMessage(err)}`));
  const pvAddedUpdated = (pv: V1PersistentVolume) => {
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER) || isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) queue.add(pv.metadata?.name ?? '');
  };
  volumes.on('add', pvAddedUpdated).on('update', pvAddedUpdated);

  synced = volumes.start();
  await synced;

  return {
    async stop() {
      queue.stop();
      await volumes.stop();
    },
  };
}

/**
 * Volumes without real storage (control-plane-notes §5): a simulated external provisioner
 * and, for the reference target where no kube-controller-manager runs, the binding half of the
 * PV controller (`pkg/controller/volume/persistentvolume/pv_controller.go`).
 *
 * Provisioner: for a claim of one of its classes with no volume yet (WaitForFirstConsumer:
 * once the scheduler set `volume.kubernetes.io/selected-node`), creates PV `pvc-<claim uid>`
 * pre-bound to the claim by UID, with a hostPath source (nothing to attach) and, for
 * WaitForFirstConsumer, node affinity to the selected node; deletes Released PVs it provisioned
 * whose reclaim policy is Delete.
 *
 * StorageClasses: the provisioner makes sure two classes exist (this provisioner, reclaim
 * Delete) unless `ensureStorageClass: false`: the default `standard` (Immediate binding unless
 * told otherwise) and `standard-wffc` (not default, WaitForFirstConsumer); the same on every
 * target of the project, so scenarios can rely on a default class and on both binding modes.
 *
 * Binder (`bindClaims: true`): completes the bind like `syncUnboundClaim`/`bind`: claim
 * `spec.volumeName`, annotations `pv.kubernetes.io/bind-completed` and
 * `pv.kubernetes.io/bound-by-controller`, both phases Bound; a PV whose claim is gone (or
 * reincarnated with another UID) becomes Released (`syncVolume`).
 */
import {
  CoreV1Api,
  KubeConfig,
  StorageV1Api,
  type V1PersistentVolume,
  type V1PersistentVolumeClaim,
  type V1StorageClass,
} from '@kubernetes/client-node';
import { errorMessage, isAlreadyExists, isNotFound } from '../api-errors.ts';
import { mergePatch } from './api-util.ts';
import { type ComponentOptions, informersFor, keyOf, splitKey, WorkQueue } from './runtime.ts';

export const DEFAULT_PROVISIONER = 'sim.statefulset-conformance.io/hostpath';
export const DEFAULT_CLASS_ANNOTATION = 'storageclass.kubernetes.io/is-default-class';
export const PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
export const BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
export const STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
export const SELECTED_NODE = 'volume.kubernetes.io/selected-node';

export interface VolumeProvisionerOptions extends ComponentOptions {
  provisioner?: string;
  /** Also bind claims and volumes, as the PV controller does (reference target). */
  bindClaims: boolean;
  /** Create the StorageClasses `standard` (default) and `standard-wffc` if missing (default true). */
  ensureStorageClass?: boolean;
  /** The volumeBindingMode of `standard` (default Immediate; kind's local-path class is WaitForFirstConsumer). */
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  /** Where on a node the hostPath volumes live (default /var/lib/sim-volumes; real kubelets create them). */
  hostPathBase?: string;
}

export const DEFAULT_CLASS = 'standard';
export const FIRST_CONSUMER_CLASS = 'standard-wffc';

/** The default class `standard`, binding as told, and `standard-wffc`, not default, binding at first consumer. */
export function storageClassManifests(provisioner: string, volumeBindingMode: 'Immediate' | 'WaitForFirstConsumer' = 'Immediate'): V1StorageClass[] {
  const sc = (name: string, mode: typeof volumeBindingMode, annotations?: Record<string, string>): V1StorageClass => ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name, annotations },
    provisioner,
    reclaimPolicy: 'Delete',
    volumeBindingMode: mode,
  });
  return [sc(DEFAULT_CLASS, volumeBindingMode, { [DEFAULT_CLASS_ANNOTATION]: 'true' }), sc(FIRST_CONSUMER_CLASS, 'WaitForFirstConsumer')];
}

export function volumeFor(pvc: V1PersistentVolumeClaim, sc: V1StorageClass, provisioner: string, hostPathBase = '/var/lib/sim-volumes'): V1PersistentVolume {
  const name = `pvc-${pvc.metadata?.uid}`;
  const selectedNode = pvc.metadata?.annotations?.[SELECTED_NODE];
  const pv: V1PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name, annotations: { [PROVISIONED_BY]: provisioner } },
    spec: {
      capacity: { storage: pvc.spec?.resources?.requests?.storage ?? '1Gi' },
      accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
      volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata?.name,
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace: pvc.metadata?.namespace, name: pvc.metadata?.name, uid: pvc.metadata?.uid },
      hostPath: { path: `${hostPathBase}/${name}`, type: 'DirectoryOrCreate' },
    },
  };
  if (sc.mountOptions) pv.spec!.mountOptions = sc.mountOptions;
  if (sc.volumeBindingMode === 'WaitForFirstConsumer' && selectedNode) {
    pv.spec!.nodeAffinity = {
      required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [selectedNode] }] }] },
    };
  }
  return pv;
}

export async function startVolumeProvisioner(kc: KubeConfig, opts: VolumeProvisionerOptions): Promise<{ stop(): Promise<void> }> {
  const { clock, bindClaims } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const provisioner = opts.provisioner ?? DEFAULT_PROVISIONER;
  const core = kc.makeApiClient(CoreV1Api);
  const storage = kc.makeApiClient(StorageV1Api);

  if (opts.ensureStorageClass !== false) {
    for (const body of storageClassManifests(provisioner, opts.volumeBindingMode)) {
      try {
        await storage.createStorageClass({ body });
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
      }
    }
  }

  const claims = informers.informer<V1PersistentVolumeClaim>('/api/v1/persistentvolumeclaims', 'V1PersistentVolumeClaim', () => core.listPersistentVolumeClaimForAllNamespaces());
  const volumes = informers.informer<V1PersistentVolume>('/api/v1/persistentvolumes', 'V1PersistentVolume', () => core.listPersistentVolume());
  const classes = informers.informer<V1StorageClass>('/apis/storage.k8s.io/v1/storageclasses', 'V1StorageClass', () => storage.listStorageClass());

  /** The claim's class; a claim without storageClassName gets the default class, as the DefaultStorageClass admission plugin would. */
  const classOf = (pvc: V1PersistentVolumeClaim): V1StorageClass | undefined => {
    const name = pvc.spec?.storageClassName;
    if (name === '') return undefined;
    if (name !== undefined) return classes.get(name);
    return classes.list().find((c) => c.metadata?.annotations?.[DEFAULT_CLASS_ANNOTATION] === 'true');
  };

  const bindClaim = async (pvc: V1PersistentVolumeClaim, pv: V1PersistentVolume) => {
    const name = pvc.metadata!.name!;
    const namespace = pvc.metadata!.namespace!;
    if (pvc.spec?.volumeName !== pv.metadata?.name || pvc.metadata?.annotations?.[BIND_COMPLETED] !== 'yes') {
      await core.patchNamespacedPersistentVolumeClaim(
        {
          name,
          namespace,
          body: {
            metadata: {
              resourceVersion: pvc.metadata?.resourceVersion,
              annotations: { [BIND_COMPLETED]: 'yes', [BOUND_BY_CONTROLLER]: 'yes', [STORAGE_PROVISIONER]: provisioner, [BETA_STORAGE_PROVISIONER]: provisioner },
            },
            spec: { volumeName: pv.metadata?.name },
          },
        },
        mergePatch(),
      );
    }
    if (pvc.status?.phase !== 'Bound') {
      await core.patchNamespacedPersistentVolumeClaimStatus(
        { name, namespace, body: { status: { phase: 'Bound', accessModes: pv.spec?.accessModes, capacity: pv.spec?.capacity } } },
        mergePatch(),
      );
    }
  };

  const setVolumePhase = async (pv: V1PersistentVolume, phase: 'Bound' | 'Released') => {
    if (pv.status?.phase === phase) return;
    await core.patchPersistentVolumeStatus({ name: pv.metadata!.name!, body: { status: { phase } } }, mergePatch());
  };

  const syncClaim = async (key: string) => {
    const { namespace, name } = splitKey(key);
    const pvc = claims.get(name, namespace);
    if (!pvc || pvc.metadata?.deletionTimestamp) return;
    const volumeName = pvc.spec?.volumeName;
    if (volumeName) {
      // Pre-bound or already bound: the binder only finishes what it recognises as its own.
      const pv = volumes.get(volumeName);
      if (bindClaims && pv && pv.spec?.claimRef?.uid === pvc.metadata?.uid) {
        await bindClaim(pvc, pv);
        await setVolumePhase(pv, 'Bound');
      }
      return;
    }
    const sc = classOf(pvc);
    if (!sc || sc.provisioner !== provisioner) return;
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !pvc.metadata?.annotations?.[SELECTED_NODE]) return;
    let pv = volumes.get(`pvc-${pvc.metadata?.uid}`);
    if (!pv) {
      try {
        pv = await core.createPersistentVolume({ body: volumeFor(pvc, sc, provisioner, opts.hostPathBase) });
        log(`provisioned ${pv.metadata?.name} for ${key}`);
      } catch (err) {
        if (!isAlreadyExists(err)) throw err;
        pv = await core.readPersistentVolume({ name: `pvc-${pvc.metadata?.uid}` });
      }
    }
    if (bindClaims) {
      await bindClaim(pvc, pv);
      await setVolumePhase(pv, 'Bound');
    }
  };

  const syncVolume = async (name: string) => {
    const pv = volumes.get(name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (bindClaims && ref?.name) {
      const pvc = claims.get(ref.name, ref.namespace);
      if (pvc && pvc.metadata?.uid === ref.uid) {
        if (pvc.spec?.volumeName === name) await setVolumePhase(pv, 'Bound');
        return;
      }
      // The claim is gone. Confirm against the server: the informer may lag behind a fresh claim.
      const live = await core.readNamespacedPersistentVolumeClaim({ name: ref.name, namespace: ref.namespace ?? '' }).catch((err) => {
        if (isNotFound(err)) return undefined;
        throw err;
      });
      if (live && live.metadata?.uid === ref.uid) return;
      if (pv.status?.phase === 'Bound' || pv.status?.phase === 'Available' || pv.status?.phase === 'Pending' || !pv.status?.phase) {
        await setVolumePhase(pv, 'Released');
        return;
      }
    }
    // A volume being deleted (held by kubernetes.io/pv-protection while Bound) still becomes
    // Released when its claim goes, as upstream's syncVolume does; that lets the PV protection
    // controller drop its finalizer. There is nothing left to delete then.
    if (pv.metadata?.deletionTimestamp) return;
    if (pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete' && pv.metadata?.annotations?.[PROVISIONED_BY] === provisioner) {
      log(`deleting released volume ${name}`);
      await core.deletePersistentVolume({ name }).catch((err) => {
        if (!isNotFound(err)) throw err;
      });
    }
  };

  const queue = new WorkQueue(
    clock,
    (key) => (key.startsWith('pv:') ? syncVolume(key.slice(3)) : syncClaim(key)),
    8,
    (key, err) => log(`${key}: ${errorMessage(err)}`),
  );
  const onClaim = (pvc: V1PersistentVolumeClaim) => {
    queue.add(keyOf(pvc));
    if (pvc.spec?.volumeName) queue.add(`pv:${pvc.spec.volumeName}`);
  };
  claims.on('add', onClaim).on('update', onClaim);
  claims.on('delete', (pvc) => {
    if (pvc.spec?.volumeName) queue.add(`pv:${pvc.spec.volumeName}`);
    else volumes.list().filter((pv) => pv.spec?.claimRef?.uid === pvc.metadata?.uid).forEach((pv) => queue.add(`pv:${pv.metadata?.name}`));
  });
  const onVolume = (pv: V1PersistentVolume) => {
    queue.add(`pv:${pv.metadata?.name}`);
    const ref = pv.spec?.claimRef;
    if (ref?.name) queue.add(`${ref.namespace ?? ''}/${ref.name}`);
  };
  volumes.on('add', onVolume).on('update', onVolume);
  classes.on('add', () => claims.list().filter((c) => !c.spec?.volumeName).forEach((c) => queue.add(keyOf(c))));

  await Promise.all([classes.start(), volumes.start()]);
  await claims.start();

  return {
    async stop() {
      queue.stop();
      await Promise.all([claims.stop(), volumes.stop(), classes.stop()]);
    },
  };
}

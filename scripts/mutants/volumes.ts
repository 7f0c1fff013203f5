/**
 * Mutants of the volume controllers: the provisioner and binder (reference/controllers/
 * volumes.ts), PVC protection and PV protection. They run on the reference target only.
 */
import type { Edit, Mutant } from './mutant.ts';

const VOLUMES = 'reference/controllers/volumes.ts';
const PVC_PROTECTION = 'reference/controllers/pvc-protection.ts';
const PV_PROTECTION = 'reference/controllers/pv-protection.ts';

function volumes(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'volume-controllers', area, description, targets: ['reference'], edits };
}

export const VOLUME_MUTANTS: Mutant[] = [
  volumes('pvc-protection-matches-volume-name', 'pvc-protection',
    "a pod is taken to use a claim when its volume names the claim's PersistentVolume rather than the claim: a claim in use is deleted",
    {
      file: PVC_PROTECTION,
      find: '(v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === pvc.metadata?.name) ||\n      (!podIsShutDown(pod)',
      replace: '(v.persistentVolumeClaim && v.persistentVolumeClaim.claimName === pvc.spec?.volumeName) ||\n      (!podIsShutDown(pod)',
    }),
  volumes('pv-protection-ignores-binding', 'pv-protection',
    'a deleted PersistentVolume loses its protection finalizer at once, even while it is Bound to a claim in use',
    {
      file: PV_PROTECTION,
      find: "      if (pv.status?.phase !== 'Bound') {\n        return setFinalizers(",
      replace: '      {\n        return setFinalizers(',
    }),
  volumes('pv-protection-keeps-finalizer', 'pv-protection',
    'the PV protection controller never lets go of a deleted volume: it keeps its finalizer instead of removing it',
    {
      file: PV_PROTECTION,
      find: '(pv.metadata?.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER)',
      replace: '(pv.metadata?.finalizers ?? []).filter((f) => f === PV_PROTECTION_FINALIZER)',
    }),
  volumes('binder-releases-terminating-claim', 'binder',
    "a volume whose claim is being deleted is Released at once, though the claim (kept by pvc-protection) still exists",
    {
      file: VOLUMES,
      find: '      if (pvc && pvc.metadata?.uid === ref.uid) {\n',
      replace: '      if (pvc && pvc.metadata?.uid === ref.uid && !pvc.metadata?.deletionTimestamp) {\n',
    },
    {
      file: VOLUMES,
      find: '      if (live && live.metadata?.uid === ref.uid) return;\n',
      replace: '      if (live && live.metadata?.uid === ref.uid && !live.metadata?.deletionTimestamp) return;\n',
    }),
  volumes('released-volume-kept', 'provisioner',
    'the provisioner does not delete a Released volume of reclaim policy Delete: the volumes of deleted claims pile up',
    {
      file: VOLUMES,
      find: "if (pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Delete' &&",
      replace: "if (pv.status?.phase === 'Released' && pv.spec?.persistentVolumeReclaimPolicy === 'Retain' &&",
    }),
  volumes('wffc-provisioned-at-once', 'provisioner',
    'claims of a WaitForFirstConsumer class are provisioned and bound before the scheduler chooses a node for their pod',
    {
      file: VOLUMES,
      find: "    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !pvc.metadata?.annotations?.[SELECTED_NODE]) return;\n",
      replace: '',
    }),
  volumes('wffc-volume-not-pinned', 'provisioner',
    'node affinity goes on volumes of Immediate classes (which have no selected node) instead of WaitForFirstConsumer ones: a first-consumer volume is not pinned to the node chosen for its pod',
    {
      file: VOLUMES,
      find: "  if (sc.volumeBindingMode === 'WaitForFirstConsumer' && selectedNode) {\n",
      replace: "  if (sc.volumeBindingMode === 'Immediate' && selectedNode) {\n",
    }),
];

/**
 * What the kubectl differential lets differ between the reference and upstream, each with its
 * reason. Keep it short: an entry goes as soon as the difference is fixed (a run names the
 * entries that matched nothing). ControllerRevision names are never allowed to differ.
 * `step` is a substring of the step's command; without it the whole section may differ.
 * "pending: …" marks work in progress (issue 11); "reference: …" a known gap of the reference.
 */
import type { AllowEntry } from './compare.ts';

const TABLES = 'pending: table columns as upstream prints them (pods: NOMINATED NODE, READINESS GATES; PVCs and PVs: VOLUMEATTRIBUTESCLASS, VOLUMEMODE; nodes -o wide)';
const SSA = 'pending: managedFields and server-side apply (conflicts with kubectl-client-side-apply and kubectl-set, --force-conflicts, removal of fields dropped from an applied configuration)';
const NAMES = 'reference: it names its versions (server v1.37.2-reference, kubelets v1.37.2-sim) so that a user can tell it from upstream';
const SA = 'reference: no ServiceAccount admission (upstream adds serviceAccountName and the kube-api-access projected token volume to every pod)';

export const ALLOW_LIST: AllowEntry[] = [
  { section: 'nodes', step: 'get nodes -o wide', reason: `${TABLES}; ${NAMES}` },
  { section: 'nodes', step: 'describe node', reason: `${NAMES}; reference: the node lifecycle controller records no RegisteredNode events` },
  { section: 'nodes', step: 'get node sim-node-0 -o yaml', reason: NAMES },
  { section: 'nodes', step: 'get storageclasses', reason: 'reference: the StorageClass table does not mark the default class "(default)"' },
  { section: 'discovery', step: 'api-versions', reason: 'reference: it serves only the groups a StatefulSet involves' },
  { section: 'discovery', step: 'api-resources', reason: 'reference: it serves only the kinds a StatefulSet involves' },
  { section: 'discovery', step: 'kubectl version', reason: NAMES },
  { section: 'namespaces', step: 'describe namespace', reason: 'reference: it serves no ResourceQuotas or LimitRanges, whose absence describe reports' },
  { section: 'apply', reason: SSA },
  {
    section: 'bad-input',
    reason:
      'pending: decoding and validation as kube-apiserver (type checks and strict/warn field validation on create, apply, server-side apply, ' +
      'merge/strategic/JSON patch and replace; a rejected write changes nothing; label maps printed as JSON; JSON-patch error texts); ' +
      `OpenAPI client-side validation of an unknown apiVersion; ${SSA}`,
  },
  { section: 'ordered-ready', step: '-o wide', reason: TABLES },
  { section: 'orphan-adopt', step: 'get pods -o wide', reason: TABLES },
  { section: 'retention', step: 'get pvc -o wide', reason: TABLES },
  { section: 'describe', step: '-o wide', reason: TABLES },
  { section: 'describe', step: 'describe pod web-0', reason: `${SA}; reference: its scheduler records no Scheduled/FailedScheduling events` },
  { section: 'describe', step: 'get pod web-0 -o yaml', reason: SA },
  { section: 'describe', step: 'describe pvc', reason: 'reference: its volume binder records no ExternalProvisioning events' },
  { section: 'describe', step: 'describe endpointslices', reason: 'reference: the EndpointSlice controller sets no endpoints.kubernetes.io/last-change-trigger-time' },
];

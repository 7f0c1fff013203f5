/**
 * The node filters of kube-scheduler the suite relies on, as pure functions: taints and
 * tolerations (`pkg/scheduler/framework/plugins/tainttoleration`, `v1helper.TolerationsTolerateTaint`),
 * node selector and required node affinity (`nodeaffinity`, `component-helpers/scheduling/corev1/nodeaffinity`),
 * and the node affinity of bound PersistentVolumes (`volumebinding`).
 */
import type {
  V1Node,
  V1NodeSelector,
  V1NodeSelectorRequirement,
  V1PersistentVolume,
  V1Pod,
  V1Taint,
  V1Toleration,
} from '@kubernetes/client-node';

/** `Toleration.ToleratesTaint`. */
export function tolerates(toleration: V1Toleration, taint: V1Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (!toleration.key && toleration.operator !== 'Exists') return false;
  const operator = toleration.operator ?? 'Equal';
  if (operator === 'Exists') return true;
  return (toleration.value ?? '') === (taint.value ?? '');
}

/** The first NoSchedule/NoExecute taint of the node the pod does not tolerate. */
export function untoleratedTaint(node: V1Node, tolerations: V1Toleration[] = []): V1Taint | undefined {
  return (node.spec?.taints ?? []).find(
    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)),
  );
}

export function isNodeReady(node: V1Node): boolean {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

function matchesRequirement(req: V1NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const [have, want] = [Number.parseInt(value, 10), Number.parseInt(values[0]!, 10)];
      if (Number.isNaN(have) || Number.isNaN(want)) return false;
      return req.operator === 'Gt' ? have > want : have < want;
    }
    default:
      return false;
  }
}

/** A NodeSelector matches when any term matches; a term matches when all its requirements do. */
export function matchesNodeSelector(selector: V1NodeSelector, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  return selector.nodeSelectorTerms.some((term) => {
    const exprs = term.matchExpressions ?? [];
    const fields = term.matchFields ?? [];
    // An empty term matches nothing (`nodeaffinity.nodeSelectorTerms`).
    if (exprs.length === 0 && fields.length === 0) return false;
    return (
      exprs.every((r) => matchesRequirement(r, labels[r.key])) &&
      fields.every((r) => r.key === 'metadata.name' && matchesRequirement(r, node.metadata?.name))
    );
  });
}

/** `nodeSelector` and `requiredDuringSchedulingIgnoredDuringExecution` both hold. */
export function matchesPodNodeAffinity(pod: V1Pod, node: V1Node): boolean {
  const labels = node.metadata?.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return !required || matchesNodeSelector(required, node);
}

export function matchesVolumeNodeAffinity(pv: V1PersistentVolume, node: V1Node): boolean {
  const required = pv.spec?.nodeAffinity?.required;
  return !required || matchesNodeSelector(required, node);
}

/** Why a node cannot take the pod (the kube-scheduler wording), or undefined when it can. */
export function nodeMismatch(pod: V1Pod, node: V1Node, boundVolumes: V1PersistentVolume[]): string | undefined {
  if (!isNodeReady(node)) return 'node(s) were not ready';
  const tolerations = pod.spec?.tolerations ?? [];
  if (node.spec?.unschedulable && !tolerations.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))) {
    return 'node(s) were unschedulable';
  }
  if (!matchesPodNodeAffinity(pod, node)) return "node(s) didn't match Pod's node affinity/selector";
  const taint = untoleratedTaint(node, tolerations);
  if (taint) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  if (boundVolumes.some((pv) => !matchesVolumeNodeAffinity(pv, node))) return 'node(s) had volume node affinity conflict';
  return undefined;
}

/** `FitError.Error()`: "0/3 nodes are available: 1 node(s) …, 2 node(s) …." */
export function fitErrorMessage(total: number, reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`).sort();
  return `0/${total} nodes are available: ${parts.join(', ')}.`;
}

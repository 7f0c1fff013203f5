/**
 * Waiting for simulated nodes to take pods on a real control plane: a node is usable once it
 * is Ready and has lost the not-ready/unreachable taints that TaintNodesByCondition gives it at
 * registration.
 */
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { watchUntil } from '../watch-until.ts';

function schedulable(node: V1Node): boolean {
  return (
    !!node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
    !(node.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable')
  );
}

export function waitNodesSchedulable(kc: KubeConfig, names: string[], deadlineMs = 60_000): Promise<void> {
  return watchUntil<V1Node>(
    kc,
    '/api/v1/nodes',
    // watchUntil keys objects by namespace/name; nodes have no namespace.
    (nodes) => names.every((name) => {
      const node = nodes.get(`/${name}`);
      return node !== undefined && schedulable(node);
    }),
    deadlineMs,
    `nodes ${names.join(', ')} Ready and untainted`,
  );
}

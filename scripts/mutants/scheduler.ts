/**
 * Mutants of the reference scheduler (reference/controllers/scheduler.ts, node-selection.ts):
 * where a StatefulSet's pods may and may not go.
 */
import type { Edit, Mutant } from './mutant.ts';

const SELECTION = 'reference/controllers/node-selection.ts';

function sched(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'scheduler', area, description, targets: ['reference'], edits };
}

export const SCHEDULER_MUTANTS: Mutant[] = [
  sched('sched-ignores-cordon', 'scheduling/cordon',
    'cordoned nodes (spec.unschedulable) still receive new pods',
    {
      file: SELECTION,
      find: "  if (node.spec?.unschedulable && !tolerations.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))) {",
      replace: "  if (node.spec?.unschedulable && tolerations.some((t) => tolerates(t, { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }))) {",
    }),
  sched('sched-ignores-node-selector', 'scheduling/node selector',
    "the pod template's nodeSelector is not enforced",
    { file: SELECTION, find: '  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;\n', replace: '' }),
  sched('sched-ignores-required-affinity', 'scheduling/node affinity',
    'requiredDuringSchedulingIgnoredDuringExecution node affinity is not enforced',
    {
      file: SELECTION,
      find: '  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;\n  return !required || matchesNodeSelector(required, node);',
      replace: '  return true;',
    }),
  sched('sched-ignores-unreachable-node', 'scheduling/node loss',
    'a node that is not Ready and tainted unreachable/not-ready still receives new pods (taints of the node lifecycle controller ignored)',
    {
      file: SELECTION,
      find: "  if (!isNodeReady(node)) return 'node(s) were not ready';\n",
      replace: '',
    },
    {
      file: SELECTION,
      find: "    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)),",
      replace: "    (t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !t.key.startsWith('node.kubernetes.io/') && !tolerations.some((tol) => tolerates(tol, t)),",
    }),
];

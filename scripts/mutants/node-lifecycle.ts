/**
 * Mutants of the reference node lifecycle controller (reference/controllers/node-lifecycle.ts):
 * what happens to a StatefulSet's pods when their node stops reporting.
 */
import type { Edit, Mutant } from './mutant.ts';

const NLC = 'reference/controllers/node-lifecycle.ts';

function nlc(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'node-lifecycle', area, description, targets: ['reference'], edits };
}

export const NODE_LIFECYCLE_MUTANTS: Mutant[] = [
  nlc('nlc-pods-not-marked-not-ready', 'node loss/readiness',
    'a node that stopped reporting goes Unknown but its Ready pods stay Ready (MarkPodsNotReady picks only pods already not ready)',
    {
      file: NLC,
      find: ".filter((p) => p.spec?.nodeName === name && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status !== 'False'))",
      replace: ".filter((p) => p.spec?.nodeName === name && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'False'))",
    }),
  nlc('nlc-grace-period-in-seconds', 'node loss/detection',
    'the node monitor grace period is read as seconds where milliseconds are meant: a silent node is never marked Unknown',
    {
      file: NLC,
      find: 'nowMs - lastProbe(node) > GRACE_PERIOD_MS) {',
      replace: 'nowMs - lastProbe(node) > GRACE_PERIOD_MS * 1000) {',
    }),
  nlc('nlc-unreachable-taint-as-not-ready', 'node loss/taints',
    'a node whose Ready condition is Unknown gets the not-ready taint instead of unreachable, so tolerations of unreachable do not apply',
    {
      file: NLC,
      find: "const key = ready === 'Unknown' ? UNREACHABLE_TAINT : ready === 'False' ? NOT_READY_TAINT : undefined;",
      replace: "const key = ready === 'Unknown' || ready === 'False' ? NOT_READY_TAINT : undefined;",
    }),
  nlc('nlc-no-noexecute-taint', 'node loss/eviction',
    'a lost node is only tainted NoSchedule: its pods are never evicted (no NoExecute taint)',
    { file: NLC, find: "  for (const effect of ['NoSchedule', 'NoExecute']) {", replace: "  for (const effect of ['NoSchedule']) {" }),
];

/**
 * Mutants of the simulated kubelet (reference/nodes/): grace periods, readiness, and what a
 * stopped node does. The simulator also runs on the control-plane target, but these mutants
 * are measured on the reference.
 */
import type { Edit, Mutant } from './mutant.ts';

const RUNNER = 'reference/nodes/pod-runner.ts';
const STATUS = 'reference/nodes/pod-status.ts';
const NODES = 'reference/nodes/index.ts';

function sim(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'node-simulator', area, description, targets: ['reference'], edits };
}

export const NODE_SIMULATOR_MUTANTS: Mutant[] = [
  sim('sim-sigterm-ignorer-not-waited-for', 'termination/grace period',
    'a container that ignores SIGTERM is stopped after the usual shutdown delay instead of running out terminationGracePeriodSeconds',
    {
      file: RUNNER,
      find: 'const delayMs = !hasRunningContainers ? 0 : ignoresSigterm ? grace * 1000 : Math.min(this.timing.shutdownDelayMs, grace * 1000);',
      replace: 'const delayMs = !hasRunningContainers ? 0 : Math.min(this.timing.shutdownDelayMs, grace * 1000);',
    }),
  sim('sim-delete-grace-period-ignored', 'termination/grace period',
    "the grace period of the delete request (deletionGracePeriodSeconds) is ignored: the pod's terminationGracePeriodSeconds always applies",
    {
      file: RUNNER,
      find: 'const grace = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;',
      replace: 'const grace = pod.spec?.terminationGracePeriodSeconds ?? pod.metadata?.deletionGracePeriodSeconds ?? DEFAULT_GRACE_SECONDS;',
    }),
  sim('sim-ready-ignores-readiness-gates', 'readiness',
    'a pod is Ready as soon as its containers are, whatever its readiness gates say',
    {
      file: STATUS,
      find: '  for (const gate of pod.spec?.readinessGates ?? []) {',
      replace: '  for (const gate of [] as Array<{ conditionType: string }>) {',
    }),
  sim('sim-stopped-node-keeps-heartbeat', 'node loss',
    'a stopped node keeps renewing its Lease and posting Ready, so it never looks lost',
    { file: NODES, find: '      slot.running = false;\n      agents.get(name)!.stop();\n', replace: '      slot.running = false;\n' }),
  sim('sim-stopped-node-still-runs-pods', 'node loss',
    'a stopped node still finishes the pods deleted on it (their containers stop and the objects go away)',
    { file: NODES, find: '      slot.running = false;\n      agents.get(name)!.stop();\n', replace: '      agents.get(name)!.stop();\n' }),
];

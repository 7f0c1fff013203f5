/**
 * Picks the Target a run uses from the World parameters (see cucumber.mjs profiles). Targets
 * are imported lazily: a run against a real cluster never loads the reference control plane.
 */
import type { ConformanceParameters } from '../world.ts';
import { RUN_ID_LABEL } from '../labels.ts';
import type { Target } from './target.ts';

/**
 * Default speed of the reference clock: 30 simulated seconds per real second. Faster would shave
 * the suite further but squeeze the real time between a "stays so for 10 seconds" window and the
 * simulated timer (grace period, minReadySeconds) it must end before, on a busy machine.
 */
export const DEFAULT_CLOCK_SCALE = 30;

export async function createTarget(params: ConformanceParameters): Promise<Target> {
  switch (params.target) {
    case 'reference': {
      const { ReferenceTarget } = await import('./reference.ts');
      return new ReferenceTarget({ clockScale: Number(process.env.REFERENCE_CLOCK_SCALE ?? params.clockScale ?? DEFAULT_CLOCK_SCALE) });
    }
    case 'control-plane': {
      const { ControlPlaneTarget } = await import('./control-plane.ts');
      return new ControlPlaneTarget({ hybrid: !!params.hybrid });
    }
    case 'cluster': {
      const { ClusterTarget } = await import('./cluster.ts');
      const { NODE_HOOK_ENV, nodeHookFaults } = await import('./node-hook.ts');
      const hook = process.env[NODE_HOOK_ENV];
      return new ClusterTarget({ context: params.context, labels: runLabels(), nodeFaults: hook ? nodeHookFaults(hook) : undefined });
    }
    case 'kind': {
      const { KindTarget } = await import('./kind.ts');
      return new KindTarget({ keepCluster: !!params.keepCluster, labels: runLabels() });
    }
    default:
      throw new Error(`unknown target "${params.target}": use reference, control-plane, cluster or kind`);
  }
}

/** Labels of namespaces a target creates for itself (the DNS probe's): the run id, as scenarios' namespaces. */
function runLabels(): Record<string, string> {
  const runId = process.env.CONFORMANCE_RUN_ID;
  return runId ? { [RUN_ID_LABEL]: runId } : {};
}

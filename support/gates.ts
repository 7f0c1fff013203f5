/**
 * Which scenarios a target can run. A scenario that needs something the target lacks is
 * skipped with the reason, never passed. Tags:
 *   @needs:<capability>   e.g. @needs:dns, @needs:node-faults (see Capability)
 *   @k8s:>=1.32, @k8s:<1.35   server-version gates (minor versions of Kubernetes 1.x)
 *   @feature-gate:<Name>=true|false   the behaviour of one feature-gate setting, as the API
 *                         server's /metrics reports it (a gate the release lacks counts as off)
 *   @disruptive           node faults; opt-in on real clusters
 */
import type { Capability, TargetInfo } from './targets/target.ts';

export interface GateOptions {
  /** Disruptive scenarios run only when allowed (always on local targets). */
  allowDisruptive: boolean;
}

/** Returns why the scenario must be skipped on this target, or undefined to run it. */
export function skipReason(tags: string[], info: TargetInfo, opts: GateOptions): string | undefined {
  if (info.unavailable) return `target ${info.name} is unavailable: ${info.unavailable}`;
  for (const tag of tags) {
    const needs = /^@needs:(.+)$/.exec(tag);
    if (needs) {
      const capability = needs[1] as Capability;
      if (!info.capabilities.has(capability)) {
        return `needs ${capability}: ${info.missing.get(capability) ?? `target ${info.name} does not offer it`}`;
      }
    }
    const version = /^@k8s:(>=|<=|>|<|=)1\.(\d+)$/.exec(tag);
    if (version) {
      const [, op, minorText] = version;
      const want = Number(minorText);
      const have = info.minor;
      const pass = { '>=': have >= want, '<=': have <= want, '>': have > want, '<': have < want, '=': have === want }[op as '>='];
      if (!pass) return `applies to Kubernetes ${op}1.${want}; target ${info.name} runs ${info.serverVersion}`;
    } else if (tag.startsWith('@k8s:')) {
      throw new Error(`malformed version tag ${tag}: write it like @k8s:>=1.32`);
    }
    const gate = /^@feature-gate:(\w+)=(true|false)$/.exec(tag);
    if (gate) {
      const [, name, want] = gate as unknown as [string, string, string];
      if ('unknown' in info.featureGates) return `needs feature gate ${name}=${want}, but target ${info.name}'s gates are unknown: ${info.featureGates.unknown}`;
      const have = info.featureGates.gates.get(name);
      if ((have ?? false) !== (want === 'true'))
        return `needs feature gate ${name}=${want}; target ${info.name} (${info.serverVersion}) has it ${have === undefined ? 'absent' : have ? 'on' : 'off'}`;
    } else if (tag.startsWith('@feature-gate:')) {
      throw new Error(`malformed feature-gate tag ${tag}: write it like @feature-gate:MaxUnavailableStatefulSet=true`);
    }
    if (tag === '@disruptive' && !opts.allowDisruptive) {
      return `disruptive (cordons every node or stops one): opt in with --disruptive (npm run test:${info.name} -- --disruptive) on target ${info.name}`;
    }
  }
  return undefined;
}

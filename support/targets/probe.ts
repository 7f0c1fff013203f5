/**
 * What a target's API server is: its version, read from `/version` through client-node, and
 * its feature gates, read from /metrics (feature-gates.ts).
 */
import { KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { TargetInfo } from './target.ts';
import { readFeatureGates } from './feature-gates.ts';

export async function probeServer(name: string, kc: KubeConfig): Promise<TargetInfo> {
  const version = await kc.makeApiClient(VersionApi).getCode();
  const minor = Number.parseInt(version.minor.replace(/\D.*$/, ''), 10);
  if (version.major !== '1' || !Number.isFinite(minor)) {
    throw new Error(`target ${name}: unexpected server version ${JSON.stringify(version)}`);
  }
  return { name, serverVersion: version.gitVersion, minor, capabilities: new Set(), missing: new Map(), featureGates: await readFeatureGates(kc) };
}

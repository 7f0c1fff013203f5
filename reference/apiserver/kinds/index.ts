/** The kinds this API server serves. */
import { configmaps, events, namespaces, nodes, persistentvolumeclaims, persistentvolumes, serviceaccounts, services } from './core.ts';
import { deployments } from './deployments.ts';
import { controllerrevisions, endpointslices, leases, storageclasses } from './others.ts';
import { pods } from './pods.ts';
import { statefulsets } from './statefulsets.ts';
import type { KindSpec } from './types.ts';

export const KINDS: readonly KindSpec[] = [
  namespaces,
  nodes,
  pods,
  services,
  persistentvolumeclaims,
  persistentvolumes,
  events,
  configmaps,
  serviceaccounts,
  statefulsets,
  deployments,
  controllerrevisions,
  storageclasses,
  endpointslices,
  leases,
];

/** The store key of a kind's objects: `group/resource` ('' group for core). */
export function resourceKey(k: KindSpec): string {
  return k.group ? `${k.group}/${k.resource}` : k.resource;
}

export function groupVersion(k: KindSpec): string {
  return k.group ? `${k.group}/${k.version}` : k.version;
}

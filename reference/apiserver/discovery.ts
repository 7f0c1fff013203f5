/** Discovery documents (/api, /apis, APIResourceLists) and /version, derived from the kind table. */
import type { V1APIGroup, V1APIGroupList, V1APIResource, V1APIResourceList, V1APIVersions } from '@kubernetes/client-node';
import { groupVersion, KINDS } from './kinds/index.ts';
import type { KindSpec } from './kinds/types.ts';

export const VERSION = {
  major: '1',
  minor: '37',
  gitVersion: 'v1.37.2-reference',
  gitCommit: '0000000000000000000000000000000000000000',
  gitTreeState: 'clean',
  buildDate: '2026-01-01T00:00:00Z',
  goVersion: 'node',
  compiler: 'tsx',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const CRUD = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

function groupsInOrder(): string[] {
  const groups: string[] = [];
  for (const k of KINDS) if (k.group && !groups.includes(k.group)) groups.push(k.group);
  return groups;
}

export function apiVersions(serverAddress: string): V1APIVersions {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }] };
}

export function apiGroup(group: string): V1APIGroup | undefined {
  const kind = KINDS.find((k) => k.group === group);
  if (!kind) return undefined;
  const gv = { groupVersion: groupVersion(kind), version: kind.version };
  return { kind: 'APIGroup', apiVersion: 'v1', name: group, versions: [gv], preferredVersion: gv };
}

export function apiGroupList(): V1APIGroupList {
  const groups = groupsInOrder().map((g) => {
    const { kind: _k, apiVersion: _a, ...rest } = apiGroup(g)!;
    return rest as V1APIGroup;
  });
  return { kind: 'APIGroupList', apiVersion: 'v1', groups };
}

function subresources(k: KindSpec): V1APIResource[] {
  return k.subresources.map((sub): V1APIResource => {
    const base = { name: `${k.resource}/${sub}`, singularName: '', namespaced: k.namespaced };
    switch (sub) {
      case 'scale':
        return { ...base, group: 'autoscaling', version: 'v1', kind: 'Scale', verbs: ['get', 'patch', 'update'] };
      case 'binding':
        return { ...base, kind: 'Binding', verbs: ['create'] };
      case 'eviction':
        return { ...base, group: 'policy', version: 'v1', kind: 'Eviction', verbs: ['create'] };
      case 'finalize':
        return { ...base, kind: k.kind, verbs: ['update'] };
      case 'status':
        return { ...base, kind: k.kind, verbs: ['get', 'patch', 'update'] };
    }
  });
}

export function apiResourceList(group: string, version: string): V1APIResourceList | undefined {
  const kinds = KINDS.filter((k) => k.group === group && k.version === version);
  if (kinds.length === 0) return undefined;
  const resources: V1APIResource[] = [];
  for (const k of [...kinds].sort((a, b) => a.resource.localeCompare(b.resource))) {
    const r: V1APIResource = { name: k.resource, singularName: k.singular, namespaced: k.namespaced, kind: k.kind, verbs: CRUD };
    if (k.shortNames) r.shortNames = k.shortNames;
    if (k.categories) r.categories = k.categories;
    resources.push(r, ...subresources(k));
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: group ? `${group}/${version}` : version, resources };
}

/** The Accept of a client asking for aggregated discovery (kubectl, client-go 1.30+). */
export function wantsAggregated(accept: string | undefined): boolean {
  return !!accept && accept.replace(/\s+/g, '').split(',').some((a) => a.startsWith('application/json;') && a.includes('g=apidiscovery.k8s.io') && a.includes('v=v2;') && a.endsWith('as=APIGroupDiscoveryList'));
}
export const AGGREGATED_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** A subresource's or resource's responseKind: group and version empty when they are the parent's. */
function responseKind(r: V1APIResource): { group: string; version: string; kind: string } {
  return { group: r.group ?? '', version: r.version ?? '', kind: r.kind };
}

/**
 * Aggregated discovery (apidiscovery.k8s.io/v2 APIGroupDiscoveryList) for /api (`core`) or
 * /apis: every served group version with its resources and their subresources, as
 * kube-apiserver serves it instead of one request per group version.
 */
export function aggregatedDiscovery(core: boolean): object {
  const groups = core ? [''] : groupsInOrder();
  const items = groups.map((group) => {
    const version = KINDS.find((k) => k.group === group)!.version;
    const list = apiResourceList(group, version)!;
    const resources = list.resources
      .filter((r) => !r.name.includes('/'))
      .map((r) => {
        const entry: Record<string, unknown> = {
          resource: r.name,
          responseKind: responseKind(r),
          scope: r.namespaced ? 'Namespaced' : 'Cluster',
          singularResource: r.singularName,
          verbs: r.verbs,
        };
        if (r.shortNames) entry.shortNames = r.shortNames;
        if (r.categories) entry.categories = r.categories;
        const subs = list.resources
          .filter((s) => s.name.startsWith(`${r.name}/`))
          .map((s) => ({ subresource: s.name.slice(r.name.length + 1), responseKind: responseKind(s), verbs: s.verbs }))
          .sort((a, b) => a.subresource.localeCompare(b.subresource));
        if (subs.length) entry.subresources = subs;
        return entry;
      });
    return { metadata: group ? { name: group } : {}, versions: [{ version, resources, freshness: 'Current' }] };
  });
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}

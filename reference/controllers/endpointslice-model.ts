/**
 * What the EndpointSlice controller wants for a Service, as pure functions after upstream
 * `staging/src/k8s.io/endpointslice` (`utils.go` podToEndpoint, `ShouldPodBeInEndpoints`,
 * `ShouldSetHostname`, `getEndpointPorts`) and `pkg/api/v1/pod` `FindPort`.
 */
import type {
  DiscoveryV1EndpointPort,
  V1Endpoint,
  V1EndpointSlice,
  V1Node,
  V1Pod,
  V1Service,
  V1ServicePort,
} from '@kubernetes/client-node';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';
/** `--max-endpoints-per-slice` default. */
export const MAX_ENDPOINTS_PER_SLICE = 100;

export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** `ShouldPodBeInEndpoints(pod, includeTerminating=true)`: the EndpointSlice controller keeps terminating pods. */
export function shouldPodBeInEndpoints(pod: V1Pod): boolean {
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  return !!(pod.status?.podIP || pod.status?.podIPs?.length);
}

/** `ShouldSetHostname`: the pod names a hostname and its subdomain is this Service. */
export function shouldSetHostname(pod: V1Pod, svc: V1Service): boolean {
  return !!pod.spec?.hostname && pod.spec.subdomain === svc.metadata?.name && svc.metadata?.namespace === pod.metadata?.namespace;
}

/** `FindPort`: a named targetPort resolves through the pod's container ports. */
export function findPort(pod: V1Pod, port: V1ServicePort): number | undefined {
  const target = port.targetPort ?? port.port;
  if (typeof target === 'number') return target;
  if (/^\d+$/.test(target)) return Number(target);
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === (port.protocol ?? 'TCP')) return p.containerPort;
    }
  }
  return undefined;
}

export function endpointPorts(svc: V1Service, pod: V1Pod): DiscoveryV1EndpointPort[] {
  const ports: DiscoveryV1EndpointPort[] = [];
  for (const sp of svc.spec?.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue; // upstream logs and leaves this port out for the pod
    const ep: DiscoveryV1EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    ports.push(ep);
  }
  return ports;
}

export function podToEndpoint(pod: V1Pod, svc: V1Service, node: V1Node | undefined): V1Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  // "ready" is never true for a terminating pod, unless publishNotReadyAddresses.
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: V1Endpoint = {
    addresses: [pod.status?.podIPs?.[0]?.ip ?? pod.status?.podIP ?? ''],
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata?.namespace, name: pod.metadata?.name, uid: pod.metadata?.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.['topology.kubernetes.io/zone'];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

export function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

export interface DesiredSlice {
  ports: DiscoveryV1EndpointPort[];
  endpoints: V1Endpoint[];
}

/**
 * The slices a Service should have: endpoints grouped by their resolved port set, at most
 * MAX_ENDPOINTS_PER_SLICE per slice, and one empty placeholder slice when there are none.
 * `nodeOf` returns undefined for a node that does not exist: such pods are skipped unless the
 * Service publishes not-ready addresses (upstream `reconciler.go`).
 */
export function desiredSlices(svc: V1Service, pods: V1Pod[], nodeOf: (name: string) => V1Node | undefined): DesiredSlice[] {
  const groups = new Map<string, DesiredSlice>();
  const sorted = [...pods].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  for (const pod of sorted) {
    if (!shouldPodBeInEndpoints(pod)) continue;
    const node = pod.spec?.nodeName ? nodeOf(pod.spec.nodeName) : undefined;
    if (pod.spec?.nodeName && !node && !svc.spec?.publishNotReadyAddresses) continue;
    const ports = endpointPorts(svc, pod);
    const key = JSON.stringify(ports);
    const group = groups.get(key) ?? { ports, endpoints: [] };
    group.endpoints.push(podToEndpoint(pod, svc, node));
    groups.set(key, group);
  }
  const slices: DesiredSlice[] = [];
  for (const g of groups.values()) {
    for (let i = 0; i < g.endpoints.length; i += MAX_ENDPOINTS_PER_SLICE) {
      slices.push({ ports: g.ports, endpoints: g.endpoints.slice(i, i + MAX_ENDPOINTS_PER_SLICE) });
    }
  }
  if (slices.length === 0) slices.push({ ports: [], endpoints: [] });
  return slices;
}

export function sliceLabels(svc: V1Service): Record<string, string> {
  const labels: Record<string, string> = { ...(svc.metadata?.labels ?? {}) };
  labels[SERVICE_NAME_LABEL] = svc.metadata?.name ?? '';
  labels[MANAGED_BY_LABEL] = CONTROLLER_NAME;
  if (svc.spec?.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];
  return labels;
}

/** A canonical form of a slice's content, to decide whether an update is needed. */
export function sliceFingerprint(s: { ports?: DiscoveryV1EndpointPort[]; endpoints?: V1Endpoint[]; labels?: Record<string, string> }): string {
  const ports = (s.ports ?? []).map((p) => [p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null]);
  const endpoints = (s.endpoints ?? []).map((e) => [
    e.addresses,
    e.conditions?.ready ?? null,
    e.conditions?.serving ?? null,
    e.conditions?.terminating ?? null,
    e.hostname ?? null,
    e.nodeName ?? null,
    e.zone ?? null,
    e.targetRef?.uid ?? null,
    e.targetRef?.name ?? null,
  ]);
  const labels = Object.entries(s.labels ?? {}).sort(([a], [b]) => a.localeCompare(b));
  return JSON.stringify([ports, endpoints, labels]);
}

export function portsKey(ports: DiscoveryV1EndpointPort[] | undefined): string {
  return JSON.stringify((ports ?? []).map((p) => [p.name ?? '', p.port ?? null, p.protocol ?? 'TCP', p.appProtocol ?? null]));
}

export function fingerprintOf(slice: V1EndpointSlice): string {
  return sliceFingerprint({ ports: slice.ports, endpoints: slice.endpoints, labels: slice.metadata?.labels });
}

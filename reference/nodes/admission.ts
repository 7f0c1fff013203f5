/**
 * The simulated kubelet's pod admission: the part of upstream's predicateAdmitHandler
 * (pkg/kubelet/lifecycle/predicate.go, v1.37.2) a simulated node can decide, the host-port check
 * of generalFilter → scheduler.AdmissionCheck → nodeports.Fits. A pod bound straight to a node
 * (spec.nodeName, no scheduler) whose host port another active pod of that node holds is
 * rejected: the kubelet's rejectPod writes phase Failed, reason "NodePorts" and the message
 * "Pod was rejected: Predicate NodePorts failed: node(s) didn't have free ports for the
 * requested pod ports". Resources are not checked: simulated nodes have room for every pod.
 */
import type { V1ContainerPort, V1Pod } from '@kubernetes/client-node';

/** nodeports.Name and nodeports.ErrReason. */
export const NODE_PORTS = 'NodePorts';
export const NODE_PORTS_ERR_REASON = "node(s) didn't have free ports for the requested pod ports";
const DEFAULT_BIND_ALL_HOST_IP = '0.0.0.0';

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

/** util.GetHostPorts: host ports of restartable (sidecar) init containers and of containers, sanitized as HostPortInfo does. */
export function hostPorts(pod: V1Pod): HostPort[] {
  const ports: V1ContainerPort[] = [];
  for (const c of pod.spec?.initContainers ?? []) if (c.restartPolicy === 'Always') ports.push(...(c.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0));
  for (const c of pod.spec?.containers ?? []) ports.push(...(c.ports ?? []).filter((p) => (p.hostPort ?? 0) > 0));
  return ports.map((p) => ({ ip: p.hostIP || DEFAULT_BIND_ALL_HOST_IP, protocol: p.protocol || 'TCP', port: p.hostPort! }));
}

/** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every address of the same protocol and port. */
export function conflicts(want: HostPort, inUse: readonly HostPort[]): boolean {
  if (want.port <= 0) return false;
  return inUse.some(
    (u) => u.protocol === want.protocol && u.port === want.port && (want.ip === DEFAULT_BIND_ALL_HOST_IP || u.ip === DEFAULT_BIND_ALL_HOST_IP || u.ip === want.ip),
  );
}

export interface Rejection {
  reason: string;
  message: string;
}

/** Why the node's kubelet rejects `pod` given the pods already active on the node, or undefined. */
export function admit(pod: V1Pod, activePods: readonly V1Pod[]): Rejection | undefined {
  const inUse = activePods.flatMap(hostPorts);
  if (!hostPorts(pod).some((p) => conflicts(p, inUse))) return undefined;
  // PredicateFailureError.Error(), prefixed by rejectPod.
  return { reason: NODE_PORTS, message: `Pod was rejected: Predicate ${NODE_PORTS} failed: ${NODE_PORTS_ERR_REASON}` };
}

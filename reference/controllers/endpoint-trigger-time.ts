/**
 * TriggerTimeTracker (k8s.io/endpointslice/util/trigger_time_tracker.go): the time of the
 * oldest change, since the last sync, that a Service's endpoints now reflect — a pod's Ready
 * transition or the Service's creation. The controller writes it to the slices it creates or
 * updates as `endpoints.kubernetes.io/last-change-trigger-time` (the annotation
 * kube-proxy's latency metric reads); a zero time removes the annotation.
 */
import type { V1Pod, V1Service } from '@kubernetes/client-node';

export const LAST_CHANGE_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

interface ServiceState {
  lastServiceTriggerTime?: number;
  lastPodTriggerTimes: Map<string, number>;
}

const ms = (d: Date | string | undefined): number | undefined => (d === undefined ? undefined : new Date(d).getTime());
const earliest = (current: number | undefined, t: number): number => (current === undefined || t < current ? t : current);

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /** ComputeEndpointLastChangeTriggerTime: undefined is Go's zero time. */
  compute(namespace: string, service: V1Service, pods: V1Pod[]): number | undefined {
    const key = `${namespace}/${service.metadata?.name}`;
    const known = this.states.get(key);
    const state: ServiceState = known ?? { lastPodTriggerTimes: new Map() };
    let minChanged: number | undefined;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = ms(pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
      if (t === undefined) continue;
      podTimes.set(pod.metadata?.name ?? '', t);
      if (t > (state.lastPodTriggerTimes.get(pod.metadata?.name ?? '') ?? -Infinity)) minChanged = earliest(minChanged, t);
    }
    const serviceTime = ms(service.metadata?.creationTimestamp);
    if (serviceTime !== undefined && serviceTime > (state.lastServiceTriggerTime ?? -Infinity)) minChanged = earliest(minChanged, serviceTime);
    this.states.set(key, { lastPodTriggerTimes: podTimes, lastServiceTriggerTime: serviceTime });
    return known ? minChanged : serviceTime;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}

/** addTriggerTimeAnnotation: RFC 3339 with nanoseconds, UTC; a zero time removes it. */
export function withTriggerTime(annotations: Record<string, string> | undefined, time: number | undefined): Record<string, string> {
  const out = { ...annotations };
  if (time === undefined) delete out[LAST_CHANGE_TRIGGER_TIME];
  else out[LAST_CHANGE_TRIGGER_TIME] = rfc3339Nano(time);
  return out;
}

/** Go's time.RFC3339Nano drops trailing zeros of the fraction, and the fraction when it is zero. */
function rfc3339Nano(time: number): string {
  return new Date(time).toISOString().replace(/\.(\d*?)0*Z$/, (_, f: string) => (f ? `.${f}Z` : 'Z'));
}

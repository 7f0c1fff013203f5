/**
 * Records core/v1 Events on a StatefulSet, as client-go's EventRecorder with
 * EventSource{Component: "statefulset-controller"} does. Events are posted in the background
 * (the broadcaster is asynchronous upstream too); one action gives one Event, no aggregation.
 */
import type { CoreV1Api, CoreV1Event, V1StatefulSet } from '@kubernetes/client-node';
import type { Clock } from '../../clock.ts';
import { errorMessage } from '../../api-errors.ts';

export const EventSourceComponent = 'statefulset-controller';

export type EventType = 'Normal' | 'Warning';

/** record.EventRecorder, as far as the controller uses it. */
export interface EventRecorder {
  event(set: V1StatefulSet, type: EventType, reason: string, message: string): void;
}

/** The recorder an EventBroadcaster makes: posts each Event to the API in the background. */
export class ApiEventRecorder implements EventRecorder {
  private seq = 0;
  private readonly pending = new Set<Promise<unknown>>();

  constructor(
    private readonly core: CoreV1Api,
    private readonly clock: Clock,
    private readonly log: (line: string) => void,
  ) {}

  event(set: V1StatefulSet, type: EventType, reason: string, message: string): void {
    this.log(`event ${type} ${reason}: ${message}`);
    const now = this.clock.now();
    const namespace = set.metadata?.namespace ?? 'default';
    // Upstream names events "<object>.<unix nanos in hex>"; a counter keeps them unique here.
    const nanos = BigInt(now.getTime()) * 1_000_000n + BigInt(this.seq++ % 1_000_000);
    const body: CoreV1Event = {
      metadata: { name: `${set.metadata?.name}.${nanos.toString(16)}`, namespace },
      involvedObject: {
        apiVersion: 'apps/v1',
        kind: 'StatefulSet',
        name: set.metadata?.name,
        namespace,
        uid: set.metadata?.uid,
        resourceVersion: set.metadata?.resourceVersion,
      },
      reason,
      message,
      type,
      source: { component: EventSourceComponent },
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
      reportingComponent: EventSourceComponent,
      reportingInstance: '',
    };
    const p = this.core
      .createNamespacedEvent({ namespace, body })
      .catch((err) => this.log(`could not record event ${reason}: ${errorMessage(err)}`))
      .finally(() => this.pending.delete(p));
    this.pending.add(p);
  }

  /** Waits for events in flight (used on stop). */
  async flush(): Promise<void> {
    await Promise.all([...this.pending]);
  }
}

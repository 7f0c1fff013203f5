/**
 * Records core/v1 Events on a StatefulSet, as client-go's EventRecorder with
 * EventSource{Component: "statefulset-controller"} does. Events are posted in the background
 * (the broadcaster is asynchronous upstream too) and correlated as client-go's are.
 */
import type { CoreV1Api, V1ObjectReference, V1StatefulSet } from '@kubernetes/client-node';
import type { Clock } from '../../clock.ts';
import { EventBroadcaster, type EventRecorder as SharedEventRecorder, type EventType } from '../event-recorder.ts';

export const EventSourceComponent = 'statefulset-controller';

export type { EventType };

/** record.EventRecorder, as far as the controller uses it. */
export interface EventRecorder {
  event(set: V1StatefulSet, type: EventType, reason: string, message: string): void;
}

/**
 * The recorder NewStatefulSetController makes: its own record.EventBroadcaster writing to the
 * core/v1 Events API, with client-go's correlation (repeats counted on one Event, similar
 * events combined, the spam filter; ../event-recorder.ts).
 */
export class ApiEventRecorder implements EventRecorder {
  private readonly broadcaster: EventBroadcaster;
  private readonly recorder: SharedEventRecorder;

  constructor(
    core: CoreV1Api,
    clock: Clock,
    private readonly log: (line: string) => void,
  ) {
    this.broadcaster = new EventBroadcaster(core, clock, log);
    this.recorder = this.broadcaster.newRecorder(EventSourceComponent);
  }

  event(set: V1StatefulSet, type: EventType, reason: string, message: string): void {
    this.log(`event ${type} ${reason}: ${message}`);
    // ref.GetReference: the informers' objects carry no apiVersion/kind, the scheme knows them.
    const ref: V1ObjectReference = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      name: set.metadata?.name,
      namespace: set.metadata?.namespace,
      uid: set.metadata?.uid,
      resourceVersion: set.metadata?.resourceVersion,
    };
    this.recorder.eventFor(ref, type, reason, message);
  }

  /** Waits for the Events recorded so far to be written (used on stop). */
  flush(): Promise<void> {
    return this.broadcaster.flush();
  }
}

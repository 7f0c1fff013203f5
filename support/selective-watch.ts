/**
 * A watch of the scenario namespace's pods through a label selector, as `kubectl get pods -l …
 * --watch` or a selector-scoped informer sees them: the events in the order they arrived. The
 * timeline watches everything in the namespace, so what a selector adds (an object that stops
 * matching arrives as DELETED, one that starts matching as ADDED) is only seen here.
 */
import { Watch, type KubeConfig, type V1Pod } from '@kubernetes/client-node';

export interface SelectedEvent {
  type: string;
  name: string;
}

export class SelectiveWatch {
  readonly events: SelectedEvent[] = [];
  private readonly listeners = new Set<() => void>();
  private abort?: AbortController;
  private stopped = false;
  private error?: string;

  private constructor(
    private readonly kc: KubeConfig,
    private readonly namespace: string,
    readonly labelSelector: string,
  ) {}

  /** Starts the watch from the current state (the pods that match now arrive as ADDED first). */
  static async start(kc: KubeConfig, namespace: string, labelSelector: string): Promise<SelectiveWatch> {
    const w = new SelectiveWatch(kc, namespace, labelSelector);
    w.abort = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { labelSelector },
      (type, pod: V1Pod) => {
        if (type === 'BOOKMARK') return;
        w.events.push({ type, name: pod.metadata?.name ?? '?' });
        w.listeners.forEach((l) => l());
      },
      (err) => {
        // A closed stream is not resumed: a resumed watch could not tell what it missed.
        if (!w.stopped) w.error = `the watch ended: ${err ? String((err as Error).message ?? err) : 'closed by the server'}`;
        w.listeners.forEach((l) => l());
      },
    );
    return w;
  }

  stop(): void {
    this.stopped = true;
    this.abort?.abort();
  }

  describe(): string {
    return `${this.events.map((e) => `${e.type} ${e.name}`).join(', ') || 'no events'}${this.error ? `; ${this.error}` : ''}`;
  }

  /** Resolves once `done` holds after some event; rejects after `realMs` or when the watch ends. */
  until(expected: string, done: (events: SelectedEvent[]) => boolean, realMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const finish = (err?: Error) => {
        this.listeners.delete(evaluate);
        clearTimeout(timer);
        if (err) reject(err);
        else resolve();
      };
      const fail = () => new Error(`Expected ${expected}, but it did not happen.\nThe watch of pods with the label selector "${this.labelSelector}" saw: ${this.describe()}`);
      const evaluate = () => {
        if (done(this.events)) finish();
        else if (this.error) finish(fail());
      };
      const timer = setTimeout(() => finish(fail()), realMs);
      this.listeners.add(evaluate);
      evaluate();
    });
  }
}

/**
 * Waiting on the API outside a scenario (start-up, benchmarks): a watch (which starts with the
 * current objects), checked on every event, restarted if the server ends it, failing at a
 * deadline. No polling, no sleeps. Scenarios wait on their timeline instead (waiting.ts).
 */
import { Watch, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';

export function watchUntil<T extends KubernetesObject>(
  kc: KubeConfig,
  path: string,
  done: (objects: Map<string, T>) => boolean,
  deadlineMs: number,
  what: string,
): Promise<void> {
  const objects = new Map<string, T>();
  let finished = false;
  let abort: AbortController | undefined;
  return new Promise<void>((resolve, reject) => {
    const finish = (err?: Error): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      abort?.abort();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => finish(new Error(`${what}: not reached within ${deadlineMs / 1000} s`)), deadlineMs);
    const start = (): void => {
      if (finished) return;
      objects.clear();
      new Watch(kc)
        .watch(
          path,
          {},
          (type, obj: T) => {
            const key = `${obj.metadata?.namespace ?? ''}/${obj.metadata?.name ?? ''}`;
            if (type === 'DELETED') objects.delete(key);
            else if (type === 'ADDED' || type === 'MODIFIED') objects.set(key, obj);
            if (done(objects)) finish();
          },
          () => {
            // The server closed the stream (timeout, restart): watch again from the current state.
            if (!finished) setImmediate(start);
          },
        )
        .then((c) => {
          abort = c;
          if (finished) c.abort();
        })
        .catch(() => {
          if (!finished) setTimeout(start, 100);
        });
    };
    start();
  });
}

/**
 * Small helpers the node simulator and the controllers share for talking to the API server
 * through client-node: patch content types, a concurrency limit, MicroTime. Errors of API calls
 * are classified in reference/api-errors.ts.
 */
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { isNotFound } from '../api-errors.ts';

/** Runs `fn`, treating 404 as success (the object is already gone) and rethrowing the rest. */
export async function ignoreNotFound<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

export const mergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
export const strategicMergePatch = () => setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);

/** At most `limit` calls in flight; the rest wait in FIFO order. */
export class Limiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** RFC 3339 with microseconds, the wire form of metav1.MicroTime (Lease renewTime, Event eventTime). */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

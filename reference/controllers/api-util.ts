/**
 * Small helpers the node simulator and the controllers share for talking to the API server
 * through client-node: status codes of failed calls, patch content types, a concurrency limit.
 */
import { ApiException, PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';

/** HTTP status of a failed client-node call, or undefined for transport errors. */
export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return err.code;
  const code = (err as { code?: unknown; statusCode?: unknown } | null)?.code ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCode(err) === 404;
export const isConflict = (err: unknown): boolean => statusCode(err) === 409;

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

export function describeError(err: unknown): string {
  if (err instanceof ApiException) {
    try {
      const body = JSON.parse(String(err.body)) as { message?: string };
      return `HTTP ${err.code}: ${body.message ?? String(err.body)}`;
    } catch {
      return `HTTP ${err.code}`;
    }
  }
  return err instanceof Error ? err.message : String(err);
}

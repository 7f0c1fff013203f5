/** Classifies client-node errors the way k8s.io/apimachinery/pkg/api/errors does. */
import { ApiException } from '@kubernetes/client-node';

interface StatusBody {
  reason?: string;
  message?: string;
}

function statusBody(err: unknown): StatusBody | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body = (err as ApiException<unknown>).body;
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as StatusBody;
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as StatusBody) : undefined;
}

export function statusCode(err: unknown): number | undefined {
  return err instanceof ApiException ? (err as ApiException<unknown>).code : undefined;
}

export const isNotFound = (err: unknown) => statusCode(err) === 404;
export const isAlreadyExists = (err: unknown) => statusCode(err) === 409 && statusBody(err)?.reason === 'AlreadyExists';
export const isConflict = (err: unknown) => statusCode(err) === 409 && statusBody(err)?.reason !== 'AlreadyExists';
export const isInvalid = (err: unknown) => statusCode(err) === 422;

/** The server's Status message when there is one (what Go's err.Error() prints), else the JS message. */
export function errorMessage(err: unknown): string {
  const body = statusBody(err);
  if (body?.message) return body.message;
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** retry.RetryOnConflict: retries fn while it fails with a 409 Conflict, up to `steps` attempts. */
export async function retryOnConflict<T>(steps: number, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConflict(err) || attempt >= steps) throw err;
    }
  }
}

/** Several errors from one pass (utilerrors.NewAggregate). */
export class AggregateError extends Error {
  constructor(readonly errors: unknown[]) {
    super(errors.map((e) => errorMessage(e)).join(', '));
  }
}

export function aggregate(errors: unknown[]): unknown {
  const real = errors.filter((e) => e != null);
  if (real.length === 0) return undefined;
  return real.length === 1 ? real[0] : new AggregateError(real);
}

/**
 * Errors of API calls made through client-node, classified as client-go classifies them, for
 * every client in the project: the reference plane's components, the StatefulSet port and the
 * harness's World. Ports k8s.io/apimachinery/pkg/api/errors (IsNotFound, IsConflict, …),
 * pkg/util/errors (NewAggregate) and k8s.io/client-go/util/retry (RetryOnConflict), v0.37.2.
 */
import { ApiException, type V1Status } from '@kubernetes/client-node';

/** The reasons apimachinery knows; a 4xx/5xx with another (or no) reason is judged by its code. */
const KNOWN_REASONS = new Set([
  'Unauthorized', 'Forbidden', 'NotFound', 'AlreadyExists', 'Conflict', 'Gone', 'Invalid', 'ServerTimeout',
  'StoreReadError', 'Timeout', 'TooManyRequests', 'BadRequest', 'MethodNotAllowed', 'NotAcceptable',
  'RequestEntityTooLarge', 'UnsupportedMediaType', 'InternalError', 'Expired', 'ServiceUnavailable',
]);

/** The Status a failed call's response carried, if its body is one. */
export function apiStatus(err: unknown): V1Status | undefined {
  if (!(err instanceof ApiException)) return undefined;
  const body = (err as ApiException<unknown>).body;
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as unknown;
      return parsed && typeof parsed === 'object' ? (parsed as V1Status) : undefined;
    } catch {
      return undefined;
    }
  }
  return body && typeof body === 'object' ? (body as V1Status) : undefined;
}

/** HTTP status of a failed call, or undefined for transport errors. */
export function statusCode(err: unknown): number | undefined {
  if (err instanceof ApiException) return (err as ApiException<unknown>).code;
  const code = (err as { code?: unknown } | null)?.code ?? (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof code === 'number' ? code : undefined;
}

/** reasonAndCodeForError + the known-reason rule of apimachinery's IsXxx. */
function is(err: unknown, reason: string, code: number): boolean {
  const r = apiStatus(err)?.reason ?? '';
  return r === reason || (!KNOWN_REASONS.has(r) && statusCode(err) === code);
}

export const isNotFound = (err: unknown): boolean => is(err, 'NotFound', 404);
/** A write that lost a race (stale resourceVersion, failed precondition): not AlreadyExists. */
export const isConflict = (err: unknown): boolean => is(err, 'Conflict', 409);
export const isAlreadyExists = (err: unknown): boolean => apiStatus(err)?.reason === 'AlreadyExists';
export const isInvalid = (err: unknown): boolean => is(err, 'Invalid', 422);

/** HasStatusCause: the failed call's Status lists a cause of this type (e.g. 'NamespaceTerminating'). */
export function hasStatusCause(err: unknown, type: string): boolean {
  return (apiStatus(err)?.details?.causes ?? []).some((c) => c.reason === type);
}

/** What Go's err.Error() prints for an API error: the Status message; else the error's first line. */
export function errorMessage(err: unknown): string {
  const message = apiStatus(err)?.message;
  if (message) return message;
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** wait.Backoff, as far as these retries use it: how many attempts (no delay between them). */
export interface Backoff {
  steps: number;
}
/** retry.DefaultRetry and retry.DefaultBackoff. */
export const DefaultRetry: Backoff = { steps: 5 };
export const DefaultBackoff: Backoff = { steps: 4 };

/** retry.RetryOnConflict: runs fn again while it fails with a Conflict, up to backoff.steps attempts. */
export async function retryOnConflict<T>(backoff: Backoff, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (!isConflict(err) || attempt >= backoff.steps) throw err;
    }
  }
}

/** utilerrors.Aggregate: several errors from one pass. */
export class Aggregate extends Error {
  constructor(readonly errors: readonly unknown[]) {
    // Upstream's Error(): distinct messages, bracketed when there are several.
    const messages = [...new Set(errors.map(errorMessage))];
    super(messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`);
    this.name = 'Aggregate';
  }
}

/**
 * utilerrors.NewAggregate: undefined for no errors (nils dropped), else an Aggregate; a single
 * error is returned as itself, so that isNotFound and the others still see its Status.
 */
export function newAggregate(errors: readonly unknown[]): unknown {
  const real = errors.filter((e) => e != null);
  if (real.length === 0) return undefined;
  return real.length === 1 ? real[0] : new Aggregate(real);
}

/**
 * Kubernetes API errors as `Status` objects, with the codes, reasons and message formats of
 * k8s.io/apimachinery/pkg/api/errors, and field errors formatted like
 * k8s.io/apimachinery/pkg/util/validation/field.
 */
import type { V1Status, V1StatusCause } from '@kubernetes/client-node';
import { goJson } from './json.ts';

/** The resource an error is about: `group` ('' for core), plural `resource`, and `kind`. */
export interface Qualified {
  group: string;
  resource: string;
  kind: string;
}

export type FieldErrorType = 'Invalid' | 'Required' | 'NotSupported' | 'Forbidden' | 'Duplicate' | 'NotFound' | 'TooLong' | 'TooMany';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  /** The bad value exactly as upstream prints it, when formatValue cannot (e.g. Go's JSON of an internal type). */
  rendered?: string;
  detail?: string;
  /** For NotSupported: the supported values. */
  supported?: string[];
}

const REASONS: Record<FieldErrorType, string> = {
  Invalid: 'FieldValueInvalid',
  Required: 'FieldValueRequired',
  NotSupported: 'FieldValueNotSupported',
  Forbidden: 'FieldValueForbidden',
  Duplicate: 'FieldValueDuplicate',
  NotFound: 'FieldValueNotFound',
  TooLong: 'FieldValueTooLong',
  TooMany: 'FieldValueTooMany',
};

/**
 * The bad value as field.Error's ErrorBody prints it (1.37): numbers and booleans as they are,
 * strings quoted, anything else as encoding/json writes it (maps with sorted keys, HTML-safe).
 */
export function formatValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null || v === undefined) return 'null';
  return goJson(goOrder(v));
}

/** Keys of string-valued objects (Go maps) sorted, as json.Marshal writes a map; other objects (structs) as they are. */
function goOrder(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(goOrder);
  if (typeof v !== 'object' || v === null) return v;
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.every(([, x]) => typeof x === 'string')) entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, x]) => [k, goOrder(x)]));
}

/** `ErrorBody()`: the message without the field path. */
export function fieldErrorBody(e: FieldError): string {
  switch (e.type) {
    case 'Required':
    case 'Forbidden':
    case 'TooLong':
    case 'TooMany':
      return `${typeLabel(e.type)}${e.detail ? `: ${e.detail}` : ''}`;
    case 'NotSupported': {
      const supported = e.supported?.length ? `: supported values: ${e.supported.map((s) => JSON.stringify(s)).join(', ')}` : '';
      return `Unsupported value: ${formatValue(e.value)}${supported}`;
    }
    default:
      return `${typeLabel(e.type)}: ${e.rendered ?? formatValue(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  }
}

function typeLabel(t: FieldErrorType): string {
  return {
    Invalid: 'Invalid value',
    Required: 'Required value',
    NotSupported: 'Unsupported value',
    Forbidden: 'Forbidden',
    Duplicate: 'Duplicate value',
    NotFound: 'Not found',
    TooLong: 'Too long',
    TooMany: 'Too many',
  }[t];
}

export function fieldErrorString(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: V1Status['details'],
  ) {
    super(message);
  }

  toStatus(): V1Status {
    return failureStatus(this.code, this.reason, this.message, this.details);
  }
}

export function failureStatus(code: number, reason: string, message: string, details?: V1Status['details']): V1Status {
  // StatusReasonUnknown is '' and, as every empty field of a Status, left out.
  const s: V1Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message };
  if (reason) s.reason = reason;
  if (details) s.details = details;
  s.code = code;
  return s;
}

function gr(q: Qualified): string {
  return q.group ? `${q.resource}.${q.group}` : q.resource;
}

export const notFound = (q: Qualified, name: string): ApiError =>
  new ApiError(404, 'NotFound', `${gr(q)} "${name}" not found`, { name, group: q.group, kind: q.resource });

export const alreadyExists = (q: Qualified, name: string): ApiError =>
  new ApiError(409, 'AlreadyExists', `${gr(q)} "${name}" already exists`, { name, group: q.group, kind: q.resource });

export const conflict = (q: Qualified, name: string, why: string): ApiError =>
  new ApiError(409, 'Conflict', `Operation cannot be fulfilled on ${gr(q)} "${name}": ${why}`, { name, group: q.group, kind: q.resource });

export const OPTIMISTIC_LOCK = 'the object has been modified; please apply your changes to the latest version and try again';

export const forbidden = (q: Qualified, name: string, why: string): ApiError =>
  new ApiError(403, 'Forbidden', name ? `${gr(q)} "${name}" is forbidden: ${why}` : `${gr(q)} is forbidden: ${why}`, {
    name: name || undefined,
    group: q.group,
    kind: q.resource,
  });

export const badRequest = (message: string): ApiError => new ApiError(400, 'BadRequest', message);

export const methodNotSupported = (q: Qualified, action: string): ApiError =>
  new ApiError(405, 'MethodNotAllowed', `${action} is not supported on resources of kind ${JSON.stringify(gr(q))}`, {
    group: q.group,
    kind: q.resource,
  });

export const gone = (message: string): ApiError => new ApiError(410, 'Expired', message);

/** 422 Invalid: `Kind.group "name" is invalid: <errors>` with one cause per field error. */
export function invalid(q: Qualified, name: string, errs: FieldError[]): ApiError {
  const qualifiedKind = q.group ? `${q.kind}.${q.group}` : q.kind;
  const list = errs.map(fieldErrorString);
  const joined = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  const causes: V1StatusCause[] = errs.map((e) => ({ reason: REASONS[e.type], message: fieldErrorBody(e), field: e.field }));
  return new ApiError(422, 'Invalid', `${qualifiedKind} "${name}" is invalid: ${joined}`, {
    name,
    group: q.group,
    kind: q.kind,
    causes,
  });
}

/**
 * Generic validation shared by every kind: name formats, labels, annotations, owner
 * references, finalizers and object-metadata update rules, with upstream messages
 * (k8s.io/apimachinery/pkg/util/validation and pkg/api/validation/objectmeta.go).
 */
import type { FieldError } from './errors.ts';
import { arr, deepEqual, isObject, obj, str, type JsonObject } from './json.ts';

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const LABEL_MSG =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const SUBDOMAIN_MSG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const QUALIFIED_MSG =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

const maxLen = (n: number): string => `must be no more than ${n} characters`;

/** Each returns the problems with `value` (empty when valid), as upstream's Is* helpers do. */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!DNS1123_LABEL.test(value)) errs.push(LABEL_MSG);
  return errs;
}

export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!DNS1123_SUBDOMAIN.test(value)) errs.push(SUBDOMAIN_MSG);
  return errs;
}

export function isQualifiedName(value: string): string[] {
  const parts = value.split('/');
  let name = value;
  const errs: string[] = [];
  if (parts.length === 2) {
    const [prefix, n] = parts;
    name = n!;
    if (prefix!.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...isDNS1123Subdomain(prefix!).map((m) => `prefix part ${m}`));
  } else if (parts.length > 2) {
    return [
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push('name part ' + maxLen(63));
  if (name.length > 0 && !QUALIFIED_NAME.test(name)) errs.push(QUALIFIED_MSG);
  return errs;
}

export function isValidLabelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!LABEL_VALUE.test(value)) errs.push(LABEL_VALUE_MSG);
  return errs;
}

export type NameValidator = (name: string) => string[];

export class Errors {
  readonly list: FieldError[] = [];
  invalid(field: string, value: unknown, detail: string): void {
    this.list.push({ type: 'Invalid', field, value, detail });
  }
  required(field: string, detail = ''): void {
    this.list.push({ type: 'Required', field, detail });
  }
  notSupported(field: string, value: unknown, supported: string[]): void {
    this.list.push({ type: 'NotSupported', field, value, supported });
  }
  forbidden(field: string, detail: string): void {
    this.list.push({ type: 'Forbidden', field, detail });
  }
  duplicate(field: string, value: unknown): void {
    this.list.push({ type: 'Duplicate', field, value });
  }
  notFound(field: string, value: unknown): void {
    this.list.push({ type: 'NotFound', field, value });
  }
  /** Records one Invalid error per message from an Is* helper. */
  check(field: string, value: unknown, messages: string[]): void {
    for (const m of messages) this.invalid(field, value, m);
  }
  nonNegative(field: string, value: unknown): void {
    if (typeof value === 'number' && value < 0) this.invalid(field, value, 'must be greater than or equal to 0');
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

export function validateLabels(errs: Errors, labels: unknown, field: string): void {
  if (labels === undefined || labels === null) return;
  if (!isObject(labels)) return errs.invalid(field, labels, 'must be a map of string keys to string values');
  for (const [k, v] of Object.entries(labels)) {
    errs.check(field, k, isQualifiedName(k));
    if (typeof v !== 'string') errs.invalid(field, v, 'label values must be strings');
    else errs.check(field, v, isValidLabelValue(v));
  }
}

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

export function validateAnnotations(errs: Errors, annotations: unknown, field: string): void {
  if (annotations === undefined || annotations === null) return;
  if (!isObject(annotations)) return errs.invalid(field, annotations, 'must be a map of string keys to string values');
  let size = 0;
  for (const [k, v] of Object.entries(annotations)) {
    errs.check(field, k, isQualifiedName(k.toLowerCase()));
    if (typeof v !== 'string') errs.invalid(field, v, 'annotation values must be strings');
    size += k.length + (typeof v === 'string' ? v.length : 0);
  }
  if (size > TOTAL_ANNOTATION_SIZE) errs.list.push({ type: 'TooLong', field, detail: `must have at most ${TOTAL_ANNOTATION_SIZE} bytes` });
}

function validateOwnerReferences(errs: Errors, refs: unknown, field: string): void {
  if (refs === undefined || refs === null) return;
  if (!Array.isArray(refs)) return errs.invalid(field, refs, 'must be a list of owner references');
  const controllers: string[] = [];
  for (const r of refs) {
    const ref = obj(r) ?? {};
    const apiVersion = str(ref.apiVersion) ?? '';
    if (!apiVersion) errs.invalid(`${field}.apiVersion`, apiVersion, 'version must not be empty');
    if (!str(ref.kind)) errs.invalid(`${field}.kind`, ref.kind ?? '', 'kind must not be empty');
    if (!str(ref.name)) errs.invalid(`${field}.name`, ref.name ?? '', 'name must not be empty');
    if (!str(ref.uid)) errs.invalid(`${field}.uid`, ref.uid ?? '', 'uid must not be empty');
    if (ref.controller === true) controllers.push(`${str(ref.kind) ?? ''}/${str(ref.name) ?? ''}`);
  }
  if (controllers.length > 1) {
    errs.invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`);
  }
}

function validateFinalizers(errs: Errors, finalizers: unknown, field: string): void {
  if (finalizers === undefined || finalizers === null) return;
  if (!Array.isArray(finalizers)) return errs.invalid(field, finalizers, 'must be a list of strings');
  for (const f of finalizers) {
    if (typeof f !== 'string') errs.invalid(field, f, 'must be a string');
    else errs.check(field, f, isQualifiedName(f));
  }
  if (finalizers.includes('orphan') && finalizers.includes('foregroundDeletion')) {
    errs.invalid(field, finalizers, 'finalizer orphan and foregroundDeletion cannot be both set');
  }
}

/** ValidateObjectMeta: name format, namespace presence, labels, annotations, ownerReferences, finalizers. */
export function validateObjectMeta(errs: Errors, meta: JsonObject, namespaced: boolean, nameValidator: NameValidator): void {
  const name = str(meta.name) ?? '';
  if (meta.generateName !== undefined && typeof meta.generateName === 'string' && meta.generateName !== '') {
    // generateName is validated as a prefix: the generated suffix is alphanumeric.
    const prefix = meta.generateName.replace(/-$/, 'a');
    errs.check('metadata.generateName', meta.generateName, nameValidator(prefix));
  }
  if (!name) errs.required('metadata.name', 'name or generateName is required');
  else errs.check('metadata.name', name, nameValidator(name));
  if (namespaced) {
    const ns = str(meta.namespace) ?? '';
    if (!ns) errs.required('metadata.namespace');
    else errs.check('metadata.namespace', ns, isDNS1123Label(ns));
  } else if (str(meta.namespace)) {
    errs.forbidden('metadata.namespace', 'not allowed on this type');
  }
  validateLabels(errs, meta.labels, 'metadata.labels');
  validateAnnotations(errs, meta.annotations, 'metadata.annotations');
  validateOwnerReferences(errs, meta.ownerReferences, 'metadata.ownerReferences');
  validateFinalizers(errs, meta.finalizers, 'metadata.finalizers');
}

/** ValidateObjectMetaUpdate: the immutable parts of metadata, and no new finalizers while deleting. */
export function validateObjectMetaUpdate(errs: Errors, meta: JsonObject, old: JsonObject): void {
  for (const f of ['name', 'namespace', 'uid', 'creationTimestamp'] as const) {
    if (!deepEqual(meta[f] ?? '', old[f] ?? '')) errs.invalid(`metadata.${f}`, meta[f] ?? '', 'field is immutable');
  }
  if (old.deletionTimestamp) {
    const oldSet = new Set(arr(old.finalizers));
    const added = arr(meta.finalizers).filter((f) => !oldSet.has(f));
    if (added.length) {
      errs.forbidden(
        'metadata.finalizers',
        `no new finalizers can be added if the object is being deleted, found new finalizers []string{${added.map((f) => JSON.stringify(f)).join(', ')}}`,
      );
    }
  }
}

/** What the generic registry needs to know about a kind: its REST identity and its strategy. */
import type { Clock } from '../../clock.ts';
import type { Qualified } from '../errors.ts';
import type { JsonObject } from '../json.ts';
import type { Store } from '../store.ts';
import type { Errors, NameValidator } from '../validation.ts';

export type Subresource = 'status' | 'scale' | 'binding' | 'eviction' | 'finalize';

/** Server-side context that defaulting/admission may consult. */
export interface AdmissionContext {
  store: Store;
  clock: Clock;
  allocateClusterIP(): string;
}

export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'date';
  format?: string;
  description?: string;
  priority?: number;
}

export interface KindSpec extends Qualified {
  version: string;
  singular: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  subresources: Subresource[];
  /** Maintains metadata.generation: 1 on create, +1 on every spec change. */
  generation?: boolean;
  /** The DELETE response is the object (pods, services, namespaces) rather than a Success Status. */
  returnDeletedObject?: boolean;
  /** DefaultGarbageCollectionPolicy; 'unsupported' means DeleteOptions never add GC finalizers. */
  gcPolicy?: 'background' | 'orphan' | 'unsupported';
  nameValidator: NameValidator;
  /** Field-selector fields beyond metadata.name / metadata.namespace. */
  fields?: Record<string, (o: JsonObject) => string>;
  /** Replaces the status of a new object (PrepareForCreate); absent means the status is kept. */
  initialStatus?(o: JsonObject): JsonObject | undefined;
  /** Scheme defaulting, applied to every create/update body. */
  defaults?(o: JsonObject): void;
  /** Admission-time mutation on create (default storage class, cluster IPs, default tolerations). */
  admit?(o: JsonObject, ctx: AdmissionContext): void;
  validate?(o: JsonObject, errs: Errors): void;
  validateUpdate?(o: JsonObject, old: JsonObject, errs: Errors): void;
  /** Runs on main-resource updates after the status was restored (e.g. immutable fields carried over). */
  prepareForUpdate?(o: JsonObject, old: JsonObject): void;
  validateStatusUpdate?(o: JsonObject, old: JsonObject, errs: Errors): void;
  warnings?(o: JsonObject, old?: JsonObject): string[];
  /** Graceful-deletion grace period for these DeleteOptions (CheckGracefulDelete); absent = not graceful. */
  gracePeriod?(o: JsonObject, requested: number | undefined): number;
  /**
   * Server-side printing: the columns after NAME (printers.go's; table-columns.json has upstream's
   * definitions for them) and their cells; `name`, when the NAME cell is not just the name.
   */
  table?: { columns: TableColumn[]; cells(o: JsonObject, now: number): unknown[]; name?(o: JsonObject): string };
}

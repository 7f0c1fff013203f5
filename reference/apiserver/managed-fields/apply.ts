/**
 * structured-merge-diff's merge.Updater for one API version: an update takes ownership of what it
 * changed (from every other manager: no conflicts), an apply merges the applied configuration,
 * prunes what the applier dropped since its last apply when no one else owns it, and conflicts
 * when it would change a field another manager owns, unless forced.
 */
import { deepEqual, type JsonValue } from '../json.ts';
import { FieldSet, type Path } from './fieldset.ts';
import type { TypeRef } from './schema.ts';
import { compare, ensureNamedFieldsAreMembers, merge, removeItems, toFieldSet, type Comparison } from './typed.ts';

export interface VersionedSet {
  set: FieldSet;
  apiVersion: string;
  applied: boolean;
}

/** Field sets by manager identifier (see manager.ts). */
export type ManagedFields = Map<string, VersionedSet>;

export interface Conflict {
  manager: string;
  path: Path;
}

export class Conflicts extends Error {
  constructor(readonly conflicts: Conflict[]) {
    super(conflicts.map((c) => `conflict with ${JSON.stringify(c.manager)}`).join('\n'));
  }
}

export class Updater {
  /**
   * `reset`: the fields the strategy resets (GetResetFields: status on the main resource, spec on
   * status), which no one is recorded as owning through this endpoint.
   */
  constructor(
    private readonly type: TypeRef,
    private readonly version: string,
    private readonly reset: FieldSet = new FieldSet(),
  ) {}

  private filter(s: FieldSet): FieldSet {
    return this.reset.empty() ? s : s.recursiveDifference(this.reset);
  }

  private update(oldObj: JsonValue, newObj: JsonValue, managers: ManagedFields, workflow: string, force: boolean): Comparison {
    const raw = compare(oldObj, newObj, this.type);
    const filtered = { added: this.filter(raw.added), modified: this.filter(raw.modified), removed: this.filter(raw.removed) };
    const changed = filtered.modified.union(filtered.added);
    const conflicts = new Map<string, FieldSet>();
    const removed = new Map<string, FieldSet>();
    for (const [manager, vs] of managers) {
      if (manager === workflow) continue;
      if (vs.apiVersion !== this.version) {
        // A version this server does not serve: the converter's missing version, dropped.
        managers.delete(manager);
        continue;
      }
      const c = vs.set.intersection(changed);
      if (!c.empty()) conflicts.set(manager, c);
      if (!filtered.removed.empty()) removed.set(manager, filtered.removed);
    }
    if (!force && conflicts.size) {
      throw new Conflicts([...conflicts].flatMap(([manager, s]) => s.paths().map((path) => ({ manager, path }))));
    }
    for (const [manager, s] of [...conflicts, ...removed]) {
      const vs = managers.get(manager)!;
      managers.set(manager, { ...vs, set: vs.set.difference(s) });
    }
    for (const [manager, vs] of managers) if (vs.set.empty()) managers.delete(manager);
    return raw;
  }

  /** Updater.Update: `manager` owns what it changed from `live` to `next`, and keeps what it owned and did not remove. */
  updateOwnership(live: JsonValue, next: JsonValue, managers: ManagedFields, manager: string): ManagedFields {
    const out = new Map(managers);
    const c = this.update(live, next, out, manager, true);
    const previous = out.get(manager)?.set ?? new FieldSet();
    const set = this.filter(previous.difference(c.removed).union(c.modified).union(c.added));
    if (set.empty()) out.delete(manager);
    else out.set(manager, { set, apiVersion: this.version, applied: false });
    return out;
  }

  /**
   * Updater.Apply: the object `config` makes of `live` (undefined when nothing changes) and the
   * managers after it; throws Conflicts unless `force`.
   */
  apply(live: JsonValue, config: JsonValue, managers: ManagedFields, manager: string, force: boolean): { object: JsonValue | undefined; managers: ManagedFields } {
    const out = new Map(managers);
    let next = merge(live, config, this.type);
    const last = out.get(manager);
    out.set(manager, { set: this.filter(toFieldSet(config, this.type)), apiVersion: this.version, applied: true });
    next = this.prune(next, out, last);
    this.update(live, next, out, manager, force);
    return { object: deepEqual(live, next) ? undefined : next, managers: out };
  }

  /** What the applier owned at its last apply and no longer applies goes, unless another manager owns it. */
  private prune(merged: JsonValue, managers: ManagedFields, last: VersionedSet | undefined): JsonValue {
    if (!last || last.set.empty()) return merged;
    const named = (s: FieldSet): FieldSet => ensureNamedFieldsAreMembers(s, this.type);
    let pruned = removeItems(merged, named(last.set), this.type);
    // addBackOwnedItems
    let managed = new FieldSet();
    for (const vs of managers.values()) managed = managed.union(vs.set);
    const mergedSet = named(toFieldSet(merged, this.type));
    pruned = removeItems(merged, mergedSet.difference(named(toFieldSet(pruned, this.type)).union(named(managed))), this.type);
    // addBackDanglingItems
    const prunedSet = named(toFieldSet(pruned, this.type));
    return removeItems(merged, mergedSet.difference(prunedSet).intersection(named(last.set)), this.type);
  }
}

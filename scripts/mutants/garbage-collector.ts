/**
 * Mutants of the reference garbage collector (reference/controllers/garbage-collector.ts):
 * background, foreground and orphan propagation as deleting a StatefulSet exercises them.
 */
import type { Edit, Mutant } from './mutant.ts';

const GC = 'reference/controllers/garbage-collector.ts';

function gc(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'garbage-collector', area, description, targets: ['reference'], edits };
}

export const GARBAGE_COLLECTOR_MUTANTS: Mutant[] = [
  gc('gc-orphan-keeps-owner-references', 'orphan',
    'orphan deletion drops the owner\'s orphan finalizer without removing its ownerReferences from the dependents, which then dangle and are collected',
    {
      file: GC,
      find: '        const refs = (dep.obj.metadata?.ownerReferences ?? []).filter((r) => r.uid !== ownerUid);\n        try {\n          await patchMeta(dep, { ownerReferences: refs.length ? refs : null });\n        } catch (err) {\n          if (!isNotFound(err)) throw err;\n        }\n',
      replace: '',
    }),
  gc('gc-foreground-owner-goes-first', 'foreground',
    'foreground deletion removes the owner\'s foregroundDeletion finalizer at once instead of after its blocking dependents are gone',
    {
      file: GC,
      find: '    if (blocking.length === 0) return removeFinalizer(owner, FOREGROUND_FINALIZER);\n    for (const d of blocking) if (!isDeletingDependents(d.obj)) queue.add(uidOf(d.obj));',
      replace: '    for (const d of blocking) if (!isDeletingDependents(d.obj)) queue.add(uidOf(d.obj));\n    return removeFinalizer(owner, FOREGROUND_FINALIZER);',
    }),
  gc('gc-foreground-dependents-kept', 'foreground',
    'an owner being deleted in the foreground counts as a live owner, so its dependents are never deleted and the owner waits forever',
    { file: GC, find: '      else if (isDeletingDependents(owner)) waiting.push(ref);\n', replace: '' }),
  gc('gc-dangling-owner-deletes-dependent', 'background',
    'a dependent with one owner gone is deleted even though another of its owners still exists',
    {
      file: GC,
      find: '    if (solid.length > 0) {\n      if (dangling.length === 0 && waiting.length === 0) return;',
      replace: '    if (solid.length > 0 && dangling.length === 0) {\n      if (waiting.length === 0) return;',
    }),
  gc('gc-claims-not-tracked', 'background',
    'the collector does not track PersistentVolumeClaims, so claims owned by a deleted StatefulSet (whenDeleted: Delete) are never collected',
    {
      file: GC,
      find: "const TRACKED = new Set(['Pod', 'PersistentVolumeClaim', 'Service',",
      replace: "const TRACKED = new Set(['Pod', 'Service',",
    }),
];

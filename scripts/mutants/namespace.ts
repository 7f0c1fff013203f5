/**
 * Mutants of namespace deletion: the reference namespace controller
 * (reference/controllers/namespace.ts) and the API server's side of it (Terminating phase,
 * NamespaceLifecycle admission).
 */
import type { Edit, Mutant } from './mutant.ts';

const NS = 'reference/controllers/namespace.ts';

function ns(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'namespace', area, description, targets: ['reference'], edits };
}

export const NAMESPACE_MUTANTS: Mutant[] = [
  ns('ns-finalized-while-objects-terminate', 'namespace deletion',
    'objects already being deleted are not counted as remaining, so the namespace is finalized while pods are still terminating or held by finalizers',
    {
      file: NS,
      find: '    return { remaining: items.length, nextForceMs };',
      replace: '    return { remaining: items.filter((o) => !o.metadata?.deletionTimestamp).length, nextForceMs };',
    }),
  ns('ns-finalize-through-update', 'namespace deletion',
    'the controller drops the kubernetes finalizer with a plain update instead of the finalize subresource, which ignores spec.finalizers: the namespace never goes away',
    {
      file: NS,
      find: '    await core.replaceNamespaceFinalize({ name, body: latest });',
      replace: '    await core.replaceNamespace({ name, body: latest });',
    }),
  ns('ns-pods-not-first', 'namespace deletion',
    'the namespace controller deletes everything at once instead of pods first (KEP-5080): claims and the StatefulSet go while its pods still run',
    {
      file: NS,
      find: '    const results = pods.remaining > 0 ? [pods] : await Promise.all(others.map((k) => purge(k, name)));',
      replace: '    const results = [pods, ...(await Promise.all(others.map((k) => purge(k, name))))];',
    }),
  ns('ns-terminating-admits-creates', 'namespace deletion',
    'a namespace being deleted is not marked Terminating, so new objects (a StatefulSet, its pods) can still be created in it',
    {
      file: 'reference/apiserver/registry.ts',
      find: "      nm.deletionGracePeriodSeconds = 0;\n      child(next, 'status').phase = 'Terminating';\n",
      replace: '      nm.deletionGracePeriodSeconds = 0;\n',
    }),
  ns('ns-skips-claims', 'namespace deletion',
    'the namespace controller leaves PersistentVolumeClaims alone (as if a StatefulSet\'s retention policy protected them from namespace deletion): the claims survive and the namespace never goes away',
    {
      file: NS,
      find: '  const others = kinds.filter((k) => k !== podKind);',
      replace: "  const others = kinds.filter((k) => k !== podKind && k.kind !== 'PersistentVolumeClaim');",
    }),
];

/**
 * Mutants of the reference API server (reference/apiserver/): defaulting, validation,
 * generation, optimistic concurrency, the status subresource, graceful deletion, selectors and
 * watch delivery, as a StatefulSet's user and its controllers meet them.
 */
import type { Edit, Mutant } from './mutant.ts';

const D = 'reference/apiserver/';
const REGISTRY = `${D}registry.ts`;
const SELECTORS = `${D}selectors.ts`;
const STATEFULSETS = `${D}kinds/statefulsets.ts`;

function api(name: string, area: string, description: string, ...edits: Edit[]): Mutant {
  return { name, component: 'apiserver', area, description, targets: ['reference'], edits };
}

export const APISERVER_MUTANTS: Mutant[] = [
  api('api-update-stale-version-accepted', 'optimistic concurrency',
    'an update carrying an older resourceVersion is accepted (only a version from the future is refused), so a stale read-modify-write silently undoes a newer change',
    {
      file: REGISTRY,
      find: '      if (Number(rv) !== current.rv) throw conflict(kind, name, OPTIMISTIC_LOCK);',
      replace: '      if (Number(rv) > current.rv) throw conflict(kind, name, OPTIMISTIC_LOCK);',
    }),
  api('api-patch-version-ignored', 'optimistic concurrency',
    'a patch that carries metadata.resourceVersion is applied even when that version is stale (the precondition is dropped)',
    {
      file: REGISTRY,
      find: '    if (rv !== undefined && rv !== String(current.rv)) throw conflict(kind, name, OPTIMISTIC_LOCK);\n',
      replace: '',
    }),
  api('api-generation-on-metadata-change', 'generation',
    'metadata.generation is bumped when labels or annotations change, not only when the spec does',
    {
      file: REGISTRY,
      find: 'if (kind.generation && subresource === undefined && !deepEqual(newObj.spec, old.spec)) {',
      replace:
        'if (kind.generation && subresource === undefined && (!deepEqual(newObj.spec, old.spec) || !deepEqual(newMeta.labels, oldMeta.labels) || !deepEqual(newMeta.annotations, oldMeta.annotations))) {',
    }),
  api('api-status-write-takes-spec', 'status subresource',
    'a write to the status subresource also applies the spec it carries',
    {
      file: REGISTRY,
      find: '      newObj = { ...clone(old), status: body.status };',
      replace: '      newObj = { ...clone(old), spec: body.spec, status: body.status };',
    }),
  api('api-main-write-takes-status', 'status subresource',
    'a write to the main resource keeps the status it carries instead of the stored one',
    {
      file: REGISTRY,
      find: '        else newObj.status = clone(old.status);',
      replace: '        else newObj.status ??= clone(old.status);',
    }),
  api('api-update-skips-spec-validation', 'validation',
    'an update of a StatefulSet is checked for immutable fields only, so negative replicas or a template the selector no longer matches are accepted on update',
    {
      file: STATEFULSETS,
      find: '    validateSpec(spec, errs, opts);\n    validateImmutableFields(spec, oldSpec, errs);',
      replace: '    validateImmutableFields(spec, oldSpec, errs);',
    }),
  api('api-pod-management-policy-mutable', 'validation',
    'spec.podManagementPolicy can be changed after creation',
    {
      file: STATEFULSETS,
      find: "    ['serviceName', goString],\n    ['podManagementPolicy', goString],\n  ];",
      replace: "    ['serviceName', goString],\n  ];",
    }),
  api('api-default-zero-history-limit', 'defaulting',
    'an explicit revisionHistoryLimit of 0 is defaulted to 10, as if it were unset (a falsy check instead of a nil check)',
    {
      file: STATEFULSETS,
      find: '  spec.revisionHistoryLimit ??= 10;',
      replace: '  spec.revisionHistoryLimit ||= 10;',
    }),
  api('api-selector-notin-missing-label', 'selectors',
    'a NotIn / != requirement does not match an object that lacks the label (upstream: it matches)',
    {
      file: SELECTORS,
      find: "    case '!=':\n    case 'notin':\n      return !has || !r.values.includes(v!);",
      replace: "    case '!=':\n    case 'notin':\n      return has && !r.values.includes(v!);",
    }),
  api('api-selector-exists-empty-value', 'selectors',
    'an Exists requirement does not match a label whose value is empty (a truthiness check instead of a presence check)',
    {
      file: SELECTORS,
      find: "    case 'exists':\n      return has;",
      replace: "    case 'exists':\n      return !!v;",
    }),
  api('api-watch-selector-no-delete', 'watch delivery',
    'a watch with a label selector is not told when an object stops matching (no DELETED event), so the watcher keeps a pod that left the selector',
    {
      file: `${D}watch.ts`,
      find: "    else if (before) send('DELETED', ev.entry);\n",
      replace: '',
    }),
  api('api-grace-shortening-keeps-period', 'graceful deletion',
    'a second delete with a shorter grace period moves deletionTimestamp but leaves deletionGracePeriodSeconds at the old period, so the kubelet keeps the old countdown',
    {
      file: REGISTRY,
      find: '          m.deletionTimestamp = rfc3339(new Date(start + requested * 1000));\n          m.deletionGracePeriodSeconds = requested;\n',
      replace: '          m.deletionTimestamp = rfc3339(new Date(start + requested * 1000));\n',
    }),
  api('api-grace-shortening-keeps-deadline', 'graceful deletion',
    'a second delete with a shorter grace period lowers deletionGracePeriodSeconds but leaves deletionTimestamp at the first deadline',
    {
      file: REGISTRY,
      find: '          m.deletionTimestamp = rfc3339(new Date(start + requested * 1000));\n          m.deletionGracePeriodSeconds = requested;\n',
      replace: '          m.deletionGracePeriodSeconds = requested;\n',
    }),
  api('api-requested-grace-ignored', 'graceful deletion',
    "the grace period a delete request asks for is ignored in favour of the pod's terminationGracePeriodSeconds",
    {
      file: `${D}kinds/pods.ts`,
      find: '    let period = requested ?? (obj(o.spec)?.terminationGracePeriodSeconds as number | undefined) ?? 30;',
      replace: '    let period = (obj(o.spec)?.terminationGracePeriodSeconds as number | undefined) ?? requested ?? 30;',
    }),
  api('api-deletecollection-ignores-selector', 'collections',
    'deletecollection deletes every object of the namespace, ignoring the label selector',
    {
      file: REGISTRY,
      find: '    for (const e of this.list(kind, ns, { ...list, limit: undefined, continueToken: undefined }).items) {',
      replace: '    for (const e of this.store.list(resourceKey(kind), ns)) {',
    }),
];

/**
 * ControllerRevision data, names and hashes for StatefulSets. Ported from v1.37.2
 * pkg/controller/statefulset/stateful_set_utils.go (getPatch, newRevision, ApplyRevision,
 * nextRevision), stateful_set_control.go (setMatchesLatestExistingRevision) and
 * pkg/controller/history/controller_history.go (NewControllerRevision, HashControllerRevision,
 * ControllerRevisionName, EqualRevision, FindEqualRevisions, SortControllerRevisions).
 *
 * Upstream hashes the Go JSON encoding of the defaulted template (json.Marshal of maps: sorted
 * keys, no spaces, HTML-safe strings). Here the template is serialised by client-node and
 * encoded the same way (canonicalJson): given the same stored template, the same bytes, hence
 * the same revision names as kube-controller-manager's (test/defaulting.test.ts pins some).
 */
import type { V1ControllerRevision, V1PodTemplateSpec, V1StatefulSet } from '@kubernetes/client-node';
import { ObjectSerializer } from '@kubernetes/client-node/dist/serializer.js';
import { controllerRefFor } from './pod-identity.ts';

export const ControllerRevisionHashLabel = 'controller.kubernetes.io/hash';

/** encoding/json's string: HTML-safe (<, > and & escaped) and with U+2028/U+2029 escaped. */
function goJsonString(s: string): string {
  return JSON.stringify(s).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * JSON as Go's json.Marshal writes a map[string]interface{}: object keys sorted, strings
 * HTML-escaped, undefined members dropped. The bytes upstream hashes.
 */
export function canonicalJson(value: unknown): string {
  if (typeof value === 'string') return goJsonString(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${goJsonString(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/**
 * getPatch: the revision data, a strategic-merge patch that replaces spec.template wholesale:
 * `{"spec":{"template":{...,"$patch":"replace"}}}`. Only the template is captured, so changes to
 * replicas, strategy, minReadySeconds, ordinals or set metadata never create revisions.
 */
export function getPatch(set: V1StatefulSet): Record<string, unknown> {
  const template = ObjectSerializer.serialize(set.spec?.template ?? {}, 'V1PodTemplateSpec') as Record<string, unknown>;
  // Keys in Go's json.Marshal order (sorted, so "$patch" first): the API server keeps these
  // bytes and refuses any later write, such as the garbage collector orphaning the revision,
  // whose re-encoded data differs from them ("data: field is immutable").
  return JSON.parse(canonicalJson({ spec: { template: { ...template, $patch: 'replace' } } })) as Record<string, unknown>;
}

/** hash/fnv New32 (FNV-1, 32 bit), the function HashControllerRevision uses. */
export function fnv1_32(bytes: Uint8Array, hash = 0x811c9dc5): number {
  let h = hash >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h = (h ^ b) >>> 0;
  }
  return h;
}

const alphanums = 'bcdfghjklmnpqrstvwxz2456789';

/** k8s.io/apimachinery/pkg/util/rand.SafeEncodeString: maps each byte onto a vowel-free alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += alphanums[b % alphanums.length];
  return out;
}

/** HashControllerRevision: FNV over the data bytes, then the decimal collision count. */
export function hashControllerRevision(data: unknown, collisionCount: number | undefined): string {
  let h = fnv1_32(Buffer.from(canonicalJson(data), 'utf8'));
  if (collisionCount !== undefined) h = fnv1_32(Buffer.from(String(collisionCount), 'utf8'), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: `<prefix>-<hash>`, prefix cut at 223 bytes. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * newRevision + history.NewControllerRevision: labels = template labels + hash label,
 * annotations copied from the set, controller ref to the set.
 */
export function newRevision(set: V1StatefulSet, revision: number, collisionCount: number | undefined): V1ControllerRevision {
  const data = getPatch(set);
  const hash = hashControllerRevision(data, collisionCount);
  return {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(set.metadata?.name ?? '', hash),
      namespace: set.metadata?.namespace,
      labels: { ...(set.spec?.template?.metadata?.labels ?? {}), [ControllerRevisionHashLabel]: hash },
      annotations: { ...(set.metadata?.annotations ?? {}) },
      ownerReferences: [controllerRefFor(set)],
    },
    data,
    revision,
  };
}

function parseInt32(s: string | undefined): number | undefined {
  if (s === undefined || !/^[+-]?[0-9]+$/.test(s)) return undefined;
  const n = Number(s);
  return n >= -(2 ** 31) && n <= 2 ** 31 - 1 ? n : undefined;
}

/**
 * EqualRevision: hash labels that both parse as int32 must agree; then the data must be equal
 * (upstream compares Data.Raw bytes; here canonical JSON, since client-node hands us objects).
 */
export function equalRevision(lhs: V1ControllerRevision | undefined, rhs: V1ControllerRevision | undefined): boolean {
  if (!lhs || !rhs) return lhs === rhs;
  const lh = parseInt32(lhs.metadata?.labels?.[ControllerRevisionHashLabel]);
  const rh = parseInt32(rhs.metadata?.labels?.[ControllerRevisionHashLabel]);
  if (lh !== undefined && rh !== undefined && lh !== rh) return false;
  return canonicalJson(lhs.data ?? null) === canonicalJson(rhs.data ?? null);
}

/** FindEqualRevisions: every revision equal to needle, in the given order. */
export function findEqualRevisions(revisions: V1ControllerRevision[], needle: V1ControllerRevision): V1ControllerRevision[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** SortControllerRevisions: stable, by .revision, then creationTimestamp, then name. */
export function sortControllerRevisions(revisions: V1ControllerRevision[]): V1ControllerRevision[] {
  const ts = (r: V1ControllerRevision) => {
    const t = r.metadata?.creationTimestamp as Date | string | undefined;
    return t instanceof Date ? t.getTime() : t ? Date.parse(t) : 0;
  };
  return revisions.sort((a, b) => {
    if (a.revision !== b.revision) return a.revision - b.revision;
    if (ts(a) !== ts(b)) return ts(a) - ts(b);
    const an = a.metadata?.name ?? '', bn = b.metadata?.name ?? '';
    return an < bn ? -1 : an > bn ? 1 : 0;
  });
}

/** nextRevision: 1 + the highest revision (revisions sorted), 1 when there are none. */
export function nextRevision(revisions: V1ControllerRevision[]): number {
  return revisions.length === 0 ? 1 : revisions[revisions.length - 1].revision + 1;
}

/**
 * ApplyRevision: a copy of set whose spec.template is the one recorded in revision (the
 * `$patch: replace` strategic merge replaces the template wholesale). Since v1.37 upstream keeps
 * only .spec of the patched object; the revision data never touches anything else, so the
 * copy's metadata and status are the set's either way.
 */
export function applyRevision(set: V1StatefulSet, revision: V1ControllerRevision): V1StatefulSet {
  const data = (revision.data ?? {}) as { spec?: { template?: Record<string, unknown> } };
  const clone = structuredClone(set);
  const recorded = data.spec?.template;
  if (recorded) {
    const { $patch: _ignored, ...template } = recorded;
    clone.spec = { ...clone.spec!, template: ObjectSerializer.deserialize(template, 'V1PodTemplateSpec') as V1PodTemplateSpec };
  }
  return clone;
}

/**
 * setMatchesLatestExistingRevision (StatefulSetSemanticRevisionComparison, on by default): does
 * restoring the latest revision give the template the set has now? Then the latest revision
 * differs only in how its data was encoded (another serialiser, fields since dropped) and is
 * reused instead of creating a new one. Upstream re-applies scheme defaulting to the restored
 * set and caches positive answers per (set UID, generation, revision resourceVersion); this
 * port has no defaulter (the API server defaults every stored template) and no cache.
 */
export function setMatchesLatestExistingRevision(set: V1StatefulSet, proposed: V1ControllerRevision, latest: V1ControllerRevision): boolean {
  let reconstructed: V1ControllerRevision;
  try {
    reconstructed = newRevision(applyRevision(set, latest), -1, undefined);
  } catch {
    return false;
  }
  return equalRevision(proposed, reconstructed);
}

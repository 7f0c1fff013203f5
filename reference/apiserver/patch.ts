/**
 * The four PATCH content types. JSON Patch uses fast-json-patch; merge patch is RFC 7386;
 * strategic merge patch follows k8s.io/apimachinery/pkg/util/strategicpatch for the list
 * fields these kinds declare with a patchMergeKey (table below) and its directives.
 */
import jsonpatch from 'fast-json-patch';
import { ApiError, badRequest } from './errors.ts';
import { clone, isObject, yamlToJson, type JsonObject, type JsonValue } from './json.ts';

export const PATCH_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
] as const;
export type PatchType = (typeof PATCH_TYPES)[number];

export function unsupportedPatchType(): ApiError {
  return new ApiError(
    415,
    'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${PATCH_TYPES.join(', ')}`,
  );
}

/** Parses a patch body; the result of applying it comes from applyPatch. */
export function parsePatch(type: PatchType, raw: string): unknown {
  try {
    return type === 'application/apply-patch+yaml' ? yamlToJson(raw) : JSON.parse(raw);
  } catch (e) {
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

export function applyPatch(type: PatchType, original: JsonObject, patch: unknown): JsonObject {
  switch (type) {
    case 'application/json-patch+json': {
      if (!Array.isArray(patch)) throw badRequest('json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
      try {
        const result = jsonpatch.applyPatch(clone(original), patch as jsonpatch.Operation[], true, false).newDocument as unknown;
        if (!isObject(result)) throw badRequest('the patch produced a non-object');
        return result;
      } catch (e) {
        if (e instanceof ApiError) throw e;
        // A failed `test` op is a conflict-free semantic failure; upstream answers 422 for both.
        throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${(e as Error).message.split('\n')[0]}`);
      }
    }
    case 'application/merge-patch+json':
      if (!isObject(patch)) throw badRequest('merge patch must be a JSON object');
      return mergePatch(original, patch) as JsonObject;
    case 'application/strategic-merge-patch+json':
    case 'application/apply-patch+yaml':
      if (!isObject(patch)) throw badRequest('patch must be an object');
      return strategicMerge(clone(original), patch, []) as JsonObject;
  }
}

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: JsonValue | undefined, patch: JsonValue): JsonValue {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v as JsonValue);
  }
  return out;
}

type ListStrategy = { mergeKey: string } | 'set';

/** patchStrategy:"merge" list fields of the served kinds, keyed by field name (and parent for `ports`). */
function listStrategy(path: string[], field: string): ListStrategy | undefined {
  switch (field) {
    case 'containers':
    case 'initContainers':
    case 'ephemeralContainers':
    case 'volumes':
    case 'env':
    case 'imagePullSecrets':
    case 'resourceClaims':
    case 'schedulingGates':
      return { mergeKey: 'name' };
    case 'volumeMounts':
      return { mergeKey: 'mountPath' };
    case 'volumeDevices':
      return { mergeKey: 'devicePath' };
    case 'conditions':
    case 'addresses':
      return path.includes('status') ? { mergeKey: 'type' } : undefined;
    case 'ownerReferences':
      return { mergeKey: 'uid' };
    case 'finalizers':
      return 'set';
    case 'hostAliases':
    case 'podIPs':
    case 'hostIPs':
      return { mergeKey: 'ip' };
    case 'topologySpreadConstraints':
      return { mergeKey: 'topologyKey' };
    case 'ports':
      // Container ports merge on containerPort, service ports on port; endpointslice ports are atomic.
      if (path.includes('containers') || path.includes('initContainers')) return { mergeKey: 'containerPort' };
      if (path[0] === 'spec' && path.length === 1) return { mergeKey: 'port' };
      return undefined;
    default:
      return undefined;
  }
}

const DELETE_FROM_PRIMITIVE = '$deleteFromPrimitiveList/';
const SET_ELEMENT_ORDER = '$setElementOrder/';

function strategicMerge(original: JsonValue | undefined, patch: JsonValue, path: string[]): JsonValue | undefined {
  if (!isObject(patch)) return clone(patch);
  const directive = patch.$patch;
  if (directive === 'replace') {
    const { $patch: _, ...rest } = patch;
    return clone(rest as JsonObject);
  }
  if (directive === 'delete') return undefined;
  if (directive !== undefined) throw badRequest(`Unknown patch type: ${String(directive)}`);
  const out: JsonObject = isObject(original) ? original : {};
  const retain = patch.$retainKeys;
  if (Array.isArray(retain)) {
    for (const k of Object.keys(out)) if (!retain.includes(k) && !(k in patch)) delete out[k];
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k === '$retainKeys' || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (k.startsWith(DELETE_FROM_PRIMITIVE)) {
      const field = k.slice(DELETE_FROM_PRIMITIVE.length);
      const remove = Array.isArray(v) ? v : [];
      if (Array.isArray(out[field])) out[field] = (out[field] as JsonValue[]).filter((x) => !remove.includes(x));
      continue;
    }
    if (v === null) {
      delete out[k];
    } else if (Array.isArray(v)) {
      out[k] = mergeList(out[k], v, [...path, k], k);
    } else if (isObject(v)) {
      const merged = strategicMerge(out[k], v, [...path, k]);
      if (merged === undefined) delete out[k];
      else out[k] = merged;
    } else {
      out[k] = v;
    }
  }
  return out;
}

function mergeList(original: JsonValue | undefined, patch: JsonValue[], path: string[], field: string): JsonValue[] {
  const replace = patch.find((e) => isObject(e) && e.$patch === 'replace');
  if (replace) return clone(patch.filter((e) => e !== replace));
  const strategy = listStrategy(path.slice(0, -1), field);
  const orig = Array.isArray(original) ? original : [];
  if (strategy === undefined) return clone(patch);
  if (strategy === 'set') {
    const out = [...orig];
    for (const v of patch) if (!out.some((x) => x === v)) out.push(v);
    return out;
  }
  const key = strategy.mergeKey;
  const out = [...orig];
  for (const p of patch) {
    if (!isObject(p)) {
      out.push(p);
      continue;
    }
    const idx = out.findIndex((o) => isObject(o) && o[key] === p[key]);
    if (p.$patch === 'delete') {
      if (idx >= 0) out.splice(idx, 1);
      continue;
    }
    if (idx >= 0) out[idx] = strategicMerge(out[idx], p, path) ?? out[idx]!;
    else out.push(strategicMerge({}, p, path)!);
  }
  return out;
}

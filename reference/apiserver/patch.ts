/**
 * The four PATCH content types. JSON Patch uses fast-json-patch; merge patch is RFC 7386;
 * strategic merge patch is upstream's, ported in strategic-merge.ts. Server-side apply is the
 * field manager's (managed-fields/); a strategic merge of the applied configuration stands in
 * for it only where no manager is known (the scale subresource, the registry's own callers).
 */
import jsonpatch from 'fast-json-patch';
import type { FieldValidation } from './decode.ts';
import { ApiError, badRequest } from './errors.ts';
import { clone, isObject, yamlToJson, type JsonObject, type JsonValue } from './json.ts';
import { patchSchemaOf, StrategicMergeError, strategicMergePatch } from './strategic-merge.ts';

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

/**
 * The object `patch` makes of `original` (neither is changed). `groupVersionKind` names the
 * type whose patch metadata a strategic merge follows, e.g. 'apps/v1/StatefulSet'.
 */
export function applyPatch(type: PatchType, original: JsonObject, patch: unknown, groupVersionKind: string, validation: FieldValidation = 'Warn'): JsonObject {
  // applyJSPatch: under Strict and Warn (the default) the patch is first decoded strictly.
  const strict = validation !== 'Ignore';
  switch (type) {
    case 'application/json-patch+json': {
      if (!Array.isArray(patch))
        throw badRequest(
          strict
            ? `error decoding patch: json: cannot unmarshal ${goJsonType(patch)} into Go value of type []handlers.jsonPatchOp`
            : `json: cannot unmarshal ${goJsonType(patch)} into Go value of type jsonpatch.Patch`,
        );
      try {
        const result = jsonpatch.applyPatch(clone(original), patch as jsonpatch.Operation[], true, false).newDocument as unknown;
        if (!isObject(result)) throw badRequest('the patch produced a non-object');
        return result;
      } catch (e) {
        if (e instanceof ApiError) throw e;
        // NewGenericServerResponse(422, …, isUnexpectedResponse false): the operation's own error
        // (a missing path, a failed `test`) is not passed on.
        throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request');
      }
    }
    case 'application/merge-patch+json':
      if (!isObject(patch)) {
        if (strict && patch !== null) throw badRequest(`error decoding patch: json: cannot unmarshal ${goJsonType(patch)} into Go value of type map[string]interface {}`);
        // jsonpatch.MergePatch's ErrBadJSONPatch.
        throw badRequest('Invalid JSON Patch');
      }
      return mergePatch(original, patch) as JsonObject;
    case 'application/strategic-merge-patch+json':
    case 'application/apply-patch+yaml':
      // json.Unmarshal into a map: `null` leaves it empty, any other non-object is an error.
      if (patch !== null && !isObject(patch)) throw badRequest(`json: cannot unmarshal ${goJsonType(patch)} into Go value of type map[string]interface {}`);
      try {
        return strategicMergePatch(clone(original), clone(patch ?? {}), patchSchemaOf(groupVersionKind));
      } catch (e) {
        if (!(e instanceof StrategicMergeError)) throw e;
        // Server-side apply is approximated by the strategic merge here; upstream's apply has no
        // patch directives and rejects what its schema does not declare with a 400.
        if (type === 'application/apply-patch+yaml') throw badRequest(e.message);
        // interpretStrategicMergePatchError; anything else reaches the client as a 500.
        if (e.code === 400) throw badRequest(e.message);
        if (e.code === 422) throw new ApiError(422, 'Invalid', 'the server rejected our request due to an error in our request');
        throw new ApiError(500, '', e.message);
      }
  }
}

function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  if (typeof v === 'boolean') return 'bool';
  return typeof v;
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

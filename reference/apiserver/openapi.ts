/**
 * A minimal OpenAPI v3 surface. The server publishes no schemas; it only declares, per
 * group/version, the PATCH operations and their `fieldValidation` parameter. That is what
 * kubectl's query-param verifier looks for before it skips client-side schema validation
 * (which would otherwise need the full spec and fail); kubectl then computes strategic merge
 * patches from its compiled-in types.
 */
import { groupVersion, KINDS } from './kinds/index.ts';
import { VERSION } from './discovery.ts';

function gvPath(gv: string): string {
  return gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
}

export function openApiRoot(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const k of KINDS) {
    const p = gvPath(groupVersion(k));
    paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${VERSION.gitVersion}` };
  }
  return { paths };
}

/** The document for `/openapi/v3/<api/v1 | apis/g/v>`, or undefined for unknown group versions. */
export function openApiGroupVersion(path: string): object | undefined {
  const kinds = KINDS.filter((k) => gvPath(groupVersion(k)) === path);
  if (kinds.length === 0) return undefined;
  const paths: Record<string, object> = {};
  for (const k of kinds) {
    const ns = k.namespaced ? '/namespaces/{namespace}' : '';
    paths[`/${path}${ns}/${k.resource}/{name}`] = {
      patch: {
        operationId: `patch${k.kind}`,
        parameters: [
          { name: 'dryRun', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldManager', in: 'query', schema: { type: 'string', uniqueItems: true } },
          { name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } },
        ],
        'x-kubernetes-action': 'patch',
        'x-kubernetes-group-version-kind': { group: k.group, version: k.version, kind: k.kind },
        responses: { '200': { description: 'OK' } },
      },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: VERSION.gitVersion }, paths, components: { schemas: {} } };
}

/**
 * The OpenAPI documents: v2 at /openapi/v2 and v3 per group version at /openapi/v3/<api/v1 |
 * apis/g/v>, with the root index at /openapi/v3. Their content is upstream's published spec cut
 * to the served resources (openapi/*.json, written by scripts/gen-openapi.ts), so `kubectl
 * explain` reads upstream's schemas and descriptions, and kubectl's query-param verifier finds
 * the `fieldValidation` parameter it checks before it leaves validation to the server.
 * As kube-apiserver does, the index links each document with the SHA-512 of its bytes
 * (`?hash=`), which clients use as a cache key, and each document carries it as its ETag.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { groupVersion, KINDS } from './kinds/index.ts';

export interface OpenApiDocument {
  body: Buffer;
  etag: string;
}

const DIR = new URL('./openapi/', import.meta.url);
const cache = new Map<string, OpenApiDocument>();

function gvPath(gv: string): string {
  return gv.includes('/') ? `apis/${gv}` : `api/${gv}`;
}

const SERVED = [...new Set(KINDS.map((k) => gvPath(groupVersion(k))))];

/** Read once, on first use: the documents are a few hundred kilobytes each. */
function load(file: string): OpenApiDocument {
  let doc = cache.get(file);
  if (!doc) {
    const body = readFileSync(new URL(file, DIR));
    doc = { body, etag: createHash('sha512').update(body).digest('hex').toUpperCase() };
    cache.set(file, doc);
  }
  return doc;
}

export function openApiV2(): OpenApiDocument {
  return load('v2.json');
}

export function openApiRoot(): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const p of [...SERVED].sort()) paths[p] = { serverRelativeURL: `/openapi/v3/${p}?hash=${openApiGroupVersion(p)!.etag}` };
  return { paths };
}

/** The document for `/openapi/v3/<api/v1 | apis/g/v>`, or undefined for unknown group versions. */
export function openApiGroupVersion(path: string): OpenApiDocument | undefined {
  if (!SERVED.includes(path)) return undefined;
  return load(`v3-${path.replaceAll('/', '_')}.json`);
}

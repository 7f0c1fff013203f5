/**
 * HTTP front end: authentication, body limits, routing of /api and /apis paths to the
 * registry, content negotiation (JSON, YAML bodies; Table output) and error → Status mapping.
 * No request can crash the process or produce a 5xx: unexpected exceptions become 400s.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AGGREGATED_CONTENT_TYPE, aggregatedDiscovery, apiGroup, apiGroupList, apiResourceList, apiVersions, VERSION, wantsAggregated } from './discovery.ts';
import { checkBody, fieldValidationOf, parseJsonWithPositions, type FieldValidation } from './decode.ts';
import { featureMetrics } from './feature-gates.ts';
import { ApiError, badRequest, failureStatus, invalid, methodNotSupported, notFound, type FieldError } from './errors.ts';
import { isObject, obj, str, yamlToJson, type JsonObject } from './json.ts';
import { groupVersion, resourceKey } from './kinds/index.ts';
import type { KindSpec } from './kinds/types.ts';
import { openApiGroupVersion, openApiRoot, openApiV2, type OpenApiDocument } from './openapi.ts';
import { negotiateOutput } from './negotiation.ts';
import { parsePatch, PATCH_TYPES, unsupportedPatchType, type PatchType } from './patch.ts';
import { decodeObject, encodeObject, PROTOBUF } from './protobuf/codec.ts';
import { managerOf } from './managed-fields/manager.ts';
import type { DeleteOptions, ListOptions, Registry, WriteOptions } from './registry.ts';
import type { Entry } from './store.ts';
import { parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { toTable, wantsTable, type IncludeObject } from './table.ts';
import { serveWatch } from './watch.ts';

export interface ServerConfig {
  token?: string;
  maxBodyBytes: number;
  bookmarkIntervalMs: number;
  log?: (line: string) => void;
}

interface Route {
  kind: KindSpec;
  namespace?: string;
  name?: string;
  subresource?: string;
  watchPath: boolean;
}

const NOT_FOUND = (): ApiError => new ApiError(404, 'NotFound', 'the server could not find the requested resource');
/** What a pod subresource that needs a kubelet would do, for the Status saying it cannot. */
const ACTIONS: Record<string, string> = { log: 'read logs from', exec: 'exec into', attach: 'attach to', portforward: 'forward ports to', proxy: 'proxy to' };
const PUBLIC_PATHS = new Set(['/healthz', '/livez', '/readyz', '/version']);
/** Responses whose client negotiated protobuf: their API objects are sent encoded (see sendJson). */
const PROTOBUF_RESPONSES = new WeakSet<ServerResponse>();

export class Handler {
  private readonly byPath = new Map<string, KindSpec>();

  constructor(
    private readonly registry: Registry,
    private readonly config: ServerConfig,
  ) {
    for (const k of registry.kinds.values()) this.byPath.set(`${groupVersion(k)}/${k.resource}`, k);
  }

  handle(req: IncomingMessage, res: ServerResponse): void {
    this.serve(req, res).catch((e: unknown) => this.fail(res, e));
  }

  private fail(res: ServerResponse, e: unknown): void {
    let err: ApiError;
    if (e instanceof ApiError) err = e;
    else {
      this.config.log?.(`unexpected error: ${(e as Error)?.stack ?? String(e)}`);
      err = badRequest(`the server could not process the request: ${(e as Error)?.message ?? String(e)}`);
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    sendJson(res, err.code, JSON.stringify(err.toStatus()));
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname.replace(/\/+$/, '') || '/';
    if (!this.authorized(req, path)) {
      req.resume();
      return sendJson(res, 401, JSON.stringify(failureStatus(401, 'Unauthorized', 'Unauthorized')));
    }
    const openApi = this.openApi(path);
    if (openApi !== undefined) {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': openApi.body.length, ETag: `"${openApi.etag}"`, Vary: 'Accept' });
      return void res.end(req.method === 'HEAD' ? undefined : openApi.body);
    }
    if ((path === '/api' || path === '/apis') && wantsAggregated(req.headers.accept)) {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = JSON.stringify(aggregatedDiscovery(path === '/api'));
      res.writeHead(200, { 'Content-Type': AGGREGATED_CONTENT_TYPE, 'Content-Length': Buffer.byteLength(body), Vary: 'Accept' });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    if (path === '/metrics') {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      const body = featureMetrics();
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      return void res.end(req.method === 'HEAD' ? undefined : body);
    }
    const discovery = this.discovery(req, path);
    if (discovery !== undefined) {
      req.resume();
      if (req.method !== 'GET' && req.method !== 'HEAD') throw new ApiError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
      return discovery === null ? sendText(res, 200, 'ok') : sendJson(res, 200, JSON.stringify(discovery));
    }
    const route = this.route(path);
    if (!route) {
      req.resume();
      this.noContainers(path);
      throw NOT_FOUND();
    }
    // Tables are JSON (kubectl asks for them so); other objects in the format the client prefers.
    if (!wantsTable(req.headers.accept) && negotiateOutput(req.headers.accept) === 'protobuf') PROTOBUF_RESPONSES.add(res);
    const body = await readBody(req, this.config.maxBodyBytes);
    this.dispatch(req, res, url.searchParams, route, body);
  }

  private authorized(req: IncomingMessage, path: string): boolean {
    if (this.config.token === undefined) return true;
    const header = req.headers.authorization;
    if (header === undefined && PUBLIC_PATHS.has(path)) return true;
    return header === `Bearer ${this.config.token}`;
  }

  /** A discovery document, null for a plain "ok" health check, undefined when not a discovery path. */
  private discovery(req: IncomingMessage, path: string): object | null | undefined {
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) return null;
    if (path === '/version') return VERSION;
    if (path === '/api') return apiVersions(req.headers.host ?? '127.0.0.1');
    if (path === '/apis') return apiGroupList();
    if (path === '/api/v1') return apiResourceList('', 'v1');
    if (path === '/openapi/v3') return openApiRoot();
    const parts = path.split('/').slice(1);
    if (parts[0] === 'apis' && parts.length === 2) return apiGroup(parts[1]!) ?? undefinedToNotFound();
    if (parts[0] === 'apis' && parts.length === 3) return apiResourceList(parts[1]!, parts[2]!) ?? undefinedToNotFound();
    return undefined;
  }

  /** An OpenAPI document (openapi.ts), undefined when `path` is not one. */
  private openApi(path: string): OpenApiDocument | undefined {
    if (path === '/openapi/v2') return openApiV2();
    if (path.startsWith('/openapi/v3/')) return openApiGroupVersion(path.slice('/openapi/v3/'.length)) ?? undefinedToNotFound();
    return undefined;
  }

  /**
   * A pod's log, exec, attach, portforward and proxy subresources, which kube-apiserver serves by
   * calling the pod's kubelet: the reference's simulated nodes run no containers, and say so with
   * a 400 Status (a missing pod is the usual 404).
   */
  private noContainers(path: string): void {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(log|exec|attach|portforward|proxy)(\/.*)?$/.exec(path);
    if (!m) return;
    const [ns, name] = [decodePathSegment(m[1]!), decodePathSegment(m[2]!)];
    const pods = this.registry.kinds.get('pods');
    const pod = pods && this.registry.store.get(resourceKey(pods), ns, name);
    if (!pods || !pod) throw notFound(pods ?? { group: '', resource: 'pods', kind: 'Pod' }, name);
    const node = str(obj(pod.obj.spec)?.nodeName);
    throw badRequest(
      `pod ${JSON.stringify(name)} runs no containers: the reference control plane's simulated nodes${node ? ` (this pod's is ${JSON.stringify(node)})` : ''} run none, so there is nothing to ${ACTIONS[m[3]!]}; kubectl logs, exec, attach and port-forward need a target with real nodes (control-plane, cluster, real-nodes)`,
    );
  }

  private route(path: string): Route | undefined {
    const parts = path.split('/').slice(1).map(decodePathSegment);
    let gv: string;
    let rest: string[];
    if (parts[0] === 'api' && parts[1] === 'v1') {
      gv = 'v1';
      rest = parts.slice(2);
    } else if (parts[0] === 'apis' && parts.length >= 3) {
      gv = `${parts[1]}/${parts[2]}`;
      rest = parts.slice(3);
    } else return undefined;
    let watchPath = false;
    if (rest[0] === 'watch') {
      watchPath = true;
      rest = rest.slice(1);
    }
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3 && this.byPath.get(`${gv}/${rest[2]}`)?.namespaced) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const kind = this.byPath.get(`${gv}/${rest[0]}`);
    if (!kind || rest.length > 3) return undefined;
    if (namespace !== undefined && !kind.namespaced) return undefined;
    const [, name, subresource] = rest;
    if (kind.namespaced && namespace === undefined && name !== undefined) return undefined;
    if (subresource !== undefined && !kind.subresources.includes(subresource as never)) return undefined;
    return { kind, namespace, name, subresource, watchPath };
  }

  private dispatch(req: IncomingMessage, res: ServerResponse, q: URLSearchParams, route: Route, body: Buffer): void {
    const { kind, subresource } = route;
    const method = req.method ?? 'GET';
    const reg = this.registry;
    const table = wantsTable(req.headers.accept) ? includeObject(q) : undefined;
    const headersFor = (warnings: string[]): Record<string, string | string[]> =>
      warnings.length ? { Warning: warnings.map((w) => `299 - ${JSON.stringify(w)}`) } : {};
    const respond = (code: number, value: JsonObject, warnings: string[] = []): void => {
      if (table && value.kind === kind.kind) {
        const t = toTable(kind, [value], reg.clock.nowMs(), table, { resourceVersion: str(obj(value.metadata)?.resourceVersion) ?? '' });
        return sendJson(res, code, JSON.stringify(t), headersFor(warnings));
      }
      sendJson(res, code, JSON.stringify(value), headersFor(warnings));
    };
    /** A stored entry is sent as the JSON it was serialised to once, at write time (parsed only for a Table). */
    const respondEntry = (code: number, e: Entry, warnings: string[] = []): void =>
      table ? respond(code, e.obj, warnings) : sendJson(res, code, e.json, headersFor(warnings));

    if (route.watchPath && (method !== 'GET' || subresource !== undefined)) throw NOT_FOUND();
    const dryRun = q.getAll('dryRun');
    if (dryRun.some((d) => d !== 'All')) throw badRequest(`Invalid dry run value: ${dryRun.join(',')}: supported values: "All"`);
    if (method !== 'GET' && method !== 'HEAD' && dryRun.length) {
      return reg.dry(true, () => this.dispatchVerb(req, res, q, route, body, respond, respondEntry));
    }
    return this.dispatchVerb(req, res, q, route, body, respond, respondEntry);
  }

  private dispatchVerb(
    req: IncomingMessage,
    res: ServerResponse,
    q: URLSearchParams,
    route: Route,
    body: Buffer,
    respond: (code: number, value: JsonObject, warnings?: string[]) => void,
    respondEntry: (code: number, e: Entry, warnings?: string[]) => void,
  ): void {
    const { kind, name, subresource } = route;
    const ns = route.namespace ?? '';
    const method = req.method ?? 'GET';
    const reg = this.registry;
    const table = wantsTable(req.headers.accept) ? includeObject(q) : undefined;
    const write: WriteOptions = { manager: managerOf(q.get('fieldManager'), req.headers['user-agent']) };
    switch (method) {
      case 'GET':
      case 'HEAD': {
        if (name === undefined || route.watchPath) {
          if (route.watchPath || isTrue(q.get('watch'))) {
            const fieldSelector = parseFieldSelector(q.get('fieldSelector') ?? undefined, reg.supportedFields(kind));
            // /watch/<resource>/<name> watches one object, as a metadata.name field selector would.
            const byName = name !== undefined ? parseFieldSelector(`metadata.name=${name}`, reg.supportedFields(kind)) : undefined;
            return serveWatch(
              reg,
              {
                kind,
                namespace: route.namespace,
                labelSelector: parseLabelSelector(q.get('labelSelector') ?? undefined),
                fieldSelector: byName ? { empty: false, requirements: [...byName.requirements, ...fieldSelector.requirements], matches: (f) => byName.matches(f) && fieldSelector.matches(f) } : fieldSelector,
                resourceVersion: q.get('resourceVersion') ?? undefined,
                allowWatchBookmarks: isTrue(q.get('allowWatchBookmarks')),
                sendInitialEvents: isTrue(q.get('sendInitialEvents')),
                timeoutSeconds: intParam(q, 'timeoutSeconds'),
                table,
                protobuf: PROTOBUF_RESPONSES.has(res),
              },
              res,
              this.config.bookmarkIntervalMs,
            );
          }
          return this.list(res, kind, route.namespace, q, table);
        }
        if (subresource === 'scale') return respond(200, reg.getScale(kind, ns, name));
        if (subresource === undefined || subresource === 'status') return respondEntry(200, reg.get(kind, ns, name));
        throw methodNotSupported(kind, 'get');
      }
      case 'POST': {
        const input = parseBody(req, body);
        if (name === undefined) {
          if (kind.namespaced && route.namespace === undefined) throw NOT_FOUND();
          const decoded = decodeBody(req, body, kind, input, fieldValidationOf(q, 'CreateOptions'));
          checkFieldManager(q, 'CreateOptions');
          const r = reg.create(kind, ns, input, write);
          return respondEntry(201, r.entry, [...decoded, ...r.warnings]);
        }
        if (subresource === 'binding') {
          reg.bind(kind, ns, name, input);
          return sendJson(res, 201, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
        }
        if (subresource === 'eviction') {
          const options = isObject(input) ? deleteOptions(new URLSearchParams(), obj(input.deleteOptions)) : {};
          reg.delete(kind, ns, name, options);
          return sendJson(res, 201, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }));
        }
        throw methodNotSupported(kind, 'create');
      }
      case 'PUT': {
        if (name === undefined) throw methodNotSupported(kind, 'update');
        const input = parseBody(req, body);
        checkFieldManager(q, 'UpdateOptions');
        if (subresource === 'scale') return respond(200, reg.updateScale(kind, ns, name, input, write));
        if (subresource === 'binding' || subresource === 'eviction') throw methodNotSupported(kind, 'update');
        const decoded = decodeBody(req, body, kind, input, fieldValidationOf(q, 'UpdateOptions'));
        const r = reg.update(kind, ns, name, input, subresource as 'status' | 'finalize' | undefined, write);
        return respondEntry(200, r.entry, [...decoded, ...r.warnings]);
      }
      case 'PATCH': {
        if (name === undefined || subresource === 'binding' || subresource === 'eviction' || subresource === 'finalize') throw methodNotSupported(kind, 'patch');
        const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim() as PatchType;
        if (!PATCH_TYPES.includes(type)) throw unsupportedPatchType();
        const raw = body.toString('utf8');
        const patch = parsePatch(type, raw);
        const validation = fieldValidationOf(q, 'PatchOptions');
        checkPatchOptions(q, type);
        if (type === 'application/apply-patch+yaml') write.force = isTrue(q.get('force'));
        if (subresource === 'scale') return respond(200, reg.patchScale(kind, ns, name, type, patch, write));
        const exists = reg.store.get(resourceKey(kind), ns, name) !== undefined;
        const r = reg.patch(kind, ns, name, type, patch, subresource as 'status' | undefined, { raw, validation }, write);
        return respondEntry(exists ? 200 : 201, r.entry, r.warnings);
      }
      case 'DELETE': {
        const input = body.length ? parseBody(req, body) : undefined;
        const options = deleteOptions(q, obj(input));
        if (name === undefined) {
          if (kind.namespaced && route.namespace === undefined) throw NOT_FOUND();
          const list = listOptions(q, reg.supportedFields(kind));
          const items = reg.deleteCollection(kind, route.namespace, list, options);
          return sendJson(res, 200, listJson(kind, items.map((o) => JSON.stringify(o)), reg.store.resourceVersion, {}));
        }
        if (subresource !== undefined) throw methodNotSupported(kind, 'delete');
        const r = reg.delete(kind, ns, name, options);
        const code = !r.deleted && options.orphanDependents === false ? 202 : 200;
        return respond(code, r.body);
      }
      default:
        throw new ApiError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`);
    }
  }

  private list(res: ServerResponse, kind: KindSpec, namespace: string | undefined, q: URLSearchParams, table?: IncludeObject): void {
    const opts = listOptions(q, this.registry.supportedFields(kind));
    const r = this.registry.list(kind, namespace, opts);
    const listMeta: JsonObject = { resourceVersion: String(r.resourceVersion) };
    if (r.continueToken) listMeta.continue = r.continueToken;
    if (r.remainingItemCount !== undefined) listMeta.remainingItemCount = r.remainingItemCount;
    if (table) {
      return sendJson(res, 200, JSON.stringify(toTable(kind, r.items.map((e) => e.obj), this.registry.clock.nowMs(), table, listMeta)));
    }
    sendJson(res, 200, listJson(kind, r.items.map((e) => e.json), r.resourceVersion, listMeta));
  }
}

function undefinedToNotFound(): never {
  throw NOT_FOUND();
}

/** Serialises a list from the items' stored JSON, without re-encoding them. */
function listJson(kind: KindSpec, items: string[], rv: number, listMeta: JsonObject): string {
  const meta = JSON.stringify({ resourceVersion: String(rv), ...listMeta });
  return `{"kind":"${kind.kind}List","apiVersion":"${groupVersion(kind)}","metadata":${meta},"items":[${items.join(',')}]}`;
}

function isTrue(v: string | null): boolean {
  return v === 'true' || v === '1';
}

function intParam(q: URLSearchParams, key: string): number | undefined {
  const v = q.get(key);
  if (v === null || v === '') return undefined;
  if (!/^-?\d+$/.test(v)) throw badRequest(`invalid ${key}: ${JSON.stringify(v)}: must be an integer`);
  return Number(v);
}

function includeObject(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

function listOptions(q: URLSearchParams, fields: ReadonlySet<string>): ListOptions {
  return {
    labelSelector: parseLabelSelector(q.get('labelSelector') ?? undefined),
    fieldSelector: parseFieldSelector(q.get('fieldSelector') ?? undefined, fields),
    limit: intParam(q, 'limit'),
    continueToken: q.get('continue') || undefined,
  };
}

/** ValidateFieldManager: at most 128 characters, all printable. */
function fieldManagerErrors(q: URLSearchParams): FieldError[] {
  const manager = q.get('fieldManager') ?? '';
  const errs: FieldError[] = [];
  if (Buffer.byteLength(manager) > 128) errs.push({ type: 'TooLong', field: 'fieldManager', detail: 'may not be more than 128 bytes' });
  let offset = 0; // Go ranges over a string by byte offset
  for (const ch of manager) {
    if (!/[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch)) {
      const code = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0');
      errs.push({ type: 'Invalid', field: 'fieldManager', value: manager, detail: `invalid character U+${code} (at position ${offset})` });
    }
    offset += Buffer.byteLength(ch);
  }
  return errs;
}

function checkFieldManager(q: URLSearchParams, options: 'CreateOptions' | 'UpdateOptions'): void {
  const errs = fieldManagerErrors(q);
  if (errs.length) throw invalid({ group: 'meta.k8s.io', resource: options.toLowerCase(), kind: options }, '', errs);
}

/** ValidatePatchOptions: an apply names its field manager; only an apply may force. */
function checkPatchOptions(q: URLSearchParams, type: PatchType): void {
  const errs: FieldError[] = [];
  if (type === 'application/apply-patch+yaml') {
    if (!q.get('fieldManager')) errs.push({ type: 'Required', field: 'fieldManager', detail: 'is required for apply patch' });
  } else if (q.has('force')) errs.push({ type: 'Forbidden', field: 'force', detail: 'may not be specified for non-apply patch' });
  errs.push(...fieldManagerErrors(q));
  if (errs.length) throw invalid({ group: 'meta.k8s.io', resource: 'patchoptions', kind: 'PatchOptions' }, '', errs);
}

const PROPAGATION = ['Foreground', 'Background', 'Orphan'];

/** DeleteOptions from the body and/or query parameters (query wins, as in upstream's decoding order). */
function deleteOptions(q: URLSearchParams, body: JsonObject | undefined): DeleteOptions {
  const o: DeleteOptions = {};
  const grace = intParam(q, 'gracePeriodSeconds') ?? body?.gracePeriodSeconds;
  if (grace !== undefined && grace !== null) {
    if (typeof grace !== 'number') throw badRequest('gracePeriodSeconds must be an integer');
    o.gracePeriodSeconds = grace;
  }
  const policy = q.get('propagationPolicy') ?? body?.propagationPolicy;
  if (policy !== undefined && policy !== null) o.propagationPolicy = String(policy);
  const orphan = q.get('orphanDependents') ?? body?.orphanDependents;
  if (orphan !== undefined && orphan !== null) o.orphanDependents = orphan === true || orphan === 'true';
  const pre = obj(body?.preconditions);
  if (pre) o.preconditions = { uid: str(pre.uid), resourceVersion: str(pre.resourceVersion) };
  const errs = [];
  const q0 = { group: 'meta.k8s.io', resource: 'deleteoptions', kind: 'DeleteOptions' };
  if (o.propagationPolicy !== undefined && !PROPAGATION.includes(o.propagationPolicy)) {
    errs.push({ type: 'NotSupported' as const, field: 'propagationPolicy', value: o.propagationPolicy, supported: PROPAGATION });
  }
  if (o.propagationPolicy !== undefined && o.orphanDependents !== undefined) {
    errs.push({ type: 'Invalid' as const, field: 'orphanDependents', value: o.orphanDependents, detail: 'orphanDependents and deletionPropagation cannot be both set' });
  }
  if (errs.length) throw invalid(q0, '', errs);
  return o;
}

function parseBody(req: IncomingMessage, body: Buffer): unknown {
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  if (type === PROTOBUF) return decodeObject(body);
  const text = body.toString('utf8');
  try {
    if (type === 'application/yaml') return yamlToJson(text);
    if (type === 'application/json' || type === '' || type === '*/*') return JSON.parse(text) as unknown;
  } catch (e) {
    throw badRequest(`the request body could not be decoded: ${(e as Error).message}`);
  }
  throw new ApiError(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`);
}

/**
 * A create or update body decoded into the kind's Go struct (decode.ts): a type error, or with
 * Strict an unknown or duplicate field, is a 400; with Warn the findings are the warnings.
 */
function decodeBody(req: IncomingMessage, body: Buffer, kind: KindSpec, input: unknown, validation: FieldValidation): string[] {
  if (!isObject(input)) return [];
  const type = (req.headers['content-type'] ?? 'application/json').split(';')[0]!.trim();
  // A protobuf body has no unknown, duplicate or mistyped fields to find (strict decoding is JSON's and YAML's).
  if (type === PROTOBUF) return [];
  const parsed = type === 'application/json' || type === '' || type === '*/*' ? parseJsonWithPositions(body.toString('utf8')) : undefined;
  const apiVersion = str(input.apiVersion) ?? '';
  const version = apiVersion ? apiVersion.slice(apiVersion.indexOf('/') + 1) : kind.version;
  return checkBody(`${groupVersion(kind)}/${kind.kind}`, str(input.kind) || kind.kind, version, input, validation, parsed);
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const tooLarge = (): ApiError => new ApiError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    req.resume();
    return Promise.reject(tooLarge());
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge());
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => !failed && resolve(Buffer.concat(chunks)));
    req.on('error', (e) => !failed && reject(badRequest(`reading the request body failed: ${e.message}`)));
  });
}

/** Sends an API object (or Status), as protobuf when the client negotiated it and the kind has a message. */
function sendJson(res: ServerResponse, code: number, body: string, headers: Record<string, string | string[]> = {}): void {
  const encoded = PROTOBUF_RESPONSES.has(res) ? encodeObject(JSON.parse(body) as JsonObject) : undefined;
  if (encoded) {
    res.writeHead(code, { 'Content-Type': PROTOBUF, 'Content-Length': encoded.length, ...headers });
    res.end(encoded);
    return;
  }
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}

function sendText(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** A path segment, percent-decoded; malformed escapes are the client's error (400), not ours. */
function decodePathSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw badRequest(`malformed percent-encoding in the request path segment "${segment}"`);
  }
}

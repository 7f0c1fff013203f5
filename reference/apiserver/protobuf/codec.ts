/**
 * `application/vnd.kubernetes.protobuf`, as k8s.io/apimachinery/pkg/runtime/serializer/protobuf
 * writes and reads it: the 4-byte magic `k8s\0`, then a runtime.Unknown whose typeMeta names the
 * object's apiVersion and kind and whose raw bytes are the object's message (which carries no
 * TypeMeta of its own). Watch streams (`;stream=watch`) are length-prefixed frames (4-byte
 * big-endian size) of metav1.WatchEvent {type, object: RawExtension}, the event written raw and
 * its object as above. Objects of a kind without a message here cannot be encoded; the caller
 * answers in JSON instead.
 */
import { create, createRegistry, fromBinary, toBinary, type DescMessage } from '@bufbuild/protobuf';
import { ApiError, badRequest } from '../errors.ts';
import { goRoundTrip } from '../go-encoding.ts';
import { API_ROOTS } from '../api-types.generated.ts';
import { arr, isObject, type JsonObject } from '../json.ts';
import { jsonToMessage, messageToJson } from './convert.ts';
import { file_k8s_io_api_apps_v1_generated } from './gen/k8s.io/api/apps/v1/generated_pb.ts';
import { file_k8s_io_api_autoscaling_v1_generated } from './gen/k8s.io/api/autoscaling/v1/generated_pb.ts';
import { file_k8s_io_api_coordination_v1_generated } from './gen/k8s.io/api/coordination/v1/generated_pb.ts';
import { file_k8s_io_api_core_v1_generated } from './gen/k8s.io/api/core/v1/generated_pb.ts';
import { file_k8s_io_api_discovery_v1_generated } from './gen/k8s.io/api/discovery/v1/generated_pb.ts';
import { file_k8s_io_api_policy_v1_generated } from './gen/k8s.io/api/policy/v1/generated_pb.ts';
import { file_k8s_io_api_storage_v1_generated } from './gen/k8s.io/api/storage/v1/generated_pb.ts';
import { file_k8s_io_apimachinery_pkg_apis_meta_v1_generated, WatchEventSchema } from './gen/k8s.io/apimachinery/pkg/apis/meta/v1/generated_pb.ts';
import { UnknownSchema } from './gen/k8s.io/apimachinery/pkg/runtime/generated_pb.ts';

export const PROTOBUF = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_WATCH = `${PROTOBUF};stream=watch`;
const MAGIC = Buffer.from([0x6b, 0x38, 0x73, 0x00]);
const META = 'k8s.io.apimachinery.pkg.apis.meta.v1';

const registry = createRegistry(
  file_k8s_io_api_core_v1_generated,
  file_k8s_io_api_apps_v1_generated,
  file_k8s_io_api_autoscaling_v1_generated,
  file_k8s_io_api_coordination_v1_generated,
  file_k8s_io_api_discovery_v1_generated,
  file_k8s_io_api_storage_v1_generated,
  file_k8s_io_api_policy_v1_generated,
  file_k8s_io_apimachinery_pkg_apis_meta_v1_generated,
);

/** The proto package of an API group ('' is core; 'storage.k8s.io' is storage). */
function protoPackage(group: string, version: string): string {
  return `k8s.io.api.${group === '' ? 'core' : group.split('.')[0]}.${version}`;
}

/**
 * The message of apiVersion/kind: the group's own, else meta/v1's (Status, DeleteOptions,
 * WatchEvent… are registered in every group version, as metav1's unversioned types are).
 */
export function messageFor(apiVersion: string, kind: string): DescMessage | undefined {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (group === 'meta.k8s.io') return registry.getMessage(`${META}.${kind}`);
  return registry.getMessage(`${protoPackage(group!, version!)}.${kind}`) ?? registry.getMessage(`${META}.${kind}`);
}

/** The object's protobuf encoding (magic + Unknown), or undefined when its kind has no message. */
export function encodeObject(o: JsonObject): Buffer | undefined {
  const apiVersion = typeof o.apiVersion === 'string' ? o.apiVersion : '';
  const kind = typeof o.kind === 'string' ? o.kind : '';
  const desc = messageFor(apiVersion, kind);
  if (!desc) return undefined;
  const raw = toBinary(desc, jsonToMessage(desc, o));
  const unknown = toBinary(UnknownSchema, create(UnknownSchema, { typeMeta: { apiVersion, kind }, raw }));
  return Buffer.concat([MAGIC, unknown]);
}

/**
 * A protobuf request body as the JSON object kube-apiserver would hold after decoding it:
 * kind and apiVersion from the envelope, a served kind's fields as Go encodes its struct.
 */
export function decodeObject(body: Uint8Array): JsonObject {
  if (body.length < MAGIC.length || !MAGIC.equals(body.subarray(0, MAGIC.length))) {
    throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${[...MAGIC].join(' ')}]`);
  }
  let unknown;
  try {
    unknown = fromBinary(UnknownSchema, body.subarray(MAGIC.length));
  } catch (e) {
    throw badRequest(`the request body could not be decoded: ${(e as Error).message}`);
  }
  const apiVersion = unknown.typeMeta?.apiVersion ?? '';
  const kind = unknown.typeMeta?.kind ?? '';
  if (unknown.contentEncoding || (unknown.contentType && unknown.contentType !== PROTOBUF)) {
    throw new ApiError(415, 'UnsupportedMediaType', `unsupported embedded content: ${unknown.contentType} ${unknown.contentEncoding}`.trim());
  }
  const desc = messageFor(apiVersion, kind);
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/', 2) : ['', apiVersion];
  if (!desc) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}" in scheme "k8s.io/kubernetes/pkg/api/legacyscheme/scheme.go:30"`);
  let fields: JsonObject;
  try {
    fields = messageToJson(desc, fromBinary(desc, unknown.raw));
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw badRequest(`the request body could not be decoded: ${(e as Error).message}`);
  }
  const o: JsonObject = { kind, apiVersion, ...fields };
  const root = `${group ? `${group}/` : ''}${version}/${kind}`;
  if (API_ROOTS[root]) return goRoundTrip(root, o);
  // A list's items are its kind's structs (without TypeMeta, as upstream's JSON lists have them).
  const itemRoot = root.replace(/List$/, '');
  if (root.endsWith('List') && API_ROOTS[itemRoot]) o.items = arr(o.items).map((i) => goRoundTrip(itemRoot, isObject(i) ? i : {}));
  return o;
}

/** One frame of a protobuf watch stream: the length-prefixed WatchEvent, its object encoded as above. */
export function encodeWatchEvent(type: string, object: JsonObject): Buffer | undefined {
  const encoded = encodeObject(object);
  if (!encoded) return undefined;
  const payload = toBinary(WatchEventSchema, create(WatchEventSchema, { type, object: { raw: encoded } }));
  const size = Buffer.alloc(4);
  size.writeUInt32BE(payload.length);
  return Buffer.concat([size, payload]);
}

/** Reads a protobuf watch stream's frames back into events (for clients of the reference and its tests). */
export function decodeWatchFrames(stream: Buffer): { events: Array<{ type: string; object: JsonObject }>; rest: Buffer } {
  const events: Array<{ type: string; object: JsonObject }> = [];
  let at = 0;
  while (stream.length - at >= 4) {
    const size = stream.readUInt32BE(at);
    if (stream.length - at - 4 < size) break;
    const ev = fromBinary(WatchEventSchema, stream.subarray(at + 4, at + 4 + size));
    const object = ev.object?.raw?.length ? decodeObject(ev.object.raw) : {};
    events.push({ type: ev.type, object: isObject(object) ? object : {} });
    at += 4 + size;
  }
  return { events, rest: stream.subarray(at) };
}

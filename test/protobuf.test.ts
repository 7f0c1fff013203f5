/**
 * application/vnd.kubernetes.protobuf on the reference API server (reference/apiserver/protobuf/):
 * the message definitions against the Go struct tables, round trips of every served kind as
 * the plane stores it, negotiation, and create/get/list/watch/errors over raw HTTP.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { API_ROOTS, API_TYPES } from '../reference/apiserver/api-types.generated.ts';
import { isObject, type JsonObject, type JsonValue } from '../reference/apiserver/json.ts';
import { groupVersion, KINDS } from '../reference/apiserver/kinds/index.ts';
import { negotiateOutput, parseAccept } from '../reference/apiserver/negotiation.ts';
import { decodeObject, decodeWatchFrames, encodeObject, encodeWatchEvent, messageFor, PROTOBUF, PROTOBUF_WATCH } from '../reference/apiserver/protobuf/codec.ts';
import { INLINE_FIELDS, formatRfc3339, parseRfc3339 } from '../reference/apiserver/protobuf/convert.ts';
import { startReferenceControlPlane, type ReferenceControlPlane } from '../reference/index.ts';

const goTypeMessage = (goType: string) => {
  const [pkg, version, name] = goType.split('.') as [string, string, string];
  return pkg === 'meta' ? messageFor('meta.k8s.io/v1', name) : messageFor(pkg === 'core' ? version : `${pkg}.k8s.io/${version}`, name);
};

describe('protobuf messages', () => {
  test('every served kind and its list have a message', () => {
    for (const k of KINDS) {
      assert.ok(messageFor(groupVersion(k), k.kind), `${groupVersion(k)} ${k.kind}`);
      assert.ok(messageFor(groupVersion(k), `${k.kind}List`), `${groupVersion(k)} ${k.kind}List`);
    }
    for (const kind of ['Status', 'DeleteOptions', 'WatchEvent']) assert.ok(messageFor('v1', kind), kind);
    assert.ok(messageFor('policy/v1', 'Eviction'));
  });

  test("a message's fields are its Go struct's JSON fields, except the inline structs INLINE_FIELDS names", () => {
    const inline: string[] = [];
    for (const [goType, fields] of Object.entries(API_TYPES)) {
      const desc = goTypeMessage(goType);
      assert.ok(desc, `no message for ${goType}`);
      const protoNames = new Set(desc.fields.map((f) => f.name));
      const inlined = desc.fields.filter((f) => !(f.name in fields));
      inline.push(...inlined.map((f) => `${desc.typeName}.${f.name}`));
      // The JSON fields missing from the message are exactly those of its inline structs (and TypeMeta).
      const fromInline = new Set(inlined.flatMap((f) => f.message!.fields.map((g) => g.name)));
      for (const k of Object.keys(fields)) {
        if (k === 'kind' || k === 'apiVersion') continue;
        assert.ok(protoNames.has(k) || fromInline.has(k), `${goType}.${k} is in no proto field`);
      }
    }
    assert.deepEqual(inline.sort(), [...INLINE_FIELDS].sort());
  });
});

describe('protobuf conversion', () => {
  test('RFC3339 times as Go writes them: seconds for Time, microseconds for MicroTime, UTC', () => {
    const t = parseRfc3339('2026-12-05T08:15:16.123456789+01:00')!;
    assert.equal(t.seconds, BigInt(Date.UTC(2026, 11, 5, 7, 15, 16) / 1000));
    assert.equal(t.nanos, 123456789);
    assert.equal(formatRfc3339(t.seconds), '2026-12-05T07:15:16Z');
    assert.equal(formatRfc3339(t.seconds, 123456), '2026-12-05T07:15:16.123456Z');
    assert.equal(parseRfc3339('yesterday'), undefined);
  });

  test('special types: int-or-string, quantities, raw extensions, bytes, maps, nil times, inline volume sources', () => {
    const cm = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: null }, data: { a: 'x' }, binaryData: { b: Buffer.from([0, 1, 255]).toString('base64') } };
    // A nil creationTimestamp (omitzero in ObjectMeta) is left out, as Go's JSON leaves it out.
    assert.deepEqual(decodeObject(encodeObject(cm)!), { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c' }, data: { a: 'x' }, binaryData: { b: 'AAH/' } });
    const cr = { kind: 'ControllerRevision', apiVersion: 'apps/v1', metadata: { name: 'r', creationTimestamp: '2026-01-02T03:04:05Z' }, data: { spec: { template: { $patch: 'replace' } } }, revision: 3 };
    assert.deepEqual(decodeObject(encodeObject(cr)!), cr);
    const sts = {
      kind: 'StatefulSet',
      apiVersion: 'apps/v1',
      metadata: { name: 's' },
      spec: {
        replicas: 0,
        selector: { matchLabels: { a: 'b' } },
        serviceName: '',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: '50%' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: {
            containers: [
              {
                name: 'c',
                resources: { limits: { cpu: '1500m' }, requests: { memory: '1Gi' } },
                readinessProbe: { httpGet: { path: '/', port: 'http', scheme: 'HTTP' }, periodSeconds: 10 },
                ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }],
              },
            ],
            volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }, { name: 'e', emptyDir: { sizeLimit: '1Mi' } }],
          },
        },
      },
      status: { replicas: 0, availableReplicas: 0 },
    };
    const back = decodeObject(encodeObject(sts)!);
    assert.deepEqual(back, sts);
    // The pointer replicas: 0 survives (it is set); an IntOrString keeps its type.
    assert.equal((back.spec as JsonObject).replicas, 0);
  });

  test('a body without the k8s\\0 prefix, or of a kind without a message, is a 400', () => {
    assert.throws(() => decodeObject(Buffer.from('{"kind":"Pod"}')), /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/);
    const table = encodeObject({ kind: 'Table', apiVersion: 'meta.k8s.io/v1' });
    assert.equal(table, undefined);
  });

  test('watch frames are 4-byte big-endian lengths around WatchEvents', () => {
    const frame = encodeWatchEvent('ADDED', { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n' }, spec: {}, status: { phase: 'Active' } })!;
    assert.equal(frame.readUInt32BE(0), frame.length - 4);
    const { events, rest } = decodeWatchFrames(Buffer.concat([frame, frame.subarray(0, 3)]));
    assert.equal(rest.length, 3);
    assert.deepEqual(events, [{ type: 'ADDED', object: { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'n' }, spec: {}, status: { phase: 'Active' } } }]);
  });
});

describe('Accept negotiation', () => {
  test('as kube-apiserver: q-values first, then concrete before wildcard; JSON without a header', () => {
    assert.equal(negotiateOutput(undefined), 'json');
    assert.equal(negotiateOutput('application/vnd.kubernetes.protobuf,application/json'), 'protobuf');
    assert.equal(negotiateOutput('application/vnd.kubernetes.protobuf, application/json'), 'protobuf');
    assert.equal(negotiateOutput('application/json, application/vnd.kubernetes.protobuf'), 'json');
    assert.equal(negotiateOutput('application/vnd.kubernetes.protobuf;q=0.5, application/json'), 'json');
    assert.equal(negotiateOutput('application/json;q=0.5, application/vnd.kubernetes.protobuf'), 'protobuf');
    assert.equal(negotiateOutput('*/*, application/vnd.kubernetes.protobuf'), 'protobuf');
    assert.equal(negotiateOutput('*/*'), 'json');
    assert.equal(negotiateOutput('application/*'), 'json');
    assert.equal(negotiateOutput('text/html'), undefined);
    assert.deepEqual(
      parseAccept('a/b;q=0.2;x=y, c/*').map((c) => [c.type, c.subType, c.q, c.params]),
      [
        ['c', '*', 1, {}],
        ['a', 'b', 0.2, { x: 'y' }],
      ],
    );
  });
});

describe('protobuf over HTTP on the reference plane', () => {
  let plane: ReferenceControlPlane;
  const call = async (method: string, path: string, init: { body?: Buffer | string; type?: string; accept?: string } = {}) => {
    const res = await fetch(plane.url + path, {
      method,
      headers: { Accept: init.accept ?? PROTOBUF, ...(init.body !== undefined ? { 'Content-Type': init.type ?? PROTOBUF } : {}) },
      body: init.body === undefined ? undefined : new Uint8Array(Buffer.from(init.body)),
    });
    return { status: res.status, type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
  };
  const getJson = async (path: string): Promise<JsonObject> => (await (await fetch(plane.url + path)).json()) as JsonObject;

  before(async () => {
    plane = await startReferenceControlPlane({ nodes: 2 });
  });
  after(async () => plane?.stop());

  test('create, get, list and watch a StatefulSet and its pods in protobuf', async () => {
    const watch = await fetch(`${plane.url}/api/v1/namespaces/pb/pods?watch=true`, { headers: { Accept: `${PROTOBUF}, application/json` } });
    assert.equal(watch.headers.get('content-type'), PROTOBUF_WATCH);

    const ns = await call('POST', '/api/v1/namespaces', { body: encodeObject({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'pb' } }) });
    assert.equal(ns.status, 201);
    assert.equal(ns.type, PROTOBUF);
    assert.equal((decodeObject(ns.bytes).metadata as JsonObject).name, 'pb');

    const svc = { kind: 'Service', apiVersion: 'v1', metadata: { name: 'web' }, spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 80, targetPort: 'http' }] } };
    const service = await call('POST', '/api/v1/namespaces/pb/services', { body: encodeObject(svc) });
    assert.equal(service.status, 201, service.bytes.toString());
    assert.equal(((decodeObject(service.bytes).spec as JsonObject).ports as JsonObject[])[0]!.targetPort, 'http');

    const sts = {
      kind: 'StatefulSet',
      apiVersion: 'apps/v1',
      metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 2,
        serviceName: 'web',
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'web' } },
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'c', image: 'busybox', resources: { requests: { cpu: '100m', memory: '64Mi' } } }] },
        },
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      },
    };
    const created = await call('POST', '/apis/apps/v1/namespaces/pb/statefulsets', { body: encodeObject(sts) });
    assert.equal(created.status, 201, created.bytes.toString());
    const fromProtobuf = decodeObject(created.bytes);
    // What a protobuf client created is stored exactly as the same JSON create would store it.
    const stored = await getJson('/apis/apps/v1/namespaces/pb/statefulsets/web');
    assert.deepEqual(withoutTemplateTypeMeta(fromProtobuf), withoutTemplateTypeMeta(stored));
    assert.equal(((stored.spec as JsonObject).updateStrategy as JsonObject).rollingUpdate && (((stored.spec as JsonObject).updateStrategy as JsonObject).rollingUpdate as JsonObject).maxUnavailable, '50%');

    const got = await call('GET', '/apis/apps/v1/namespaces/pb/statefulsets/web');
    assert.equal(got.status, 200);
    assert.deepEqual(decodeObject(got.bytes), fromProtobuf);

    // Events until both pods run, from the protobuf watch opened before the namespace existed.
    const running = new Set<string>();
    const seen: string[] = [];
    const reader = watch.body!.getReader();
    let buffer = Buffer.alloc(0);
    const deadline = Date.now() + 30_000;
    while (running.size < 2) {
      assert.ok(Date.now() < deadline, `pods not Running within 30 s; events: ${seen.join(', ')}`);
      const { value, done } = await reader.read();
      assert.ok(!done, 'watch ended');
      const { events, rest } = decodeWatchFrames(Buffer.concat([new Uint8Array(buffer), value]));
      buffer = Buffer.from(rest);
      for (const ev of events) {
        const name = String((ev.object.metadata as JsonObject).name);
        const phase = String((ev.object.status as JsonObject | undefined)?.phase);
        seen.push(`${ev.type} ${name} ${phase}`);
        assert.equal(ev.object.kind, 'Pod');
        if (phase === 'Running') running.add(name);
      }
    }
    await reader.cancel();
    assert.deepEqual([...running].sort(), ['web-0', 'web-1']);

    // A Deployment as `kubectl create deployment` sends it: stored with SetDefaults_Deployment's values.
    const deployment = {
      kind: 'Deployment',
      apiVersion: 'apps/v1',
      metadata: { name: 'd', labels: { app: 'd' } },
      spec: { replicas: 1, selector: { matchLabels: { app: 'd' } }, template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'busybox', image: 'busybox' }] } } },
    };
    const dep = await call('POST', '/apis/apps/v1/namespaces/pb/deployments', { body: encodeObject(deployment) });
    assert.equal(dep.status, 201, dep.bytes.toString());
    const depSpec = decodeObject(dep.bytes).spec as JsonObject;
    assert.deepEqual([depSpec.strategy, depSpec.revisionHistoryLimit, depSpec.progressDeadlineSeconds], [{ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } }, 10, 600]);

    const list = await call('GET', '/api/v1/namespaces/pb/pods?labelSelector=app%3Dweb');
    assert.equal(list.status, 200);
    const pods = decodeObject(list.bytes);
    assert.equal(pods.kind, 'PodList');
    const jsonList = await getJson('/api/v1/namespaces/pb/pods?labelSelector=app%3Dweb');
    assert.equal((pods.metadata as JsonObject).resourceVersion, (jsonList.metadata as JsonObject).resourceVersion);
    assert.deepEqual((pods.items as JsonObject[]).map(stripTypeMeta).map(goTimes), (jsonList.items as JsonObject[]).map(stripTypeMeta).map(goTimes));
  });

  test('every kind the plane holds round-trips: protobuf decodes to the stored JSON, as Go writes it', async () => {
    for (const k of KINDS) {
      const path = `/${k.group ? 'apis' : 'api'}/${groupVersion(k)}/${k.resource}`;
      const list = await getJson(path);
      const items = list.items as JsonObject[];
      assert.ok(items.length > 0, `the plane holds no ${k.resource}`);
      const root = `${groupVersion(k)}/${k.kind}`;
      assert.ok(API_ROOTS[root], root);
      for (const item of items) {
        const o = { ...item, kind: k.kind, apiVersion: groupVersion(k) };
        assert.deepEqual(withoutTemplateTypeMeta(decodeObject(encodeObject(o)!)), withoutTemplateTypeMeta(nilSlices(goTimes(o))) as JsonObject, `${root} ${JSON.stringify(item.metadata)}`);
      }
      // A protobuf GET of the list says the same.
      const pb = await call('GET', path);
      assert.equal(pb.type, PROTOBUF, path);
      const decoded = decodeObject(pb.bytes);
      assert.equal(decoded.kind, `${k.kind}List`);
      assert.equal((decoded.items as JsonObject[]).length, items.length, path);
    }
  });

  test('errors are protobuf Status objects; JSON when asked so; a body without the magic is a 400; a duplicate a 409', async () => {
    const missing = await call('GET', '/api/v1/namespaces/pb/pods/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.type, PROTOBUF);
    const status = decodeObject(missing.bytes);
    assert.deepEqual([status.kind, status.status, status.reason, status.code, status.message], ['Status', 'Failure', 'NotFound', 404, 'pods "nope" not found']);
    assert.deepEqual([(status.details as JsonObject).name, (status.details as JsonObject).kind], ['nope', 'pods']);

    const json = await call('GET', '/api/v1/namespaces/pb/pods/nope', { accept: 'application/vnd.kubernetes.protobuf;q=0.1, application/json' });
    assert.equal(json.type, 'application/json');
    assert.equal(JSON.parse(json.bytes.toString()).reason, 'NotFound');

    const garbage = await call('POST', '/api/v1/namespaces/pb/configmaps', { body: Buffer.from('{"kind":"ConfigMap"}') });
    assert.equal(garbage.status, 400);
    assert.match(String(decodeObject(garbage.bytes).message), /expected prefix \[107 56 115 0\]/);

    const conflict = await call('POST', '/api/v1/namespaces', { body: encodeObject({ kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'pb' } }) });
    assert.equal(conflict.status, 409);
    assert.equal(decodeObject(conflict.bytes).reason, 'AlreadyExists');
  });
});

/**
 * Protobuf has no empty list distinct from none: an empty slice decodes as nil, which a field
 * without omitempty writes as null (upstream, which stores protobuf in etcd, serves
 * EndpointSlice `ports: null` so).
 */
function nilSlices<T extends JsonValue>(v: T): T {
  if (Array.isArray(v)) return (v.length ? v.map(nilSlices) : null) as T;
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === undefined ? x : nilSlices(x)])) as T;
  return v;
}

function stripTypeMeta(o: JsonObject): JsonObject {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return rest;
}

/**
 * What protobuf can carry: the TypeMeta of embedded objects (claim templates) has no field in
 * the message (upstream's apps/v1 conversion sets it again on the way out as JSON).
 */
function withoutTemplateTypeMeta(o: JsonObject): JsonObject {
  const copy = JSON.parse(JSON.stringify(o)) as JsonObject;
  const templates = (copy.spec as JsonObject | undefined)?.volumeClaimTemplates;
  if (Array.isArray(templates)) for (const t of templates) if (isObject(t)) delete t.kind, delete t.apiVersion;
  return copy;
}

/**
 * metav1.Time is whole seconds in Go's JSON; the reference's components write some times with
 * milliseconds, which protobuf (like upstream's JSON) truncates.
 */
function goTimes<T extends JsonValue>(v: T): T {
  if (typeof v === 'string') return (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(v) ? `${v.slice(0, 19)}Z` : v) as T;
  if (Array.isArray(v)) return v.map(goTimes) as T;
  if (isObject(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, x === undefined ? x : goTimes(x)])) as T;
  return v;
}


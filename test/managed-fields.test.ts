/**
 * managedFields and server-side apply (issue 11, item 5), against the reference API server over
 * HTTP: what kube-apiserver v1.37.2 records and answers (its field manager and
 * structured-merge-diff v6): Update entries per (manager, operation, subresource) with fieldsV1 in
 * upstream's format, the manager from fieldManager or the User-Agent, apply conflicts (409 with
 * upstream's message and causes), --force-conflicts, removal of fields an applier dropped,
 * ownership moving on update, keyed lists, the status subresource, kubectl's last-applied
 * configuration. Plus the field-set and merge primitives on their own.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FieldSet, pathString } from '../reference/apiserver/managed-fields/fieldset.ts';
import { managerOf } from '../reference/apiserver/managed-fields/manager.ts';
import { rootType } from '../reference/apiserver/managed-fields/schema.ts';
import { compare, merge, toFieldSet } from '../reference/apiserver/managed-fields/typed.ts';
import { startTestServer, statefulSet, type TestServer } from './apiserver-helpers.ts';

let t: TestServer;
const ns = 'mf';
before(async () => {
  t = await startTestServer();
  await t.core.createNamespace({ body: { metadata: { name: ns } } });
});
after(() => t.api.close());

const base = `/apis/apps/v1/namespaces/${ns}/statefulsets`;
const cms = `/api/v1/namespaces/${ns}/configmaps`;
const APPLY = { 'Content-Type': 'application/apply-patch+yaml' };
const MERGE = { 'Content-Type': 'application/merge-patch+json' };
const agent = (ua: string): Record<string, string> => ({ 'User-Agent': ua });

type Entry = { manager: string; operation: string; apiVersion: string; time?: string; fieldsType: string; fieldsV1: Record<string, unknown>; subresource?: string };
const entries = (o: { metadata: { managedFields?: Entry[] } }): Entry[] => o.metadata.managedFields ?? [];
const summary = (o: { metadata: { managedFields?: Entry[] } }): string[] => entries(o).map((e) => `${e.manager} ${e.operation}${e.subresource ? ` ${e.subresource}` : ''}`);
const fieldsOf = (o: { metadata: { managedFields?: Entry[] } }, manager: string, operation = 'Update'): Record<string, unknown> | undefined =>
  entries(o).find((e) => e.manager === manager && e.operation === operation && !e.subresource)?.fieldsV1;

const stsConfig = (name: string, spec: Record<string, unknown>): Record<string, unknown> => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name }, spec });
const baseSpec = (name: string, image = 'nginx:1'): Record<string, unknown> => ({
  serviceName: name,
  replicas: 1,
  selector: { matchLabels: { app: name } },
  template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image }] } },
});

describe('managedFields on ordinary writes', () => {
  it('a create records an Update entry for the User-Agent before its first "/", with upstream\'s fieldsV1', async () => {
    const r = await t.raw('POST', cms, { metadata: { name: 'ua', labels: { a: 'x' } }, data: { k: 'v' } }, agent('kubectl-create/v1.37.2 (linux/amd64) kubernetes/abc'));
    assert.equal(r.status, 201);
    assert.deepEqual(entries(r.body).map(({ time, ...e }) => e), [
      {
        manager: 'kubectl-create',
        operation: 'Update',
        apiVersion: 'v1',
        fieldsType: 'FieldsV1',
        fieldsV1: { 'f:data': { '.': {}, 'f:k': {} }, 'f:metadata': { 'f:labels': { '.': {}, 'f:a': {} } } },
      },
    ]);
    assert.match(entries(r.body)[0]!.time!, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/, 'second precision');
  });

  it('fieldManager wins over the User-Agent; writes by one manager merge into its entry; a new manager takes over what it changed', async () => {
    await t.raw('POST', cms, { metadata: { name: 'owners' }, data: { a: '1', b: '2' } }, agent('first/1'));
    await t.raw('PATCH', `${cms}/owners?fieldManager=second`, { data: { b: '3' } }, { ...MERGE, ...agent('ignored/1') });
    const r = await t.raw('PATCH', `${cms}/owners?fieldManager=second`, { data: { c: '4' } }, MERGE);
    assert.deepEqual(summary(r.body), ['first Update', 'second Update']);
    assert.deepEqual(fieldsOf(r.body, 'first'), { 'f:data': { '.': {}, 'f:a': {} } });
    assert.deepEqual(fieldsOf(r.body, 'second'), { 'f:data': { 'f:b': {}, 'f:c': {} } });
    // Removing a field removes it from every owner; a manager left with nothing goes.
    const removed = await t.raw('PATCH', `${cms}/owners?fieldManager=third`, { data: { b: null, c: null } }, MERGE);
    assert.deepEqual(summary(removed.body), ['first Update']);
  });

  it('keyed lists are k:{…} by their keys (with the key\'s default), sets v:…; an object\'s status entry carries subresource: status', async () => {
    const sts = statefulSet('keyed', {
      template: { metadata: { labels: { app: 'keyed' } }, spec: { containers: [{ name: 'c', image: 'nginx:1', ports: [{ containerPort: 80 }] }] } },
    });
    const created = await t.raw('POST', `${base}?fieldManager=maker`, { ...sts, metadata: { name: 'keyed', finalizers: ['example.com/x'] } });
    assert.equal(created.status, 201);
    const f = fieldsOf(created.body, 'maker') as any;
    assert.deepEqual(Object.keys(f['f:spec']['f:template']['f:spec']['f:containers']), ['k:{"name":"c"}']);
    assert.ok(f['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"c"}']['f:ports']['k:{"containerPort":80,"protocol":"TCP"}']);
    assert.deepEqual(f['f:metadata']['f:finalizers'], { '.': {}, 'v:"example.com/x"': {} });
    assert.deepEqual(f['f:spec']['f:selector'], {}, 'a LabelSelector is an atomic map');
    assert.equal(f['f:status'], undefined, 'status is reset on the main resource');

    const status = { ...created.body, status: { replicas: 0, availableReplicas: 0, observedGeneration: 1 } };
    const s = await t.raw('PUT', `${base}/keyed/status`, status, agent('kube-controller-manager/v1.37.2 (linux/amd64) kubernetes/abc/statefulset-controller'));
    assert.equal(s.status, 200);
    assert.deepEqual(summary(s.body).sort(), ['kube-controller-manager Update status', 'maker Update']);
    assert.deepEqual(entries(s.body).find((e) => e.subresource === 'status')!.fieldsV1, { 'f:status': { 'f:observedGeneration': {} } });
  });

  it('a write that changes nothing keeps the entries (and their times) as they are', async () => {
    const created = await t.raw('POST', cms, { metadata: { name: 'noop' }, data: { a: '1' } }, agent('w/1'));
    const again = await t.raw('PATCH', `${cms}/noop`, { data: { a: '1' } }, { ...MERGE, ...agent('w/1') });
    assert.equal(again.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    assert.deepEqual(again.body.metadata.managedFields, created.body.metadata.managedFields);
  });

  it('an update may replace the entries (a client migrating them); [] resets them', async () => {
    const created = await t.raw('POST', cms, { metadata: { name: 'sent' }, data: { a: '1' } }, agent('w/1'));
    const mine = { ...created.body, metadata: { ...created.body.metadata, managedFields: [{ ...entries(created.body)[0]!, manager: 'renamed' }] } };
    const r = await t.raw('PUT', `${cms}/sent`, mine, agent('w/1'));
    assert.deepEqual(summary(r.body), ['renamed Update']);
    const reset = await t.raw('PUT', `${cms}/sent`, { ...r.body, metadata: { ...r.body.metadata, managedFields: [] } }, agent('w/1'));
    assert.equal(reset.body.metadata.managedFields, undefined, 'an existing object without entries is not tracked by updates');
  });
});

describe('server-side apply', () => {
  it('conflicts with the update manager of a field it changes (409, upstream\'s message and causes); --force-conflicts takes it over', async () => {
    await t.raw('POST', `${base}?fieldManager=kubectl-client-side-apply`, { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web' }, spec: baseSpec('web') });
    await t.raw('PATCH', `${base}/web?fieldManager=kubectl-set`, [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'nginx:2' }], { 'Content-Type': 'application/json-patch+json' });
    const conflict = await t.raw('PATCH', `${base}/web?fieldManager=kubectl`, stsConfig('web', { ...baseSpec('web', 'nginx:3'), replicas: 3 }), APPLY);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.reason, 'Conflict');
    assert.equal(
      conflict.body.message,
      'Apply failed with 2 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:\n- .spec.replicas\nconflicts with "kubectl-set" using apps/v1:\n- .spec.template.spec.containers[name="c"].image',
    );
    assert.deepEqual(conflict.body.details.causes, [
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-client-side-apply" using apps/v1', field: '.spec.replicas' },
      { reason: 'FieldManagerConflict', message: 'conflict with "kubectl-set" using apps/v1', field: '.spec.template.spec.containers[name="c"].image' },
    ]);
    const unchanged = await t.raw('GET', `${base}/web`);
    assert.equal(unchanged.body.spec.replicas, 1);

    const forced = await t.raw('PATCH', `${base}/web?fieldManager=kubectl&force=true`, stsConfig('web', { ...baseSpec('web', 'nginx:3'), replicas: 3 }), APPLY);
    assert.equal(forced.status, 200);
    assert.equal(forced.body.spec.replicas, 3);
    assert.equal(forced.body.spec.template.spec.containers[0].image, 'nginx:3');
    assert.deepEqual(summary(forced.body), ['kubectl Apply', 'kubectl-client-side-apply Update'], 'kubectl-set owned only the image, so its entry went');
    const csa = fieldsOf(forced.body, 'kubectl-client-side-apply') as any;
    assert.equal(csa['f:spec']['f:replicas'], undefined, 'replicas moved to the applier');
    // Applying the same value co-owns without conflict.
    const coOwner = await t.raw('PATCH', `${base}/web?fieldManager=other`, stsConfig('web', { replicas: 3 }), APPLY);
    assert.equal(coOwner.status, 200);
    // An apply that changes nothing records no time, which sorts its entry first (as upstream's managedFieldsUpdater).
    assert.deepEqual(summary(coOwner.body), ['other Apply', 'kubectl Apply', 'kubectl-client-side-apply Update']);
    assert.equal(entries(coOwner.body)[0]!.time, undefined);
    assert.deepEqual(fieldsOf(coOwner.body, 'other', 'Apply'), { 'f:spec': { 'f:replicas': {} } });
  });

  it('fields an applier drops go when no other manager owns them, and stay when one does', async () => {
    const cm = (data: Record<string, string>, labels?: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dropped', ...(labels ? { labels } : {}) }, data });
    const first = await t.raw('PATCH', `${cms}/dropped?fieldManager=a`, cm({ x: '1', y: '2' }, { owned: 'yes' }), APPLY);
    assert.equal(first.status, 201);
    assert.deepEqual(summary(first.body), ['a Apply']);
    assert.deepEqual(fieldsOf(first.body, 'a', 'Apply'), { 'f:data': { 'f:x': {}, 'f:y': {} }, 'f:metadata': { 'f:labels': { 'f:owned': {} } } });
    await t.raw('PATCH', `${cms}/dropped?fieldManager=b`, cm({ y: '2' }), APPLY);
    const r = await t.raw('PATCH', `${cms}/dropped?fieldManager=a`, cm({}), APPLY);
    assert.deepEqual(r.body.data, { y: '2' }, 'x went; y stays, b owns it');
    assert.equal(r.body.metadata.labels, undefined, 'the label only a owned went');
  });

  it('kubectl\'s conflicts with what its last-applied configuration set, and the object still has, are not conflicts', async () => {
    const lastApplied = JSON.stringify({ apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'csa', namespace: ns }, spec: baseSpec('csa') });
    const obj = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'csa', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied } }, spec: baseSpec('csa') };
    await t.raw('POST', `${base}?fieldManager=kubectl-client-side-apply`, obj);
    // replicas and the image change, but their live values are still what last-applied set: no conflict
    // (only fields whose live value no longer is last-applied's are).
    const r = await t.raw('PATCH', `${base}/csa?fieldManager=kubectl`, stsConfig('csa', { ...baseSpec('csa', 'nginx:9'), replicas: 2 }), APPLY);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.spec.replicas, 2);
    const annotation = JSON.parse(r.body.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(annotation.spec.template.spec.containers[0].image, 'nginx:9', 'the annotation follows kubectl\'s apply');
    // Another manager gets no such pass.
    const other = await t.raw('PATCH', `${base}/csa?fieldManager=someone`, stsConfig('csa', { replicas: 5 }), APPLY);
    assert.equal(other.status, 409);
    assert.equal(other.body.message, 'Apply failed with 1 conflict: conflict with "kubectl": .spec.replicas');
  });

  it('the scale subresource takes spec.replicas over; its entry, mapped back to the StatefulSet, keeps no time', async () => {
    await t.raw('PATCH', `${base}/scaled?fieldManager=kubectl`, stsConfig('scaled', baseSpec('scaled')), APPLY);
    const r = await t.raw('PATCH', `${base}/scaled/scale`, { spec: { replicas: 2 } }, { ...MERGE, ...agent('kubectl/v1.37.2 (linux/amd64) kubernetes/abc') });
    assert.equal(r.status, 200);
    const sts = (await t.raw('GET', `${base}/scaled`)).body;
    const scale = entries(sts).find((e) => e.subresource === 'scale')!;
    assert.deepEqual(scale, { manager: 'kubectl', operation: 'Update', apiVersion: 'apps/v1', fieldsType: 'FieldsV1', fieldsV1: { 'f:spec': { 'f:replicas': {} } }, subresource: 'scale' });
    assert.equal((fieldsOf(sts, 'kubectl', 'Apply') as any)['f:spec']['f:replicas'], undefined);
    const conflict = await t.raw('PATCH', `${base}/scaled?fieldManager=kubectl`, stsConfig('scaled', baseSpec('scaled')), APPLY);
    assert.equal(conflict.status, 409);
    assert.equal(conflict.body.message, 'Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas');
  });

  it('apply requires a fieldManager; force is for apply only', async () => {
    const noManager = await t.raw('PATCH', `${cms}/dropped`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dropped' } }, APPLY);
    assert.equal(noManager.status, 422);
    assert.equal(noManager.body.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
    const force = await t.raw('PATCH', `${cms}/dropped?force=true`, { data: {} }, MERGE);
    assert.equal(force.status, 422);
    assert.equal(force.body.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
    const long = await t.raw('POST', `${cms}?fieldManager=${'m'.repeat(129)}`, { metadata: { name: 'long' } });
    assert.equal(long.status, 422);
    assert.equal(long.body.message, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes');
  });
});

describe('field sets and typed values', () => {
  const sts = rootType('apps/v1/StatefulSet')!;

  it('serialise as fieldsV1 in PathElement order, with "." for a node that is a member itself, and parse back', () => {
    const s = FieldSet.of([{ field: 'b' }], [{ field: 'b' }, { field: 'x' }], [{ field: 'a' }, { key: [['name', 'z']] }], [{ field: 'a' }, { value: 3 }], [{ field: 'a' }, { field: 'q' }]);
    const fields = s.toFields();
    assert.deepEqual(JSON.stringify(fields), '{"f:a":{"f:q":{},"k:{\\"name\\":\\"z\\"}":{},"v:3":{}},"f:b":{".":{},"f:x":{}}}');
    assert.deepEqual(FieldSet.fromFields(fields).toFields(), fields);
    assert.equal(pathString([{ field: 'spec' }, { field: 'ports' }, { key: [['port', 80], ['protocol', 'TCP']] }]), '.spec.ports[port=80,protocol="TCP"]');
  });

  it('compare and merge follow the list types: atomic lists replaced whole, keyed lists merged by key in the applied order', () => {
    const live = { spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '1' }] } }, volumeClaimTemplates: [{ metadata: { name: 'd' } }] } };
    const config = { spec: { template: { spec: { containers: [{ name: 'b', image: '2' }] } }, volumeClaimTemplates: [{ metadata: { name: 'e' } }] } };
    assert.deepEqual(merge(live, config, sts), {
      spec: { template: { spec: { containers: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }] } }, volumeClaimTemplates: [{ metadata: { name: 'e' } }] },
    });
    const c = compare(live, config, sts);
    assert.deepEqual(c.modified.paths().map(pathString), ['.spec.volumeClaimTemplates', '.spec.template.spec.containers[name="b"].image']);
    assert.deepEqual(c.removed.paths().map(pathString), [
      '.spec.template.spec.containers[name="a"]',
      '.spec.template.spec.containers[name="a"].image',
      '.spec.template.spec.containers[name="a"].name',
    ]);
    assert.deepEqual(toFieldSet(config, sts).paths().map(pathString), [
      '.spec.volumeClaimTemplates',
      '.spec.template.spec.containers[name="b"]',
      '.spec.template.spec.containers[name="b"].image',
      '.spec.template.spec.containers[name="b"].name',
    ]);
  });

  it('the manager is the User-Agent up to its first "/", unprintable characters dropped', () => {
    assert.equal(managerOf(null, 'kubectl/v1.37.2 (linux/amd64) kubernetes/abc'), 'kubectl');
    assert.equal(managerOf('mine', 'kubectl/v1.37.2'), 'mine');
    assert.equal(managerOf(undefined, 'a\u0007b/1'), 'ab');
  });
});

/** Reference API server: CRUD, defaults, validation, selectors, paging, patches, subresources. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { PatchStrategy, setHeaderOptions } from '@kubernetes/client-node';
import { pod, rejects, startTestServer, statefulSet, type TestServer } from './apiserver-helpers.ts';
import { readFeatureGates } from '../support/targets/feature-gates.ts';

let t: TestServer;
before(async () => {
  t = await startTestServer();
});
after(() => t.api.close());

const ns = 'default';
const merge = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
const strategic = setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch);
const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));

describe('pods', () => {
  it('defaults a new pod like kube-apiserver and starts it Pending', async () => {
    const p = await t.core.createNamespacedPod({ namespace: ns, body: pod('defaults') });
    assert.equal(p.status?.phase, 'Pending');
    assert.equal(p.spec?.restartPolicy, 'Always');
    assert.equal(p.spec?.terminationGracePeriodSeconds, 30);
    assert.equal(p.spec?.dnsPolicy, 'ClusterFirst');
    assert.equal(p.spec?.schedulerName, 'default-scheduler');
    assert.equal(p.spec?.containers[0]?.terminationMessagePath, '/dev/termination-log');
    assert.equal(p.spec?.containers[0]?.imagePullPolicy, 'IfNotPresent');
    assert.match(p.metadata?.uid ?? '', /^[0-9a-f-]{36}$/);
    assert.ok(p.metadata?.creationTimestamp instanceof Date);
    assert.match(p.metadata?.resourceVersion ?? '', /^\d+$/);
  });

  it('generates names from generateName', async () => {
    const p = await t.core.createNamespacedPod({ namespace: ns, body: { ...pod(''), metadata: { generateName: 'gen-' } } });
    assert.match(p.metadata?.name ?? '', /^gen-[a-z0-9]{5}$/);
  });

  it('answers NotFound and AlreadyExists with upstream Status objects', async () => {
    const missing = await rejects(t.core.readNamespacedPod({ namespace: ns, name: 'nope' }), 404);
    assert.equal(missing.message, 'pods "nope" not found');
    assert.equal(missing.reason, 'NotFound');
    assert.deepEqual(missing.details, { name: 'nope', group: '', kind: 'pods' });
    await t.core.createNamespacedPod({ namespace: ns, body: pod('dup') });
    const dup = await rejects(t.core.createNamespacedPod({ namespace: ns, body: pod('dup') }), 409);
    assert.equal(dup.reason, 'AlreadyExists');
    assert.equal(dup.message, 'pods "dup" already exists');
  });

  it('rejects invalid pods with 422 and field causes', async () => {
    const bad = { metadata: { name: 'Bad_Name', labels: { k: 'v'.repeat(64) } }, spec: { containers: [{ name: 'c' }] } };
    const s = await rejects(t.core.createNamespacedPod({ namespace: ns, body: bad as never }), 422);
    assert.equal(s.reason, 'Invalid');
    const fields = s.details.causes.map((c: { field: string }) => c.field);
    assert.ok(fields.includes('metadata.name'));
    assert.ok(fields.includes('spec.containers[0].image'));
    assert.ok(s.details.causes.some((c: { message: string }) => c.message.includes('must be no more than 63 characters')));
  });

  it('lets updates change images but not other spec fields', async () => {
    const p = await t.core.createNamespacedPod({ namespace: ns, body: pod('upd') });
    p.spec!.containers[0]!.image = 'busybox:1.37';
    const updated = await t.core.replaceNamespacedPod({ namespace: ns, name: 'upd', body: p });
    assert.equal(updated.spec?.containers[0]?.image, 'busybox:1.37');
    assert.equal(updated.metadata?.generation, 2);
    updated.spec!.containers[0]!.name = 'renamed';
    const s = await rejects(t.core.replaceNamespacedPod({ namespace: ns, name: 'upd', body: updated }), 422);
    assert.match(s.message, /spec: Forbidden: pod updates may not change fields other than/);
  });

  it('returns 409 Conflict for a stale resourceVersion and accepts an unconditional update', async () => {
    const p = await t.core.createNamespacedPod({ namespace: ns, body: pod('cas') });
    await t.core.patchNamespacedPod({ namespace: ns, name: 'cas', body: { metadata: { labels: { a: 'b' } } } }, merge);
    const s = await rejects(t.core.replaceNamespacedPod({ namespace: ns, name: 'cas', body: p }), 409);
    assert.equal(s.reason, 'Conflict');
    assert.equal(s.message, 'Operation cannot be fulfilled on pods "cas": the object has been modified; please apply your changes to the latest version and try again');
    delete p.metadata!.resourceVersion;
    const ok = await t.core.replaceNamespacedPod({ namespace: ns, name: 'cas', body: p });
    assert.equal(ok.metadata?.labels?.a, undefined);
  });

  it('binds a pod to a node through pods/binding once', async () => {
    await t.core.createNamespacedPod({ namespace: ns, body: pod('bindme') });
    await t.core.createNamespacedPodBinding({ namespace: ns, name: 'bindme', body: { metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'node-1' } } });
    const p = await t.core.readNamespacedPod({ namespace: ns, name: 'bindme' });
    assert.equal(p.spec?.nodeName, 'node-1');
    assert.equal(p.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status, 'True');
    const s = await rejects(
      t.core.createNamespacedPodBinding({ namespace: ns, name: 'bindme', body: { metadata: { name: 'bindme' }, target: { kind: 'Node', name: 'node-2' } } }),
      409,
    );
    assert.match(s.message, /already assigned to node "node-1"/);
  });

  it('keeps spec on status writes and status on main writes', async () => {
    const p = await t.core.createNamespacedPod({ namespace: ns, body: pod('st') });
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
    p.spec!.containers[0]!.image = 'changed';
    const s = await t.core.replaceNamespacedPodStatus({ namespace: ns, name: 'st', body: p });
    assert.equal(s.status?.phase, 'Running');
    assert.equal(s.spec?.containers[0]?.image, 'busybox:1.36');
    s.status = { phase: 'Failed' };
    const m = await t.core.replaceNamespacedPod({ namespace: ns, name: 'st', body: s });
    assert.equal(m.status?.phase, 'Running');
  });
});

describe('selectors and paging', () => {
  before(async () => {
    await t.core.createNamespace({ body: { metadata: { name: 'sel' } } });
    const specs: Array<[string, Record<string, string>]> = [
      ['a', { app: 'web', tier: 'front' }],
      ['b', { app: 'web', tier: 'back' }],
      ['c', { app: 'db' }],
      ['d', {}],
    ];
    for (const [name, labels] of specs) await t.core.createNamespacedPod({ namespace: 'sel', body: pod(name, labels) });
    await t.core.createNamespacedPodBinding({ namespace: 'sel', name: 'a', body: { metadata: { name: 'a' }, target: { name: 'n1' } } });
  });

  const names = async (labelSelector?: string, fieldSelector?: string) =>
    (await t.core.listNamespacedPod({ namespace: 'sel', labelSelector, fieldSelector })).items.map((p) => p.metadata?.name).join(',');

  it('supports the full label selector syntax', async () => {
    assert.equal(await names('app=web'), 'a,b');
    assert.equal(await names('app==web,tier!=back'), 'a');
    assert.equal(await names('app in (db, web)'), 'a,b,c');
    assert.equal(await names('app notin (web)'), 'c,d');
    assert.equal(await names('tier'), 'a,b');
    assert.equal(await names('!app'), 'd');
    assert.equal(await names('app,!tier'), 'c');
  });

  it('rejects malformed label selectors with 400', async () => {
    const s = await rejects(t.core.listNamespacedPod({ namespace: 'sel', labelSelector: 'app in (web' }), 400);
    assert.equal(s.reason, 'BadRequest');
    await rejects(t.core.listNamespacedPod({ namespace: 'sel', labelSelector: 'a b c' }), 400);
  });

  it('supports pod field selectors and rejects unknown fields', async () => {
    assert.equal(await names(undefined, 'spec.nodeName=n1'), 'a');
    assert.equal(await names(undefined, 'spec.nodeName!=n1,status.phase=Pending'), 'b,c,d');
    assert.equal(await names(undefined, 'metadata.name=c'), 'c');
    const s = await rejects(t.core.listNamespacedPod({ namespace: 'sel', fieldSelector: 'spec.bogus=1' }), 400);
    assert.match(s.message, /field label not supported: spec.bogus/);
  });

  it('lists across namespaces with a list resourceVersion', async () => {
    const all = await t.core.listPodForAllNamespaces({ labelSelector: 'app=web' });
    assert.deepEqual(all.items.map((p) => `${p.metadata?.namespace}/${p.metadata?.name}`), ['sel/a', 'sel/b']);
    assert.match(all.metadata?.resourceVersion ?? '', /^\d+$/);
  });

  it('pages with limit and continue', async () => {
    const first = await t.core.listNamespacedPod({ namespace: 'sel', limit: 3 });
    assert.equal(first.items.length, 3);
    assert.equal(first.metadata?.remainingItemCount, 1);
    const second = await t.core.listNamespacedPod({ namespace: 'sel', limit: 3, _continue: first.metadata?._continue });
    assert.deepEqual(second.items.map((p) => p.metadata?.name), ['d']);
    assert.equal(second.metadata?._continue, undefined);
  });
});

describe('statefulsets', () => {
  it('defaults as G-01 and resets status on create (G-02)', async () => {
    const body = statefulSet('defs');
    (body as { status?: unknown }).status = { replicas: 5, readyReplicas: 5 };
    const s = await t.apps.createNamespacedStatefulSet({ namespace: ns, body });
    assert.equal(s.spec?.replicas, 1);
    assert.equal(s.spec?.podManagementPolicy, 'OrderedReady');
    assert.equal(s.spec?.revisionHistoryLimit, 10);
    assert.deepEqual(plain(s.spec?.updateStrategy), { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } });
    assert.deepEqual(plain(s.spec?.persistentVolumeClaimRetentionPolicy), { whenDeleted: 'Retain', whenScaled: 'Retain' });
    assert.equal(s.spec?.template.spec?.restartPolicy, 'Always');
    assert.equal(s.spec?.template.spec?.terminationGracePeriodSeconds, 30);
    assert.equal(s.metadata?.generation, 1);
    assert.equal(s.status?.readyReplicas, undefined);
    assert.equal(s.status?.replicas, 0);
  });

  it('leaves rollingUpdate nil when only the type is given', async () => {
    const s = await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('ru', { updateStrategy: { type: 'RollingUpdate' } }) });
    assert.deepEqual(plain(s.spec?.updateStrategy), { type: 'RollingUpdate' });
  });

  it('validates as G-04 with one cause per field', async () => {
    const body = statefulSet('bad', {
      replicas: -1,
      podManagementPolicy: 'Sometimes',
      updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: -2 } },
      persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Keep', whenScaled: 'Retain' },
      minReadySeconds: -1,
      ordinals: { start: -1 },
    });
    body.spec!.template.spec!.restartPolicy = 'Never';
    body.spec!.template.spec!.activeDeadlineSeconds = 10;
    body.spec!.template.metadata!.labels = { app: 'other' };
    const s = await rejects(t.apps.createNamespacedStatefulSet({ namespace: ns, body }), 422);
    const byField = Object.fromEntries(s.details.causes.map((c: { field: string; message: string }) => [c.field, c.message]));
    assert.equal(s.details.kind, 'StatefulSet');
    assert.equal(s.details.group, 'apps');
    assert.equal(byField['spec.replicas'], 'Invalid value: -1: must be greater than or equal to 0');
    assert.equal(byField['spec.minReadySeconds'], 'Invalid value: -1: must be greater than or equal to 0');
    assert.equal(byField['spec.ordinals.start'], 'Invalid value: -1: must be greater than or equal to 0');
    assert.match(byField['spec.podManagementPolicy'], /must be 'OrderedReady' or 'Parallel'/);
    assert.match(byField['spec.updateStrategy.rollingUpdate'], /only allowed for updateStrategy 'RollingUpdate'/);
    assert.match(byField['spec.persistentVolumeClaimRetentionPolicy.whenDeleted'], /^Unsupported value: "Keep": supported values: "Retain", "Delete"$/);
    assert.match(byField['spec.template.metadata.labels'], /`selector` does not match template `labels`/);
    assert.equal(byField['spec.template.spec.restartPolicy'], 'Unsupported value: "Never": supported values: "Always"');
    assert.equal(byField['spec.template.spec.activeDeadlineSeconds'], 'Forbidden: activeDeadlineSeconds in StatefulSet is not Supported');
    assert.match(s.message, /^StatefulSet\.apps "bad" is invalid: \[/);
  });

  it('validates the name, selector and maxUnavailable', async () => {
    const one = await rejects(t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('x', { replicas: -1 }) }), 422);
    assert.equal(one.message, 'StatefulSet.apps "x" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0');
    await rejects(t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('a.b') }), 422);
    const empty = await rejects(t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('e', { selector: {} }) }), 422);
    assert.match(empty.message, /empty selector is invalid for statefulset/);
    for (const mu of [0, '0%', '101%', 'x']) {
      const s = await rejects(
        t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('mu', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: mu as never } } }) }),
        422,
      );
      assert.equal(s.details.causes[0].field, 'spec.updateStrategy.rollingUpdate.maxUnavailable');
    }
    const word = await rejects(
      t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('mu', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 'x' as never } } }) }),
      422,
    );
    assert.deepEqual(
      word.details.causes.map((c: { message: string }) => c.message),
      [
        `Invalid value: "x": a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')`,
        'Invalid value: "x": cannot be 0',
      ],
    );
  });

  it('rejects updateStrategy Recreate while StatefulSetRecreateStrategy is off (1.37: alpha)', async () => {
    const s = await rejects(t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('rec', { updateStrategy: { type: 'Recreate' } }) }), 422);
    assert.equal(s.message, `StatefulSet.apps "rec" is invalid: spec.updateStrategy: Invalid value: {"Type":"Recreate","RollingUpdate":null}: must be 'RollingUpdate' or 'OnDelete'`);
    assert.deepEqual(s.details.causes, [
      { reason: 'FieldValueInvalid', message: `Invalid value: {"Type":"Recreate","RollingUpdate":null}: must be 'RollingUpdate' or 'OnDelete'`, field: 'spec.updateStrategy' },
    ]);
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('rec') });
    const upd = await rejects(t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'rec', body: { spec: { updateStrategy: { type: 'Recreate', rollingUpdate: null } } } }, merge), 422);
    assert.equal(upd.details.causes[0].field, 'spec.updateStrategy');
    const od = await rejects(
      t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('od', { updateStrategy: { type: 'OnDelete', rollingUpdate: { partition: 1 } } }) }),
      422,
    );
    assert.equal(od.details.causes[0].message, `Invalid value: {"Partition":1,"MaxUnavailable":null}: only allowed for updateStrategy 'RollingUpdate'`);
  });

  it('validates volumeClaimTemplates on create only', async () => {
    const s = await rejects(
      t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('vct', { volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: {} } }] }) }),
      422,
    );
    assert.deepEqual(
      s.details.causes.map((c: { field: string; message: string }) => `${c.field}: ${c.message}`),
      ['spec.volumeClaimTemplates[0].spec.accessModes: Required value: at least 1 access mode is required', 'spec.volumeClaimTemplates[0].spec.resources[storage]: Required value'],
    );
  });

  it('rejects updates to immutable fields one error per field (G-05, 1.37) and bumps generation only on spec changes (G-03)', async () => {
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('imm') });
    const labelled = await t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'imm', body: { metadata: { labels: { x: 'y' } } } }, merge);
    assert.equal(labelled.metadata?.generation, 1);
    const scaled = await t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'imm', body: { spec: { replicas: 3 } } }, merge);
    assert.equal(scaled.metadata?.generation, 2);
    const s = await rejects(t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'imm', body: { spec: { serviceName: 'other' } } }, merge), 422);
    assert.equal(s.message, `StatefulSet.apps "imm" is invalid: spec.serviceName: Invalid value: "other": field is immutable`);
    assert.deepEqual(s.details.causes, [{ reason: 'FieldValueInvalid', message: 'Invalid value: "other": field is immutable', field: 'spec.serviceName' }]);
    // An invalid new serviceName is only immutable (AllowInvalidServiceName on update).
    const bad = await rejects(t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'imm', body: { spec: { serviceName: 'Not_A_Label' } } }, merge), 422);
    assert.deepEqual(bad.details.causes.map((c: { field: string }) => c.field), ['spec.serviceName']);
    const after = await t.apps.readNamespacedStatefulSet({ namespace: ns, name: 'imm' });
    assert.equal(after.metadata?.resourceVersion, scaled.metadata?.resourceVersion);
  });

  it('reports each immutable field separately, in upstream order, with Go-rendered values (1.37)', async () => {
    const claim = (storage: string) => ({ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } } });
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('imm4', { volumeClaimTemplates: [claim('1Gi')] }) });
    const body = {
      spec: {
        serviceName: 'elsewhere',
        podManagementPolicy: 'Parallel',
        selector: { matchLabels: { app: 'imm4', extra: 'x' } },
        template: { metadata: { labels: { app: 'imm4', extra: 'x' } } },
        volumeClaimTemplates: [claim('2Gi')],
      },
    };
    const s = await rejects(t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'imm4', body }, merge), 422);
    const claimJson =
      '[{"name":"data","Spec":{"AccessModes":["ReadWriteOnce"],"Selector":null,"Resources":{"Limits":null,"Requests":{"storage":"2Gi"}},"VolumeName":"","StorageClassName":null,"VolumeMode":"Filesystem","DataSource":null,"DataSourceRef":null,"VolumeAttributesClassName":null},' +
      '"Status":{"Phase":"Pending","AccessModes":null,"Capacity":null,"Conditions":null,"AllocatedResources":null,"AllocatedResourceStatuses":null,"CurrentVolumeAttributesClassName":null,"ModifyVolumeStatus":null,"HealthStatus":null}}]';
    assert.deepEqual(s.details.causes, [
      { reason: 'FieldValueInvalid', message: 'Invalid value: {"matchLabels":{"app":"imm4","extra":"x"}}: field is immutable', field: 'spec.selector' },
      { reason: 'FieldValueInvalid', message: `Invalid value: ${claimJson}: field is immutable`, field: 'spec.volumeClaimTemplates' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "elsewhere": field is immutable', field: 'spec.serviceName' },
      { reason: 'FieldValueInvalid', message: 'Invalid value: "Parallel": field is immutable', field: 'spec.podManagementPolicy' },
    ]);
    assert.match(s.message, /^StatefulSet\.apps "imm4" is invalid: \[spec\.selector: Invalid value: .*field is immutable, spec\.volumeClaimTemplates: .*, spec\.podManagementPolicy: Invalid value: "Parallel": field is immutable\]$/);
    // Re-sending the same values (or an empty list for an absent one) is not a change.
    await t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'imm4', body: { spec: { serviceName: 'imm4', volumeClaimTemplates: [claim('1Gi')], replicas: 2 } } }, merge);
  });

  it('serves the status subresource (G-07, G-08)', async () => {
    const created = await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('stat') });
    const withStatus = await t.apps.patchNamespacedStatefulSetStatus(
      { namespace: ns, name: 'stat', body: { spec: { replicas: 9 }, status: { replicas: 1, readyReplicas: 1, availableReplicas: 1, collisionCount: 2, observedGeneration: 1 } } },
      merge,
    );
    assert.equal(withStatus.status?.readyReplicas, 1);
    assert.equal(withStatus.spec?.replicas, 1);
    assert.equal(withStatus.metadata?.generation, created.metadata?.generation);
    const tooMany = await rejects(t.apps.patchNamespacedStatefulSetStatus({ namespace: ns, name: 'stat', body: { status: { readyReplicas: 4 } } }, merge), 422);
    assert.equal(tooMany.details.causes[0].field, 'status.readyReplicas');
    const dec = await rejects(t.apps.patchNamespacedStatefulSetStatus({ namespace: ns, name: 'stat', body: { status: { collisionCount: 1 } } }, merge), 422);
    assert.match(dec.message, /status.collisionCount: Invalid value: 1: cannot be decremented/);
    const main = await t.apps.patchNamespacedStatefulSet({ namespace: ns, name: 'stat', body: { status: { replicas: 0 } } }, merge);
    assert.equal(main.status?.replicas, 1);
  });

  it('serves the scale subresource (G-09)', async () => {
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('scl') });
    const scale = await t.apps.readNamespacedStatefulSetScale({ namespace: ns, name: 'scl' });
    assert.equal(scale.spec?.replicas, 1);
    assert.equal(scale.status?.selector, 'app=scl');
    scale.spec = { replicas: 2 };
    assert.equal((await t.apps.replaceNamespacedStatefulSetScale({ namespace: ns, name: 'scl', body: scale })).spec?.replicas, 2);
    await t.apps.patchNamespacedStatefulSetScale({ namespace: ns, name: 'scl', body: { spec: { replicas: 4 } } }, merge);
    const sts = await t.apps.readNamespacedStatefulSet({ namespace: ns, name: 'scl' });
    assert.equal(sts.spec?.replicas, 4);
    assert.equal(sts.metadata?.generation, 3);
    const stale = await rejects(t.apps.replaceNamespacedStatefulSetScale({ namespace: ns, name: 'scl', body: scale }), 409);
    assert.equal(stale.reason, 'Conflict');
    await rejects(t.apps.patchNamespacedStatefulSetScale({ namespace: ns, name: 'scl', body: { spec: { replicas: -1 } } }, merge), 422);
  });

  it('warns about a negative revisionHistoryLimit (G-06)', async () => {
    const r = await t.raw('POST', `/apis/apps/v1/namespaces/${ns}/statefulsets`, statefulSet('neg', { revisionHistoryLimit: -1 }));
    assert.equal(r.status, 201);
    assert.equal(
      r.headers.get('warning'),
      '299 - "spec.revisionHistoryLimit: a negative value retains all historical revisions; a value >= 0 is recommended"',
    );
  });
});

describe('patch', () => {
  it('applies JSON patch (the typed client default)', async () => {
    await t.core.createNamespacedPod({ namespace: ns, body: pod('jp', { a: '1' }) });
    const p = await t.core.patchNamespacedPod({ namespace: ns, name: 'jp', body: [{ op: 'add', path: '/metadata/labels/b', value: '2' }, { op: 'remove', path: '/metadata/labels/a' }] });
    assert.deepEqual(p.metadata?.labels, { b: '2' });
    const before = p.metadata?.resourceVersion;
    await rejects(t.core.patchNamespacedPod({ namespace: ns, name: 'jp', body: [{ op: 'test', path: '/metadata/labels/b', value: 'x' }, { op: 'add', path: '/metadata/labels/c', value: '3' }] }), 422);
    const unchanged = await t.core.readNamespacedPod({ namespace: ns, name: 'jp' });
    assert.equal(unchanged.metadata?.resourceVersion, before);
  });

  it('merges strategic patches by patchMergeKey and handles directives', async () => {
    const base = statefulSet('smp');
    base.spec!.template.spec!.containers = [
      { name: 'a', image: 'a:1', env: [{ name: 'X', value: '1' }] },
      { name: 'b', image: 'b:1' },
      { name: 'c', image: 'c:1' },
    ];
    base.metadata!.finalizers = ['example.com/one', 'example.com/two'];
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: base });
    const s = await t.apps.patchNamespacedStatefulSet(
      {
        namespace: ns,
        name: 'smp',
        body: {
          metadata: { finalizers: ['example.com/three'], '$deleteFromPrimitiveList/finalizers': ['example.com/one'] },
          spec: {
            template: {
              spec: {
                '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }],
                containers: [{ name: 'a', env: [{ name: 'Y', value: '2' }] }, { name: 'b', image: 'b:2' }, { name: 'c', $patch: 'delete' }],
              },
            },
          },
        },
      },
      strategic,
    );
    const containers = s.spec?.template.spec?.containers ?? [];
    assert.deepEqual(containers.map((c) => `${c.name}=${c.image}`), ['a=a:1', 'b=b:2']);
    // Merged lists put the patch's items first, as upstream's normalizeElementOrder does.
    assert.deepEqual(containers[0]?.env?.map((e) => e.name), ['Y', 'X']);
    assert.deepEqual(s.metadata?.finalizers, ['example.com/three', 'example.com/two']);
    assert.equal(s.metadata?.generation, 2);
    const replaced = await t.apps.patchNamespacedStatefulSet(
      { namespace: ns, name: 'smp', body: { metadata: { finalizers: null }, spec: { template: { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z:1' }] } } } } },
      strategic,
    );
    assert.equal(replaced.metadata?.finalizers, undefined);
    assert.deepEqual(replaced.spec?.template.spec?.containers.map((c) => c.name), ['z']);
  });

  it('server-side apply creates when absent and merges when present', async () => {
    const ssa = setHeaderOptions('Content-Type', PatchStrategy.ServerSideApply);
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { a: '1' } };
    const created = await t.core.patchNamespacedConfigMap({ namespace: ns, name: 'applied', body: cm, fieldManager: 'test', force: true }, ssa);
    assert.deepEqual(created.data, { a: '1' });
    // Another manager's configuration merges; the same manager's drops what it no longer applies.
    const merged = await t.core.patchNamespacedConfigMap({ namespace: ns, name: 'applied', body: { ...cm, data: { b: '2' } }, fieldManager: 'other' }, ssa);
    assert.deepEqual(merged.data, { a: '1', b: '2' });
    const dropped = await t.core.patchNamespacedConfigMap({ namespace: ns, name: 'applied', body: { ...cm, data: { c: '3' } }, fieldManager: 'test' }, ssa);
    assert.deepEqual(dropped.data, { b: '2', c: '3' });
  });

  it('rejects unknown patch types with 415 and bad JSON with 400', async () => {
    await t.core.createNamespacedPod({ namespace: ns, body: pod('ptype') });
    const r = await t.raw('PATCH', `/api/v1/namespaces/${ns}/pods/ptype`, '{}', { 'Content-Type': 'text/plain' });
    assert.equal(r.status, 415);
    assert.equal(r.body.reason, 'UnsupportedMediaType');
    const bad = await t.raw('PATCH', `/api/v1/namespaces/${ns}/pods/ptype`, '{not json', { 'Content-Type': 'application/merge-patch+json' });
    assert.equal(bad.status, 400);
    const badCreate = await t.raw('POST', `/api/v1/namespaces/${ns}/pods`, '{"metadata": ');
    assert.equal(badCreate.status, 400);
  });

  // Found by the fuzzer (test/apiserver-fuzz.test.ts): both used to escape as internal errors.
  it('answers a self-referencing YAML alias and a malformed path escape with a plain 400', async () => {
    await t.core.createNamespacedPod({ namespace: ns, body: pod('alias') });
    const loop = await t.raw('PATCH', `/api/v1/namespaces/${ns}/pods/alias?fieldManager=t`, 'a: &x [*x]\n', { 'Content-Type': 'application/apply-patch+yaml' });
    assert.equal(loop.status, 400);
    assert.match(loop.body.message, /cannot convert to JSON/);
    const create = await t.raw('POST', `/api/v1/namespaces/${ns}/pods`, 'a: &x [*x]\n', { 'Content-Type': 'application/yaml' });
    assert.equal(create.status, 400);
    const path = await t.raw('GET', `/api/v1/namespaces/${ns}/pods/%zz`);
    assert.equal(path.status, 400);
    assert.match(path.body.message, /malformed percent-encoding/);
  });
});

describe('other kinds', () => {
  it('defaults services and allocates cluster IPs; headless stays None', async () => {
    const svc = await t.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'svc' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } } });
    assert.equal(svc.spec?.type, 'ClusterIP');
    assert.equal(svc.spec?.sessionAffinity, 'None');
    assert.equal(svc.spec?.ports?.[0]?.protocol, 'TCP');
    assert.equal(svc.spec?.ports?.[0]?.targetPort, 80);
    assert.match(svc.spec?.clusterIP ?? '', /^10\.96\.\d+\.\d+$/);
    assert.notEqual(svc.spec?.clusterIP, '10.96.0.1');
    const headless = await t.core.createNamespacedService({ namespace: ns, body: { metadata: { name: 'hl' }, spec: { clusterIP: 'None', selector: { app: 'x' } } } });
    assert.equal(headless.spec?.clusterIP, 'None');
  });

  it('gives PVCs the default storage class, Filesystem mode and Pending phase', async () => {
    const storage = (await import('@kubernetes/client-node')).StorageV1Api;
    await t.kc.makeApiClient(storage).createStorageClass({
      body: { metadata: { name: 'std', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'example.com/sim' },
    });
    const claim = { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } };
    const pvc = await t.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'c1' }, ...claim } });
    assert.equal(pvc.spec?.storageClassName, 'std');
    assert.equal(pvc.spec?.volumeMode, 'Filesystem');
    assert.equal(pvc.status?.phase, 'Pending');
    const none = await t.core.createNamespacedPersistentVolumeClaim({ namespace: ns, body: { metadata: { name: 'c2' }, spec: { ...claim.spec, storageClassName: '' } } });
    assert.equal(none.spec?.storageClassName, '');
    const bound = await t.core.patchNamespacedPersistentVolumeClaim({ namespace: ns, name: 'c1', body: { spec: { volumeName: 'pv-1' } } }, merge);
    assert.equal(bound.spec?.volumeName, 'pv-1');
    await rejects(t.core.patchNamespacedPersistentVolumeClaim({ namespace: ns, name: 'c1', body: { spec: { accessModes: ['ReadWriteMany'] } } }, merge), 422);
  });
});

describe('discovery', () => {
  it('reports its feature gates on /metrics as kube-apiserver does, and the harness reads them', async () => {
    const gates = await readFeatureGates(t.kc);
    assert.ok('gates' in gates, JSON.stringify(gates));
    assert.equal(gates.gates.get('MaxUnavailableStatefulSet'), true);
    assert.equal(gates.gates.get('StatefulSetRecreateStrategy'), false);
  });
  it('serves /version, /api, /apis and resource lists with short names and subresources', async () => {
    const v = await t.raw('GET', '/version');
    assert.equal(v.body.major, '1');
    assert.equal(v.body.gitVersion, 'v1.37.2-reference');
    assert.equal(v.body.minor, '37');
    const groups = await t.raw('GET', '/apis');
    assert.ok(groups.body.groups.some((g: { name: string }) => g.name === 'apps'));
    const apps = await t.raw('GET', '/apis/apps/v1');
    const sts = apps.body.resources.find((r: { name: string }) => r.name === 'statefulsets');
    assert.deepEqual(sts.shortNames, ['sts']);
    assert.deepEqual(sts.categories, ['all']);
    const scale = apps.body.resources.find((r: { name: string }) => r.name === 'statefulsets/scale');
    assert.deepEqual([scale.group, scale.version, scale.kind], ['autoscaling', 'v1', 'Scale']);
    const core = await t.raw('GET', '/api/v1');
    const names = core.body.resources.map((r: { name: string }) => r.name);
    for (const n of ['pods', 'pods/status', 'pods/binding', 'namespaces/finalize', 'persistentvolumeclaims/status']) assert.ok(names.includes(n), n);
    assert.equal((await t.raw('GET', '/healthz')).body, 'ok');
    assert.equal((await t.raw('GET', '/apis/nope.example.com/v1')).status, 404);
  });

  it('answers Table requests the way kubectl asks for them', async () => {
    await t.apps.createNamespacedStatefulSet({ namespace: ns, body: statefulSet('tbl') });
    const r = await t.raw('GET', `/apis/apps/v1/namespaces/${ns}/statefulsets?labelSelector=`, undefined, {
      Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    });
    assert.equal(r.body.kind, 'Table');
    assert.deepEqual(r.body.columnDefinitions.slice(0, 3).map((c: { name: string }) => c.name), ['Name', 'Ready', 'Age']);
    const row = r.body.rows.find((x: { cells: string[] }) => x.cells[0] === 'tbl');
    assert.equal(row.cells[1], '0/1');
    assert.equal(row.object.kind, 'PartialObjectMetadata');
  });
});

describe('patch errors, as kube-apiserver words them', () => {
  it('a JSON patch that cannot apply is a bare 422; a patch of the wrong shape is a decoding error (fieldValidation Strict and Warn) or Invalid JSON Patch (Ignore)', async () => {
    await t.core.createNamespace({ body: { metadata: { name: 'patch-errors' } } });
    await t.apps.createNamespacedStatefulSet({ namespace: 'patch-errors', body: statefulSet('web') });
    const path = '/apis/apps/v1/namespaces/patch-errors/statefulsets/web';
    const patch = (type: string, body: string, query = '') => t.raw('PATCH', `${path}${query}`, body, { 'Content-Type': `application/${type}` });
    for (const ops of ['[{"op":"replace","path":"/spec/nothere/x","value":2}]', '[{"op":"test","path":"/spec/replicas","value":7}]']) {
      const r = await patch('json-patch+json', ops);
      assert.equal(r.status, 422);
      assert.equal(r.body.reason, 'Invalid');
      assert.equal(r.body.message, 'the server rejected our request due to an error in our request');
    }
    const wrongShape = await patch('json-patch+json', '{"spec":{}}');
    assert.equal(wrongShape.body.message, 'error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp');
    const notAnObject = await patch('merge-patch+json', '"not json"');
    assert.equal(notAnObject.status, 400);
    assert.equal(notAnObject.body.message, 'error decoding patch: json: cannot unmarshal string into Go value of type map[string]interface {}');
    assert.equal((await patch('merge-patch+json', '"not json"', '?fieldValidation=Ignore')).body.message, 'Invalid JSON Patch');
    assert.equal((await patch('merge-patch+json', 'null')).body.message, 'Invalid JSON Patch');
  });

  it('a Service name is an RFC 1123 label (RelaxedServiceNameValidation, GA in 1.37): a leading digit is fine, an underscore is not', async () => {
    await t.core.createNamespacedService({ namespace: 'patch-errors', body: { metadata: { name: '1web' }, spec: { ports: [{ port: 80 }] } } });
    const r = await t.raw('POST', '/api/v1/namespaces/patch-errors/services', { metadata: { name: 'Bad_Name' }, spec: { ports: [{ port: 80 }] } });
    assert.equal(r.status, 422);
    assert.match(r.body.message, /a lowercase RFC 1123 label must consist of/);
  });
});

/**
 * Server-side printing as kube-apiserver v1.37.2 prints (issue 11, item 7): every kind's columns
 * are upstream's (table-columns.json, read from kube-apiserver) and its cells follow them; the
 * cells printers.go computes for pods, claims, volumes, nodes, events and storage classes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KINDS } from '../reference/apiserver/kinds/index.ts';
import { columns, toTable } from '../reference/apiserver/table.ts';

const kind = (resource: string) => KINDS.find((k) => k.resource === resource)!;
const NOW = Date.parse('2026-01-01T01:00:00Z');
const meta = (name: string, extra: object = {}) => ({ name, creationTimestamp: '2026-01-01T00:00:00Z', ...extra });
const cells = (resource: string, o: object): unknown[] => (toTable(kind(resource), [o as never], NOW, 'None').rows as { cells: unknown[] }[])[0]!.cells;

describe('Table columns', () => {
  it('are upstream\'s for every kind, in the order of the kind\'s cells', () => {
    for (const k of KINDS) {
      if (!k.table) continue;
      const defs = columns(k);
      const names = defs.filter((d) => d.format !== 'name').map((d) => d.name);
      assert.deepEqual(k.table.columns.map((c) => c.name), names, `${k.resource}: cells in upstream's column order`);
      assert.equal(k.table.cells({ metadata: meta('x') }, NOW).length, names.length, `${k.resource}: one cell per column`);
    }
  });

  it('pods: IP, node, nominated node and readiness gates', () => {
    const pod = {
      metadata: meta('web-0'),
      spec: { nodeName: 'n1', containers: [{ name: 'c' }], readinessGates: [{ conditionType: 'a' }, { conditionType: 'b' }] },
      status: { phase: 'Running', podIPs: [{ ip: '10.0.0.1' }], nominatedNodeName: 'n2', conditions: [{ type: 'a', status: 'True' }, { type: 'b', status: 'False' }] },
    };
    assert.deepEqual(cells('pods', pod).slice(5), ['10.0.0.1', 'n1', 'n2', '1/2']);
    assert.deepEqual(cells('pods', { metadata: meta('p'), spec: { containers: [] } }).slice(5), ['<none>', '<none>', '<none>', '<none>']);
  });

  it('claims and volumes: attributes class, reason and volume mode; an unbound claim shows no capacity', () => {
    const claim = { metadata: meta('data'), spec: { storageClassName: 'standard', resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Pending' } };
    assert.deepEqual(cells('persistentvolumeclaims', claim), ['data', 'Pending', '', '', '', 'standard', '<unset>', '60m', '<unset>']);
    const pv = { metadata: meta('pv1'), spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Delete', volumeMode: 'Filesystem' }, status: { phase: 'Available' } };
    assert.deepEqual(cells('persistentvolumes', pv), ['pv1', '1Gi', 'RWO', 'Delete', 'Available', '', '', '<unset>', '', '60m', 'Filesystem']);
  });

  it('nodes: the wide columns', () => {
    const node = {
      metadata: meta('n1', { labels: { 'node-role.kubernetes.io/worker': '', 'kubernetes.io/role': 'edge' } }),
      status: {
        conditions: [{ type: 'Ready', status: 'True' }],
        addresses: [{ type: 'InternalIP', address: '172.18.0.2' }],
        nodeInfo: { kubeletVersion: 'v1.37.2', osImage: 'Debian', kernelVersion: '6.1.0', architecture: 'amd64', containerRuntimeVersion: 'containerd://2.0' },
      },
    };
    assert.deepEqual(cells('nodes', node), ['n1', 'Ready', 'edge,worker', '60m', 'v1.37.2', '172.18.0.2', '<none>', 'Debian', '6.1.0 (amd64)', 'containerd://2.0']);
  });

  it('events: the name is the last column, with subobject, source, first seen and count', () => {
    const event = {
      metadata: meta('web.1'),
      involvedObject: { kind: 'Pod', name: 'web-0', fieldPath: 'spec.containers{c}' },
      reason: 'Pulled',
      message: ' done ',
      source: { component: 'kubelet', host: 'n1' },
      firstTimestamp: '2026-01-01T00:30:00Z',
      lastTimestamp: '2026-01-01T00:50:00Z',
      count: 3,
      type: 'Normal',
    };
    assert.deepEqual(cells('events', event), ['10m', 'Normal', 'Pulled', 'pod/web-0', 'spec.containers{c}', 'kubelet, n1', 'done', '30m', 3, 'web.1']);
    assert.equal(columns(kind('events'))[0]!.name, 'Last Seen');
  });

  it('storage classes mark the default; config maps count their data as a number', () => {
    const sc = { metadata: meta('standard', { annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }), provisioner: 'p', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' };
    assert.deepEqual(cells('storageclasses', sc), ['standard (default)', 'p', 'Delete', 'Immediate', false, '60m']);
    assert.deepEqual(cells('configmaps', { metadata: meta('c'), data: { a: '1', b: '2' } }), ['c', 2, '60m']);
  });
});

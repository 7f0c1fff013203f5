/**
 * What a target's StorageClasses offer (support/targets/storage.ts): storage, movable-storage
 * (the default class binds at once; STS_STORAGE_MOVES overrides) and wffc-storage with the class
 * scenarios use. Pure decisions over StorageClass lists; the reference plane's own classes too.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1StorageClass } from '@kubernetes/client-node';
import { startReferenceControlPlane } from '../reference/index.ts';
import { defaultClass, probeStorage, storageFindings, storageMovesOverride } from '../support/targets/storage.ts';
import type { TargetInfo } from '../support/targets/target.ts';

const sc = (name: string, mode?: string, opts: { default?: 'ga' | 'beta'; created?: string; provisioner?: string } = {}): V1StorageClass => ({
  metadata: {
    name,
    creationTimestamp: new Date(opts.created ?? '2026-01-01T00:00:00Z'),
    annotations: opts.default
      ? { [opts.default === 'ga' ? 'storageclass.kubernetes.io/is-default-class' : 'storageclass.beta.kubernetes.io/is-default-class']: 'true' }
      : undefined,
  },
  provisioner: opts.provisioner ?? 'example.com/disk',
  volumeBindingMode: mode,
});

const capabilities = (classes: V1StorageClass[], moves?: boolean) => {
  const f = storageFindings(classes, moves);
  return { has: f.capabilities.sort(), missing: Object.fromEntries(f.missing), firstConsumerClass: f.firstConsumerClass };
};

describe('storage capabilities', () => {
  test('kind: the default local-path class binds at first consumer, so volumes stay put and it is the WFFC class', () => {
    const got = capabilities([sc('local-path', 'WaitForFirstConsumer', { default: 'ga', provisioner: 'rancher.io/local-path' })]);
    assert.deepEqual(got.has, ['storage', 'wffc-storage']);
    assert.equal(got.firstConsumerClass, 'local-path');
    assert.equal(
      got.missing['movable-storage'],
      'the default StorageClass "local-path" binds at first consumer (WaitForFirstConsumer), as node-local provisioners do: a volume stays on its node (set STS_STORAGE_MOVES=true if its volumes can move)',
    );
  });

  test('the project provisioner: an Immediate default and a WFFC class beside it', () => {
    const got = capabilities([sc('standard', 'Immediate', { default: 'ga' }), sc('standard-wffc', 'WaitForFirstConsumer')]);
    assert.deepEqual(got.has, ['movable-storage', 'storage', 'wffc-storage']);
    assert.equal(got.firstConsumerClass, 'standard-wffc');
    assert.deepEqual(got.missing, {});
  });

  test('an unset binding mode is Immediate; no WFFC class means no wffc-storage', () => {
    const got = capabilities([sc('disk', undefined, { default: 'beta' })]);
    assert.deepEqual(got.has, ['movable-storage', 'storage']);
    assert.match(got.missing['wffc-storage']!, /no StorageClass binds at first consumer/);
    assert.equal(got.firstConsumerClass, undefined);
  });

  test('no default class: neither storage nor movable-storage, a WFFC class still counts', () => {
    const got = capabilities([sc('zz-wffc', 'WaitForFirstConsumer'), sc('aa-wffc', 'WaitForFirstConsumer')]);
    assert.deepEqual(got.has, ['wffc-storage']);
    assert.equal(got.firstConsumerClass, 'aa-wffc', 'the first by name');
    assert.equal(got.missing.storage, 'no default StorageClass');
    assert.equal(got.missing['movable-storage'], 'no default StorageClass');
  });

  test('classes of kubernetes.io/no-provisioner (static local volumes) provision nothing and are not used', () => {
    const got = capabilities([sc('standard', 'Immediate', { default: 'ga' }), sc('local-storage', 'WaitForFirstConsumer', { provisioner: 'kubernetes.io/no-provisioner' })]);
    assert.deepEqual(got.has, ['movable-storage', 'storage']);
  });

  test('STS_STORAGE_MOVES overrides the heuristic either way', () => {
    assert.deepEqual(capabilities([sc('local-path', 'WaitForFirstConsumer', { default: 'ga' })], true).has, ['movable-storage', 'storage', 'wffc-storage']);
    const got = capabilities([sc('zonal', 'Immediate', { default: 'ga' })], false);
    assert.deepEqual(got.has, ['storage']);
    assert.equal(got.missing['movable-storage'], 'STS_STORAGE_MOVES=false: volumes stay on their node');
    assert.equal(storageMovesOverride(undefined), undefined);
    assert.equal(storageMovesOverride(''), undefined);
    assert.equal(storageMovesOverride('true'), true);
    assert.equal(storageMovesOverride('false'), false);
    assert.throws(() => storageMovesOverride('yes'), /^Error: STS_STORAGE_MOVES must be true or false, not "yes"$/);
  });

  test('of several default classes the newest is the default, as the admission plugin picks it', () => {
    const classes = [
      sc('old', 'Immediate', { default: 'ga', created: '2026-01-01T00:00:00Z' }),
      sc('new', 'WaitForFirstConsumer', { default: 'ga', created: '2026-02-01T00:00:00Z' }),
      sc('newest-not-default', 'Immediate', { created: '2026-03-01T00:00:00Z' }),
    ];
    assert.equal(defaultClass(classes)?.metadata?.name, 'new');
    assert.equal(capabilities(classes).firstConsumerClass, 'new');
    assert.ok(!capabilities(classes).has.includes('movable-storage'));
    assert.equal(defaultClass([sc('b', 'Immediate', { default: 'ga' }), sc('a', 'Immediate', { default: 'ga' })])?.metadata?.name, 'a', 'same age: by name');
  });

  test('the reference plane: its provisioner makes standard (default, Immediate) and standard-wffc', async () => {
    const plane = await startReferenceControlPlane({ clockScale: 30 });
    try {
      const info: TargetInfo = { name: 'reference', serverVersion: '', minor: 37, capabilities: new Set(), missing: new Map(), featureGates: { unknown: 'not read' } };
      await probeStorage(plane.kubeConfig, info);
      assert.deepEqual([...info.capabilities].sort(), ['movable-storage', 'storage', 'wffc-storage']);
      assert.equal(info.firstConsumerClass, 'standard-wffc');
    } finally {
      await plane.stop();
    }
  });
});

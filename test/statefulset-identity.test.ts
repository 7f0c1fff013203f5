import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  getPersistentVolumeClaimName,
  getPersistentVolumeClaims,
  identityMatches,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  getParentNameAndOrdinal,
  podInOrdinalRange,
  storageMatches,
  PodIndexLabel,
  StatefulSetPodNameLabel,
  StatefulSetRevisionLabel,
} from '../reference/controllers/statefulset/pod-identity.ts';
import { makeSet } from './statefulset-fixtures.ts';

describe('StatefulSet pod identity (stateful_set_utils.go)', () => {
  it('parses parent and ordinal with (.*)-([0-9]+)$', () => {
    assert.deepEqual(getParentNameAndOrdinal('web-0'), { parent: 'web', ordinal: 0 });
    assert.deepEqual(getParentNameAndOrdinal('my-web-12'), { parent: 'my-web', ordinal: 12 });
    assert.deepEqual(getParentNameAndOrdinal('web-1-2'), { parent: 'web-1', ordinal: 2 });
    assert.deepEqual(getParentNameAndOrdinal('web-foo'), { parent: '', ordinal: -1 });
    assert.deepEqual(getParentNameAndOrdinal('web'), { parent: '', ordinal: -1 });
    // int32 overflow: parent kept, ordinal invalid
    assert.deepEqual(getParentNameAndOrdinal('web-99999999999'), { parent: 'web', ordinal: -1 });
  });

  it('names claims <template>-<set>-<ordinal> with template labels under selector.matchLabels', () => {
    const set = makeSet({
      volumeClaimTemplates: [{ metadata: { name: 'data', labels: { app: 'other', tier: 'db' } }, spec: { accessModes: ['ReadWriteOnce'] } }],
    });
    assert.equal(getPersistentVolumeClaimName(set, set.spec!.volumeClaimTemplates![0], 2), 'data-web-2');
    const pod = newStatefulSetPod(set, 2);
    const claim = getPersistentVolumeClaims(set, pod).get('data')!;
    assert.equal(claim.metadata?.name, 'data-web-2');
    assert.equal(claim.metadata?.namespace, 'ns');
    assert.deepEqual(claim.metadata?.labels, { app: 'web', tier: 'db' });
  });

  it('builds pods with identity labels, hostname/subdomain, controller ref and claim volumes', () => {
    const set = makeSet({
      ordinals: { start: 5 },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: {} }],
      template: {
        metadata: { labels: { app: 'web' }, annotations: { a: 'b' } },
        spec: { containers: [{ name: 'c' }], volumes: [{ name: 'data', emptyDir: {} }, { name: 'scratch', emptyDir: {} }] },
      },
    });
    const pod = newStatefulSetPod(set, 6);
    assert.equal(pod.metadata?.name, 'web-6');
    assert.equal(pod.metadata?.namespace, 'ns');
    assert.equal(pod.metadata?.labels?.[StatefulSetPodNameLabel], 'web-6');
    assert.equal(pod.metadata?.labels?.[PodIndexLabel], '6');
    assert.equal(pod.metadata?.annotations?.a, 'b');
    assert.equal(pod.spec?.hostname, 'web-6');
    assert.equal(pod.spec?.subdomain, 'svc');
    assert.deepEqual(pod.metadata?.ownerReferences, [
      { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true },
    ]);
    // The template volume named like the claim template is replaced; others are kept.
    assert.deepEqual(pod.spec?.volumes, [
      { name: 'data', persistentVolumeClaim: { claimName: 'data-web-6', readOnly: false } },
      { name: 'scratch', emptyDir: {} },
    ]);
    assert.ok(identityMatches(set, pod));
    assert.ok(storageMatches(set, pod));
    assert.ok(podInOrdinalRange(pod, set));
    delete pod.metadata!.labels![StatefulSetPodNameLabel];
    assert.ok(!identityMatches(set, pod), 'pod-name label is part of identity');
    const pod2 = newStatefulSetPod(set, 6);
    delete pod2.metadata!.labels![PodIndexLabel];
    assert.ok(identityMatches(set, pod2), 'pod-index label is not checked');
  });

  describe('newVersionedStatefulSetPod revision choice', () => {
    const rev = (set: ReturnType<typeof makeSet>, ord: number) =>
      newVersionedStatefulSetPod(set, set, 'cur', 'upd', ord).metadata?.labels?.[StatefulSetRevisionLabel];

    it('partition splits current / update, relative to ordinals.start', () => {
      const set = makeSet({ ordinals: { start: 5 }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
      assert.equal(rev(set, 5), 'cur');
      assert.equal(rev(set, 6), 'cur');
      assert.equal(rev(set, 7), 'upd');
    });

    it('nil rollingUpdate uses status.currentReplicas', () => {
      const set = makeSet({ updateStrategy: { type: 'RollingUpdate' } });
      set.status = { replicas: 3, currentReplicas: 2 };
      assert.equal(rev(set, 1), 'cur');
      assert.equal(rev(set, 2), 'upd');
    });

    it('OnDelete always uses the update revision', () => {
      const set = makeSet({ updateStrategy: { type: 'OnDelete' } });
      set.status = { replicas: 3, currentReplicas: 3 };
      assert.equal(rev(set, 0), 'upd');
    });
  });
});

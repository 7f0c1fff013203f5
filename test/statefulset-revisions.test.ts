import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { V1ControllerRevision } from '@kubernetes/client-node';
import {
  ControllerRevisionHashLabel,
  applyRevision,
  canonicalJson,
  controllerRevisionName,
  equalRevision,
  findEqualRevisions,
  fnv1_32,
  getPatch,
  hashControllerRevision,
  newRevision,
  nextRevision,
  safeEncodeString,
  setMatchesLatestExistingRevision,
  sortControllerRevisions,
} from '../reference/controllers/statefulset/revisions.ts';
import { RealHistory } from '../reference/controllers/statefulset/history.ts';
import type { AppsV1Api } from '@kubernetes/client-node';
import type { Lister } from '../reference/controllers/runtime.ts';
import { makeSet } from './statefulset-fixtures.ts';

describe('StatefulSet ControllerRevisions (controller_history.go, stateful_set_utils.go)', () => {
  it('FNV-1 32 (hash/fnv New32) and SafeEncodeString', () => {
    assert.equal(fnv1_32(Buffer.from('')), 0x811c9dc5);
    assert.equal(fnv1_32(Buffer.from('a')), 0x050c5d7e);
    assert.equal(fnv1_32(Buffer.from('foobar')), 0x31f0b262);
    assert.equal(safeEncodeString('1'), '5');
    assert.match(safeEncodeString('1234567890'), /^[bcdfghjklmnpqrstvwxz2456789]{10}$/);
  });

  it('data is {"spec":{"template":{...,"$patch":"replace"}}} and only the template matters', () => {
    const a = makeSet();
    const patch = getPatch(a) as { spec: { template: Record<string, unknown> } };
    assert.deepEqual(Object.keys(patch), ['spec']);
    assert.deepEqual(Object.keys(patch.spec), ['template']);
    assert.equal(patch.spec.template.$patch, 'replace');
    const b = makeSet({ replicas: 7, minReadySeconds: 30, ordinals: { start: 3 }, updateStrategy: { type: 'OnDelete' } });
    b.metadata!.annotations = { x: 'y' };
    assert.equal(hashControllerRevision(getPatch(a), 0), hashControllerRevision(getPatch(b), 0));
    const c = makeSet();
    c.spec!.template.spec!.containers[0].image = 'img:2';
    assert.notEqual(hashControllerRevision(getPatch(a), 0), hashControllerRevision(getPatch(c), 0));
    assert.notEqual(hashControllerRevision(getPatch(a), 0), hashControllerRevision(getPatch(a), 1), 'collisionCount changes the hash');
  });

  it('data goes on the wire in Go json.Marshal key order, as kube-controller-manager writes it', () => {
    // The API server keeps the bytes; a later write whose re-encoded data differs is refused
    // ("data: field is immutable"), which once blocked the garbage collector's orphaning.
    const wire = JSON.stringify(getPatch(makeSet()));
    assert.equal(wire, canonicalJson(getPatch(makeSet())));
    assert.match(wire, /^\{"spec":\{"template":\{"\$patch":"replace","metadata":/);
  });

  it('canonical JSON ignores key order and undefined members', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: undefined, c: [1, 'x'] } }), '{"a":{"c":[1,"x"]},"b":1}');
  });

  it('newRevision: name <set>-<hash>, labels, annotations, owner, revision', () => {
    const set = makeSet();
    set.metadata!.annotations = { note: 'n' };
    const r = newRevision(set, 4, 0);
    const hash = r.metadata!.labels![ControllerRevisionHashLabel];
    assert.equal(r.metadata?.name, `web-${hash}`);
    assert.equal(r.metadata?.labels?.app, 'web');
    assert.equal(r.metadata?.annotations?.note, 'n');
    assert.equal(r.revision, 4);
    assert.equal(r.metadata?.ownerReferences?.[0].uid, 'uid-web');
    assert.equal(r.metadata?.ownerReferences?.[0].controller, true);
    assert.equal(controllerRevisionName('x'.repeat(300), 'h').length, 225);
  });

  it('equality, ordering, next revision and applyRevision', () => {
    const set = makeSet();
    const r1 = newRevision(set, 1, 0);
    const changed = makeSet();
    changed.spec!.template.spec!.containers[0].image = 'img:2';
    const r2 = newRevision(changed, 2, 0);
    // Data read back from the server is plain JSON: key order must not matter.
    const roundTripped: V1ControllerRevision = { ...r1, data: JSON.parse(JSON.stringify(r1.data)) };
    assert.ok(equalRevision(r1, roundTripped));
    assert.ok(!equalRevision(r1, r2));
    assert.deepEqual(findEqualRevisions([r2, r1], newRevision(set, 9, 0)), [r1]);
    const sorted = sortControllerRevisions([r2, r1]);
    assert.deepEqual(sorted.map((r) => r.revision), [1, 2]);
    assert.equal(nextRevision(sorted), 3);
    assert.equal(nextRevision([]), 1);
    const restored = applyRevision(changed, r1);
    assert.equal(restored.spec?.template.spec?.containers[0].image, 'img:1');
    assert.equal(restored.spec?.replicas, 3);
  });

  it('setMatchesLatestExistingRevision: restoring the latest revision gives the same template', () => {
    const set = makeSet();
    const latest = newRevision(set, 1, 0);
    const proposed = newRevision(set, 2, 0);
    assert.ok(setMatchesLatestExistingRevision(set, proposed, latest));
    // Encoded differently (a field the model drops): not EqualRevision, but semantically equal.
    const foreign = structuredClone(latest);
    (foreign.data as { spec: { template: { spec: Record<string, unknown> } } }).spec.template.spec.someFutureField = 'x';
    assert.ok(!equalRevision(proposed, foreign));
    assert.ok(setMatchesLatestExistingRevision(set, proposed, foreign));
    const changed = makeSet();
    changed.spec!.template.spec!.containers[0].image = 'img:2';
    assert.ok(!setMatchesLatestExistingRevision(changed, newRevision(changed, 2, 0), latest));
  });

  it('applyRevision restores only the spec (1.37): metadata and status stay the set\'s', () => {
    const set = makeSet();
    const r1 = newRevision(set, 1, 0);
    const changed = makeSet();
    changed.metadata!.labels = { keep: 'me' };
    changed.status = { replicas: 2, currentRevision: 'x' };
    changed.spec!.template.spec!.containers[0].image = 'img:2';
    const restored = applyRevision(changed, r1);
    assert.equal(restored.spec?.template.spec?.containers[0].image, 'img:1');
    assert.deepEqual(restored.metadata?.labels, { keep: 'me' });
    assert.deepEqual(restored.status, changed.status);
  });

  it('ListControllerRevisions (1.37 controller index): orphans and revisions whose controller ref names this set', () => {
    const set = makeSet();
    const rev = (name: string, ref?: { kind: string; name: string; uid: string }) => ({
      metadata: {
        name,
        labels: { app: 'web' },
        ownerReferences: ref ? [{ apiVersion: 'apps/v1', controller: true, ...ref }] : undefined,
      },
      revision: 1,
    });
    const all = [
      rev('orphan'),
      rev('mine', { kind: 'StatefulSet', name: 'web', uid: 'uid-web' }),
      rev('other', { kind: 'StatefulSet', name: 'db', uid: 'uid-db' }),
      rev('same-uid-other-name', { kind: 'StatefulSet', name: 'db', uid: 'uid-web' }),
      { ...rev('unselected'), metadata: { name: 'unselected', labels: { app: 'db' } } },
    ];
    const lister: Lister<V1ControllerRevision> = { list: () => all, get: () => undefined };
    const history = new RealHistory({} as AppsV1Api, lister);
    assert.deepEqual(history.listControllerRevisions(set).map((r) => r.metadata?.name), ['orphan', 'mine']);
  });
});

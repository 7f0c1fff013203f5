/** The consistency store (consistency.ts; v1.37.2 pkg/controller/util/consistency). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ConsistencyError, ConsistencyStore, NO_CONSISTENCY, compareResourceVersion } from '../reference/controllers/statefulset/consistency.ts';

describe('StaleControllerConsistencyStatefulSet consistency store', () => {
  it('CompareResourceVersion: integers without leading zeros, longer is newer', () => {
    assert.equal(compareResourceVersion('9', '10'), -1);
    assert.equal(compareResourceVersion('10', '9'), 1);
    assert.equal(compareResourceVersion('42', '42'), 0);
    assert.equal(compareResourceVersion('123', '124'), -1);
    assert.equal(compareResourceVersion('012', '12'), undefined);
    assert.equal(compareResourceVersion('', '12'), undefined);
    assert.equal(compareResourceVersion('abc', '12'), undefined);
  });

  it('keeps the newest write per resource and blocks until every store has caught up', () => {
    const seen = { pods: '10', persistentvolumeclaims: '10', statefulsets: '10' };
    const store = new ConsistencyStore({
      pods: () => seen.pods,
      persistentvolumeclaims: () => seen.persistentvolumeclaims,
      statefulsets: () => seen.statefulsets,
    });
    store.wroteAt('ns/web', 'u1', 'pods', '20');
    store.wroteAt('ns/web', 'u1', 'pods', '15'); // older: ignored
    store.wroteAt('ns/web', 'u1', 'statefulsets', '21');
    assert.throws(() => store.ensureReady('ns/web'), ConsistencyError);
    seen.pods = '20';
    assert.throws(() => store.ensureReady('ns/web'), /written version: 21 for group resource statefulsets.apps/);
    seen.statefulsets = '30';
    store.ensureReady('ns/web');
  });

  it('a write for a new UID under the same name replaces the record; Clear honours the UID', () => {
    const store = new ConsistencyStore({ pods: () => '1' });
    store.wroteAt('ns/web', 'old', 'pods', '50');
    store.wroteAt('ns/web', 'new', 'pods', '5');
    assert.throws(() => store.ensureReady('ns/web'), /written version: 5/);
    store.clear('ns/web', 'old');
    assert.throws(() => store.ensureReady('ns/web'), 'another UID: kept');
    store.clear('ns/web');
    store.ensureReady('ns/web');
  });

  it('unknown (empty) or malformed read versions never block; the no-op store records nothing', () => {
    const store = new ConsistencyStore({ pods: () => '' });
    store.wroteAt('ns/web', 'u', 'pods', '99');
    store.ensureReady('ns/web');
    const odd = new ConsistencyStore({ pods: () => 'x1' });
    odd.wroteAt('ns/web', 'u', 'pods', '99');
    odd.ensureReady('ns/web');
    NO_CONSISTENCY.wroteAt('ns/web', 'u', 'pods', '99');
    NO_CONSISTENCY.ensureReady('ns/web');
  });
});

/**
 * End to end: the reference API server, the StatefulSet controller, and a tiny kubelet played
 * by the test (it marks pods Running+Ready and finishes graceful deletions). Waits are driven
 * by watch events with deadlines, never by sleeping.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1StatefulSet,
} from '@kubernetes/client-node';
import { ScaledClock, rfc3339 } from '../reference/clock.ts';
import { Informer } from '../reference/controllers/runtime.ts';
import { startStatefulSetController } from '../reference/controllers/statefulset/index.ts';
import { getPodRevision } from '../reference/controllers/statefulset/pod-identity.ts';

interface ApiServer {
  url: string;
  close(): Promise<void>;
}
type StartApiServer = (opts: { clock: ScaledClock }) => Promise<ApiServer>;

const clock = new ScaledClock(20);
const NS = 'default';
let api: ApiServer | undefined;
let stopController: (() => Promise<void>) | undefined;
let kc: KubeConfig;
let core: CoreV1Api;
let apps: AppsV1Api;
let pods: Informer<V1Pod>;
let sets: Informer<V1StatefulSet>;
const timeline: string[] = [];
const listeners = new Set<() => void>();
/** Pods the fake kubelet keeps unready. */
const held = new Set<string>();

/** Resolves once `check` holds, re-evaluated on every pod/set event; rejects after the deadline. */
function waitFor(what: string, check: () => boolean, realMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const tick = () => {
      if (!check()) return;
      listeners.delete(tick);
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      listeners.delete(tick);
      reject(new Error(`timed out waiting for ${what}; timeline: ${timeline.join(' ')}`));
    }, realMs);
    listeners.add(tick);
    tick();
  });
}
const notify = () => [...listeners].forEach((l) => l());

/** The test's kubelet: Pending → Running+Ready, and graceful deletions completed at once. */
async function kubelet(pod: V1Pod): Promise<void> {
  const name = pod.metadata!.name!;
  try {
    if (pod.metadata?.deletionTimestamp) {
      if (!pod.metadata.finalizers?.length) await core.deleteNamespacedPod({ name, namespace: NS, gracePeriodSeconds: 0 });
      return;
    }
    if (pod.status?.phase === 'Pending' && !held.has(name)) {
      await core.patchNamespacedPodStatus(
        {
          name,
          namespace: NS,
          body: { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: rfc3339(clock.now()) }] } },
        },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      );
    }
  } catch {
    // raced with a deletion; the next event retries
  }
}

const podNames = () => pods.list(NS).map((p) => p.metadata!.name!).sort();
const setNamed = (name: string) => sets.get(name, NS);

function statefulSet(name: string, replicas: number, extra: Partial<V1StatefulSet['spec']> = {}): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: NS },
    spec: {
      replicas,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } },
      ...extra,
    },
  };
}

function settled(name: string, minGeneration = 1): boolean {
  const set = setNamed(name);
  const s = set?.status;
  return (
    !!set &&
    (set.metadata?.generation ?? 0) >= minGeneration &&
    !!s &&
    s.observedGeneration === set.metadata?.generation &&
    s.replicas === set.spec?.replicas &&
    s.readyReplicas === set.spec?.replicas &&
    s.currentRevision === s.updateRevision &&
    pods.list(NS).filter((p) => p.metadata?.name?.startsWith(`${name}-`)).length === set.spec?.replicas
  );
}

describe('StatefulSet controller against the reference API server', () => {
  before(async () => {
    const path = '../reference/apiserver/index.ts';
    const mod = (await import(path).catch(() => undefined)) as { startApiServer?: StartApiServer } | undefined;
    if (!mod?.startApiServer) return;
    api = await mod.startApiServer({ clock });
    kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: 'c', server: api.url, skipTLSVerify: true }],
      users: [{ name: 'u' }],
      contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
      currentContext: 'x',
    });
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    pods = new Informer<V1Pod>(kc, `/api/v1/namespaces/${NS}/pods`, 'V1Pod', () => core.listNamespacedPod({ namespace: NS }), clock);
    sets = new Informer<V1StatefulSet>(kc, `/apis/apps/v1/namespaces/${NS}/statefulsets`, 'V1StatefulSet', () => apps.listNamespacedStatefulSet({ namespace: NS }), clock);
    pods
      .on('add', (p) => {
        timeline.push(`+${p.metadata!.name}`);
        void kubelet(p);
        notify();
      })
      .on('update', (p) => {
        void kubelet(p);
        notify();
      })
      .on('delete', (p) => {
        timeline.push(`-${p.metadata!.name}`);
        notify();
      });
    sets.on('add', notify).on('update', notify).on('delete', notify);
    await Promise.all([pods.start(), sets.start()]);
    const controller = await startStatefulSetController(kc, { clock });
    stopController = () => controller.stop();
  });

  after(async () => {
    await stopController?.();
    await pods?.stop();
    await sets?.stop();
    await api?.close();
  });

  it('OrderedReady: creates claims and pods in order, with identity, and reports status', async (t) => {
    if (!api) return t.skip('reference/apiserver is not available yet');
    timeline.length = 0;
    await apps.createNamespacedStatefulSet({
      namespace: NS,
      body: statefulSet('web', 3, {
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
      }),
    });
    await waitFor('web to be ready', () => settled('web'));
    assert.deepEqual(timeline.filter((e) => e.startsWith('+')), ['+web-0', '+web-1', '+web-2']);
    const pod = pods.get('web-1', NS)!;
    assert.equal(pod.spec?.hostname, 'web-1');
    assert.equal(pod.spec?.subdomain, 'web');
    assert.equal(pod.metadata?.labels?.['apps.kubernetes.io/pod-index'], '1');
    assert.equal(pod.metadata?.ownerReferences?.[0].kind, 'StatefulSet');
    assert.equal(pod.spec?.volumes?.find((v) => v.name === 'data')?.persistentVolumeClaim?.claimName, 'data-web-1');
    const claims = await core.listNamespacedPersistentVolumeClaim({ namespace: NS });
    assert.deepEqual(claims.items.map((c) => c.metadata?.name).sort(), ['data-web-0', 'data-web-1', 'data-web-2']);
    const events = await core.listNamespacedEvent({ namespace: NS });
    const reasons = events.items.filter((e) => e.involvedObject.name === 'web').map((e) => `${e.reason}:${e.message}`);
    assert.ok(reasons.includes('SuccessfulCreate:Create Pod web-0 in StatefulSet web successful'), reasons.join('\n'));
    assert.ok(reasons.includes('SuccessfulCreate:Create Claim data-web-0 Pod web-0 in StatefulSet web success'), reasons.join('\n'));
    assert.ok(events.items.every((e) => e.source?.component === 'statefulset-controller' || e.involvedObject.name !== 'web'));
  });

  it('RollingUpdate replaces pods from the highest ordinal and completes the revision', async (t) => {
    if (!api) return t.skip('reference/apiserver is not available yet');
    timeline.length = 0;
    const before = setNamed('web')!.status!.currentRevision!;
    const patched = await apps.patchNamespacedStatefulSet(
      { name: 'web', namespace: NS, body: { spec: { template: { spec: { containers: [{ name: 'c', image: 'img:2' }] } } } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    await waitFor('the rollout to finish', () => settled('web', patched.metadata!.generation!) && setNamed('web')!.status!.currentRevision !== before);
    assert.deepEqual(timeline.filter((e) => e.startsWith('-')), ['-web-2', '-web-1', '-web-0']);
    const rev = setNamed('web')!.status!.updateRevision;
    assert.ok(pods.list(NS).filter((p) => p.metadata!.name!.startsWith('web-')).every((p) => getPodRevision(p) === rev));
    const revisions = await apps.listNamespacedControllerRevision({ namespace: NS, labelSelector: 'app=web' });
    assert.equal(revisions.items.length, 2);
  });

  it('scale-down deletes the highest ordinal first, one at a time', async (t) => {
    if (!api) return t.skip('reference/apiserver is not available yet');
    timeline.length = 0;
    const patched = await apps.patchNamespacedStatefulSet(
      { name: 'web', namespace: NS, body: { spec: { replicas: 1 } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor('scale-down to 1', () => settled('web', patched.metadata!.generation!));
    assert.deepEqual(timeline, ['-web-2', '-web-1']);
    assert.deepEqual(podNames(), ['web-0']);
  });

  it('OrderedReady halts on an unready pod; Parallel does not', async (t) => {
    if (!api) return t.skip('reference/apiserver is not available yet');
    held.add('halt-0');
    held.add('burst-0');
    await apps.createNamespacedStatefulSet({ namespace: NS, body: statefulSet('halt', 2) });
    await apps.createNamespacedStatefulSet({ namespace: NS, body: statefulSet('burst', 3, { podManagementPolicy: 'Parallel' }) });
    await waitFor('burst pods', () => ['burst-0', 'burst-1', 'burst-2'].every((n) => pods.get(n, NS)));
    await waitFor('halt status', () => setNamed('halt')?.status?.replicas === 1);
    assert.equal(pods.get('halt-1', NS), undefined);
    held.delete('halt-0');
    const p = pods.get('halt-0', NS)!;
    await kubelet(p);
    await waitFor('halt to be ready', () => settled('halt'));
  });

  it('minReadySeconds: availableReplicas follows without pod events', async (t) => {
    if (!api) return t.skip('reference/apiserver is not available yet');
    await apps.createNamespacedStatefulSet({ namespace: NS, body: statefulSet('slow', 1, { minReadySeconds: 10 }) });
    await waitFor('slow ready', () => setNamed('slow')?.status?.readyReplicas === 1);
    assert.equal(setNamed('slow')?.status?.availableReplicas ?? 0, 0);
    await waitFor('slow available', () => setNamed('slow')?.status?.availableReplicas === 1);
  });
});

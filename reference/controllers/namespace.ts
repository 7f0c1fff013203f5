/**
 * The namespace lifecycle controller (upstream `pkg/controller/namespace/deletion`): for a
 * namespace being deleted, delete every namespaced object in it, wait until none is left, then
 * drop the `kubernetes` finalizer through `namespaces/{name}/finalize` so the API server can
 * remove the namespace.
 *
 * Pods go first (KEP-5080 ordered namespace deletion, conformance since v1.34): nothing else is
 * deleted while a pod is left, so no pod runs on without its claims, Services or secrets.
 * Pods are deleted gracefully, as upstream does, and the kubelet (simulator) finishes them.
 * Deviation from upstream: a pod still present 15 s (simulated) after its own grace period
 * ended — on a stopped node no kubelet will ever confirm it — is force-deleted, so that a
 * scenario's namespace clean-up cannot hang on a node fault it injected. Objects held by
 * finalizers are left alone (as upstream): whoever added a finalizer must remove it.
 */
import { CoreV1Api, KubeConfig, type V1Namespace } from '@kubernetes/client-node';
import { errorMessage, isConflict, isNotFound } from '../api-errors.ts';
import { Limiter } from './api-util.ts';
import { objectKinds, servedKinds, type ObjectKind } from './object-kinds.ts';
import { type ComponentOptions, informersFor, WorkQueue } from './runtime.ts';

export const NAMESPACE_FINALIZER = 'kubernetes';
const FORCE_AFTER_GRACE_MS = 15_000;
/** How often a namespace is re-checked while content remains, in real milliseconds. */
const POLL_REAL_MS = 100;

export async function startNamespaceController(kc: KubeConfig, opts: ComponentOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const kinds = (await servedKinds(objectKinds(kc))).filter((k) => k.namespaced);
  const podKind = kinds.find((k) => k.kind === 'Pod');
  const others = kinds.filter((k) => k !== podKind);
  const limiter = new Limiter(16);

  const namespaces = informers.informer<V1Namespace>('/api/v1/namespaces', 'V1Namespace', () => core.listNamespace());
  const pending = (ns: V1Namespace) => !!ns.metadata?.deletionTimestamp && (ns.spec?.finalizers ?? []).includes(NAMESPACE_FINALIZER);

  /** Deletes what is left of one kind; returns how many objects remain and when to force next. */
  const purge = async (kind: ObjectKind, namespace: string): Promise<{ remaining: number; nextForceMs?: number }> => {
    let items;
    try {
      items = (await kind.list(namespace)).items;
    } catch (err) {
      if (isNotFound(err)) return { remaining: 0 };
      throw err;
    }
    let nextForceMs: number | undefined;
    await Promise.all(
      items.map((obj) =>
        limiter.run(async () => {
          const name = obj.metadata?.name ?? '';
          const deletion = obj.metadata?.deletionTimestamp;
          let options: { propagationPolicy: string; gracePeriodSeconds?: number; preconditions?: { uid?: string } } = { propagationPolicy: 'Background' };
          if (deletion) {
            if (kind.kind !== 'Pod' || obj.metadata?.finalizers?.length) return;
            const forceAt = new Date(deletion).getTime() + FORCE_AFTER_GRACE_MS;
            if (clock.nowMs() < forceAt) {
              nextForceMs = Math.min(nextForceMs ?? Infinity, forceAt);
              return;
            }
            log(`force-deleting pod ${namespace}/${name}: grace period long over, no kubelet finished it`);
            options = { propagationPolicy: 'Background', gracePeriodSeconds: 0, preconditions: { uid: obj.metadata?.uid } };
          }
          try {
            await kind.delete(namespace, name, options);
          } catch (err) {
            if (!isNotFound(err) && !isConflict(err)) throw err;
          }
        }),
      ),
    );
    return { remaining: items.length, nextForceMs };
  };

  const process = async (name: string): Promise<void> => {
    const ns = namespaces.get(name);
    if (!ns || !pending(ns)) return;
    const pods = podKind ? await purge(podKind, name) : { remaining: 0 };
    const results = pods.remaining > 0 ? [pods] : await Promise.all(others.map((k) => purge(k, name)));
    const remaining = results.reduce((n, r) => n + r.remaining, 0);
    if (remaining > 0) {
      queue.addAfter(name, POLL_REAL_MS * clock.scale);
      return;
    }
    const latest = await core.readNamespace({ name });
    if (!pending(latest)) return;
    latest.spec = { ...latest.spec, finalizers: (latest.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER) };
    await core.replaceNamespaceFinalize({ name, body: latest });
    log(`namespace ${name} is empty, finalized`);
  };

  const queue = new WorkQueue(clock, process, 4, (name, err) => log(`namespace ${name}: ${errorMessage(err)}`));
  const observe = (ns: V1Namespace) => {
    if (pending(ns)) queue.add(ns.metadata?.name ?? '');
  };
  namespaces.on('add', observe).on('update', observe);
  await namespaces.start();

  return {
    async stop() {
      queue.stop();
      await namespaces.stop();
    },
  };
}

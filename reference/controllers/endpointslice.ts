/**
 * The EndpointSlice controller (upstream `pkg/controller/endpointslice`) for Services with a
 * selector: keeps slices labelled `kubernetes.io/service-name` and managed by
 * `endpointslice-controller.k8s.io`, owned by the Service, listing the selected pods (see
 * `endpointslice-model.ts` for the per-endpoint rules).
 *
 * Like upstream's endpointSliceTracker, the controller remembers the slices it just wrote, so
 * a sync that runs before the informer caught up neither creates duplicates nor reverts itself.
 */
import {
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type V1EndpointSlice,
  type V1Node,
  type V1Pod,
  type V1Service,
} from '@kubernetes/client-node';
import { errorMessage, isConflict, isNotFound } from '../api-errors.ts';
import {
  CONTROLLER_NAME,
  desiredSlices,
  fingerprintOf,
  MANAGED_BY_LABEL,
  portsKey,
  selectorMatches,
  SERVICE_NAME_LABEL,
  sliceFingerprint,
  sliceLabels,
  type DesiredSlice,
} from './endpointslice-model.ts';
import { type ComponentOptions, informersFor, keyOf, splitKey, WorkQueue } from './runtime.ts';
import { TriggerTimeTracker, withTriggerTime } from './endpoint-trigger-time.ts';

export async function startEndpointSliceController(kc: KubeConfig, opts: ComponentOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);

  const services = informers.informer<V1Service>('/api/v1/services', 'V1Service', () => core.listServiceForAllNamespaces());
  const pods = informers.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces());
  const nodes = informers.informer<V1Node>('/api/v1/nodes', 'V1Node', () => core.listNode());
  const managed = `${MANAGED_BY_LABEL}=${CONTROLLER_NAME}`;
  const slices = informers.informer<V1EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices', 'V1EndpointSlice',
    () => discovery.listEndpointSliceForAllNamespaces({ labelSelector: managed }), { labelSelector: managed });

  /** Slices written by this controller the informer has not delivered yet, by namespace/name. */
  const written = new Map<string, V1EndpointSlice | 'deleted'>();
  const remember = (s: V1EndpointSlice): void => {
    written.set(keyOf(s), s);
  };

  const slicesOf = (svc: V1Service): V1EndpointSlice[] => {
    const ns = svc.metadata?.namespace ?? '';
    const name = svc.metadata?.name ?? '';
    const byName = new Map<string, V1EndpointSlice>();
    for (const s of slices.list(ns)) if (s.metadata?.labels?.[SERVICE_NAME_LABEL] === name) byName.set(keyOf(s), s);
    for (const [key, s] of written) {
      if (!key.startsWith(`${ns}/`)) continue;
      if (s === 'deleted') byName.delete(key);
      else if (s.metadata?.labels?.[SERVICE_NAME_LABEL] === name) byName.set(key, s);
    }
    return [...byName.values()].sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''));
  };

  const triggerTimes = new TriggerTimeTracker();
  const build = (svc: V1Service, want: DesiredSlice, triggerTime: number | undefined, base?: V1EndpointSlice): V1EndpointSlice => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: base
      ? { ...base.metadata, labels: sliceLabels(svc), annotations: withTriggerTime(base.metadata?.annotations, triggerTime) }
      : {
          generateName: `${svc.metadata?.name}-`,
          namespace: svc.metadata?.namespace,
          labels: sliceLabels(svc),
          annotations: withTriggerTime(undefined, triggerTime),
          ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata!.name!, uid: svc.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
        },
    addressType: 'IPv4',
    endpoints: want.endpoints,
    ports: want.ports,
  });

  const sync = async (key: string): Promise<void> => {
    const { namespace, name } = splitKey(key);
    const svc = services.get(name, namespace);
    if (!svc) {
      triggerTimes.deleteService(namespace, name);
      return; // the garbage collector removes slices of a deleted Service
    }
    const existing = slicesOf(svc);
    const selector = svc.spec?.selector;
    if (!selector || Object.keys(selector).length === 0) return; // upstream leaves selectorless Services alone
    const selected = pods.list(namespace).filter((p) => selectorMatches(selector, p.metadata?.labels));
    const triggerTime = triggerTimes.compute(namespace, svc, selected);
    const desired = desiredSlices(svc, selected, (n) => nodes.get(n));
    // Reuse slices with the same port set, in name order; create the rest; delete leftovers.
    const pool = new Map<string, V1EndpointSlice[]>();
    for (const s of existing) {
      const k = portsKey(s.ports);
      pool.set(k, [...(pool.get(k) ?? []), s]);
    }
    const ops: Array<Promise<void>> = [];
    for (const want of desired) {
      const reuse = pool.get(portsKey(want.ports))?.shift();
      if (!reuse) {
        ops.push(discovery.createNamespacedEndpointSlice({ namespace, body: build(svc, want, triggerTime) }).then(remember));
        continue;
      }
      if (fingerprintOf(reuse) === sliceFingerprint({ ...want, labels: sliceLabels(svc) })) continue;
      ops.push(
        discovery
          .replaceNamespacedEndpointSlice({ name: reuse.metadata!.name!, namespace, body: build(svc, want, triggerTime, reuse) })
          .then(remember),
      );
    }
    for (const leftover of [...pool.values()].flat()) {
      const sliceKey = keyOf(leftover);
      ops.push(
        discovery
          .deleteNamespacedEndpointSlice({ name: leftover.metadata!.name!, namespace })
          .then(() => void written.set(sliceKey, 'deleted'))
          .catch((err) => {
            if (!isNotFound(err)) throw err;
          }),
      );
    }
    const results = await Promise.allSettled(ops);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) {
      // A conflict means our view was stale: forget what we wrote and retry from the informer.
      if (isConflict(failed.reason)) for (const s of existing) written.delete(keyOf(s));
      throw failed.reason;
    }
  };

  const queue = new WorkQueue(clock, sync, 8, (key, err) => log(`service ${key}: ${errorMessage(err)}`));

  // Which services selected a pod last time, so a label change also updates the old ones.
  const podServices = new Map<string, string[]>();
  const onPod = (pod: V1Pod, deleted = false) => {
    const key = keyOf(pod);
    const ns = pod.metadata?.namespace ?? '';
    const now = deleted
      ? []
      : services
          .list(ns)
          .filter((s) => s.spec?.selector && Object.keys(s.spec.selector).length > 0 && selectorMatches(s.spec.selector, pod.metadata?.labels))
          .map(keyOf);
    for (const k of new Set([...(podServices.get(key) ?? []), ...now])) queue.add(k);
    if (now.length) podServices.set(key, now);
    else podServices.delete(key);
  };
  pods.on('add', (p) => onPod(p)).on('update', (p) => onPod(p)).on('delete', (p) => onPod(p, true));
  services.on('add', (s) => queue.add(keyOf(s))).on('update', (s) => queue.add(keyOf(s)));
  const onSlice = (s: V1EndpointSlice, deleted = false) => {
    const key = keyOf(s);
    const mine = written.get(key);
    if (mine === 'deleted' ? deleted : mine?.metadata?.resourceVersion === s.metadata?.resourceVersion) written.delete(key);
    const svc = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (svc) queue.add(`${s.metadata?.namespace ?? ''}/${svc}`);
  };
  slices.on('add', (s) => onSlice(s)).on('update', (s) => onSlice(s)).on('delete', (s) => onSlice(s, true));
  // A node appearing or disappearing changes which pods may be listed.
  const onNodeSetChange = () => services.list().forEach((s) => queue.add(keyOf(s)));
  nodes.on('add', onNodeSetChange).on('delete', onNodeSetChange);

  await Promise.all([nodes.start(), slices.start(), pods.start()]);
  await services.start();

  return {
    async stop() {
      queue.stop();
      await Promise.all([services.stop(), pods.stop(), nodes.stop(), slices.stop()]);
    },
  };
}

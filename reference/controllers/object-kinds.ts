/**
 * The kinds the garbage collector and the namespace controller handle, each with the typed
 * client-node calls for it. A fixed table instead of discovery (upstream uses
 * `ServerPreferredResources`): the reference API server serves a known set, and these paths
 * are the same on a real kube-apiserver. Kinds a server does not serve answer 404 and are skipped.
 */
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  DiscoveryV1Api,
  KubeConfig,
  type KubernetesListObject,
  type KubernetesObject,
  type V1DeleteOptions,
} from '@kubernetes/client-node';
import { isNotFound } from '../api-errors.ts';
import { mergePatch } from './api-util.ts';

export interface ObjectKind {
  apiVersion: string;
  kind: string;
  /** client-node model name, for deserialising watch events. */
  typeName: string;
  namespaced: boolean;
  /** Cluster-wide collection path, for list/watch. */
  path: string;
  listAll(): Promise<KubernetesListObject<KubernetesObject>>;
  list(namespace: string): Promise<KubernetesListObject<KubernetesObject>>;
  read(namespace: string, name: string): Promise<KubernetesObject>;
  delete(namespace: string, name: string, options: V1DeleteOptions): Promise<unknown>;
  /** JSON merge patch of the object (metadata only, in practice). */
  patch(namespace: string, name: string, body: object): Promise<unknown>;
}

type Q = { propagationPolicy?: string; gracePeriodSeconds?: number; body: V1DeleteOptions };
const q = (o: V1DeleteOptions): Q => ({ propagationPolicy: o.propagationPolicy, gracePeriodSeconds: o.gracePeriodSeconds, body: o });

export function objectKinds(kc: KubeConfig): ObjectKind[] {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const coordination = kc.makeApiClient(CoordinationV1Api);
  const mp = mergePatch();
  return [
    {
      apiVersion: 'v1', kind: 'Pod', typeName: 'V1Pod', namespaced: true, path: '/api/v1/pods',
      listAll: () => core.listPodForAllNamespaces(),
      list: (namespace) => core.listNamespacedPod({ namespace }),
      read: (namespace, name) => core.readNamespacedPod({ namespace, name }),
      delete: (namespace, name, o) => core.deleteNamespacedPod({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => core.patchNamespacedPod({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'v1', kind: 'PersistentVolumeClaim', typeName: 'V1PersistentVolumeClaim', namespaced: true, path: '/api/v1/persistentvolumeclaims',
      listAll: () => core.listPersistentVolumeClaimForAllNamespaces(),
      list: (namespace) => core.listNamespacedPersistentVolumeClaim({ namespace }),
      read: (namespace, name) => core.readNamespacedPersistentVolumeClaim({ namespace, name }),
      delete: (namespace, name, o) => core.deleteNamespacedPersistentVolumeClaim({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => core.patchNamespacedPersistentVolumeClaim({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'v1', kind: 'Service', typeName: 'V1Service', namespaced: true, path: '/api/v1/services',
      listAll: () => core.listServiceForAllNamespaces(),
      list: (namespace) => core.listNamespacedService({ namespace }),
      read: (namespace, name) => core.readNamespacedService({ namespace, name }),
      delete: (namespace, name, o) => core.deleteNamespacedService({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => core.patchNamespacedService({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'v1', kind: 'ConfigMap', typeName: 'V1ConfigMap', namespaced: true, path: '/api/v1/configmaps',
      listAll: () => core.listConfigMapForAllNamespaces(),
      list: (namespace) => core.listNamespacedConfigMap({ namespace }),
      read: (namespace, name) => core.readNamespacedConfigMap({ namespace, name }),
      delete: (namespace, name, o) => core.deleteNamespacedConfigMap({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => core.patchNamespacedConfigMap({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'v1', kind: 'ServiceAccount', typeName: 'V1ServiceAccount', namespaced: true, path: '/api/v1/serviceaccounts',
      listAll: () => core.listServiceAccountForAllNamespaces(),
      list: (namespace) => core.listNamespacedServiceAccount({ namespace }),
      read: (namespace, name) => core.readNamespacedServiceAccount({ namespace, name }),
      delete: (namespace, name, o) => core.deleteNamespacedServiceAccount({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => core.patchNamespacedServiceAccount({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'v1', kind: 'Event', typeName: 'CoreV1Event', namespaced: true, path: '/api/v1/events',
      listAll: () => core.listEventForAllNamespaces(),
      list: (namespace) => core.listNamespacedEvent({ namespace }),
      read: (namespace, name) => core.readNamespacedEvent({ namespace, name }),
      delete: (namespace, name, o) => core.deleteNamespacedEvent({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => core.patchNamespacedEvent({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'apps/v1', kind: 'StatefulSet', typeName: 'V1StatefulSet', namespaced: true, path: '/apis/apps/v1/statefulsets',
      listAll: () => apps.listStatefulSetForAllNamespaces(),
      list: (namespace) => apps.listNamespacedStatefulSet({ namespace }),
      read: (namespace, name) => apps.readNamespacedStatefulSet({ namespace, name }),
      delete: (namespace, name, o) => apps.deleteNamespacedStatefulSet({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => apps.patchNamespacedStatefulSet({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'apps/v1', kind: 'ControllerRevision', typeName: 'V1ControllerRevision', namespaced: true, path: '/apis/apps/v1/controllerrevisions',
      listAll: () => apps.listControllerRevisionForAllNamespaces(),
      list: (namespace) => apps.listNamespacedControllerRevision({ namespace }),
      read: (namespace, name) => apps.readNamespacedControllerRevision({ namespace, name }),
      delete: (namespace, name, o) => apps.deleteNamespacedControllerRevision({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => apps.patchNamespacedControllerRevision({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', typeName: 'V1EndpointSlice', namespaced: true, path: '/apis/discovery.k8s.io/v1/endpointslices',
      listAll: () => discovery.listEndpointSliceForAllNamespaces(),
      list: (namespace) => discovery.listNamespacedEndpointSlice({ namespace }),
      read: (namespace, name) => discovery.readNamespacedEndpointSlice({ namespace, name }),
      delete: (namespace, name, o) => discovery.deleteNamespacedEndpointSlice({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => discovery.patchNamespacedEndpointSlice({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', typeName: 'V1Lease', namespaced: true, path: '/apis/coordination.k8s.io/v1/leases',
      listAll: () => coordination.listLeaseForAllNamespaces(),
      list: (namespace) => coordination.listNamespacedLease({ namespace }),
      read: (namespace, name) => coordination.readNamespacedLease({ namespace, name }),
      delete: (namespace, name, o) => coordination.deleteNamespacedLease({ namespace, name, ...q(o) }),
      patch: (namespace, name, body) => coordination.patchNamespacedLease({ namespace, name, body }, mp),
    },
    {
      apiVersion: 'v1', kind: 'Node', typeName: 'V1Node', namespaced: false, path: '/api/v1/nodes',
      listAll: () => core.listNode(),
      list: () => core.listNode(),
      read: (_ns, name) => core.readNode({ name }),
      delete: (_ns, name, o) => core.deleteNode({ name, ...q(o) }),
      patch: (_ns, name, body) => core.patchNode({ name, body }, mp),
    },
    {
      apiVersion: 'v1', kind: 'PersistentVolume', typeName: 'V1PersistentVolume', namespaced: false, path: '/api/v1/persistentvolumes',
      listAll: () => core.listPersistentVolume(),
      list: () => core.listPersistentVolume(),
      read: (_ns, name) => core.readPersistentVolume({ name }),
      delete: (_ns, name, o) => core.deletePersistentVolume({ name, ...q(o) }),
      patch: (_ns, name, body) => core.patchPersistentVolume({ name, body }, mp),
    },
  ];
}

/** `group/version` without the version, for matching an ownerReference against a kind across versions. */
export function groupOf(apiVersion: string): string {
  const i = apiVersion.indexOf('/');
  return i < 0 ? '' : apiVersion.slice(0, i);
}

/** The kinds the server serves: a kind whose list answers 404 is left out (upstream: discovery). */
export async function servedKinds(kinds: ObjectKind[]): Promise<ObjectKind[]> {
  const served = await Promise.all(
    kinds.map(async (k) => {
      try {
        await k.listAll();
        return k;
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    }),
  );
  return served.filter((k): k is ObjectKind => !!k);
}

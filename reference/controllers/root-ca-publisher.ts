/**
 * The root CA certificate publisher of kube-controller-manager, after upstream v1.37.2
 * `pkg/controller/certificates/rootcacertpublisher/publisher.go`: every namespace has a
 * ConfigMap `kube-root-ca.crt` whose `ca.crt` is the CA bundle clients verify the API server
 * with, annotated `kubernetes.io/description`. It is created when a namespace appears (or
 * becomes Active again), and restored when deleted or changed.
 *
 * The reference API server serves plain HTTP, so it has no CA: the reference plane publishes
 * PLACEHOLDER_ROOT_CA (a self-signed certificate whose key was thrown away, saying so in its
 * subject), so that clients that wait for the ConfigMap, such as upstream's e2e framework,
 * find it. Nothing can be verified with it.
 */
import { CoreV1Api, KubeConfig, type V1ConfigMap, type V1Namespace } from '@kubernetes/client-node';
import { errorMessage, hasStatusCause, isNotFound } from '../api-errors.ts';
import { type ComponentOptions, informersFor, WorkQueue } from './runtime.ts';
import { NAMESPACE_TERMINATING_CAUSE } from './serviceaccounts.ts';

export const ROOT_CA_CONFIGMAP_NAME = 'kube-root-ca.crt';
export const DESCRIPTION_ANNOTATION = 'kubernetes.io/description';
export const DESCRIPTION =
  'Contains a CA bundle that can be used to verify the kube-apiserver when using internal endpoints such as the internal service IP or kubernetes.default.svc. ' +
  'No other usage is guaranteed across distributions of Kubernetes clusters.';

/**
 * The reference's stand-in CA: subject "O=statefulset-conformance, OU=reference API server
 * serves plain HTTP, CN=reference placeholder CA", EC P-256, valid 2026-2126, private key
 * discarded (openssl req -x509 -newkey ec -keyout /dev/null).
 */
export const PLACEHOLDER_ROOT_CA = `-----BEGIN CERTIFICATE-----
MIICQzCCAemgAwIBAgIUKpxN15RQciD7bcyn17m9pOipqQAwCgYIKoZIzj0EAwIw
djEgMB4GA1UECgwXc3RhdGVmdWxzZXQtY29uZm9ybWFuY2UxLzAtBgNVBAsMJnJl
ZmVyZW5jZSBBUEkgc2VydmVyIHNlcnZlcyBwbGFpbiBIVFRQMSEwHwYDVQQDDBhy
ZWZlcmVuY2UgcGxhY2Vob2xkZXIgQ0EwIBcNMjYxMjA0MjAwMDQ2WhgPMjEyNjEx
MTAyMDAwNDZaMHYxIDAeBgNVBAoMF3N0YXRlZnVsc2V0LWNvbmZvcm1hbmNlMS8w
LQYDVQQLDCZyZWZlcmVuY2UgQVBJIHNlcnZlciBzZXJ2ZXMgcGxhaW4gSFRUUDEh
MB8GA1UEAwwYcmVmZXJlbmNlIHBsYWNlaG9sZGVyIENBMFkwEwYHKoZIzj0CAQYI
KoZIzj0DAQcDQgAEbJOezYS+nMlavySBzKp3b5/XZu053ke2/wPlBaImOcAdyNtb
TK1ekku53LeuHYs6OZdP8rHBfIt0qWA3oAVgBaNTMFEwHQYDVR0OBBYEFMA9d8HW
zZ05xKjaDzi3LlCx3rjIMB8GA1UdIwQYMBaAFMA9d8HWzZ05xKjaDzi3LlCx3rjI
MA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDSAAwRQIhALZKWIufb4x2Zsya
xreTrIqY2hn+GeT0yj/RuNp11toKAiB1Ty+KEh6qb16/6Eg22CroxmtTCR8k2r+E
o/PKxLXf0g==
-----END CERTIFICATE-----
`;

export async function startRootCACertPublisher(kc: KubeConfig, opts: ComponentOptions & { rootCA: string }): Promise<{ stop(): Promise<void> }> {
  const { clock, rootCA } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const configMaps = informers.informer<V1ConfigMap>('/api/v1/configmaps', 'V1ConfigMap', () => core.listConfigMapForAllNamespaces());
  const namespaces = informers.informer<V1Namespace>('/api/v1/namespaces', 'V1Namespace', () => core.listNamespace());
  let markSynced = (): void => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  /** syncNamespace. */
  const syncNamespace = async (ns: string): Promise<void> => {
    await synced;
    const cm = configMaps.get(ROOT_CA_CONFIGMAP_NAME, ns);
    if (!cm) {
      try {
        await core.createNamespacedConfigMap({
          namespace: ns,
          body: { metadata: { name: ROOT_CA_CONFIGMAP_NAME, annotations: { [DESCRIPTION_ANNOTATION]: DESCRIPTION } }, data: { 'ca.crt': rootCA } },
        });
      } catch (err) {
        if (isNotFound(err) || hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) return;
        throw err;
      }
      return;
    }
    const data = cm.data ?? {};
    const current = Object.keys(data).length === 1 && data['ca.crt'] === rootCA;
    if (current && cm.metadata?.annotations?.[DESCRIPTION_ANNOTATION]) return;
    // An update of the cached copy: it conflicts if the ConfigMap changed since (and is retried).
    const updated = structuredClone(cm);
    updated.data = { 'ca.crt': rootCA };
    updated.metadata = { ...updated.metadata, annotations: { ...updated.metadata?.annotations, [DESCRIPTION_ANNOTATION]: DESCRIPTION } };
    await core.replaceNamespacedConfigMap({ namespace: ns, name: ROOT_CA_CONFIGMAP_NAME, body: updated });
  };

  const queue = new WorkQueue(clock, syncNamespace, 1, (key, err) => log(`syncing "${key}" failed: ${errorMessage(err)}`));
  const configMapChanged = (cm: V1ConfigMap) => {
    if (cm.metadata?.name === ROOT_CA_CONFIGMAP_NAME) queue.add(cm.metadata.namespace ?? '');
  };
  configMaps.on('update', configMapChanged).on('delete', configMapChanged);
  namespaces.on('add', (ns) => queue.add(ns.metadata?.name ?? ''));
  namespaces.on('update', (ns) => {
    if (ns.status?.phase === 'Active') queue.add(ns.metadata?.name ?? '');
  });

  log('Starting root CA cert publisher controller');
  await Promise.all([configMaps.start(), namespaces.start()]);
  markSynced();

  return {
    async stop() {
      log('Shutting down root CA cert publisher controller');
      queue.stop();
      await Promise.all([configMaps.stop(), namespaces.stop()]);
    },
  };
}

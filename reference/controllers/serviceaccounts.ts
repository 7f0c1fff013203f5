/**
 * The ServiceAccount controller of kube-controller-manager, after upstream v1.37.2
 * `pkg/controller/serviceaccount/serviceaccounts_controller.go`: every active namespace has a
 * ServiceAccount named `default`, created when the namespace appears and again whenever it is
 * deleted. Namespaces that are not Active are left alone; a create refused because the
 * namespace is being terminated is no error. (Tokens are another controller's business, and the
 * reference issues none.)
 */
import { CoreV1Api, KubeConfig, type V1Namespace, type V1ServiceAccount } from '@kubernetes/client-node';
import { errorMessage, hasStatusCause, isAlreadyExists, newAggregate } from '../api-errors.ts';
import { type ComponentOptions, informersFor, WorkQueue } from './runtime.ts';

/** DefaultServiceAccountsControllerOptions: the ServiceAccounts every namespace gets. */
export const SERVICE_ACCOUNTS_TO_ENSURE = ['default'];

/** v1.NamespaceTerminatingCause. */
export const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

export async function startServiceAccountsController(kc: KubeConfig, opts: ComponentOptions): Promise<{ stop(): Promise<void> }> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const core = kc.makeApiClient(CoreV1Api);
  const serviceAccounts = informers.informer<V1ServiceAccount>('/api/v1/serviceaccounts', 'V1ServiceAccount', () => core.listServiceAccountForAllNamespaces());
  const namespaces = informers.informer<V1Namespace>('/api/v1/namespaces', 'V1Namespace', () => core.listNamespace());
  // Work waits for both caches (WaitForNamedCacheSync).
  let markSynced = (): void => undefined;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  /** syncNamespace. */
  const syncNamespace = async (name: string): Promise<void> => {
    await synced;
    const ns = namespaces.get(name);
    if (!ns || ns.status?.phase !== 'Active') return;
    const createFailures: unknown[] = [];
    for (const sa of SERVICE_ACCOUNTS_TO_ENSURE) {
      if (serviceAccounts.get(sa, name)) continue;
      try {
        await core.createNamespacedServiceAccount({ namespace: name, body: { metadata: { name: sa, namespace: name } } });
      } catch (err) {
        if (!isAlreadyExists(err) && !hasStatusCause(err, NAMESPACE_TERMINATING_CAUSE)) createFailures.push(err);
      }
    }
    const err = newAggregate(createFailures);
    if (err) throw err;
  };

  const queue = new WorkQueue(clock, syncNamespace, 1, (key, err) => log(`Service account work item failed item="${key}" err="${errorMessage(err)}"`));
  serviceAccounts.on('delete', (sa) => queue.add(sa.metadata?.namespace ?? ''));
  namespaces.on('add', (ns) => queue.add(ns.metadata?.name ?? '')).on('update', (ns) => queue.add(ns.metadata?.name ?? ''));

  log('Starting service account controller');
  await Promise.all([serviceAccounts.start(), namespaces.start()]);
  markSynced();

  return {
    async stop() {
      log('Shutting down service account controller');
      queue.stop();
      await Promise.all([serviceAccounts.stop(), namespaces.stop()]);
    },
  };
}

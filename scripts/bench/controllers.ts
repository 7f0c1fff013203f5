/**
 * Controller scale: how long a StatefulSet takes from creation to N ready replicas, and the
 * peak memory of the control plane meanwhile. The same client code drives the reference and
 * the real control plane; both use the project's node simulator as the kubelet.
 */
import { AppsV1Api, CoreV1Api, type KubeConfig, type V1ServiceAccount, type V1StatefulSet } from '@kubernetes/client-node';
import { PeakMemory } from './proc.ts';
import { watchUntil } from '../../support/watch-until.ts';

export interface ScaleCase {
  policy: 'Parallel' | 'OrderedReady';
  replicas: number;
}

export interface ScaleResult extends ScaleCase {
  /** From the create request to status.readyReplicas = replicas, in seconds. */
  seconds: number;
  /** Sum of the peak resident memory of the control plane's processes during the case, MiB. */
  peakMiB: number;
  /** Same for helper processes (the node simulator on the control plane), MiB. */
  helperPeakMiB?: number;
}

export interface ScaleEnv {
  kc: KubeConfig;
  /** Processes of the control plane under test. */
  pids: number[];
  helperPids?: number[];
  /** Real kube-apiserver: pods need the namespace's `default` ServiceAccount, which KCM creates. */
  waitServiceAccount: boolean;
  deadlineMs: number;
}

export function statefulSet(name: string, c: ScaleCase): V1StatefulSet {
  return {
    metadata: { name },
    spec: {
      replicas: c.replicas,
      podManagementPolicy: c.policy,
      serviceName: name,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }], terminationGracePeriodSeconds: 1 },
      },
    },
  };
}

export async function runScaleCase(env: ScaleEnv, c: ScaleCase, namespace: string): Promise<ScaleResult> {
  const core = env.kc.makeApiClient(CoreV1Api);
  const apps = env.kc.makeApiClient(AppsV1Api);
  await core.createNamespace({ body: { metadata: { name: namespace } } });
  if (env.waitServiceAccount) {
    await watchUntil<V1ServiceAccount>(env.kc, `/api/v1/namespaces/${namespace}/serviceaccounts`, (m) => m.has(`${namespace}/default`), 60_000, `serviceaccount default in ${namespace}`);
  }
  const peak = new PeakMemory(env.pids);
  const helperPeak = env.helperPids?.length ? new PeakMemory(env.helperPids) : undefined;
  const t0 = performance.now();
  await apps.createNamespacedStatefulSet({ namespace, body: statefulSet('bench', c) });
  await watchUntil<V1StatefulSet>(
    env.kc,
    `/apis/apps/v1/namespaces/${namespace}/statefulsets`,
    (m) => (m.get(`${namespace}/bench`)?.status?.readyReplicas ?? 0) >= c.replicas,
    env.deadlineMs,
    `StatefulSet ${namespace}/bench (${c.policy}) with ${c.replicas} ready replicas`,
  );
  const seconds = (performance.now() - t0) / 1000;
  return { ...c, seconds: round(seconds, 2), peakMiB: peak.finish(), ...(helperPeak ? { helperPeakMiB: helperPeak.finish() } : {}) };
}

export function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

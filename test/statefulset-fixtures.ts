/** Builders shared by the StatefulSet controller unit tests (not a test file itself). */
import type { V1Pod, V1StatefulSet } from '@kubernetes/client-node';

export function makeSet(overrides: Partial<V1StatefulSet['spec']> = {}, name = 'web'): V1StatefulSet {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, generation: 1, resourceVersion: '1' },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      serviceName: 'svc',
      podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
      revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'img:1' }] } },
      ...overrides,
    },
    status: { replicas: 0 },
  };
}

export function readyPod(pod: V1Pod, readySinceMs: number): V1Pod {
  pod.status = {
    phase: 'Running',
    conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: new Date(readySinceMs) }],
  };
  return pod;
}

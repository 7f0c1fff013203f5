/** kube-apiserver's /metrics, reduced to the one family clients read for gates: kubernetes_feature_enabled. */
import { FEATURE_GATES, FEATURE_STAGES, type FeatureGate } from '../features.ts';

/** The Prometheus text format, as component-base/featuregate registers the metric. */
export function featureMetrics(): string {
  const lines = [
    '# HELP kubernetes_feature_enabled [BETA] This metric records the data about the stage and enablement of a k8s feature.',
    '# TYPE kubernetes_feature_enabled gauge',
  ];
  for (const name of (Object.keys(FEATURE_GATES) as FeatureGate[]).sort())
    lines.push(`kubernetes_feature_enabled{name="${name}",stage="${FEATURE_STAGES[name]}"} ${FEATURE_GATES[name] ? 1 : 0}`);
  return `${lines.join('\n')}\n`;
}

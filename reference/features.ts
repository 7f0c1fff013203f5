/**
 * The feature gates that change StatefulSet behaviour (upstream pkg/features/kube_features.go),
 * fixed at their v1.37.2 defaults: the reference has no switches. Code behind a gate that is off
 * by default is not ported (see the notes per gate). The API server reports them on /metrics
 * as kube-apiserver does (apiserver/feature-gates.ts), so clients that ask which gates are on
 * (the harness does, for `@feature-gate:` scenarios) get the truth about the reference.
 */
export const FEATURE_GATES = {
  /** Beta, on by default since 1.37: rollingUpdate.maxUnavailable and the two-phase Parallel update. */
  MaxUnavailableStatefulSet: true,
  /** Alpha, off: `updateStrategy.type: Recreate` is rejected by validation; the controller only warns. */
  StatefulSetRecreateStrategy: false,
  /** Beta, on since 1.36: a sync waits until the informers have seen the controller's own writes. */
  StaleControllerConsistencyStatefulSet: true,
  /** Beta, on (since 1.0, a 1.34 regression fix): an equivalent latest revision is reused. */
  StatefulSetSemanticRevisionComparison: true,
} as const;

export type FeatureGate = keyof typeof FEATURE_GATES;

/** Each gate's stage at v1.37.2, as the `stage` label of kubernetes_feature_enabled has it. */
export const FEATURE_STAGES: Readonly<Record<FeatureGate, 'ALPHA' | 'BETA' | ''>> = {
  MaxUnavailableStatefulSet: 'BETA',
  StatefulSetRecreateStrategy: 'ALPHA',
  StaleControllerConsistencyStatefulSet: 'BETA',
  StatefulSetSemanticRevisionComparison: 'BETA',
};

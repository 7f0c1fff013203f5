/**
 * The kube-controller-manager / kube-apiserver feature gates that change StatefulSet behaviour,
 * at their v1.37.2 defaults (pkg/features/kube_features.go). The port follows the defaults;
 * code behind a gate that is off by default is not ported (see the notes per gate).
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

/**
 * Upstream's StatefulSet e2e tests at the pinned release (k8s.io/kubernetes@v1.37.2
 * test/e2e/apps/statefulset.go), as `e2e.test --list-tests` names them without the
 * "[sig-apps] StatefulSet " prefix, and which of them a target without a container runtime
 * skips, with the reason (read from the test's code: what it execs or needs a real container for).
 *
 * The features' guarantees name these tests in features/guarantees.json (`upstream`).
 */

export const UPSTREAM_PREFIX = '[sig-apps] StatefulSet ';
/** Ginkgo focus: the whole StatefulSet container of statefulset.go. */
export const FOCUS = '\\[sig-apps\\] StatefulSet ';

export interface UpstreamTest {
  /** The test's name after UPSTREAM_PREFIX, labels included. */
  name: string;
  /** Why a target without a container runtime (the reference, simulated nodes) cannot run it. */
  needsRuntime?: string;
  /** Why no target runs it unless the target enables it (alpha, off by default). */
  offByDefault?: string;
}

const BASIC = 'Basic StatefulSet functionality [StatefulSetBasic] ';
const EXEC_PAUSE =
  'needs a container runtime: new pods are paused by an exec readiness probe (test -f /data/statefulset-continue) that only `kubectl exec` into the pod resumes (PauseNewPods/ResumeNextPod)';
const EXEC_PROBE =
  "needs a container runtime: breaks and restores the httpd readiness probe by moving index.html with `kubectl exec` (breakHTTPProbe/restoreHTTPProbe)";
const RECREATE = 'alpha: the StatefulSetRecreateStrategy feature gate is Alpha and off by default in v1.37 ([Alpha] [Feature:OffByDefault])';

export const UPSTREAM_TESTS: readonly UpstreamTest[] = [
  { name: `${BASIC}should provide basic identity`, needsRuntime: `${EXEC_PAUSE}; writes and reads files and hostnames in the pods with \`kubectl exec\` (ExecInStatefulPods, CheckMount, CheckHostname)` },
  { name: `${BASIC}should adopt matching orphans and release non-matching pods`, needsRuntime: EXEC_PAUSE },
  { name: `${BASIC}should not deadlock when a pod's predecessor fails`, needsRuntime: EXEC_PAUSE },
  { name: `${BASIC}should perform rolling updates and roll backs of template modifications with PVCs`, needsRuntime: `${EXEC_PROBE.replace('(breakHTTPProbe/restoreHTTPProbe)', '(breakPodHTTPProbe/restorePodHTTPProbe)')}` },
  { name: `${BASIC}should perform rolling updates and roll backs of template modifications [Conformance]`, needsRuntime: `${EXEC_PROBE.replace('(breakHTTPProbe/restoreHTTPProbe)', '(breakPodHTTPProbe/restorePodHTTPProbe)')}` },
  { name: `${BASIC}should perform canary updates and phased rolling updates of template modifications [Conformance]` },
  { name: `${BASIC}should perform canary updates and phased rolling updates of template modifications for partiton1 and delete pod-0 without failing container` },
  { name: `${BASIC}should perform canary updates and phased rolling updates of template modifications for partiton1 and delete pod-0 with failing container` },
  { name: `${BASIC}should perform rolling updates with maxUnavailable [FeatureGate:MaxUnavailableStatefulSet] [Beta]` },
  { name: `${BASIC}should implement legacy replacement when the update strategy is OnDelete` },
  { name: `${BASIC}Scaling should happen in predictable order and halt if any stateful pod is unhealthy [Conformance] [Slow]`, needsRuntime: EXEC_PROBE },
  { name: `${BASIC}Burst scaling should run to completion even with unhealthy pods [Conformance] [Slow]`, needsRuntime: EXEC_PROBE },
  { name: `${BASIC}Should recreate evicted statefulset [Conformance]` },
  { name: `${BASIC}should have a working scale subresource [Conformance]` },
  { name: `${BASIC}should list, patch and delete a collection of StatefulSets [Conformance]` },
  { name: `${BASIC}should validate Statefulset Status endpoints [Conformance]` },
  { name: 'StatefulSet Recreate Update Strategy should recreate all pods when the update strategy is Recreate [FeatureGate:StatefulSetRecreateStrategy] [Alpha] [Feature:OffByDefault]', offByDefault: RECREATE },
  {
    name: 'StatefulSet Recreate Update Strategy should recreate stuck pods with ImagePullBackOff when the update strategy is Recreate [FeatureGate:StatefulSetRecreateStrategy] [Alpha] [Feature:OffByDefault]',
    offByDefault: RECREATE,
    needsRuntime: 'needs a container runtime: waits for an image pull of "broken-image" to fail (ErrImagePull/ImagePullBackOff)',
  },
  { name: 'StatefulSet Recreate Update Strategy should preserve Parallel PodManagementPolicy when recreating pods with recreate strategy [FeatureGate:StatefulSetRecreateStrategy] [Alpha] [Feature:OffByDefault]', offByDefault: RECREATE, needsRuntime: 'needs a container runtime: waits for an image pull of "broken-image" to fail (ErrImagePull/ImagePullBackOff)' },
  { name: 'Deploy clustered applications should creating a working CockroachDB cluster [Slow]', needsRuntime: 'needs a container runtime: runs SQL in the CockroachDB pods with `kubectl exec`' },
  { name: 'MinReadySeconds should be honored when enabled' },
  { name: 'AvailableReplicas should get updated accordingly when MinReadySeconds is enabled' },
  { name: 'Non-retain StatefulSetPersistentVolumeClaimPolicy should delete PVCs with a WhenDeleted policy' },
  { name: 'Non-retain StatefulSetPersistentVolumeClaimPolicy should delete PVCs with a OnScaledown policy' },
  { name: 'Non-retain StatefulSetPersistentVolumeClaimPolicy should not delete PVC with OnScaledown policy if another controller owns the PVC' },
  { name: 'Non-retain StatefulSetPersistentVolumeClaimPolicy should delete PVCs after adopting pod (WhenDeleted)' },
  { name: 'Non-retain StatefulSetPersistentVolumeClaimPolicy should delete PVCs after adopting pod (WhenScaled)' },
  { name: 'Non-retain StatefulSetPersistentVolumeClaimPolicy should not delete PVCs when there is another controller' },
  { name: 'Automatically recreate PVC for pending pod when PVC is missing PVC should be recreated when pod is pending due to missing PVC [Disruptive] [Serial]' },
  { name: 'Scaling StatefulSetStartOrdinal Setting .start.ordinal' },
  { name: 'Scaling StatefulSetStartOrdinal Increasing .start.ordinal' },
  { name: 'Scaling StatefulSetStartOrdinal Decreasing .start.ordinal' },
  { name: 'Scaling StatefulSetStartOrdinal Removing .start.ordinal' },
];

/** What a target offers that decides which upstream tests it can run. */
export interface TargetAbilities {
  /** Real containers: exec, logs, probes that read files, image pulls. */
  containerRuntime: boolean;
  /** Alpha / off-by-default feature gates turned on. */
  offByDefaultGates: boolean;
}

/** Why the target skips a test, or undefined when it runs it. */
export function skipReason(test: UpstreamTest, target: TargetAbilities): string | undefined {
  if (test.offByDefault && !target.offByDefaultGates) return test.offByDefault;
  if (test.needsRuntime && !target.containerRuntime) return test.needsRuntime;
  return undefined;
}

/** The catalogue entry of a full test name (JUnit's "[It] [sig-apps] StatefulSet ..." or --list-tests'). */
export function findUpstreamTest(fullName: string): UpstreamTest | undefined {
  const at = fullName.indexOf(UPSTREAM_PREFIX);
  if (at < 0) return undefined;
  const name = fullName.slice(at + UPSTREAM_PREFIX.length).trim();
  return UPSTREAM_TESTS.find((t) => t.name === name);
}

/** A Ginkgo --ginkgo.focus (or skip) regular expression matching exactly these tests (RE2 syntax). */
export function namePattern(tests: readonly UpstreamTest[]): string {
  return tests.map((t) => `${FOCUS}${escapeRegex(t.name)}`).join('|');
}

function escapeRegex(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&');
}

/**
 * The node half of a simulated kubelet: registers the Node, posts its status, and renews its
 * Lease in `kube-node-lease` — what the node lifecycle controller reads to keep a node Ready.
 * Intervals follow the kubelet defaults: lease duration 40 s renewed every 10 s
 * (`nodeLeaseDurationSeconds`, renew = duration/4), status posted every 40 s here (the kubelet
 * computes it every 10 s and posts on change or every 5 min; 40 s keeps lastHeartbeatTime
 * fresh for controllers that still read it).
 */
import {
  CoordinationV1Api,
  CoreV1Api,
  KubeConfig,
  type V1Lease,
  type V1Node,
  type V1NodeCondition,
  type V1NodeStatus,
} from '@kubernetes/client-node';
import type { Clock, Timer } from '../clock.ts';
import { errorMessage, isAlreadyExists, isNotFound } from '../api-errors.ts';
import { microTime, mergePatch, strategicMergePatch } from '../controllers/api-util.ts';
import { seconds } from './pod-status.ts';

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;
const LEASE_RENEW_MS = (LEASE_DURATION_SECONDS * 1000) / 4;
const LEASE_RETRY_FIRST_MS = 200;
const LEASE_RETRY_MAX_MS = 7_000;
const STATUS_INTERVAL_MS = 40_000;

/** The kubelet renews with a small jitter (4 %, `wait.Jitter` in the lease controller). */
function leaseRenewDelayMs(): number {
  return LEASE_RENEW_MS * (1 + Math.random() * 0.04);
}

export interface NodeIdentity {
  name: string;
  internalIP: string;
  podCIDR: string;
  kubeletVersion: string;
}

export function nodeManifest(id: NodeIdentity): V1Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: id.name,
      labels: {
        'kubernetes.io/hostname': id.name,
        'kubernetes.io/os': 'linux',
        'kubernetes.io/arch': 'amd64',
        'beta.kubernetes.io/os': 'linux',
        'beta.kubernetes.io/arch': 'amd64',
        'sim.statefulset-conformance.io/node': 'true',
      },
      annotations: { 'node.alpha.kubernetes.io/ttl': '0' },
    },
    spec: { podCIDR: id.podCIDR, podCIDRs: [id.podCIDR] },
  };
}

/** kwok's `NodeConditions`: Ready plus the four pressure/network conditions all False. */
export function nodeConditions(now: Date, previous: V1NodeCondition[] = []): V1NodeCondition[] {
  const desired: Array<Pick<V1NodeCondition, 'type' | 'status' | 'reason' | 'message'>> = [
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated', message: 'RouteController created a route' },
  ];
  return desired.map((d) => {
    const old = previous.find((c) => c.type === d.type);
    const lastTransitionTime = old && old.status === d.status && old.lastTransitionTime ? old.lastTransitionTime : now;
    return { ...d, lastHeartbeatTime: now, lastTransitionTime };
  });
}

export function nodeStatus(id: NodeIdentity, now: Date, previous?: V1NodeStatus): V1NodeStatus {
  const resources = { cpu: '32', memory: '256Gi', pods: '1k', 'ephemeral-storage': '1Ti' };
  return {
    conditions: nodeConditions(now, previous?.conditions),
    addresses: [
      { type: 'InternalIP', address: id.internalIP },
      { type: 'Hostname', address: id.name },
    ],
    capacity: resources,
    allocatable: resources,
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      architecture: 'amd64',
      operatingSystem: 'linux',
      kubeletVersion: id.kubeletVersion,
      kubeProxyVersion: '',
      containerRuntimeVersion: 'sim://1.0.0',
      kernelVersion: '6.1.0-sim',
      osImage: 'statefulset-conformance simulated node',
      bootID: '',
      machineID: '',
      systemUUID: '',
    },
    phase: 'Running',
  };
}

export class NodeAgent {
  private readonly core: CoreV1Api;
  private readonly coordination: CoordinationV1Api;
  private leaseTimer?: Timer;
  private statusTimer?: Timer;
  private nodeUid?: string;
  running = false;

  constructor(
    kc: KubeConfig,
    readonly id: NodeIdentity,
    private readonly clock: Clock,
    private readonly log: (s: string) => void,
  ) {
    this.core = kc.makeApiClient(CoreV1Api);
    this.coordination = kc.makeApiClient(CoordinationV1Api);
  }

  /** Registers (or re-registers) the node, posts Ready and starts the heartbeats. */
  async start(): Promise<void> {
    this.running = true;
    await this.register();
    await this.postStatus();
    await this.renewLease();
    this.scheduleLease();
    this.scheduleStatus();
  }

  stop(): void {
    this.running = false;
    this.leaseTimer?.cancel();
    this.statusTimer?.cancel();
  }

  private async register(): Promise<void> {
    try {
      const created = await this.core.createNode({ body: nodeManifest(this.id) });
      this.nodeUid = created.metadata?.uid;
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      const existing = await this.core.readNode({ name: this.id.name });
      this.nodeUid = existing.metadata?.uid;
    }
  }

  private async postStatus(): Promise<void> {
    const now = seconds(this.clock.nowMs());
    const current = await this.core.readNode({ name: this.id.name });
    this.nodeUid = current.metadata?.uid;
    await this.core.patchNodeStatus({ name: this.id.name, body: { status: nodeStatus(this.id, now, current.status) } }, strategicMergePatch());
  }

  private leaseBody(now: Date): V1Lease {
    return {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.id.name,
        namespace: LEASE_NAMESPACE,
        ownerReferences: this.nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name: this.id.name, uid: this.nodeUid }] : undefined,
      },
      // MicroTime must carry six fractional digits: client-node would send a Date as millis,
      // which a real kube-apiserver rejects for MicroTime fields.
      spec: {
        holderIdentity: this.id.name,
        leaseDurationSeconds: LEASE_DURATION_SECONDS,
        renewTime: microTime(now) as unknown as Date,
      },
    };
  }

  private async renewLease(): Promise<void> {
    const now = this.clock.now();
    const patch = { spec: { holderIdentity: this.id.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) } };
    try {
      await this.coordination.patchNamespacedLease({ name: this.id.name, namespace: LEASE_NAMESPACE, body: patch }, mergePatch());
    } catch (err) {
      if (!isNotFound(err)) throw err;
      await this.ensureLeaseNamespace();
      try {
        await this.coordination.createNamespacedLease({ namespace: LEASE_NAMESPACE, body: this.leaseBody(now) });
      } catch (createErr) {
        if (!isAlreadyExists(createErr)) throw createErr;
      }
    }
  }

  private async ensureLeaseNamespace(): Promise<void> {
    try {
      await this.core.createNamespace({ body: { metadata: { name: LEASE_NAMESPACE } } });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }

  /**
   * Renews every 10 s while that works. A failed renewal is retried with the kubelet's
   * backoff (`backoffEnsureLease` in component-helpers' lease controller: 200 ms doubling to
   * 7 s) rather than after another full interval, so a node outlives an API server restart
   * shorter than the grace period less a few seconds, as a real one does.
   */
  private scheduleLease(delayMs = leaseRenewDelayMs()): void {
    if (!this.running) return;
    this.leaseTimer = this.clock.after(delayMs, () => {
      if (!this.running) return;
      this.renewLease().then(
        () => this.scheduleLease(),
        (err) => {
          const retryMs = Math.min(delayMs >= LEASE_RENEW_MS ? LEASE_RETRY_FIRST_MS : delayMs * 2, LEASE_RETRY_MAX_MS);
          this.log(`node ${this.id.name}: lease renewal failed, will retry in ${retryMs} ms: ${errorMessage(err)}`);
          this.scheduleLease(retryMs);
        },
      );
    });
  }

  private scheduleStatus(): void {
    if (!this.running) return;
    this.statusTimer = this.clock.after(STATUS_INTERVAL_MS, () => {
      if (!this.running) return;
      this.postStatus()
        .catch((err) => this.log(`node ${this.id.name}: status update failed: ${errorMessage(err)}`))
        .finally(() => this.scheduleStatus());
    });
  }
}

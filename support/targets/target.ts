/**
 * What differs between the places the suite runs. Steps never see a Target directly: they go
 * through the World, which talks to the cluster with client-node using `kubeConfig`, and asks
 * the Target only for what the Kubernetes API cannot do (node faults, DNS look-ups).
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../reference/clock.ts';
import type { FeatureGates } from './feature-gates.ts';

/** Capabilities a scenario can require with `@needs:<capability>`. */
export type Capability =
  | 'simulated-nodes' // the harness controls the nodes (stop/start a node's kubelet)
  | 'node-faults' // nodes can be stopped and started (simulated, or kind containers)
  | 'dns' // headless-Service DNS can be resolved
  | 'storage' // a default StorageClass provisions and binds volumes
  | 'movable-storage' // a claim's volume can follow its pod to another node (the default class binds at once)
  | 'wffc-storage' // a StorageClass binds at first consumer (WaitForFirstConsumer): TargetInfo.firstConsumerClass
  | 'fast-clock' // simulated time runs faster than wall time
  | 'control-plane-faults'; // the StatefulSet controller and the API server can be stopped and restarted

export interface TargetInfo {
  name: string;
  /** Server version as `/version` reports it, e.g. "v1.34.2". */
  serverVersion: string;
  /** major.minor as numbers, for `@k8s:>=1.32` gates. */
  minor: number;
  capabilities: Set<Capability>;
  /** Why each missing capability is missing, for skip messages. */
  missing: Map<Capability, string>;
  /** The API server's feature gates (`@feature-gate:` scenarios), or why they are unknown. */
  featureGates: FeatureGates;
  /** The WaitForFirstConsumer StorageClass scenarios use (with `wffc-storage`). */
  firstConsumerClass?: string;
  /** Set when the target cannot run at all here (e.g. kind without Docker): every scenario is skipped with this reason. */
  unavailable?: string;
}

/**
 * Set by the runner for its workers when it found the target unusable and `--skip-unavailable`
 * asked for the run to be reported as skipped rather than failed.
 */
export const ENV_TARGET_UNAVAILABLE = 'STS_TARGET_UNAVAILABLE';

/** A target that cannot run at all: every scenario is skipped with the reason. */
export function unavailableInfo(name: string, reason: string): TargetInfo {
  return { name, serverVersion: 'unavailable', minor: 0, capabilities: new Set(), missing: new Map(), featureGates: { unknown: reason }, unavailable: reason };
}

export interface Target {
  readonly name: string;
  /** Starts (or connects to) the target once per worker process. */
  start(): Promise<TargetInfo>;
  stop(): Promise<void>;
  kubeConfig(): KubeConfig;
  /** The clock scenario timestamps are read on; `scale` > 1 means time runs fast. */
  clock(): Clock;
  /** Stops the kubelet of a node: no heartbeats, its pods are no longer run or finished. */
  stopNode(node: string): Promise<void>;
  startNode(node: string): Promise<void>;
  /**
   * Control-plane faults (capability `control-plane-faults`). The StatefulSet controller stops —
   * upstream, kube-controller-manager's process; in hybrid and on the reference, the reference
   * controller — and starts again with fresh caches.
   */
  stopController?(): Promise<void>;
  startController?(): Promise<void>;
  /**
   * The API server restarts: every connection and watch is cut. With `compact`, the history
   * before the restart is compacted first (etcd's compaction upstream), so a watch resumed from
   * it is answered 410 Gone and its client must relist.
   */
  restartApiServer?(opts: { compact: boolean }): Promise<void>;
  /** Resolves a DNS name of the given record type from inside the cluster's DNS view. */
  resolve(name: string, type: 'A' | 'SRV'): Promise<DnsAnswer[]>;
  /** Where component logs live, attached to reports on failure. */
  logs?(): Promise<Record<string, string>>;
}

export type DnsAnswer =
  | { type: 'A'; name: string; address: string }
  | { type: 'SRV'; name: string; target: string; port: number; priority: number; weight: number };

/**
 * A kubelet simulator in the manner of kwok: registers nodes, keeps their leases and status
 * fresh, and runs the pods bound to them — through the public API only, so it works the same
 * against the reference API server and a real kube-apiserver.
 */
import { CoreV1Api, KubeConfig, type V1Pod } from '@kubernetes/client-node';
import { type ComponentOptions, informersFor } from '../controllers/runtime.ts';
import { formatIPv4, IpBlock, parseIPv4 } from './ip-allocator.ts';
import { NodeAgent } from './node-agent.ts';
import { PodRunner, type NodeSlot } from './pod-runner.ts';

export { IGNORE_SIGTERM_ANNOTATION } from './pod-status.ts';

export interface NodeSimulatorOptions extends ComponentOptions {
  /** Number of nodes, default 3. */
  nodes?: number;
  /** Node names are `<prefix><index>`, default `sim-node-`. */
  namePrefix?: string;
  /** First pod address; node i gets the /20 block at base + i·4096. Default `10.244.0.0`. */
  podCidrBase?: string;
  /** First node InternalIP; node i gets base + i. Default `172.18.0.2` (kind's node network). */
  nodeIpBase?: string;
  /** Simulated time from binding to Running, default 1000 ms. */
  startupDelayMs?: number;
  /** Simulated time containers take to stop on SIGTERM (capped by the grace period), default 2000 ms. */
  shutdownDelayMs?: number;
  /** `nodeInfo.kubeletVersion`, default `v1.37.2-sim` (the reference control plane's version); set it to the control plane's version. */
  kubeletVersion?: string;
}

export interface NodeSimulator {
  nodeNames: string[];
  /** The kubelet of the node dies: no heartbeats, its pods are neither run nor finished. */
  stopNode(name: string): Promise<void>;
  /** The kubelet comes back: heartbeats first, then its pods are reconciled. */
  startNode(name: string): Promise<void>;
  /** Containers stop for good, the pod goes to a terminal phase (crash, eviction). */
  failPod(namespace: string, name: string, phase: 'Failed' | 'Succeeded', reason?: string, message?: string): Promise<void>;
  /** Simulated readiness probe result of all containers of a pod. */
  setContainersReady(namespace: string, name: string, ready: boolean): Promise<void>;
  stop(): Promise<void>;
}

export async function startNodeSimulator(kc: KubeConfig, opts: NodeSimulatorOptions): Promise<NodeSimulator> {
  const { clock } = opts;
  const informers = informersFor(kc, opts);
  const log = opts.log ?? (() => undefined);
  const count = opts.nodes ?? 3;
  const prefix = opts.namePrefix ?? 'sim-node-';
  const nodeIpBase = parseIPv4(opts.nodeIpBase ?? '172.18.0.2');
  const kubeletVersion = opts.kubeletVersion ?? 'v1.37.2-sim';

  const slots = new Map<string, NodeSlot>();
  const agents = new Map<string, NodeAgent>();
  for (let i = 0; i < count; i++) {
    const name = `${prefix}${i}`;
    const ips = IpBlock.forNode(opts.podCidrBase ?? '10.244.0.0', i);
    const internalIP = formatIPv4(nodeIpBase + i);
    slots.set(name, { name, internalIP, ips, running: false });
    agents.set(name, new NodeAgent(kc, { name, internalIP, podCIDR: ips.cidr, kubeletVersion }, clock, log));
  }

  const core = kc.makeApiClient(CoreV1Api);
  const pods = informers.informer<V1Pod>('/api/v1/pods', 'V1Pod', () => core.listPodForAllNamespaces());
  const runner = new PodRunner(
    kc,
    clock,
    slots,
    { startupDelayMs: opts.startupDelayMs ?? 1000, shutdownDelayMs: opts.shutdownDelayMs ?? 2000 },
    (namespace, name) => pods.get(name, namespace),
    log,
  );
  pods.on('add', (p) => runner.observe(p));
  pods.on('update', (p) => runner.observe(p));
  pods.on('delete', (p) => runner.forget(p));

  const startNode = async (name: string) => {
    const slot = slots.get(name);
    const agent = agents.get(name);
    if (!slot || !agent) throw new Error(`unknown simulated node ${name}`);
    if (slot.running) return;
    await agent.start();
    slot.running = true;
    runner.resumeNode(name, pods.list());
  };

  // Nodes first (pods bound to them may already exist), then the pod informer.
  await Promise.all([...agents.values()].map((a) => a.start()));
  for (const slot of slots.values()) slot.running = true;
  await pods.start();

  return {
    nodeNames: [...slots.keys()],
    startNode,
    async stopNode(name) {
      const slot = slots.get(name);
      if (!slot) throw new Error(`unknown simulated node ${name}`);
      slot.running = false;
      agents.get(name)!.stop();
      runner.pauseNode(name);
    },
    failPod: (namespace, name, phase, reason, message) => runner.failPod(namespace, name, phase, reason, message),
    setContainersReady: (namespace, name, ready) => runner.setContainersReady(namespace, name, ready),
    async stop() {
      runner.stop();
      for (const [name, agent] of agents) {
        agent.stop();
        slots.get(name)!.running = false;
      }
      await pods.stop();
    },
  };
}

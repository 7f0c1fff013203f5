/**
 * The control-plane target: real upstream etcd, kube-apiserver, kube-controller-manager,
 * kube-scheduler and CoreDNS (built by `npm run control-plane:build`) as processes on
 * 127.0.0.1, with the project's node simulator as the kubelet and its volume provisioner as
 * the external provisioner (the real PV controller binds). Real time: the clock scale is 1.
 *
 * Hybrid mode: KCM runs without its StatefulSet controller and the reference StatefulSet
 * controller runs against the real API server instead.
 */
import { KubeConfig } from '@kubernetes/client-node';
import { realClock, type Clock } from '../../reference/clock.ts';
import { startNodeSimulator, type NodeSimulator } from '../../reference/nodes/index.ts';
import { controlPlaneBinDir, ENV_FEATURE_GATES } from '../control-plane/binaries.ts';
import { resolveAt } from './dns-lookup.ts';
import { startControlPlane, type RunningControlPlane } from '../control-plane/index.ts';
import { waitNodesSchedulable } from '../control-plane/nodes.ts';
import { probeServer } from './probe.ts';
import { probeStorage } from './storage.ts';
import type { DnsAnswer, Target, TargetInfo } from './target.ts';

export interface ControlPlaneTargetOptions {
  /** Run the reference StatefulSet controller instead of KCM's. */
  hybrid?: boolean;
  /** Binaries folder (default: $STS_CONTROL_PLANE_BIN_DIR or the version-keyed cache). */
  binDir?: string;
  /** Simulated nodes (default 3). */
  nodes?: number;
  /**
   * tolerationSeconds of the not-ready/unreachable NoExecute tolerations added to pods
   * (upstream default 300; default here 30, env STS_CP_TOLERATION_SECONDS) — how long after a
   * node is lost its pods are marked for deletion.
   */
  tolerationSeconds?: number;
  /**
   * KCM --node-monitor-grace-period in seconds (upstream default 50; default here 40, env
   * STS_CP_NODE_GRACE_SECONDS): shorter keeps node-loss scenarios quick, but it must outlast an
   * API server restart plus one lease renewal interval (10 s), or nodes go NotReady and flip
   * their pods' readiness in the middle of the API-server fault scenarios.
   */
  nodeGraceSeconds?: number;
  log?: (line: string) => void;
}

interface Stoppable {
  stop(): Promise<void>;
}

/** What reference/controllers/volumes.ts provides (loaded lazily: storage is optional). */
type StartVolumeProvisioner = (kc: KubeConfig, opts: { clock: Clock; bindClaims: boolean; log?: (line: string) => void }) => Promise<Stoppable>;

const envNumber = (name: string): number | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : Number(v);
};

export class ControlPlaneTarget implements Target {
  /** "hybrid" when the reference StatefulSet controller runs against the real API server. */
  readonly name: string;
  private cp?: RunningControlPlane;
  private kc?: KubeConfig;
  private sim?: NodeSimulator;
  private readonly helpers: Array<{ name: string; stop(): Promise<void> }> = [];
  private readonly helperLogs = new Map<string, string[]>();

  constructor(private readonly opts: ControlPlaneTargetOptions = {}) {
    this.name = opts.hybrid ? 'hybrid' : 'control-plane';
  }

  private logger(component: string): (line: string) => void {
    return (line) => {
      const lines = this.helperLogs.get(component) ?? [];
      if (lines.length >= 5000) lines.shift();
      lines.push(`${new Date().toISOString()} ${line}`);
      this.helperLogs.set(component, lines);
      this.opts.log?.(`${component}: ${line}`);
    };
  }

  async start(): Promise<TargetInfo> {
    const hybrid = this.opts.hybrid ?? false;
    const missing = new Map<string, string>();
    try {
      this.cp = await startControlPlane({
        binDir: this.opts.binDir ?? controlPlaneBinDir(),
        hybrid,
        withDns: true,
        withScheduler: true,
        defaultTolerationSeconds: this.opts.tolerationSeconds ?? envNumber('STS_CP_TOLERATION_SECONDS') ?? 30,
        nodeMonitorGracePeriodSeconds: this.opts.nodeGraceSeconds ?? envNumber('STS_CP_NODE_GRACE_SECONDS') ?? 40,
        featureGates: process.env[ENV_FEATURE_GATES] || undefined,
        // Ctrl-C winds the suite down first (support/interrupt.ts); AfterAll then stops the plane.
        handleSignals: false,
        log: this.logger('control-plane'),
      });
      const kc = new KubeConfig();
      kc.loadFromFile(this.cp.kubeconfigPath);
      this.kc = kc;

      if (hybrid) await this.startController();

      const provisioner = await loadVolumeProvisioner();
      if (typeof provisioner === 'string') missing.set('storage', provisioner);
      else {
        // bindClaims: false — the real persistentvolume-binder-controller completes the bind.
        const p = await provisioner(kc, { clock: realClock, bindClaims: false, log: this.logger('volume-provisioner') });
        this.helpers.push({ name: 'volume-provisioner', stop: () => p.stop() });
      }

      this.sim = await startNodeSimulator(kc, {
        clock: realClock,
        nodes: this.opts.nodes ?? 3,
        kubeletVersion: this.cp.serverVersion,
        log: this.logger('node-simulator'),
      });
      await waitNodesSchedulable(kc, this.sim.nodeNames);

      const info = await probeServer(this.name, kc);
      for (const c of ['simulated-nodes', 'node-faults', 'dns', 'control-plane-faults'] as const) info.capabilities.add(c);
      // The provisioner's classes: default `standard` (Immediate) and `standard-wffc`.
      if (!missing.has('storage')) await probeStorage(kc, info);
      else for (const c of ['storage', 'movable-storage', 'wffc-storage'] as const) info.missing.set(c, missing.get('storage')!);
      info.missing.set('fast-clock', 'a real kube-apiserver runs on wall-clock time (clock scale 1)');
      return info;
    } catch (err) {
      await this.stop().catch(() => undefined);
      throw err;
    }
  }

  async stop(): Promise<void> {
    const sim = this.sim;
    this.sim = undefined;
    await sim?.stop().catch(() => undefined);
    for (const h of this.helpers.splice(0).reverse()) await h.stop().catch(() => undefined);
    const cp = this.cp;
    this.cp = undefined;
    await cp?.stop();
  }

  private get running(): { cp: RunningControlPlane; kc: KubeConfig; sim: NodeSimulator } {
    if (!this.cp || !this.kc || !this.sim) throw new Error('the control-plane target is not started');
    return { cp: this.cp, kc: this.kc, sim: this.sim };
  }

  kubeConfig(): KubeConfig {
    return this.running.kc;
  }

  clock(): Clock {
    return realClock;
  }

  stopNode(node: string): Promise<void> {
    return this.running.sim.stopNode(node);
  }

  startNode(node: string): Promise<void> {
    return this.running.sim.startNode(node);
  }

  /** kube-controller-manager's process; in hybrid, the reference StatefulSet controller. */
  async stopController(): Promise<void> {
    if (!this.opts.hybrid) return this.running.cp.stopComponent('kube-controller-manager');
    const i = this.helpers.findIndex((h) => h.name === 'statefulset-controller');
    if (i < 0) throw new Error('the StatefulSet controller is not running');
    const [c] = this.helpers.splice(i, 1);
    await c!.stop();
  }

  async startController(): Promise<void> {
    if (!this.opts.hybrid) return this.running.cp.startComponent('kube-controller-manager');
    if (!this.kc) throw new Error('the control-plane target is not started');
    const { startStatefulSetController } = await import('../../reference/controllers/statefulset/index.ts');
    const c = await startStatefulSetController(this.kc, { clock: realClock, log: this.logger('statefulset-controller') });
    this.helpers.push({ name: 'statefulset-controller', stop: () => c.stop() });
  }

  /** kube-apiserver's process, after etcd's compaction when asked. */
  async restartApiServer({ compact }: { compact: boolean }): Promise<void> {
    const { cp } = this.running;
    await cp.stopComponent('kube-apiserver');
    if (compact) await cp.compactEtcd();
    await cp.startComponent('kube-apiserver');
  }

  async resolve(name: string, type: 'A' | 'SRV'): Promise<DnsAnswer[]> {
    const { cp } = this.running;
    if (cp.dnsPort === undefined) throw new Error('the control-plane target runs without CoreDNS');
    return resolveAt(`127.0.0.1:${cp.dnsPort}`, name, type);
  }

  async logs(): Promise<Record<string, string>> {
    const out: Record<string, string> = this.cp ? await this.cp.logs() : {};
    for (const [k, v] of this.helperLogs) out[k] = v.join('\n');
    return out;
  }
}

/** The volume provisioner, or why storage is unavailable. */
async function loadVolumeProvisioner(): Promise<StartVolumeProvisioner | string> {
  const specifier = '../../reference/controllers/volumes.ts';
  try {
    const mod = (await import(specifier)) as { startVolumeProvisioner?: StartVolumeProvisioner };
    return mod.startVolumeProvisioner ?? 'reference/controllers/volumes.ts exports no startVolumeProvisioner';
  } catch (err) {
    return `the volume provisioner (reference/controllers/volumes.ts) could not be loaded: ${(err as Error).message.split('\n')[0]}`;
  }
}

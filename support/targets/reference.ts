/**
 * The default target: the bundled reference control plane, in this worker process.
 */
import { resolveAt } from './dns-lookup.ts';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../../reference/clock.ts';
import { startReferenceControlPlane, type ReferenceControlPlane } from '../../reference/index.ts';
import type { DnsAnswer, Target, TargetInfo } from './target.ts';
import { probeServer } from './probe.ts';
import { probeStorage } from './storage.ts';

export interface ReferenceTargetOptions {
  clockScale: number;
}

export class ReferenceTarget implements Target {
  readonly name = 'reference';
  private plane?: ReferenceControlPlane;

  constructor(private readonly opts: ReferenceTargetOptions) {}

  async start(): Promise<TargetInfo> {
    this.plane = await startReferenceControlPlane({ clockScale: this.opts.clockScale });
    const info = await probeServer(this.name, this.plane.kubeConfig);
    for (const c of ['simulated-nodes', 'node-faults', 'dns', 'control-plane-faults'] as const) info.capabilities.add(c);
    // The provisioner's classes: default `standard` (Immediate) and `standard-wffc`.
    await probeStorage(this.plane.kubeConfig, info);
    if (this.opts.clockScale > 1) info.capabilities.add('fast-clock');
    else info.missing.set('fast-clock', 'the reference clock runs at real speed (clock scale 1)');
    return info;
  }

  async stop(): Promise<void> {
    await this.plane?.stop();
    this.plane = undefined;
  }

  private get running(): ReferenceControlPlane {
    if (!this.plane) throw new Error('the reference target is not started');
    return this.plane;
  }

  kubeConfig(): KubeConfig {
    return this.running.kubeConfig;
  }

  clock(): Clock {
    return this.running.clock;
  }

  stopNode(node: string): Promise<void> {
    return this.running.nodes.stopNode(node);
  }

  startNode(node: string): Promise<void> {
    return this.running.nodes.startNode(node);
  }

  stopController(): Promise<void> {
    return this.running.stopStatefulSetController();
  }

  startController(): Promise<void> {
    return this.running.startStatefulSetController();
  }

  restartApiServer(opts: { compact: boolean }): Promise<void> {
    return this.running.restartApiServer(opts);
  }

  async resolve(name: string, type: 'A' | 'SRV'): Promise<DnsAnswer[]> {
    return resolveAt(`127.0.0.1:${this.running.dnsPort}`, name, type);
  }

  async logs(): Promise<Record<string, string>> {
    return this.running.logs();
  }
}

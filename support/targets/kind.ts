/**
 * The kind target: the cluster target on a kind cluster (one control-plane node, three
 * workers) that the harness creates or reuses, plus node faults (`docker stop/start <node>`).
 *
 * Lifecycle. Cucumber's parallel workers each start the target, so the cluster is prepared
 * once, before Cucumber starts, by `npm run test:kind` (scripts/conformance.ts →
 * `prepareKindCluster`), which hands the workers the kubeconfig in STS_KIND_KUBECONFIG and
 * deletes the cluster afterwards if it created it, unless `--keep-cluster`. Run directly with
 * `cucumber-js -p kind`, the target does the same itself when not parallel; parallel, it needs
 * the cluster to exist already.
 *
 * When kind or Docker is missing or the Docker engine is down, the target is *unavailable*:
 * every scenario is skipped with the reason (what to install), and the run does not fail.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeConfig } from '@kubernetes/client-node';
import { realClock, type Clock } from '../../reference/clock.ts';
import { DEFAULT_CLUSTER_NAME, Kind, kindAvailability } from '../kind/index.ts';
import { ClusterTarget } from './cluster.ts';
import { ENV_TARGET_UNAVAILABLE, unavailableInfo, type DnsAnswer, type Target, type TargetInfo } from './target.ts';

export interface KindTargetOptions {
  name?: string;
  keepCluster?: boolean;
  labels?: Record<string, string>;
}

/** Set by the runner for its workers. */
export const ENV_KUBECONFIG = 'STS_KIND_KUBECONFIG';

export interface PreparedKind {
  /** Why kind cannot run here (then nothing else is set). */
  unavailable?: string;
  kubeconfig?: string;
  created?: boolean;
  kind?: Kind;
}

/** Creates or reuses the cluster and writes its kubeconfig to a file of its own. */
export async function prepareKindCluster(opts: { name?: string; log?: (line: string) => void; signal?: AbortSignal } = {}): Promise<PreparedKind> {
  const availability = await kindAvailability();
  if (!availability.ok) return { unavailable: availability.reason };
  const kind = new Kind({ name: opts.name ?? process.env.STS_KIND_CLUSTER ?? DEFAULT_CLUSTER_NAME, log: opts.log, signal: opts.signal });
  const { created } = await kind.ensure();
  const dir = join(tmpdir(), 'statefulset-conformance');
  mkdirSync(dir, { recursive: true });
  const kubeconfig = await kind.writeKubeconfig(join(mkdtempSync(join(dir, 'kind-')), 'kubeconfig'));
  return { kubeconfig, created, kind };
}

export class KindTarget implements Target {
  readonly name = 'kind';
  private cluster?: ClusterTarget;
  private kind?: Kind;
  private created = false;

  constructor(private readonly opts: KindTargetOptions = {}) {}

  async start(): Promise<TargetInfo> {
    const clusterName = this.opts.name ?? process.env.STS_KIND_CLUSTER ?? DEFAULT_CLUSTER_NAME;
    this.kind = new Kind({ name: clusterName });
    let kubeconfig = process.env[ENV_KUBECONFIG];
    const unavailable = process.env[ENV_TARGET_UNAVAILABLE];
    if (unavailable) return unavailableInfo(this.name, unavailable);
    if (!kubeconfig) {
      const parallel = process.env.CUCUMBER_PARALLEL === 'true';
      if (parallel) {
        const availability = await kindAvailability();
        if (!availability.ok) return unavailableInfo(this.name, availability.reason);
        if (!(await this.kind.exists())) {
          throw new Error(`kind cluster "${clusterName}" does not exist: run \`npm run test:kind\` (it creates the cluster before starting parallel workers), or run cucumber-js without --parallel`);
        }
        kubeconfig = await this.kind.writeKubeconfig(join(mkdtempSync(join(tmpdir(), 'sts-kind-')), 'kubeconfig'));
      } else {
        const prepared = await prepareKindCluster({ name: clusterName, log: (l) => console.error(l) });
        if (prepared.unavailable) return unavailableInfo(this.name, prepared.unavailable);
        kubeconfig = prepared.kubeconfig!;
        this.created = !!prepared.created;
      }
    }
    const kind = this.kind;
    this.cluster = new ClusterTarget({
      name: this.name,
      kubeconfig,
      labels: this.opts.labels,
      nodeFaults: { stopNode: (n) => kind.stopNode(n), startNode: (n) => kind.startNode(n) },
    });
    return this.cluster.start();
  }

  async stop(): Promise<void> {
    await this.cluster?.stop();
    if (this.created && !this.opts.keepCluster) await this.kind?.delete();
  }

  private get running(): ClusterTarget {
    if (!this.cluster) throw new Error('the kind target is not started');
    return this.cluster;
  }

  kubeConfig(): KubeConfig {
    return this.running.kubeConfig();
  }

  clock(): Clock {
    return realClock;
  }

  stopNode(node: string): Promise<void> {
    return this.running.stopNode(node);
  }

  startNode(node: string): Promise<void> {
    return this.running.startNode(node);
  }

  resolve(name: string, type: 'A' | 'SRV'): Promise<DnsAnswer[]> {
    return this.running.resolve(name, type);
  }
}

/**
 * The cluster target: any cluster a kubeconfig reaches (the current context, or `--context`;
 * `KUBECONFIG` chooses the file). Before any scenario it checks that the cluster answers, that
 * it accepts the credentials and that they may create and delete namespaces, and says which
 * context (and kubeconfig) failed. Capabilities are probed, never assumed:
 *   storage, movable-storage, wffc-storage — what the StorageClasses offer (support/targets/storage.ts;
 *              STS_STORAGE_MOVES=true|false overrides movable-storage)
 *   dns      — a look-up from inside a pod (support/targets/cluster-dns.ts) answers
 * Node faults only where the nodes can be stopped (the kind target passes `nodeFaults`); no
 * simulated nodes and no fast clock: time is real.
 *
 * The harness writes only inside namespaces it created and labelled (support/world.ts,
 * support/interrupt.ts); `npm run clean` removes what an interrupted run left.
 */
import {
  ApiException,
  AuthorizationV1Api,
  CoreV1Api,
  type KubeConfig,
} from '@kubernetes/client-node';
import { apiStatus } from '../../reference/api-errors.ts';
import { realClock, type Clock } from '../../reference/clock.ts';
import { DnsProbe } from './cluster-dns.ts';
import { KubeConfigError, loadKubeConfig, type LoadedKubeConfig } from './kubeconfig.ts';
import { probeServer } from './probe.ts';
import { probeStorage, storageMovesOverride } from './storage.ts';
import { ENV_TARGET_UNAVAILABLE, unavailableInfo, type DnsAnswer, type Target, type TargetInfo } from './target.ts';

export interface NodeFaults {
  stopNode(node: string): Promise<void>;
  startNode(node: string): Promise<void>;
}

export interface ClusterTargetOptions {
  /** Target name in reports (default "cluster"). */
  name?: string;
  /** kubeconfig file (default: $KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string;
  context?: string;
  /** Labels of the namespaces the target itself creates (the DNS probe's), e.g. the run id. */
  labels?: Record<string, string>;
  /** How node faults are injected, when the target can (kind). */
  nodeFaults?: NodeFaults;
  /** Budget of each reachability/permission request (default 15 s). */
  requestTimeoutMs?: number;
  /** How long the DNS probe pod may take to run, image pull included (default 120 s, env STS_DNS_PROBE_TIMEOUT seconds). */
  dnsProbeTimeoutMs?: number;
}

export class ClusterTargetError extends Error {
  override name = 'ClusterTargetError';
}

/**
 * A failed request to a cluster, as a message naming the context, the kubeconfig and the
 * server: unreachable, refused credentials (401), or what the server answered.
 */
export function describeRequestError(err: unknown, loaded: Pick<LoadedKubeConfig, 'where' | 'server'>, what: string): ClusterTargetError {
  const { where, server } = loaded;
  if (err instanceof ClusterTargetError) return err;
  if (err instanceof ApiException) {
    if (err.code === 401) {
      return new ClusterTargetError(
        `the cluster of ${where} at ${server} refused the credentials (401 Unauthorized, trying to ${what}): log in again or fix the user of that context`,
      );
    }
    const body = typeof err.body === 'string' ? err.body : JSON.stringify(err.body);
    const message = apiStatus(err)?.message ?? body;
    const forbidden = err.code === 403 ? ' (403 Forbidden: the credentials are accepted but lack the permission)' : '';
    return new ClusterTargetError(`the cluster of ${where} at ${server} answered ${err.code}${forbidden} when trying to ${what}: ${message}`);
  }
  const e = err as Error & { code?: string; cause?: { code?: string; message?: string } };
  const detail = [e.code ?? e.cause?.code, e.cause?.message ?? e.message].filter(Boolean).join(' ');
  return new ClusterTargetError(`cannot reach the cluster of ${where} at ${server} (trying to ${what}): ${detail}`);
}

export class ClusterTarget implements Target {
  readonly name: string;
  private loaded?: LoadedKubeConfig;
  private dns?: DnsProbe;

  constructor(private readonly opts: ClusterTargetOptions = {}) {
    this.name = opts.name ?? 'cluster';
  }

  async start(): Promise<TargetInfo> {
    // The runner found the cluster unusable and was told to report the run as skipped.
    const unavailable = process.env[ENV_TARGET_UNAVAILABLE];
    if (unavailable) return unavailableInfo(this.name, unavailable);
    const loaded = loadKubeConfig({ kubeconfig: this.opts.kubeconfig, context: this.opts.context });
    this.loaded = loaded;
    const movesOverride = storageMovesOverride();
    const info = await this.preflight(loaded);
    const { kc } = loaded;
    await probeStorage(kc, info, movesOverride);
    await this.probeDns(kc, info);
    if (this.opts.nodeFaults) info.capabilities.add('node-faults');
    else info.missing.set('node-faults', `target ${this.name} cannot stop nodes: set STS_NODE_HOOK to a command that does (\`<hook> stop|start <node>\`; the kind target has one)`);
    info.missing.set('simulated-nodes', `target ${this.name} cannot script its nodes' kubelets (only the harness's simulated nodes can)`);
    info.missing.set('fast-clock', `target ${this.name} runs on real time`);
    // Once per run (parallel workers each start the target): what was found, and what will be skipped.
    if ((process.env.CUCUMBER_WORKER_ID ?? '0') === '0') {
      const missing = [...info.missing].map(([c, why]) => `  ${c}: ${why}`).join('\n');
      process.stderr.write(
        `${this.name}: ${loaded.where} at ${loaded.server}: Kubernetes ${info.serverVersion}; ` +
          `capabilities: ${[...info.capabilities].map((c) => (c === 'wffc-storage' ? `${c} (StorageClass "${info.firstConsumerClass}")` : c)).join(', ') || 'none'}; ` +
          `scenarios needing these are skipped:\n${missing}\n`,
      );
    }
    return info;
  }

  /**
   * What the runner checks once, before Cucumber forks its workers: the kubeconfig and context
   * load, the cluster answers, accepts the credentials and lets them manage namespaces. Returns
   * the problem as one line ending with its fix, or undefined when the cluster is usable.
   */
  async check(): Promise<string | undefined> {
    try {
      await this.preflight(loadKubeConfig({ kubeconfig: this.opts.kubeconfig, context: this.opts.context }));
      return undefined;
    } catch (err) {
      if (err instanceof KubeConfigError) return err.message;
      if (!(err instanceof ClusterTargetError)) throw err;
      if (/^cannot reach/.test(err.message)) return `${err.message}; start the cluster, or choose another with --context or KUBECONFIG`;
      return err.message;
    }
  }

  /** Reachable, credentials accepted, namespaces may be created and deleted; the server version. */
  private async preflight(loaded: LoadedKubeConfig): Promise<TargetInfo> {
    const { kc, where, server } = loaded;
    const call = <T>(what: string, fn: () => Promise<T>) => this.bounded(what, loaded, fn);
    const info = await call('read the server version', () => probeServer(this.name, kc));
    // /version is often open to anonymous users: make sure the credentials themselves work.
    await call('list namespaces', () => kc.makeApiClient(CoreV1Api).listNamespace({ limit: 1 })).catch((err: unknown) => {
      // Listing may be forbidden while creating is allowed; only refused credentials end here.
      if (err instanceof ClusterTargetError && /refused the credentials/.test(err.message)) throw err;
    });
    const auth = kc.makeApiClient(AuthorizationV1Api);
    for (const verb of ['create', 'delete'] as const) {
      let allowed: boolean | undefined;
      let reason = '';
      try {
        const review = await call(`check permission to ${verb} namespaces`, () =>
          auth.createSelfSubjectAccessReview({ body: { spec: { resourceAttributes: { verb, resource: 'namespaces' } } } }),
        );
        allowed = review.status?.allowed;
        reason = review.status?.reason ?? review.status?.evaluationError ?? '';
      } catch (err) {
        // An API server without the authorization API (the reference server): ask it by trying.
        if (!(err instanceof ClusterTargetError && / 404\b|not found/i.test(err.message))) throw err;
        if (verb === 'create') {
          await call('create a namespace (dry run)', () =>
            kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { generateName: 'sts-preflight-' } }, dryRun: 'All' }),
          ).then(
            () => (allowed = true),
            (e: unknown) => {
              if (e instanceof ClusterTargetError && / 403\b|forbidden/i.test(e.message)) allowed = false;
              else throw e;
            },
          );
        } else allowed = true;
      }
      if (allowed === false) {
        throw new ClusterTargetError(
          `the credentials of ${where} may not ${verb} namespaces${reason ? ` (${reason})` : ''}: the harness creates a labelled namespace ` +
            `per scenario and deletes it afterwards, and needs to manage StatefulSets, pods, PVCs, Services and events inside it (server ${server})`,
        );
      }
    }
    return info;
  }

  /** Runs one preflight request with a deadline, turning failures into messages naming the context. */
  private async bounded<T>(what: string, loaded: LoadedKubeConfig, fn: () => Promise<T>): Promise<T> {
    const { where, server } = loaded;
    const ms = this.opts.requestTimeoutMs ?? 15_000;
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        fn(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new ClusterTargetError(`cannot reach the cluster of ${where} at ${server}: no answer within ${ms / 1000}s (trying to ${what})`)), ms);
        }),
      ]);
    } catch (err) {
      throw describeRequestError(err, loaded, what);
    } finally {
      clearTimeout(timer);
    }
  }

  private async probeDns(kc: KubeConfig, info: TargetInfo): Promise<void> {
    try {
      this.dns = await DnsProbe.start(kc, {
        target: this.name,
        labels: this.opts.labels ?? {},
        timeoutMs: this.opts.dnsProbeTimeoutMs ?? Number(process.env.STS_DNS_PROBE_TIMEOUT ?? 120) * 1000,
      });
      const answers = await this.dns.resolve('kubernetes.default.svc.cluster.local', 'A');
      if (!answers.length) throw new Error('kubernetes.default.svc.cluster.local did not resolve from inside a pod');
      info.capabilities.add('dns');
    } catch (err) {
      await this.dns?.stop();
      this.dns = undefined;
      info.missing.set('dns', `DNS look-ups from inside a pod failed: ${(err as Error).message.split('\n')[0]}`);
    }
  }

  async stop(): Promise<void> {
    await this.dns?.stop();
    this.dns = undefined;
  }

  kubeConfig(): KubeConfig {
    if (!this.loaded) throw new Error(`the ${this.name} target is not started`);
    return this.loaded.kc;
  }

  clock(): Clock {
    return realClock;
  }

  stopNode(node: string): Promise<void> {
    if (!this.opts.nodeFaults) return Promise.reject(new Error(`target ${this.name} cannot stop nodes`));
    return this.opts.nodeFaults.stopNode(node);
  }

  startNode(node: string): Promise<void> {
    if (!this.opts.nodeFaults) return Promise.reject(new Error(`target ${this.name} cannot start nodes`));
    return this.opts.nodeFaults.startNode(node);
  }

  resolve(name: string, type: 'A' | 'SRV'): Promise<DnsAnswer[]> {
    if (!this.dns) return Promise.reject(new Error(`target ${this.name} has no DNS probe`));
    return this.dns.resolve(name, type);
  }
}

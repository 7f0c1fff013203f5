/**
 * The reference control plane, assembled: the in-memory API server, the controllers a
 * StatefulSet relies on, simulated nodes and the cluster DNS. Every component except the API
 * server reaches the cluster through client-node over HTTP, exactly as it would a real
 * kube-apiserver.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import { startApiServer } from './apiserver/index.ts';
import { VERSION } from './apiserver/discovery.ts';
import { ScaledClock, type Clock } from './clock.ts';
import { startGarbageCollector } from './controllers/garbage-collector.ts';
import { startNamespaceController } from './controllers/namespace.ts';
import { startScheduler } from './controllers/scheduler.ts';
import { startEndpointSliceController } from './controllers/endpointslice.ts';
import { startVolumeProvisioner } from './controllers/volumes.ts';
import { startPvcProtectionController } from './controllers/pvc-protection.ts';
import { startPvProtectionController } from './controllers/pv-protection.ts';
import { startNodeLifecycleController } from './controllers/node-lifecycle.ts';
import { PLACEHOLDER_ROOT_CA, startRootCACertPublisher } from './controllers/root-ca-publisher.ts';
import { startServiceAccountsController } from './controllers/serviceaccounts.ts';
import { startStatefulSetController } from './controllers/statefulset/index.ts';
import { SharedInformers } from './controllers/runtime.ts';
import { startDnsServer } from './dns/index.ts';
import { startNodeSimulator, type NodeSimulator } from './nodes/index.ts';

export interface ReferenceOptions {
  /** Simulated seconds per real second (default 1). */
  clockScale?: number;
  nodes?: number;
  /** Simulated time a pod takes from binding to Running (the node simulator's default when unset). */
  podStartupDelayMs?: number;
  /** Run the reference StatefulSet controller (false when another controller manages sets). */
  statefulSetController?: boolean;
  token?: string;
  log?: (component: string, line: string) => void;
}

export interface ReferenceControlPlane {
  url: string;
  clock: Clock;
  kubeConfig: KubeConfig;
  nodes: NodeSimulator;
  dnsPort: number;
  /**
   * Control-plane faults, as a process restart makes them upstream. The StatefulSet controller
   * stops (its queue and caches gone) and starts again with informers of its own, which list
   * everything afresh, as a restarted kube-controller-manager's do.
   */
  stopStatefulSetController(): Promise<void>;
  startStatefulSetController(): Promise<void>;
  /** The API server drops every connection and serves again (see ApiServer.restart). */
  restartApiServer(opts?: { compact?: boolean }): Promise<void>;
  logs(): Record<string, string>;
  stop(): Promise<void>;
}

/** A kubeconfig for a plain-HTTP server on loopback. */
export function kubeConfigFor(server: string, token?: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'reference', server, skipTLSVerify: true }],
    users: [token ? { name: 'reference', token } : { name: 'reference' }],
    contexts: [{ name: 'reference', cluster: 'reference', user: 'reference' }],
    currentContext: 'reference',
  });
  return kc;
}

/**
 * The User-Agent of the upstream component a reference component stands for: the API server
 * records writes under its part before the first "/" (managedFields' manager), as upstream's
 * kube-controller-manager, kube-scheduler and kubelet are recorded.
 */
const userAgent = (component: string) => `${component}/${VERSION.gitVersion} (${VERSION.platform}) kubernetes/reference`;
const USER_AGENTS = {
  controllers: userAgent('kube-controller-manager'),
  scheduler: userAgent('kube-scheduler'),
  kubelet: userAgent('kubelet'),
};

/**
 * The kubeconfig the plane's own components use: like kubeConfigFor, but every request shares
 * one keep-alive agent and names the component (USER_AGENTS). client-node 1.x otherwise builds
 * an agent, hence a TCP connection, per request — a fifth of the plane's CPU under load in
 * profiles. The harness keeps the plain one.
 */
function sharedConnectionKubeConfig(server: string, token: string | undefined, agent: http.Agent, userAgent: string): KubeConfig {
  class SharedConnectionKubeConfig extends KubeConfig {
    override async applySecurityAuthentication(context: Parameters<KubeConfig['applySecurityAuthentication']>[0]): Promise<void> {
      await super.applySecurityAuthentication(context);
      context.setAgent(agent);
      context.setHeaderParam('User-Agent', userAgent);
    }

    override async applyToHTTPSOptions(opts: Parameters<KubeConfig['applyToHTTPSOptions']>[0]): Promise<void> {
      await super.applyToHTTPSOptions(opts);
      (opts as { agent?: http.Agent }).agent = agent;
    }
  }
  const kc = new SharedConnectionKubeConfig();
  kc.loadFromString(kubeConfigFor(server, token).exportConfig());
  return kc;
}

export async function startReferenceControlPlane(opts: ReferenceOptions = {}): Promise<ReferenceControlPlane> {
  const clock = new ScaledClock(opts.clockScale ?? 1);
  const logs = new Map<string, string[]>();
  const logger = (component: string) => (line: string) => {
    const lines = logs.get(component) ?? [];
    if (lines.length >= 5000) lines.shift();
    lines.push(`${clock.now().toISOString()} ${line}`);
    logs.set(component, lines);
    opts.log?.(component, line);
  };

  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  };
  try {
    const api = await startApiServer({ clock, token: opts.token });
    stops.push(() => api.close());
    const agent = new http.Agent({ keepAlive: true });
    stops.push(async () => agent.destroy());
    const kc = sharedConnectionKubeConfig(api.url, opts.token, agent, USER_AGENTS.controllers);
    const schedulerKc = sharedConnectionKubeConfig(api.url, opts.token, agent, USER_AGENTS.scheduler);
    const kubeletKc = sharedConnectionKubeConfig(api.url, opts.token, agent, USER_AGENTS.kubelet);
    // One watch and one cache per resource for every component, as in kube-controller-manager.
    const informers = new SharedInformers(kc, clock);
    const started = await Promise.all([
      startNamespaceController(kc, { clock, informers, log: logger('namespace-controller') }),
      startScheduler(schedulerKc, { clock, informers, log: logger('scheduler') }),
      startEndpointSliceController(kc, { clock, informers, log: logger('endpointslice-controller') }),
      startVolumeProvisioner(kc, { clock, informers, bindClaims: true, log: logger('volume-provisioner') }),
      startPvcProtectionController(kc, { clock, informers, log: logger('pvc-protection-controller') }),
      startPvProtectionController(kc, { clock, informers, log: logger('pv-protection-controller') }),
      startNodeLifecycleController(kc, { clock, informers, log: logger('node-lifecycle-controller') }),
      startServiceAccountsController(kc, { clock, informers, log: logger('serviceaccount-controller') }),
      // The API server serves plain HTTP: there is no CA to publish, so a placeholder stands in.
      startRootCACertPublisher(kc, { clock, informers, rootCA: PLACEHOLDER_ROOT_CA, log: logger('root-ca-cert-publisher') }),
    ]);
    started.forEach((c) => stops.push(() => c.stop()));
    let statefulSets: { stop(): Promise<void> } | undefined =
      opts.statefulSetController === false ? undefined : await startStatefulSetController(kc, { clock, informers, log: logger('statefulset-controller') });
    stops.push(async () => statefulSets?.stop());
    // After the others: it then shares their informers instead of watching pods etc. again.
    const gc = await startGarbageCollector(kc, { clock, informers, log: logger('garbage-collector') });
    stops.push(() => gc.stop());
    const nodes = await startNodeSimulator(kubeletKc, { clock, informers, nodes: opts.nodes ?? 3, startupDelayMs: opts.podStartupDelayMs });
    stops.push(() => nodes.stop());
    const dns = await startDnsServer(kc, { clock, informers });
    stops.push(() => dns.close());
    return {
      url: api.url,
      clock,
      kubeConfig: kubeConfigFor(api.url, opts.token),
      nodes,
      dnsPort: dns.port,
      async stopStatefulSetController() {
        const running = statefulSets;
        statefulSets = undefined;
        if (!running) throw new Error('the StatefulSet controller is not running');
        await running.stop();
        logger('statefulset-controller')('stopped');
      },
      async startStatefulSetController() {
        if (statefulSets) throw new Error('the StatefulSet controller is already running');
        logger('statefulset-controller')('starting again, with informers of its own');
        // No shared informers: a restarted controller lists everything afresh.
        statefulSets = await startStatefulSetController(kc, { clock, log: logger('statefulset-controller') });
      },
      restartApiServer: (o) => api.restart(o),
      logs: () => Object.fromEntries([...logs].map(([k, v]) => [k, v.join('\n')])),
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * Brings up a real Kubernetes control plane on 127.0.0.1 as plain processes:
 * etcd → kube-apiserver → kube-controller-manager + kube-scheduler → CoreDNS (optional),
 * with free ports chosen at start, a throwaway PKI, and kubeconfigs. Nodes and pods are
 * simulated elsewhere (reference/nodes/); this module only runs the upstream binaries.
 *
 * Teardown stops only the PIDs spawned here, in reverse order (SIGTERM, deadline, SIGKILL),
 * on stop(), on process exit and on SIGINT/SIGTERM.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assertBinaries, binaryPath, type BinaryName } from './binaries.ts';
import { generatePki, writeKubeconfig, type Pki } from './pki.ts';
import { freePort, releasePorts } from './ports.ts';
import { cmdlineOf, ComponentProcess, httpGet, StartError, tailOf, waitUntil } from './process.ts';

export { StartError } from './process.ts';
export { controlPlaneBinDir, K8S_VERSION, ETCD_VERSION, COREDNS_VERSION } from './binaries.ts';

export type Component = 'etcd' | 'kube-apiserver' | 'kube-controller-manager' | 'kube-scheduler' | 'coredns';
/** The components that take Kubernetes' --feature-gates. */
const KUBERNETES_COMPONENTS: readonly Component[] = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler'];

export interface ControlPlaneOptions {
  binDir: string;
  /** Where PKI, kubeconfigs, configs, logs and pids.json go. Default: a fresh temp dir, removed on stop(). */
  runDir?: string;
  /** Keep the run dir on stop() (always kept when `runDir` was given). */
  keepRunDir?: boolean;
  /**
   * Hybrid mode: KCM runs without its StatefulSet controller (`--controllers=*,-statefulset-controller`)
   * so the project's reference StatefulSet controller can run against the real apiserver.
   */
  hybrid?: boolean;
  /** Extra controllers to switch off in KCM (canonical names, e.g. "node-lifecycle-controller"). */
  disableControllers?: string[];
  /** Start kube-scheduler (default true). Without it, whoever simulates nodes must bind pods. */
  withScheduler?: boolean;
  /** Start CoreDNS serving cluster.local from the apiserver (default true). */
  withDns?: boolean;
  /** DNS domain (default cluster.local). */
  clusterDomain?: string;
  /**
   * Seconds in the not-ready / unreachable NoExecute tolerations that the DefaultTolerationSeconds
   * admission plugin adds to pods (upstream default 300). Node-failure scenarios want it short.
   */
  defaultTolerationSeconds?: number;
  /** KCM node lifecycle: how often nodes are checked (default 1 s) and how long until NotReady/Unknown (default 40 s, see support/targets/control-plane.ts). */
  nodeMonitorPeriodSeconds?: number;
  nodeMonitorGracePeriodSeconds?: number;
  /** `--feature-gates` for the Kubernetes components (API server, KCM, scheduler), e.g. "MaxUnavailableStatefulSet=true". */
  featureGates?: string;
  /** Extra arguments per component (appended; later flags win). */
  extraArgs?: Partial<Record<Component, string[]>>;
  /** Deadline for each component to become healthy (default 60 s). */
  componentTimeoutMs?: number;
  /**
   * Install SIGINT/SIGTERM handlers that stop the control plane (default true). Off when the
   * caller winds down on signals itself (the suite's targets: support/interrupt.ts). An exit
   * handler that kills the components is installed either way.
   */
  handleSignals?: boolean;
  /** Component log verbosity (klog -v; default 1). */
  verbosity?: number;
  log?: (s: string) => void;
}

export interface RunningControlPlane {
  /** Admin (system:masters) kubeconfig. */
  kubeconfigPath: string;
  /** https://127.0.0.1:<port> */
  server: string;
  runDir: string;
  /** CoreDNS UDP/TCP port on 127.0.0.1 (when withDns). */
  dnsPort?: number;
  clusterDomain: string;
  /** What the apiserver's /version says, e.g. "v1.37.2". */
  serverVersion: string;
  ports: Record<string, number>;
  pids: Partial<Record<Component, number>>;
  /** Seconds each phase of bring-up took. */
  timings: Record<string, number>;
  pki: Pki;
  /** The contents (last 256 KiB) of each component's log. */
  logs(): Promise<Record<string, string>>;
  /**
   * Stops a component and starts it again with the same arguments, ports and data (as a crashed
   * or upgraded process comes back); resolves once it is ready again.
   */
  restart(component: Component): Promise<void>;
  /** Stops a component (its process exits); `start` brings it back as `restart` does. */
  stopComponent(component: Component): Promise<void>;
  startComponent(component: Component): Promise<void>;
  /** Compacts etcd's history up to its current revision, as kube-apiserver's compactor does; the revision. */
  compactEtcd(): Promise<number>;
  /** Idempotent. */
  stop(): Promise<void>;
}

const LOOPBACK = '127.0.0.1';
/** The apiserver's ClusterIP range (kind's); the `kubernetes` Service gets .1 (a SAN of the serving cert). */
export const SERVICE_CIDR = '10.96.0.0/16';

/** Controllers KCM must not run in hybrid mode (canonical name in k8s ≥ 1.28; alias "statefulset"). */
export const STATEFULSET_CONTROLLER = 'statefulset-controller';

const PORT_IN_USE = /address already in use|bind: address|EADDRINUSE/i;

/** The binaries the control-plane target runs (startControlPlane with the scheduler and DNS). */
export const TARGET_BINARIES: readonly BinaryName[] = ['etcd', 'kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'coredns'];

export async function startControlPlane(opts: ControlPlaneOptions): Promise<RunningControlPlane> {
  const log = opts.log ?? (() => {});
  const withDns = opts.withDns ?? true;
  const withScheduler = opts.withScheduler ?? true;
  assertBinaries(opts.binDir, TARGET_BINARIES.filter((b) => (b !== 'kube-scheduler' || withScheduler) && (b !== 'coredns' || withDns)));
  const deadline = opts.componentTimeoutMs ?? 60_000;
  const v = String(opts.verbosity ?? 1);
  const clusterDomain = opts.clusterDomain ?? 'cluster.local';
  const t0 = Date.now();
  const timings: Record<string, number> = {};
  const mark = (k: string, since: number): void => {
    timings[k] = Math.round((Date.now() - since) / 100) / 10;
  };

  const ownRunDir = !opts.runDir;
  const runDir = opts.runDir ?? (await mkdtemp(join(tmpdir(), 'sts-control-plane-')));
  await mkdir(runDir, { recursive: true });
  await killOrphans(runDir, log);
  const shm = existsSync('/dev/shm') ? await mkdtemp(join('/dev/shm', 'sts-etcd-')) : null;
  const etcdData = shm ?? join(runDir, 'etcd-data');

  const procs: ComponentProcess[] = [];
  const ports: Record<string, number> = {};
  let stopped = false;
  let stopping: Promise<void> | null = null;

  const savePids = async (): Promise<void> => {
    // marker: an argument unique to this run, checked against /proc/<pid>/cmdline before killing an orphan.
    const pids = Object.fromEntries(
      procs.filter((p) => p.running).map((p) => [p.name, { pid: p.pid, marker: p.name === 'etcd' ? etcdData : runDir }]),
    );
    await writeFile(join(runDir, 'pids.json'), `${JSON.stringify({ runDir, pids }, null, 2)}\n`);
  };

  const onExit = (): void => {
    for (const p of procs) p.killNow();
  };
  const onSignal = (sig: NodeJS.Signals): void => {
    log(`control plane: ${sig}, stopping`);
    void stop().finally(() => {
      process.off(sig, onSignal);
      process.kill(process.pid, sig);
    });
  };
  const handleSignals = opts.handleSignals ?? true;
  // Whatever owns the signals, a process that exits never leaves its components running.
  process.on('exit', onExit);
  if (handleSignals) {
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  }

  async function stop(): Promise<void> {
    if (stopping) return stopping;
    stopping = (async () => {
      stopped = true;
      for (const p of [...procs].reverse()) {
        const t = Date.now();
        await p.stop(10_000);
        log(`control plane: stopped ${p.name} (pid ${p.pid}) in ${Date.now() - t} ms`);
      }
      releasePorts(Object.values(ports));
      process.off('exit', onExit);
      if (handleSignals) {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
      await rm(join(runDir, 'pids.json'), { force: true });
      if (shm) await rm(shm, { recursive: true, force: true });
      if (ownRunDir && !opts.keepRunDir && !process.env.STS_KEEP_RUN_DIR) await rm(runDir, { recursive: true, force: true });
    })();
    return stopping;
  }

  /** How each component was started, so that it can be stopped and started again the same way. */
  const launched = new Map<Component, { args: string[]; ready: (p: ComponentProcess) => Promise<void>; logPath: string }>();

  async function stopComponent(name: Component): Promise<void> {
    const proc = procs.find((p) => p.name === name);
    if (!proc) throw new Error(`control plane: ${name} is not running`);
    await proc.stop(10_000);
    procs.splice(procs.indexOf(proc), 1);
    await savePids();
    log(`control plane: stopped ${name} (pid ${proc.pid})`);
  }

  async function startComponent(name: Component): Promise<void> {
    const how = launched.get(name);
    if (!how) throw new Error(`control plane: ${name} was never started`);
    if (procs.some((p) => p.name === name)) throw new Error(`control plane: ${name} is already running`);
    if (stopped) throw new Error('control plane stopped');
    await writeFile(how.logPath, `# restarted at ${new Date().toISOString()}\n`, { flag: 'a' });
    const proc = new ComponentProcess(name, binaryPath(opts.binDir, name), how.args, how.logPath);
    procs.push(proc);
    await savePids();
    await how.ready(proc);
    log(`control plane: ${name} started again (pid ${proc.pid})`);
  }

  /** Spawns a component, retrying with fresh ports when it dies of a port already in use. */
  async function launch(
    name: Component,
    build: () => Promise<{ args: string[]; ready: (p: ComponentProcess) => Promise<void> }>,
  ): Promise<ComponentProcess> {
    for (let attempt = 1; ; attempt++) {
      if (stopped) throw new Error('control plane stopped during start-up');
      const { args, ready } = await build();
      const started = Date.now();
      const logPath = join(runDir, `${name}.log`);
      await writeFile(logPath, `# ${binaryPath(opts.binDir, name)} ${args.join(' ')}\n`, { flag: attempt === 1 ? 'w' : 'a' });
      const gates = opts.featureGates && KUBERNETES_COMPONENTS.includes(name) ? [`--feature-gates=${opts.featureGates}`] : [];
      const proc = new ComponentProcess(name, binaryPath(opts.binDir, name), [...args, ...gates, ...(opts.extraArgs?.[name] ?? [])], logPath);
      procs.push(proc);
      await savePids();
      try {
        await ready(proc);
        mark(name, started);
        log(`control plane: ${name} ready in ${timings[name]} s (pid ${proc.pid})`);
        launched.set(name, { args: proc.args, ready, logPath });
        return proc;
      } catch (err) {
        const tail = await proc.logTail(200);
        await proc.stop(3000);
        procs.splice(procs.indexOf(proc), 1);
        if (attempt < 3 && PORT_IN_USE.test(tail)) {
          log(`control plane: ${name} found a port in use, retrying with other ports`);
          continue;
        }
        throw err;
      }
    }
  }

  try {
    // PKI and kubeconfigs
    let t = Date.now();
    const pki = await generatePki(join(runDir, 'pki'));
    const ca = await readFile(pki.caCert);
    const admin = { ca, cert: await readFile(pki.clients.admin.cert), key: await readFile(pki.clients.admin.key) };
    mark('pki', t);

    // etcd
    await launch('etcd', async () => {
      const client = await freePort();
      const peer = await freePort();
      ports.etcd = client;
      ports.etcdPeer = peer;
      await rm(etcdData, { recursive: true, force: true });
      await mkdir(etcdData, { recursive: true, mode: 0o700 });
      const args = [
        '--name=sts',
        `--data-dir=${etcdData}`,
        `--listen-client-urls=http://${LOOPBACK}:${client}`,
        `--advertise-client-urls=http://${LOOPBACK}:${client}`,
        `--listen-peer-urls=http://${LOOPBACK}:${peer}`,
        `--initial-advertise-peer-urls=http://${LOOPBACK}:${peer}`,
        `--initial-cluster=sts=http://${LOOPBACK}:${peer}`,
        '--initial-cluster-state=new',
        '--unsafe-no-fsync=true',
        '--log-level=warn',
      ];
      return {
        args,
        ready: (p) =>
          waitUntil(p, 'healthy (/health)', async () => {
            const r = await httpGet(`http://${LOOPBACK}:${client}/health`);
            return r.status === 200 && /"health":\s*"true"/.test(r.body);
          }, deadline),
      };
    });

    // kube-apiserver
    let server = '';
    await launch('kube-apiserver', async () => {
      const port = await freePort();
      ports['kube-apiserver'] = port;
      server = `https://${LOOPBACK}:${port}`;
      const tol = opts.defaultTolerationSeconds;
      const args = [
        `--etcd-servers=http://${LOOPBACK}:${ports.etcd}`,
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${port}`,
        `--advertise-address=${LOOPBACK}`,
        // A loopback advertise address cannot be written into the `kubernetes` Endpoints.
        '--endpoint-reconciler-type=none',
        `--tls-cert-file=${pki.apiserverCert}`,
        `--tls-private-key-file=${pki.apiserverKey}`,
        `--client-ca-file=${pki.caCert}`,
        `--requestheader-client-ca-file=${pki.caCert}`,
        '--requestheader-allowed-names=front-proxy-client',
        '--requestheader-username-headers=X-Remote-User',
        '--requestheader-group-headers=X-Remote-Group',
        '--requestheader-extra-headers-prefix=X-Remote-Extra-',
        `--proxy-client-cert-file=${pki.clients['front-proxy-client'].cert}`,
        `--proxy-client-key-file=${pki.clients['front-proxy-client'].key}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki.saPub}`,
        `--service-account-signing-key-file=${pki.saKey}`,
        '--authorization-mode=Node,RBAC',
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--allow-privileged=true',
        // Real kubelets (support/control-plane/real-nodes.ts) are reached by their InternalIP, with
        // a client certificate, as in kubeadm clusters; simulated nodes serve no kubelet API.
        `--kubelet-client-certificate=${pki.clients['apiserver-kubelet-client'].cert}`,
        `--kubelet-client-key=${pki.clients['apiserver-kubelet-client'].key}`,
        '--kubelet-preferred-address-types=InternalIP,Hostname',
        ...(tol !== undefined ? [`--default-not-ready-toleration-seconds=${tol}`, `--default-unreachable-toleration-seconds=${tol}`] : []),
        '--profiling=false',
        `--v=${v}`,
      ];
      return {
        args,
        ready: (p) =>
          waitUntil(p, 'ready (/readyz)', async () => (await httpGet(`${server}/readyz`, admin)).status === 200, deadline, 200),
      };
    });
    const versionBody = await httpGet(`${server}/version`, admin);
    const serverVersion = (JSON.parse(versionBody.body) as { gitVersion: string }).gitVersion;

    t = Date.now();
    const kubeconfigPath = await writeKubeconfig(join(runDir, 'admin.kubeconfig'), server, pki, 'admin');
    const kcmKubeconfig = await writeKubeconfig(join(runDir, 'kube-controller-manager.kubeconfig'), server, pki, 'kube-controller-manager');
    const schedKubeconfig = await writeKubeconfig(join(runDir, 'kube-scheduler.kubeconfig'), server, pki, 'kube-scheduler');

    // KCM and scheduler in parallel
    const disabled = [...(opts.hybrid ? [STATEFULSET_CONTROLLER] : []), ...(opts.disableControllers ?? [])];
    const kcm = launch('kube-controller-manager', async () => {
      const port = await freePort();
      ports['kube-controller-manager'] = port;
      const args = [
        `--kubeconfig=${kcmKubeconfig}`,
        `--authentication-kubeconfig=${kcmKubeconfig}`,
        `--authorization-kubeconfig=${kcmKubeconfig}`,
        `--bind-address=${LOOPBACK}`,
        `--secure-port=${port}`,
        '--leader-elect=false',
        `--controllers=${['*', ...disabled.map((c) => `-${c}`)].join(',')}`,
        '--use-service-account-credentials=true',
        `--service-account-private-key-file=${pki.saKey}`,
        `--root-ca-file=${pki.caCert}`,
        `--cluster-signing-cert-file=${pki.caCert}`,
        `--cluster-signing-key-file=${pki.caKey}`,
        `--service-cluster-ip-range=${SERVICE_CIDR}`,
        `--node-monitor-period=${opts.nodeMonitorPeriodSeconds ?? 1}s`,
        `--node-monitor-grace-period=${opts.nodeMonitorGracePeriodSeconds ?? 40}s`,
        '--profiling=false',
        `--v=${v}`,
      ];
      return {
        args,
        ready: (p) =>
          waitUntil(p, 'healthy (/healthz)', async () => (await httpGet(`https://${LOOPBACK}:${port}/healthz`, { insecure: true })).status === 200, deadline, 200),
      };
    });
    const sched = withScheduler
      ? launch('kube-scheduler', async () => {
          const port = await freePort();
          ports['kube-scheduler'] = port;
          const config = join(runDir, 'kube-scheduler.yaml');
          await writeFile(
            config,
            [
              'apiVersion: kubescheduler.config.k8s.io/v1',
              'kind: KubeSchedulerConfiguration',
              'clientConnection:',
              `  kubeconfig: ${schedKubeconfig}`,
              'leaderElection:',
              '  leaderElect: false',
              '',
            ].join('\n'),
          );
          const args = [
            `--config=${config}`,
            `--authentication-kubeconfig=${schedKubeconfig}`,
            `--authorization-kubeconfig=${schedKubeconfig}`,
            `--bind-address=${LOOPBACK}`,
            `--secure-port=${port}`,
            `--v=${v}`,
          ];
          return {
            args,
            ready: (p) =>
              waitUntil(p, 'healthy (/healthz)', async () => (await httpGet(`https://${LOOPBACK}:${port}/healthz`, { insecure: true })).status === 200, deadline, 200),
          };
        })
      : Promise.resolve(null);
    const [kcmProc] = await Promise.all([kcm, sched]);

    // serviceaccount/default in default proves KCM's controllers run with working credentials.
    t = Date.now();
    await waitUntil(kcmProc, 'creating serviceaccount/default in namespace default', async () =>
      (await httpGet(`${server}/api/v1/namespaces/default/serviceaccounts/default`, admin)).status === 200, deadline, 200);
    mark('serviceaccount', t);

    // CoreDNS
    let dnsPort: number | undefined;
    if (withDns) {
      await launch('coredns', async () => {
        dnsPort = await freePort({ udpToo: true });
        const health = await freePort();
        const readyPort = await freePort();
        ports.dns = dnsPort;
        ports.dnsHealth = health;
        ports.dnsReady = readyPort;
        const corefile = join(runDir, 'Corefile');
        await writeFile(
          corefile,
          [
            `${clusterDomain}:${dnsPort} {`,
            `    bind ${LOOPBACK}`,
            '    errors',
            '    log',
            `    health ${LOOPBACK}:${health}`,
            `    ready ${LOOPBACK}:${readyPort}`,
            `    kubernetes ${clusterDomain} {`,
            `        kubeconfig ${kubeconfigPath}`,
            '        pods disabled',
            '        ttl 0',
            '    }',
            '}',
            '',
          ].join('\n'),
        );
        return {
          args: ['-conf', corefile],
          ready: (p) =>
            waitUntil(p, 'ready (/ready)', async () => (await httpGet(`http://${LOOPBACK}:${readyPort}/ready`)).status === 200, deadline, 100),
        };
      });
    }
    timings.total = Math.round((Date.now() - t0) / 100) / 10;
    log(`control plane ${serverVersion} up in ${timings.total} s at ${server} (run dir ${runDir})`);

    return {
      kubeconfigPath,
      server,
      runDir,
      dnsPort,
      clusterDomain,
      serverVersion,
      ports,
      pids: Object.fromEntries(procs.map((p) => [p.name, p.pid])),
      timings,
      pki,
      restart: async (name) => {
        await stopComponent(name);
        await startComponent(name);
      },
      stopComponent,
      startComponent,
      compactEtcd: () => compactEtcd(`http://${LOOPBACK}:${ports.etcd}`),
      logs: async () => {
        const out: Record<string, string> = {};
        for (const p of procs) out[p.name] = await tailOf(p.logPath, 100_000, 256 * 1024);
        return out;
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * Compacts etcd's key-value history up to its current revision through etcd's JSON gateway (the
 * v3 API kube-apiserver's compactor calls over gRPC). Watches from older revisions then get
 * "required revision has been compacted", which kube-apiserver passes on as 410 Gone.
 */
async function compactEtcd(client: string): Promise<number> {
  const post = async (path: string, body: object): Promise<Record<string, any>> => {
    const res = await fetch(`${client}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
    const text = await res.text();
    if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as Record<string, any>;
  };
  // A range read of one key returns the store's current revision in its header.
  const revision = Number((await post('/v3/kv/range', { key: Buffer.from('/').toString('base64'), limit: 1 })).header.revision);
  await post('/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

/**
 * Kills processes recorded in `<runDir>/pids.json` by an earlier run that did not stop cleanly,
 * but only PIDs whose command line still carries that run's marker argument (so a reused PID is never hit).
 */
async function killOrphans(runDir: string, log: (s: string) => void): Promise<void> {
  const file = join(runDir, 'pids.json');
  if (!existsSync(file)) return;
  let recorded: { pids?: Record<string, { pid: number; marker: string }> } = {};
  try {
    recorded = JSON.parse(readFileSync(file, 'utf8')) as typeof recorded;
  } catch {
    return;
  }
  for (const [name, { pid, marker }] of Object.entries(recorded.pids ?? {})) {
    const cmd = cmdlineOf(pid);
    if (cmd && marker && cmd.includes(marker)) {
      log(`control plane: killing orphaned ${name} (pid ${pid}) from an earlier run in ${runDir}`);
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
  }
  await rm(file, { force: true });
}

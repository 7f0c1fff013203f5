/**
 * Real nodes beside the loopback control plane: N upstream kubelets (built by
 * `npm run control-plane:build`), each with its own containerd (Debian's) and runc, in a
 * network namespace and a mount namespace of its own. The images come from node-images.ts.
 *
 * Must run inside the run's plane network namespace (netns.ts), where the control plane serves
 * 127.0.0.1. The topology (every address private to the run's namespaces; no default route):
 *
 *   plane netns     control plane on 127.0.0.1; bridge stsbr0 10.250.0.1/24;
 *                   DNAT 10.250.0.1:<api> and :53 (udp, tcp) → 127.0.0.1 (route_localnet)
 *   node netns N    eth0 10.250.0.(10+N)/24 on the bridge; routes to the other nodes' pod ranges
 *                   containerd N + kubelet N in mount namespace N; pods on cni0 10.244.N.0/24
 *
 * Each node's mount namespace comes from a holder process (`unshare -m … sleep infinity`): a
 * private /run (pod netns mounts, shim sockets), /var/lib and /var/log of its own (the kubelet's
 * fixed paths), and read-only files holding the values the kubelet insists on writing into
 * host-wide sysctls (vm.overcommit_memory=1, kernel.panic=10, kernel.panic_on_oops=1), so that
 * nothing of the host's changes. ../shared/real-nodes-notes.md has why each piece is there.
 *
 * A node fault (`stopNode`) is a whole machine lost, as `docker stop` of a kind node: kubelet,
 * containerd, shims and every container killed at once; `startNode` boots it again on its disks.
 */
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { binaryPath } from './binaries.ts';
import { nodeImages } from './node-images.ts';
import {
  createCgroupRoot,
  createNetns,
  deleteNetns,
  HostSetupError,
  killAll,
  netnsPath,
  nsInode,
  pidsInCgroup,
  pidsInMountNs,
  PLANE_NETNS_ENV,
  removeCgroupRoot,
  tool,
} from './netns.ts';
import { signClientCert, type Pki } from './pki.ts';
import { ComponentProcess, tailOf, waitUntil } from './process.ts';

export interface RealNodesOptions {
  /** The run's id: namespaces are `sts-<id>-n<N>`, cgroups `/sts-<id>-n<N>`. */
  id: string;
  count: number;
  /** Per-node state goes to <runDir>/n<N>/. */
  runDir: string;
  binDir: string;
  pki: Pki;
  /** kube-apiserver's and CoreDNS's ports on 127.0.0.1 in the plane namespace. */
  apiPort: number;
  dnsPort: number;
  clusterDomain: string;
  log?: (line: string) => void;
}

export interface RealNodes {
  nodeNames: string[];
  /** Whole-node loss: every process of the node killed at once. */
  stopNode(name: string): Promise<void>;
  startNode(name: string): Promise<void>;
  logs(): Promise<Record<string, string>>;
  /** Idempotent. */
  stop(): Promise<void>;
}

const BRIDGE = 'stsbr0';
const GATEWAY = '10.250.0.1';
const nodeIp = (n: number): string => `10.250.0.${10 + n}`;
const podRange = (n: number): string => `10.244.${n}.0/24`;
/** Values the kubelet writes into host-wide sysctls; the node sees them already set. */
const SYSCTL_VIEW: Record<string, string> = { 'vm/overcommit_memory': '1', 'kernel/panic': '10', 'kernel/panic_on_oops': '1' };

/** Checks what real nodes need before anything is made, naming each missing piece once. */
export async function preflightRealNodes(binDir: string): Promise<void> {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('real nodes need root (network and mount namespaces, cgroups)');
  for (const [cmd, pkg] of [
    ['containerd', 'containerd'],
    ['ctr', 'containerd'],
    ['runc', 'runc'],
    ['iptables', 'iptables'],
    ['ip', 'iproute2'],
    ['nsenter', 'util-linux'],
    ['unshare', 'util-linux'],
    ['gcc', 'gcc libc6-dev'],
  ] as const) {
    if (!onPath(cmd)) problems.push(`\`${cmd}\` is missing (apt-get install ${pkg})`);
  }
  if (!existsSync('/usr/lib/cni/bridge')) problems.push('the CNI plugins are missing from /usr/lib/cni (apt-get install containernetworking-plugins)');
  if (!existsSync(binaryPath(binDir, 'kubelet'))) problems.push(`kubelet is not built in ${binDir} (npm run control-plane:build)`);
  if (problems.length) throw new HostSetupError(`real nodes cannot start: ${problems.join('; ')}`);
}

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((d) => d && existsSync(join(d, cmd)));
}

function assertInPlaneNetns(): string {
  const name = process.env[PLANE_NETNS_ENV];
  if (!name || !existsSync(netnsPath(name)) || statSync(netnsPath(name)).ino !== nsInode(process.pid, 'net'))
    throw new HostSetupError(`real nodes must be started inside the run's plane network namespace (${PLANE_NETNS_ENV} unset or not this process's namespace)`);
  return name;
}

async function writeProcSys(path: string, value: string): Promise<void> {
  // Under net/, /proc/sys is the writing process's network namespace: the plane's, not the host's.
  if (!path.startsWith('net/')) throw new Error(`refusing to write host-wide sysctl ${path}`);
  await writeFile(join('/proc/sys', path), value);
}

/** The bridge, the plane-side DNAT to the loopback control plane, and routes to the pod ranges. */
async function planeNetwork(count: number, apiPort: number, dnsPort: number): Promise<void> {
  await tool('ip', ['link', 'add', BRIDGE, 'type', 'bridge']);
  await tool('ip', ['addr', 'add', `${GATEWAY}/24`, 'dev', BRIDGE]);
  await tool('ip', ['link', 'set', BRIDGE, 'up']);
  await writeProcSys('net/ipv4/conf/all/route_localnet', '1');
  await writeProcSys(`net/ipv4/conf/${BRIDGE}/route_localnet`, '1');
  const dnat = (proto: string, port: number, to: number): string[] =>
    ['-t', 'nat', '-A', 'PREROUTING', '-i', BRIDGE, '-d', GATEWAY, '-p', proto, '--dport', String(port), '-j', 'DNAT', '--to-destination', `127.0.0.1:${to}`];
  await tool('iptables', dnat('tcp', apiPort, apiPort));
  await tool('iptables', dnat('udp', 53, dnsPort));
  await tool('iptables', dnat('tcp', 53, dnsPort));
  for (let n = 1; n <= count; n++) await tool('ip', ['route', 'add', podRange(n), 'via', nodeIp(n)]).catch(() => undefined);
}

async function nodeNetwork(ns: string, n: number, count: number): Promise<void> {
  await createNetns(ns);
  const veth = `veth-n${n}`;
  await tool('ip', ['link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
  await tool('ip', ['link', 'set', veth, 'master', BRIDGE, 'up']);
  await tool('ip', ['-n', ns, 'addr', 'add', `${nodeIp(n)}/24`, 'dev', 'eth0']);
  await tool('ip', ['-n', ns, 'link', 'set', 'eth0', 'up']);
  for (let m = 1; m <= count; m++) if (m !== n) await tool('ip', ['-n', ns, 'route', 'add', podRange(m), 'via', nodeIp(m)]);
}

class RealNode {
  readonly name: string;
  readonly ns: string;
  readonly cgroupRoot: string;
  readonly dir: string;
  private holder?: ComponentProcess;
  private containerd?: ComponentProcess;
  private kubelet?: ComponentProcess;

  constructor(
    readonly n: number,
    private readonly opts: RealNodesOptions,
    private readonly tarballs: string[],
  ) {
    this.name = `real-node-${n}`;
    this.ns = `sts-${opts.id}-n${n}`;
    this.cgroupRoot = `/sts-${opts.id}-n${n}`;
    this.dir = join(opts.runDir, `n${n}`);
  }

  private path(...p: string[]): string {
    return join(this.dir, ...p);
  }

  /** Configs, certificates and directories: once, before the first boot. */
  async prepare(): Promise<void> {
    const { pki, apiPort, clusterDomain } = this.opts;
    for (const d of ['containerd/root', 'containerd/state', 'containerd/opt', 'containerd/runc', 'cni/net.d', 'cni/ipam', 'kubelet/pki', 'pod-logs', 'var-lib', 'var-log', 'sysctl'])
      await mkdir(this.path(d), { recursive: true });
    for (const [key, value] of Object.entries(SYSCTL_VIEW)) await writeFile(this.path('sysctl', key.replace('/', '.')), `${value}\n`);
    await writeFile(this.path('containerd.toml'), containerdConfig(this.dir));
    await writeFile(this.path('cni/net.d/10-sts.conflist'), cniConfig(this.n, this.dir));
    await writeFile(this.path('resolv.conf'), `nameserver ${GATEWAY}\n`);
    const cert = await signClientCert(pki, `kubelet-${this.opts.id}-n${this.n}`, `/O=system:nodes/CN=system:node:${this.name}`);
    const b64 = async (f: string): Promise<string> => (await readFile(f)).toString('base64');
    await writeFile(
      this.path('kubelet.kubeconfig'),
      [
        'apiVersion: v1',
        'kind: Config',
        'clusters:',
        '- name: plane',
        '  cluster:',
        `    server: https://${GATEWAY}:${apiPort}`,
        // The serving certificate names localhost; the DNAT makes the bridge address reach it.
        '    tls-server-name: localhost',
        `    certificate-authority-data: ${await b64(pki.caCert)}`,
        'users:',
        `- name: ${this.name}`,
        '  user:',
        `    client-certificate-data: ${await b64(cert.cert)}`,
        `    client-key-data: ${await b64(cert.key)}`,
        'contexts:',
        `- name: ${this.name}`,
        '  context: {cluster: plane, user: ' + this.name + '}',
        `current-context: ${this.name}`,
        '',
      ].join('\n'),
      { mode: 0o600 },
    );
    await writeFile(this.path('kubelet.yaml'), kubeletConfig(this, pki.caCert, clusterDomain));
  }

  /** Boots the node: holder, containerd, images, kubelet. The caller waits for Ready. */
  async boot(): Promise<void> {
    const log = this.opts.log ?? (() => {});
    createCgroupRoot(this.cgroupRoot);
    // A fresh /run each boot (a machine's /run is a tmpfs); stale pod netns files go with it.
    const sysctlMounts = Object.keys(SYSCTL_VIEW)
      .map((k) => `mount --bind -o ro ${this.path('sysctl', k.replace('/', '.'))} /proc/sys/${k}`)
      .join(' && ');
    const script = [
      'set -e',
      'mount -t tmpfs -o mode=755 sts-run /run',
      'mkdir -p /run/netns',
      `mount --bind ${this.path('var-lib')} /var/lib`,
      `mount --bind ${this.path('var-log')} /var/log`,
      sysctlMounts,
      'echo ready',
      'exec sleep infinity',
    ].join('\n');
    this.holder = new ComponentProcess(`${this.name}-holder`, 'unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], this.path('holder.log'), { pipeStdout: true });
    await lineFrom(this.holder, 'ready', 10_000);
    const enter = ['-t', String(this.holder.pid), '-m', `--net=${netnsPath(this.ns)}`, '--'];
    this.containerd = new ComponentProcess(`${this.name}-containerd`, 'nsenter', [...enter, 'containerd', '--config', this.path('containerd.toml')], this.path('containerd.log'));
    const sock = this.path('containerd/containerd.sock');
    await waitUntil(this.containerd, 'serving its socket', async () => existsSync(sock) && (await ctr(sock, ['version']).then(() => true, () => false)), 30_000, 100);
    const have = await ctr(sock, ['-n', 'k8s.io', 'images', 'list', '-q']);
    if (!have.includes('registry.k8s.io/pause:3.10'))
      for (const t of this.tarballs) await ctr(sock, ['-n', 'k8s.io', 'images', 'import', '--all-platforms', t]);
    this.kubelet = new ComponentProcess(
      `${this.name}-kubelet`,
      'nsenter',
      [
        ...enter,
        binaryPath(this.opts.binDir, 'kubelet'),
        `--config=${this.path('kubelet.yaml')}`,
        `--kubeconfig=${this.path('kubelet.kubeconfig')}`,
        `--root-dir=${this.path('kubelet')}`,
        `--cert-dir=${this.path('kubelet/pki')}`,
        `--hostname-override=${this.name}`,
        `--node-ip=${nodeIp(this.n)}`,
        '--v=1',
      ],
      this.path('kubelet.log'),
    );
    log(`${this.name}: containerd pid ${this.containerd.pid}, kubelet pid ${this.kubelet.pid} (netns ${this.ns})`);
  }

  /** Synchronous: kubelet, containerd, the shims (in the node's mount namespace), the containers (in its cgroups), the holder. */
  killNow(): void {
    const holderPid = this.holder?.running ? this.holder.pid : undefined;
    this.kubelet?.killNow();
    this.containerd?.killNow();
    const mnt = holderPid !== undefined ? nsInode(holderPid, 'mnt') : undefined;
    if (mnt !== undefined) killAll(pidsInMountNs(mnt).filter((p) => p !== holderPid));
    killAll(pidsInCgroup(this.cgroupRoot));
    this.holder?.killNow();
  }

  /** Everything of the node killed at once, as a machine that loses power; its cgroups removed. */
  async kill(): Promise<void> {
    this.killNow();
    await removeCgroupRoot(this.cgroupRoot);
    await Promise.all([this.kubelet, this.containerd, this.holder].map((p) => p?.stop(1000)));
    this.kubelet = this.containerd = this.holder = undefined;
  }

  get up(): boolean {
    return !!this.kubelet?.running;
  }

  async logs(): Promise<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const c of ['kubelet', 'containerd'])
      if (existsSync(this.path(`${c}.log`))) out[`${this.name}-${c}`] = await tailOf(this.path(`${c}.log`), 100_000, 256 * 1024);
    return out;
  }
}

/** Reads the holder's stdout until `line`, or fails at the deadline / when it exits. */
function lineFrom(p: ComponentProcess, line: string, deadlineMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const out = p.child.stdout;
    if (!out) return reject(new Error(`${p.name}: no stdout`));
    const rl = createInterface({ input: out });
    const timer = setTimeout(() => finish(new Error(`${p.name} did not set up its mount namespace within ${deadlineMs} ms`)), deadlineMs);
    const finish = (err?: Error): void => {
      clearTimeout(timer);
      rl.close();
      if (err) reject(err);
      else resolve();
    };
    rl.on('line', (l) => l.trim() === line && finish());
    p.child.once('exit', () => void tailOf(p.logPath, 20, 4096).then((t) => finish(new Error(`${p.name} ${p.exitDescription()}: ${t}`))));
  });
}

function ctr(sock: string, args: string[]): Promise<string> {
  return tool('ctr', ['--address', sock, ...args], `ctr ${args.join(' ')} (containerd ${sock})`);
}

function containerdConfig(dir: string): string {
  const d = (p: string): string => JSON.stringify(join(dir, p));
  return `version = 2
root = ${d('containerd/root')}
state = ${d('containerd/state')}
[grpc]
  address = ${d('containerd/containerd.sock')}
[ttrpc]
  address = ${d('containerd/containerd.sock.ttrpc')}
[plugins."io.containerd.internal.v1.opt"]
  path = ${d('containerd/opt')}
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "registry.k8s.io/pause:3.10"
  # runc cannot lower oom_score_adj without CAP_SYS_RESOURCE, which some VMs' bounding set lacks.
  restrict_oom_score_adj = true
  stream_server_address = "127.0.0.1"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = ${d('containerd/runc')}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${d('cni/net.d')}
`;
}

function cniConfig(n: number, dir: string): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: `sts-n${n}`,
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: true,
          hairpinMode: true,
          ipam: { type: 'host-local', dataDir: join(dir, 'cni/ipam'), ranges: [[{ subnet: podRange(n) }]], routes: [{ dst: '0.0.0.0/0' }] },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    },
    null,
    2,
  )}\n`;
}

function kubeletConfig(node: RealNode, caCert: string, clusterDomain: string): string {
  const d = (p: string): string => JSON.stringify(join(node.dir, p));
  return `apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
# cgroup v1 hosts: kubelet >= 1.35 refuses them unless told (KEP-5573; control-plane/README.md).
failCgroupV1: false
failSwapOn: false
cgroupDriver: cgroupfs
cgroupRoot: ${node.cgroupRoot}
containerRuntimeEndpoint: unix://${join(node.dir, 'containerd/containerd.sock')}
address: ${nodeIp(node.n)}
readOnlyPort: 0
healthzBindAddress: 127.0.0.1
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: ${JSON.stringify(caCert)}}
authorization: {mode: Webhook}
clusterDomain: ${clusterDomain}
clusterDNS: [${GATEWAY}]
resolvConf: ${d('resolv.conf')}
podLogsDir: ${d('pod-logs')}
staticPodPath: ""
nodeStatusUpdateFrequency: 10s
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%, nodefs.inodesFree: 2%}
`;
}

/** Starts `count` real nodes; resolves once every kubelet runs (the caller waits for Ready). */
export async function startRealNodes(opts: RealNodesOptions): Promise<RealNodes> {
  assertInPlaneNetns();
  const log = opts.log ?? (() => {});
  const { tarballs } = await nodeImages(log);
  await planeNetwork(opts.count, opts.apiPort, opts.dnsPort);
  const nodes: RealNode[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      for (const node of nodes) await node.kill().catch((err: Error) => log(`${node.name}: ${err.message}`));
      for (const node of nodes) await deleteNetns(node.ns).catch((err: Error) => log(`${node.ns}: ${err.message}`));
    })();
    return stopping;
  };
  const onExit = (): void => {
    for (const node of nodes) node.killNow();
  };
  process.on('exit', onExit);
  try {
    for (let n = 1; n <= opts.count; n++) {
      const node = new RealNode(n, opts, tarballs);
      nodes.push(node);
      await nodeNetwork(node.ns, n, opts.count);
      await node.prepare();
    }
    await Promise.all(nodes.map((node) => node.boot()));
  } catch (err) {
    await stop();
    process.off('exit', onExit);
    throw err;
  }
  const byName = (name: string): RealNode => {
    const node = nodes.find((x) => x.name === name);
    if (!node) throw new Error(`no real node "${name}" (nodes: ${nodes.map((x) => x.name).join(', ')})`);
    return node;
  };
  return {
    nodeNames: nodes.map((node) => node.name),
    async stopNode(name) {
      const node = byName(name);
      if (!node.up) return;
      log(`${name}: stopping (all processes killed)`);
      await node.kill();
    },
    async startNode(name) {
      const node = byName(name);
      if (node.up) return;
      log(`${name}: starting`);
      await node.boot();
    },
    async logs() {
      const out: Record<string, string> = {};
      for (const node of nodes) Object.assign(out, await node.logs());
      return out;
    },
    async stop() {
      await stop();
      process.off('exit', onExit);
    },
  };
}


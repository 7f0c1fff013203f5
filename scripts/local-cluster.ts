/**
 * `npm run local-cluster -- [--kubeconfig <file>] [--nodes <n>] [--real-nodes] [--volume-binding-mode Immediate|WaitForFirstConsumer]
 *    [--context <name>] [--bin-dir <dir>] [--verbose] [--exit-with-stdin]`
 *
 * A stand-in for a user's cluster on a machine without Docker: the local upstream control
 * plane (etcd, kube-apiserver, kube-controller-manager, kube-scheduler, CoreDNS from
 * `npm run control-plane:build`) with the project's node simulator as the kubelets and its
 * volume provisioner as the cluster's storage (a default StorageClass; the real PV controller
 * binds). It writes a kubeconfig (default .cache/local-cluster/kubeconfig) and runs until
 * SIGINT/SIGTERM, then stops everything it started. The `cluster` target reaches it only
 * through that kubeconfig:
 *
 *   npm run local-cluster &                       # prints "ready <kubeconfig>" when it serves
 *   KUBECONFIG=.cache/local-cluster/kubeconfig npm run test:cluster
 *
 * `npm run test:cluster:local` does both and tears the cluster down on every exit path
 * (scripts/test-cluster-local.ts).
 *
 * With `--real-nodes` (root), the nodes are real: upstream kubelets with containerd and runc
 * (support/control-plane/real-nodes.ts), and the whole plane runs in a network namespace the
 * run creates, with no route off the machine; the kubeconfig works from inside it
 * (`nsenter --net=/run/netns/<netns> kubectl …`; the ready line names it). Node faults are
 * served on a unix socket, and the executable `<kubeconfig dir>/node-hook.cjs` (`node-hook stop|start
 * <node>`) is what the cluster target's STS_NODE_HOOK runs. `npm run test:real-nodes` runs the
 * suite on it.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { realClock } from '../reference/clock.ts';
import { startVolumeProvisioner } from '../reference/controllers/volumes.ts';
import { startNodeSimulator, type NodeSimulator } from '../reference/nodes/index.ts';
import { controlPlaneBinDir } from '../support/control-plane/binaries.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane/index.ts';
import { waitNodesSchedulable } from '../support/control-plane/nodes.ts';
import { intOption, parseCli, usageError } from './lib/cli.ts';
import { PLANE_NETNS_ENV, runInPlaneNetns } from '../support/control-plane/netns.ts';
import { preflightRealNodes, startRealNodes } from '../support/control-plane/real-nodes.ts';

const { values } = parseCli({
  name: 'local-cluster',
  usage: new URL(import.meta.url),
  options: {
    kubeconfig: { type: 'string', default: '.cache/local-cluster/kubeconfig' },
    context: { type: 'string', default: 'local-cluster' },
    nodes: { type: 'string', default: '3' },
    'real-nodes': { type: 'boolean', default: false },
    'volume-binding-mode': { type: 'string' },
    'bin-dir': { type: 'string' },
    verbose: { type: 'boolean', short: 'v', default: false },
    // For scripts that start it: stop when stdin closes (the starter died, even by SIGKILL).
    'exit-with-stdin': { type: 'boolean', default: false },
  },
});
const nodeCount = intOption('local-cluster', 'nodes', values.nodes, 1);
const realNodes = values['real-nodes'];
const bindingMode = values['volume-binding-mode'] ?? 'Immediate';
if (bindingMode !== 'Immediate' && bindingMode !== 'WaitForFirstConsumer') {
  usageError('local-cluster', `--volume-binding-mode must be Immediate or WaitForFirstConsumer, not "${bindingMode}"`);
}
const binDir = values['bin-dir'] ?? controlPlaneBinDir();

// Real nodes: this process makes the run's namespaces and re-runs itself inside the plane's.
if (realNodes && !process.env[PLANE_NETNS_ENV]) {
  const outerLog = (line: string) => process.stderr.write(`local-cluster: ${line}\n`);
  try {
    await preflightRealNodes(binDir);
    const id = randomBytes(4).toString('hex');
    const base = join(tmpdir(), `sts-real-${id}`);
    process.exit(await runInPlaneNetns({ id, dirs: [base], nodes: nodeCount, log: outerLog }));
  } catch (err) {
    outerLog(`ERROR: ${(err as Error).message}`);
    process.exit(1);
  }
}

const log = (line: string) => process.stderr.write(`local-cluster: ${line}\n`);
const quiet = (line: string) => {
  if (values.verbose) log(line);
};
const file = resolve(values.kubeconfig);
const stops: Array<{ name: string; stop: () => Promise<unknown> }> = [];
let cp: RunningControlPlane | undefined;
let stopping: Promise<void> | undefined;

/** Stops what was started, newest first; the control plane's processes last. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const s of stops.splice(0).reverse()) {
      await s.stop().catch((err: unknown) => log(`stopping ${s.name}: ${(err as Error).message}`));
    }
    await cp?.stop();
    rmSync(file, { force: true });
  })();
  return stopping;
}

let signalled = 0;
const onSignal = (signal: NodeJS.Signals) => {
  if (++signalled > 1) {
    log(`second ${signal}: exiting now`);
    process.exit(1);
  }
  log(`${signal}: stopping`);
  void stopAll().finally(() => process.exit(0));
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);
if (values['exit-with-stdin']) {
  process.stdin.on('data', () => undefined);
  process.stdin.on('end', () => {
    if (!signalled) onSignal('SIGHUP');
  });
}
// Crash or plain exit: the component processes are killed by startControlPlane's exit hook.

try {
  const started = Date.now();
  const realId = process.env.STS_REAL_NODES_ID;
  const base = realId ? join(tmpdir(), `sts-real-${realId}`) : undefined;
  if (base) mkdirSync(base, { recursive: true });
  cp = await startControlPlane({
    binDir,
    runDir: base ? join(base, 'control-plane') : undefined,
    withDns: true,
    withScheduler: true,
    // Signals are ours (an orderly stop); the exit hook still kills the processes on a crash.
    handleSignals: false,
    log: quiet,
  });
  process.on('exit', () => {
    for (const pid of Object.values(cp?.pids ?? {})) {
      try {
        if (!stopping) process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  });
  const kc = new KubeConfig();
  kc.loadFromFile(cp.kubeconfigPath);

  // Storage: a default StorageClass whose claims the simulated provisioner fulfils; the real
  // persistentvolume-binder in kube-controller-manager binds them (bindClaims: false).
  const provisioner = await startVolumeProvisioner(kc, {
    clock: realClock,
    bindClaims: false,
    volumeBindingMode: bindingMode,
    // Real kubelets make the hostPath directories: keep them in the run's directory.
    hostPathBase: base ? join(base, 'volumes') : undefined,
    log: quiet,
  });
  stops.push({ name: 'volume provisioner', stop: () => provisioner.stop() });

  let nodeNames: string[];
  let faults: Server | undefined;
  if (base && realId) {
    const nodes = await startRealNodes({
      id: realId,
      count: nodeCount,
      runDir: join(base, 'nodes'),
      binDir,
      pki: cp.pki,
      apiPort: cp.ports['kube-apiserver']!,
      dnsPort: cp.dnsPort!,
      clusterDomain: cp.clusterDomain,
      log,
    });
    stops.push({ name: 'real nodes', stop: () => nodes.stop() });
    nodeNames = nodes.nodeNames;
    faults = await serveNodeFaults(join(dirname(file), 'nodes.sock'), nodes);
    stops.push({ name: 'node-fault socket', stop: () => new Promise<void>((r) => faults!.close(() => r())) });
  } else {
    const sim: NodeSimulator = await startNodeSimulator(kc, {
      clock: realClock,
      nodes: nodeCount,
      kubeletVersion: cp.serverVersion,
      log: quiet,
    });
    stops.push({ name: 'node simulator', stop: () => sim.stop() });
    nodeNames = sim.nodeNames;
  }
  await waitNodesSchedulable(kc, nodeNames, 120_000);

  // The kubeconfig a user would have: one context, credentials embedded.
  const out = new KubeConfig();
  const cluster = kc.getCurrentCluster()!;
  const user = kc.getCurrentUser()!;
  out.loadFromOptions({
    clusters: [{ ...cluster, name: values.context }],
    users: [{ ...user, name: values.context }],
    contexts: [{ name: values.context, cluster: values.context, user: values.context }],
    currentContext: values.context,
  });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, out.exportConfig(), { mode: 0o600 });
  const netns = process.env[PLANE_NETNS_ENV];
  if (faults) writeNodeHook(join(dirname(file), 'node-hook.cjs'), join(dirname(file), 'nodes.sock'));
  log(
    `${cp.serverVersion} at ${cp.server}, ${nodeNames.length} ${realId ? 'real' : 'simulated'} nodes, up in ${((Date.now() - started) / 1000).toFixed(1)}s; KUBECONFIG=${file}` +
      `${netns ? ` inside network namespace ${netns} (nsenter --net=/run/netns/${netns} …)` : ''}; Ctrl-C stops it`,
  );
  // The line scripts wait for.
  process.stdout.write(`ready ${file}${netns ? ` netns ${netns}` : ''}\n`);
} catch (err) {
  log(`failed to start: ${(err as Error).stack ?? err}`);
  await stopAll();
  process.exit(1);
}


/** Node faults on a unix socket (reachable from any network namespace): POST /nodes/<name>/stop|start. */
function serveNodeFaults(socket: string, nodes: { stopNode(n: string): Promise<void>; startNode(n: string): Promise<void> }): Promise<Server> {
  rmSync(socket, { force: true });
  const server = createServer((req, res) => {
    const m = /^\/nodes\/([^/]+)\/(stop|start)$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m) {
      res.writeHead(404).end('POST /nodes/<name>/stop or /nodes/<name>/start\n');
      return;
    }
    const [, node, verb] = m as unknown as [string, string, 'stop' | 'start'];
    (verb === 'stop' ? nodes.stopNode(node) : nodes.startNode(node)).then(
      () => res.writeHead(200).end(`${verb} ${node}: done\n`),
      (err: Error) => res.writeHead(500).end(`${verb} ${node}: ${err.message}\n`),
    );
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => resolve(server));
  });
}

/** The executable the cluster target's STS_NODE_HOOK runs: `node-hook stop|start <node>`. */
function writeNodeHook(path: string, socket: string): void {
  writeFileSync(
    path,
    `#!/usr/bin/env node
// Node faults of the local real-node cluster (scripts/local-cluster.ts --real-nodes): ${'`'}node-hook stop|start <node>${'`'}.
const [verb, node] = process.argv.slice(2);
if (!['stop', 'start'].includes(verb) || !node) { console.error('usage: node-hook stop|start <node>'); process.exit(2); }
const req = require('node:http').request({ socketPath: ${JSON.stringify(socket)}, method: 'POST', path: ${'`'}/nodes/${'$'}{encodeURIComponent(node)}/${'$'}{verb}${'`'} }, (res) => {
  let body = ''; res.on('data', (c) => (body += c));
  res.on('end', () => { (res.statusCode === 200 ? process.stdout : process.stderr).write(body); process.exit(res.statusCode === 200 ? 0 : 1); });
});
req.on('error', (err) => { console.error(${'`'}node-hook: the local cluster does not answer on ${socket}: ${'$'}{err.message}${'`'}); process.exit(1); });
req.end();
`,
  );
  chmodSync(path, 0o755);
}

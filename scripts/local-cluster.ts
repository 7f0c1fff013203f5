/**
 * `npm run local-cluster -- [--kubeconfig <file>] [--nodes <n>] [--context <name>]`
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
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { KubeConfig } from '@kubernetes/client-node';
import { realClock } from '../reference/clock.ts';
import { startVolumeProvisioner } from '../reference/controllers/volumes.ts';
import { startNodeSimulator, type NodeSimulator } from '../reference/nodes/index.ts';
import { controlPlaneBinDir } from '../support/control-plane/binaries.ts';
import { startControlPlane, type RunningControlPlane } from '../support/control-plane/index.ts';
import { waitNodesSchedulable } from '../support/control-plane/nodes.ts';

const { values } = parseArgs({
  options: {
    kubeconfig: { type: 'string', default: '.cache/local-cluster/kubeconfig' },
    context: { type: 'string', default: 'local-cluster' },
    nodes: { type: 'string', default: '3' },
    'bin-dir': { type: 'string' },
    verbose: { type: 'boolean', short: 'v', default: false },
    // For scripts that start it: stop when stdin closes (the starter died, even by SIGKILL).
    'exit-with-stdin': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (values.help) {
  console.log('usage: npm run local-cluster -- [--kubeconfig <file>] [--nodes <n>] [--context <name>] [--bin-dir <dir>] [--verbose] [--exit-with-stdin]');
  process.exit(0);
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
  cp = await startControlPlane({
    binDir: values['bin-dir'] ?? controlPlaneBinDir(),
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
  const provisioner = await startVolumeProvisioner(kc, { clock: realClock, bindClaims: false, log: quiet });
  stops.push({ name: 'volume provisioner', stop: () => provisioner.stop() });

  const sim: NodeSimulator = await startNodeSimulator(kc, {
    clock: realClock,
    nodes: Number(values.nodes),
    kubeletVersion: cp.serverVersion,
    log: quiet,
  });
  stops.push({ name: 'node simulator', stop: () => sim.stop() });
  await waitNodesSchedulable(kc, sim.nodeNames, 60_000);

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
  log(`${cp.serverVersion} at ${cp.server}, ${sim.nodeNames.length} simulated nodes, up in ${((Date.now() - started) / 1000).toFixed(1)}s; KUBECONFIG=${file}; Ctrl-C stops it`);
  // The line scripts wait for.
  process.stdout.write(`ready ${file}\n`);
} catch (err) {
  log(`failed to start: ${(err as Error).stack ?? err}`);
  await stopAll();
  process.exit(1);
}


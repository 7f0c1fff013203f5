/**
 * A benchmark subject in a process of its own, so that its CPU and memory are measured apart
 * from the load generator (`scripts/bench.ts` spawns it; run by hand for profiling):
 *
 *   node --import tsx scripts/bench/serve.ts api                       # the reference API server alone
 *   node --import tsx scripts/bench/serve.ts plane [--clock-scale 1] [--pod-startup-ms 0]
 *   node --import tsx scripts/bench/serve.ts nodes --kubeconfig F [--pod-startup-ms 0] [--kubelet-version v]
 *
 * `plane` is the whole reference control plane; `nodes` is only the node simulator, pointed at
 * another API server (the control plane's). Prints one JSON line `{"url":…}` once serving, and
 * stops cleanly on SIGTERM/SIGINT (so that `node --cpu-prof` writes its profile). Started with
 * `--expose-gc`, SIGUSR2 runs a full garbage collection and prints `{"rssMiB":…}`: the memory the
 * subject needs, apart from the garbage V8 has not yet got round to.
 */
import { parseArgs } from 'node:util';
import { realClock, ScaledClock } from '../../reference/clock.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'clock-scale': { type: 'string', default: '1' },
    'pod-startup-ms': { type: 'string' },
    kubeconfig: { type: 'string' },
    'kubelet-version': { type: 'string' },
    nodes: { type: 'string', default: '3' },
  },
});
const mode = positionals[0];
const startup = values['pod-startup-ms'] === undefined ? undefined : Number(values['pod-startup-ms']);

let stop: () => Promise<void>;
let url = '';
// Imports are per mode, so that the API server alone does not carry client-node and the controllers.
if (mode === 'api') {
  const { startApiServer } = await import('../../reference/apiserver/index.ts');
  const api = await startApiServer({ clock: new ScaledClock(Number(values['clock-scale'])) });
  url = api.url;
  stop = () => api.close();
} else if (mode === 'plane') {
  const { startReferenceControlPlane } = await import('../../reference/index.ts');
  const plane = await startReferenceControlPlane({
    clockScale: Number(values['clock-scale']),
    podStartupDelayMs: startup,
    nodes: Number(values.nodes),
  });
  url = plane.url;
  stop = () => plane.stop();
} else if (mode === 'nodes') {
  if (!values.kubeconfig) throw new Error('nodes needs --kubeconfig');
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { startNodeSimulator } = await import('../../reference/nodes/index.ts');
  const kc = new KubeConfig();
  kc.loadFromFile(values.kubeconfig);
  const sim = await startNodeSimulator(kc, {
    clock: realClock,
    nodes: Number(values.nodes),
    startupDelayMs: startup,
    kubeletVersion: values['kubelet-version'],
  });
  url = kc.getCurrentCluster()?.server ?? '';
  stop = () => sim.stop();
} else {
  console.error('usage: serve.ts api|plane|nodes [options]');
  process.exit(2);
}

process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);
let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  void stop()
    .catch(() => undefined)
    .finally(() => process.exit(0));
};
process.on('SIGTERM', shutdown);
process.on('SIGINT', shutdown);
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  process.stdout.write(`${JSON.stringify({ rssMiB: process.memoryUsage().rss / 1048576, collected: !!gc })}\n`);
});

/**
 * `npm run serve -- [--kubeconfig <file>] [--token <t>] [--clock-scale <n>]`
 *
 * Runs the bundled reference control plane (API server, controllers, simulated nodes) as a
 * process of its own and writes a kubeconfig for it (default .cache/reference/kubeconfig), so
 * that the `cluster` target — or kubectl — can be pointed at it:
 *
 *   npm run serve &
 *   KUBECONFIG=.cache/reference/kubeconfig npm run test:cluster
 *
 * Prints `ready <kubeconfig>` when it serves; stops on SIGINT/SIGTERM. Real time by default.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseCli, usageError } from './lib/cli.ts';

const { values } = parseCli({
  name: 'serve',
  usage: 'usage: npm run serve -- [--kubeconfig <file>] [--token <t>] [--clock-scale <n>] [--context <name>]',
  options: {
    kubeconfig: { type: 'string', default: '.cache/reference/kubeconfig' },
    token: { type: 'string' },
    'clock-scale': { type: 'string', default: '1' },
    context: { type: 'string', default: 'reference' },
  },
});
const clockScale = Number(values['clock-scale']);
if (!(clockScale > 0)) usageError('serve', `--clock-scale must be a number > 0, not "${values['clock-scale']}"`);

// Loaded once the options are known: --help and a bad option cost no more than node.
const { startReferenceControlPlane } = await import('../reference/index.ts');
const plane = await startReferenceControlPlane({ clockScale, token: values.token });
const file = resolve(values.kubeconfig);
const context = values.context;
const kubeconfig = {
  apiVersion: 'v1',
  kind: 'Config',
  // client-node speaks plain HTTP only with skipTLSVerify set.
  clusters: [{ name: context, cluster: { server: plane.url, 'insecure-skip-tls-verify': true } }],
  users: [{ name: context, user: values.token ? { token: values.token } : {} }],
  contexts: [{ name: context, context: { cluster: context, user: context } }],
  'current-context': context,
};
mkdirSync(dirname(file), { recursive: true });
writeFileSync(file, JSON.stringify(kubeconfig, null, 2) + '\n', { mode: 0o600 });
console.log(`ready ${file}`);
console.error(`reference control plane at ${plane.url}; Ctrl-C to stop. Point kubectl at it:\n  export KUBECONFIG=${file}\n  kubectl get pods -w`);

let stopping = false;
const stop = async () => {
  if (stopping) process.exit(1);
  stopping = true;
  await plane.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());

/**
 * Starts the control plane by hand, for debugging:
 *
 *   npx tsx support/control-plane/cli.ts [--hybrid] [--no-dns] [--no-scheduler] [--run-dir=DIR] [--toleration=SECONDS]
 *
 * Prints the kubeconfig path (use it with kubectl) and runs until Ctrl-C, then stops every
 * process it started. With --exit it stops right after bring-up (prints timings).
 */
import { controlPlaneBinDir } from './binaries.ts';
import { startControlPlane } from './index.ts';

const argv = process.argv.slice(2);
const flag = (n: string): boolean => argv.includes(`--${n}`);
const value = (n: string): string | undefined => argv.find((a) => a.startsWith(`--${n}=`))?.slice(n.length + 3);

const tol = value('toleration');
const cp = await startControlPlane({
  binDir: value('bin-dir') ?? controlPlaneBinDir(),
  runDir: value('run-dir'),
  keepRunDir: true,
  hybrid: flag('hybrid'),
  withDns: !flag('no-dns'),
  withScheduler: !flag('no-scheduler'),
  defaultTolerationSeconds: tol === undefined ? undefined : Number(tol),
  log: (s) => process.stderr.write(`${s}\n`),
});
process.stdout.write(
  `${JSON.stringify({ kubeconfig: cp.kubeconfigPath, server: cp.server, version: cp.serverVersion, dnsPort: cp.dnsPort, runDir: cp.runDir, pids: cp.pids, timings: cp.timings }, null, 2)}\n`,
);
if (flag('exit')) await cp.stop();
else {
  process.stderr.write(`export KUBECONFIG=${cp.kubeconfigPath}   # Ctrl-C stops the control plane\n`);
  setInterval(() => {}, 1 << 30);
}

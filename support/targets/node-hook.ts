/**
 * Node faults on any cluster, through a hook the user provides: `STS_NODE_HOOK` names a command
 * that the harness runs as `<hook> stop <node>` and `<hook> start <node>` (through `sh -c`, so it
 * may carry arguments). It should return once the node is down (its kubelet and containers gone,
 * as a machine that lost power) or booted again. The local real-node cluster writes one
 * (`scripts/local-cluster.ts --real-nodes`); for cloud VMs it could stop and start the instance.
 */
import { execFile } from 'node:child_process';
import type { NodeFaults } from './cluster.ts';

export const NODE_HOOK_ENV = 'STS_NODE_HOOK';
const HOOK_TIMEOUT_MS = 180_000;

export function nodeHookFaults(hook: string): NodeFaults {
  const run = (verb: 'stop' | 'start', node: string): Promise<void> =>
    new Promise((resolve, reject) => {
      execFile('sh', ['-c', `${hook} "$@"`, 'sts-node-hook', verb, node], { timeout: HOOK_TIMEOUT_MS }, (err, _stdout, stderr) => {
        if (!err) return resolve();
        const why = err.killed ? `timed out after ${HOOK_TIMEOUT_MS / 1000}s` : `exited with ${err.code}`;
        reject(new Error(`${NODE_HOOK_ENV} \`${hook} ${verb} ${node}\` ${why}: ${stderr.trim().split('\n').slice(-3).join(' ') || '(no output)'}`));
      });
    });
  return { stopNode: (node) => run('stop', node), startNode: (node) => run('start', node) };
}

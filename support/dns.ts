/**
 * Waiting on DNS. Answers come from the target's DNS server, which follows EndpointSlices
 * through its own watch; the harness cannot observe that watch, so a DNS wait re-resolves on
 * every change the timeline records (EndpointSlices included) and, as a fallback for the DNS
 * server's own lag, at most every 200 ms of real time, until the deadline.
 */
import type { DnsAnswer } from './targets/target.ts';
import { interruptSignal } from './interrupt.ts';
import { WaitFailure } from './waiting.ts';
import type { ConformanceWorld } from './world.ts';

const RETRY_REAL_MS = 200;

export function fqdn(world: ConformanceWorld, relative: string): string {
  return `${relative}.${world.namespace}.svc.cluster.local`;
}

export async function resolveUntil(
  world: ConformanceWorld,
  expected: string,
  name: string,
  type: 'A' | 'SRV',
  check: (answers: DnsAnswer[]) => string | undefined,
  seconds = 60,
): Promise<DnsAnswer[]> {
  const deadline = Date.now() + Math.max(world.clock.toRealMs(seconds * 1000), 15_000);
  let seen = '';
  for (;;) {
    const changed = new Promise<void>((resolve) => {
      const stop = world.timeline.subscribe(() => {
        stop();
        clearTimeout(timer);
        resolve();
      });
      const timer = setTimeout(() => {
        stop();
        resolve();
      }, RETRY_REAL_MS);
    });
    if (interruptSignal.aborted) throw new Error(`interrupted while waiting for ${expected}`);
    const answers = await world.target.resolve(name, type);
    const problem = check(answers);
    if (!problem) return answers;
    seen = problem;
    if (Date.now() > deadline) throw new WaitFailure(expected, seen, seconds, 'within');
    await changed;
  }
}

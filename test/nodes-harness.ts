/**
 * A small reference cluster for the tests of the node simulator and the controllers around it:
 * the reference API server on a fast clock, plus whichever components a test starts.
 */
import { KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { ScaledClock } from '../reference/clock.ts';
import { startApiServer } from '../reference/apiserver/index.ts';
import type { Informer } from '../reference/controllers/runtime.ts';

export async function startTestApiServer(scale = 50) {
  const clock = new ScaledClock(scale);
  const api = await startApiServer({ clock });
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u' }],
    currentContext: 'ctx',
  });
  return { clock, api, kc };
}

/** Resolves with the first object for which `pred` holds, checked now and on every informer event. */
export function until<T extends KubernetesObject>(
  informer: Informer<T>,
  pred: (all: T[]) => T | boolean | undefined,
  what: string,
  timeoutMs = 4000,
): Promise<T | undefined> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = () => {
      if (done) return;
      const r = pred(informer.list());
      if (r) {
        done = true;
        clearTimeout(timer);
        resolve(r === true ? undefined : r);
      }
    };
    const timer = setTimeout(() => {
      done = true;
      reject(new Error(`timed out waiting for ${what}`));
    }, timeoutMs);
    informer.on('add', check).on('update', check).on('delete', check);
    check();
  });
}

/**
 * A small reference cluster for the tests of the node simulator and the controllers around it:
 * the reference API server on a fast clock, plus whichever components a test starts.
 */
import { CoreV1Api, type KubernetesListObject, type KubernetesObject } from '@kubernetes/client-node';
import { ScaledClock } from '../reference/clock.ts';
import { startApiServer } from '../reference/apiserver/index.ts';
import { Informer, type InformerHandle } from '../reference/controllers/runtime.ts';
import { kubeConfigFor } from '../reference/index.ts';

export async function startTestApiServer(scale = 50) {
  const clock = new ScaledClock(scale);
  const api = await startApiServer({ clock });
  return { clock, api, kc: kubeConfigFor(api.url) };
}

type Stoppable = { stop(): Promise<void> };
export type TestCluster = Awaited<ReturnType<typeof startTestCluster>>;

/** One set-up for the controller tests: server, client, namespace, and what they start, stopped in reverse by stop(). */
export async function startTestCluster({ namespace, scale = 50 }: { namespace?: string; scale?: number } = {}) {
  const { clock, api, kc } = await startTestApiServer(scale);
  const core = kc.makeApiClient(CoreV1Api);
  if (namespace) await core.createNamespace({ body: { metadata: { name: namespace } } });
  const started: Stoppable[] = [];
  const add = <S extends Stoppable>(s: S): S => (started.push(s), s);
  return {
    clock, api, kc, core, opts: { clock },
    add,
    /** An Informer<T> on `path`, started (synced) and stopped with the cluster. */
    async informer<T extends KubernetesObject>(path: string, typeName: string, list: () => Promise<KubernetesListObject<T>>): Promise<Informer<T>> {
      const informer = add(new Informer<T>(kc, path, typeName, list, clock));
      await informer.start();
      return informer;
    },
    async stop(): Promise<void> {
      for (const s of started.reverse()) await s.stop();
      await api.close();
    },
  };
}

/** Resolves with the first object for which `pred` holds, checked now and on every informer event. */
export function until<T extends KubernetesObject>(
  informer: InformerHandle<T>,
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

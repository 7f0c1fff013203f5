/**
 * Waiting for simulated nodes to take pods on a real control plane: a node is usable once it
 * is Ready and has lost the not-ready/unreachable taints that TaintNodesByCondition gives it at
 * registration. Watch-driven, with a deadline.
 */
import { CoreV1Api, Watch, type KubeConfig, type V1Node } from '@kubernetes/client-node';

export function schedulable(node: V1Node): boolean {
  return (
    !!node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') &&
    !(node.spec?.taints ?? []).some((t) => t.key === 'node.kubernetes.io/not-ready' || t.key === 'node.kubernetes.io/unreachable')
  );
}

export async function waitNodesSchedulable(kc: KubeConfig, names: string[], deadlineMs = 60_000): Promise<void> {
  const list = await kc.makeApiClient(CoreV1Api).listNode();
  const usable = new Set(list.items.filter((n) => names.includes(n.metadata?.name ?? '') && schedulable(n)).map((n) => n.metadata!.name!));
  if (usable.size === names.length) return;
  await new Promise<void>((resolve, reject) => {
    let abort: AbortController | undefined;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      abort?.abort();
      if (err) reject(err);
      else resolve();
    };
    const timer = setTimeout(() => {
      const missing = names.filter((n) => !usable.has(n));
      finish(new Error(`nodes not Ready and untainted within ${deadlineMs / 1000} s: ${missing.join(', ')}`));
    }, deadlineMs);
    new Watch(kc)
      .watch(
        '/api/v1/nodes',
        { resourceVersion: list.metadata?.resourceVersion },
        (_type, node: V1Node) => {
          const name = node.metadata?.name ?? '';
          if (!names.includes(name)) return;
          if (schedulable(node)) usable.add(name);
          else usable.delete(name);
          if (usable.size === names.length) finish();
        },
        (err) => {
          if (!done) finish(new Error(`the node watch ended before the nodes were usable: ${err ? String(err) : 'closed by the server'}`));
        },
      )
      .then((a) => {
        abort = a;
        if (done) a.abort();
      }, (err: unknown) => finish(err as Error));
  });
}

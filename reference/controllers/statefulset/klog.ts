/**
 * klog's structured lines, as the controller writes them (`logger.V(4).Info(msg, kv...)`):
 * `"msg" key="value" ...` through the component's logger, so a stalled set's component log
 * says what it waits for, in upstream's words.
 */
import type { KubernetesObject } from '@kubernetes/client-node';

export type Logger = (line: string) => void;

/** klog.KObj: namespace/name (name alone when there is no namespace). */
export function kObj(obj: KubernetesObject | undefined): string {
  const ns = obj?.metadata?.namespace;
  return ns ? `${ns}/${obj?.metadata?.name ?? ''}` : (obj?.metadata?.name ?? '');
}

/** klog.KRef. */
export function kRef(namespace: string, name: string): string {
  return namespace ? `${namespace}/${name}` : name;
}

/** One InfoS line in klog's text format: the message quoted, then key=value pairs. */
export function infoS(log: Logger, msg: string, kv: Record<string, string | number | undefined> = {}): void {
  const pairs = Object.entries(kv).map(([k, v]) => `${k}=${typeof v === 'number' ? v : JSON.stringify(v ?? '')}`);
  log([JSON.stringify(msg), ...pairs].join(' '));
}

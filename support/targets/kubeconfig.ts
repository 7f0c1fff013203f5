/**
 * Loading a kubeconfig the way kubectl does (`KUBECONFIG`, a colon-separated list of files, or
 * `~/.kube/config`; in a pod, the service account), with errors that name the file and the
 * context. Used by the cluster and kind targets and by `npm run clean`.
 */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';

export interface LoadedKubeConfig {
  kc: KubeConfig;
  /** The context in use. */
  context: string;
  /** The files it was read from (empty in a pod using its service account). */
  files: string[];
  /** "context "x" (kubeconfig /path)", for messages. */
  where: string;
  /** The API server URL of the context. */
  server: string;
}

export interface KubeConfigOptions {
  /** A kubeconfig file (default: $KUBECONFIG, else ~/.kube/config). */
  kubeconfig?: string;
  /** A context in it (default: its current context). */
  context?: string;
}

export class KubeConfigError extends Error {
  override name = 'KubeConfigError';
}

/** The kubeconfig files kubectl would read. */
export function kubeConfigFiles(explicit?: string): string[] {
  if (explicit) return [explicit];
  const env = process.env.KUBECONFIG;
  if (env) return env.split(delimiter).filter(Boolean);
  return [join(homedir(), '.kube', 'config')];
}

export function loadKubeConfig(opts: KubeConfigOptions = {}): LoadedKubeConfig {
  const candidates = kubeConfigFiles(opts.kubeconfig);
  const files = candidates.filter((f) => existsSync(f));
  const kc = new KubeConfig();
  if (files.length === 0) {
    if (!opts.kubeconfig && !process.env.KUBECONFIG && process.env.KUBERNETES_SERVICE_HOST) {
      kc.loadFromCluster();
    } else {
      throw new KubeConfigError(
        `no kubeconfig: ${candidates.join(', ')} ${candidates.length > 1 ? 'do' : 'does'} not exist ` +
          `(set KUBECONFIG or pass --context with a kubeconfig that has it)`,
      );
    }
  }
  for (const file of files) {
    const part = new KubeConfig();
    try {
      part.loadFromFile(file);
    } catch (err) {
      throw new KubeConfigError(`kubeconfig ${file} could not be read: ${(err as Error).message.split('\n')[0]}`);
    }
    // As kubectl merges: the first file to set a value wins.
    kc.loadFromOptions({
      clusters: [...kc.clusters, ...part.clusters.filter((c) => !kc.clusters.some((x) => x.name === c.name))],
      users: [...kc.users, ...part.users.filter((u) => !kc.users.some((x) => x.name === u.name))],
      contexts: [...kc.contexts, ...part.contexts.filter((c) => !kc.contexts.some((x) => x.name === c.name))],
      currentContext: kc.currentContext || part.currentContext,
    });
  }
  const fileText = files.length ? `kubeconfig ${files.join(delimiter)}` : 'in-cluster service account';
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubeConfigError(`context "${opts.context}" is not in ${fileText} (it has: ${known.join(', ') || 'no contexts'})`);
    }
    kc.setCurrentContext(opts.context);
  }
  const context = kc.getCurrentContext();
  if (!context || !kc.getContextObject(context)) {
    throw new KubeConfigError(`${fileText} has no current context: pass --context (it has: ${kc.getContexts().map((c) => c.name).join(', ') || 'no contexts'})`);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new KubeConfigError(`context "${context}" in ${fileText} names cluster "${kc.getContextObject(context)?.cluster}", which is not defined`);
  return { kc, context, files, where: `context "${context}" (${fileText})`, server: cluster.server };
}

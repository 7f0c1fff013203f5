/**
 * Which feature gates a target's API server has on, read where kube-apiserver publishes them:
 * `kubernetes_feature_enabled{name,stage}` on /metrics (component-base/featuregate). Reading
 * /metrics needs the `get` verb on that non-resource URL (cluster-admin and system:monitoring
 * have it); without it the gates are unknown and `@feature-gate:` scenarios are skipped with
 * the reason. The API server's gates stand for the controller manager's: clusters set them alike.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

export type FeatureGates = { gates: Map<string, boolean> } | { unknown: string };

/** Parses kubernetes_feature_enabled samples out of the Prometheus text format. */
export function parseFeatureMetrics(text: string): Map<string, boolean> {
  const gates = new Map<string, boolean>();
  for (const line of text.split('\n')) {
    const m = /^kubernetes_feature_enabled\{([^}]*)\}\s+(\S+)/.exec(line);
    const name = m && /(?:^|,)name="([^"]+)"/.exec(m[1]!)?.[1];
    if (name) gates.set(name, Number(m[2]) === 1);
  }
  return gates;
}

export async function readFeatureGates(kc: KubeConfig): Promise<FeatureGates> {
  const server = kc.getCurrentCluster()?.server;
  if (!server) return { unknown: 'the kubeconfig has no current cluster' };
  const opts: https.RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const url = new URL('/metrics', server);
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    const req = (url.protocol === 'https:' ? https : http).request(url, { ...opts, method: 'GET', headers: { ...opts.headers, Accept: 'text/plain' }, timeout: 10_000 }, (r) => {
      const chunks: Buffer[] = [];
      r.on('data', (c: Buffer) => chunks.push(c));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      r.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('no answer in 10 s')));
    req.on('error', reject);
    req.end();
  }).catch((err: Error) => ({ status: 0, body: err.message }));
  if (res.status !== 200) return { unknown: `GET /metrics answered ${res.status || 'nothing'}${res.status === 403 ? ' (forbidden: the credentials cannot read /metrics)' : `: ${res.body.split('\n')[0]!.slice(0, 120)}`}` };
  const gates = parseFeatureMetrics(res.body);
  return gates.size ? { gates } : { unknown: 'GET /metrics has no kubernetes_feature_enabled samples' };
}

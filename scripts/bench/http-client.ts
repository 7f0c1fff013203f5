/**
 * The load generator's HTTP client: plain node:http/https with one keep-alive agent, so that a
 * request costs one round trip on a warm connection. client-node 1.x builds a new agent per
 * request (a new TCP connection, and a TLS handshake with a client certificate on
 * kube-apiserver), which would measure connection set-up rather than the server; the benchmark
 * reports client-node figures separately. Credentials come from the KubeConfig, so the same
 * code drives both servers.
 */
import { KubeConfig } from '@kubernetes/client-node';
import http from 'node:http';
import https from 'node:https';

export interface HttpResponse {
  status: number;
  body: string;
}

export class KeepAliveClient {
  private readonly agent: http.Agent;
  private readonly base: URL;
  private readonly headers: Record<string, string>;
  private readonly tls: https.RequestOptions;

  private constructor(server: string, tls: https.RequestOptions, headers: Record<string, string>, maxSockets: number) {
    this.base = new URL(server);
    this.tls = tls;
    this.headers = headers;
    this.agent =
      this.base.protocol === 'https:'
        ? new https.Agent({ ca: tls.ca, cert: tls.cert, key: tls.key, rejectUnauthorized: tls.rejectUnauthorized, keepAlive: true, maxSockets, maxFreeSockets: maxSockets })
        : new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
  }

  static async fromKubeConfig(kc: KubeConfig, maxSockets = 64): Promise<KeepAliveClient> {
    const opts: https.RequestOptions = {};
    await kc.applyToHTTPSOptions(opts);
    const tls: https.RequestOptions = { ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized };
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(opts.headers ?? {})) if (typeof v === 'string') headers[k] = v;
    const server = kc.getCurrentCluster()?.server;
    if (!server) throw new Error('the kubeconfig has no current cluster');
    return new KeepAliveClient(server, tls, headers, maxSockets);
  }

  request(method: string, path: string, body?: string, contentType = 'application/json'): Promise<HttpResponse> {
    return this.attempt(method, path, body, contentType).catch((err: NodeJS.ErrnoException & { reused?: boolean }) => {
      // A kept-alive socket the server closed as idle just as it was reused (node's documented
      // race): the request never reached the server, so it is sent again on a fresh socket.
      if (err.reused && err.code === 'ECONNRESET') return this.attempt(method, path, body, contentType);
      throw err;
    });
  }

  private attempt(method: string, path: string, body: string | undefined, contentType: string): Promise<HttpResponse> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string | number> = { ...this.headers, Accept: 'application/json' };
      if (body !== undefined) {
        headers['Content-Type'] = contentType;
        headers['Content-Length'] = Buffer.byteLength(body);
      }
      const mod = this.base.protocol === 'https:' ? https : http;
      const req = mod.request(
        { ...this.tls, host: this.base.hostname, port: this.base.port, method, path, headers, agent: this.agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException & { reused?: boolean }) => {
        err.reused = req.reusedSocket;
        reject(err);
      });
      req.end(body);
    });
  }

  /**
   * Opens a watch and hands each event line to `onLine` as it arrives; resolves once the
   * response headers are in, with a function that closes the stream.
   */
  watch(path: string, onLine: (line: string) => void): Promise<() => void> {
    return new Promise((resolve, reject) => {
      const mod = this.base.protocol === 'https:' ? https : http;
      const req = mod.request(
        { ...this.tls, host: this.base.hostname, port: this.base.port, method: 'GET', path, headers: { ...this.headers, Accept: 'application/json' }, agent: false },
        (res) => {
          if (res.statusCode !== 200) {
            reject(new Error(`watch ${path}: HTTP ${res.statusCode}`));
            res.resume();
            return;
          }
          res.socket.setNoDelay(true);
          let rest = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            rest += chunk;
            let nl = rest.indexOf('\n');
            while (nl >= 0) {
              const line = rest.slice(0, nl);
              rest = rest.slice(nl + 1);
              if (line) onLine(line);
              nl = rest.indexOf('\n');
            }
          });
          res.on('error', () => undefined);
          resolve(() => req.destroy());
        },
      );
      req.on('error', reject);
      req.end();
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/**
 * The reference API server: an in-memory Kubernetes API over HTTP on loopback, speaking the
 * real REST and watch protocol for the kinds a StatefulSet touches.
 */
import { createServer, type Server } from 'node:http';
import type { Socket } from 'node:net';
import { realClock, type Clock } from '../clock.ts';
import { KINDS } from './kinds/index.ts';
import { Registry } from './registry.ts';
import { Handler } from './server.ts';
import { Store } from './store.ts';

export interface ApiServerOptions {
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Port (default 0: a random free port). */
  port?: number;
  /** Source of every timestamp the server writes (default: real time). */
  clock?: Clock;
  /** When set, requests must carry `Authorization: Bearer <token>` (else 401). */
  token?: string;
  /** Larger request bodies get 413 (default 3 MiB, as kube-apiserver). */
  maxBodyBytes?: number;
  /** How many recent changes are kept for resuming watches (default 10000). */
  watchWindow?: number;
  /** Real milliseconds between BOOKMARK events on watches that allow them (default 10000). */
  bookmarkIntervalMs?: number;
  /** Receives diagnostics about requests that failed unexpectedly. */
  log?: (line: string) => void;
}

export interface ApiServer {
  url: string;
  port: number;
  /**
   * Drops every connection and serves again on the same address with the same objects, as a
   * restarted kube-apiserver in front of the same etcd: clients see their requests and watches
   * cut and must reconnect. With `compact`, the change history is compacted first, so that a
   * watch resumed from before the restart is answered 410 Gone and its client relists.
   */
  restart(opts?: { compact?: boolean }): Promise<void>;
  close(): Promise<void>;
}

const BOOTSTRAP_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

function bootstrap(registry: Registry): void {
  const kind = (resource: string) => KINDS.find((k) => k.resource === resource && k.group === '')!;
  // Made by kube-apiserver itself upstream, so its managedFields name it.
  const write = { manager: 'kube-apiserver' };
  for (const name of BOOTSTRAP_NAMESPACES) registry.create(kind('namespaces'), '', { metadata: { name } }, write);
  // The `kubernetes` service every cluster has; it takes the first service IP, 10.96.0.1.
  registry.create(
    kind('services'),
    'default',
    {
      metadata: { name: 'kubernetes', labels: { component: 'apiserver', provider: 'kubernetes' } },
      spec: { ports: [{ name: 'https', port: 443, targetPort: 6443 }] },
    },
    write,
  );
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<ApiServer> {
  const store = new Store(opts.watchWindow ?? 10000);
  const registry = new Registry(store, opts.clock ?? realClock);
  bootstrap(registry);
  const handler = new Handler(registry, {
    token: opts.token,
    maxBodyBytes: opts.maxBodyBytes ?? 3 * 1024 * 1024,
    bookmarkIntervalMs: opts.bookmarkIntervalMs ?? 10000,
    log: opts.log,
  });
  const host = opts.host ?? '127.0.0.1';
  let server = await listen(handler, host, opts.port ?? 0);
  const address = server.http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    async restart({ compact = false } = {}) {
      await server.close();
      if (compact) store.compact();
      server = await listen(handler, host, port);
    },
    close: () => server.close(),
  };
}

/** An HTTP server for the handler on host:port, and how to close it with every connection. */
async function listen(handler: Handler, host: string, port: number): Promise<{ http: Server; close(): Promise<void> }> {
  const http: Server = createServer({ keepAlive: true, noDelay: true }, (req, res) => handler.handle(req, res));
  const sockets = new Set<Socket>();
  http.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  // A malformed request line must not take the server down.
  http.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, host, () => {
      http.off('error', reject);
      resolve();
    });
  });
  return {
    http,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

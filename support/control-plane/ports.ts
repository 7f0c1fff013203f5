/** Free loopback ports, chosen at start by letting the kernel pick, then released for the component. */
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';

const HOST = '127.0.0.1';

function tcpListen(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen({ port, host: HOST, exclusive: true }, () => {
      const addr = srv.address();
      const p = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(p));
    });
  });
}

function udpFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    s.unref();
    s.once('error', () => {
      s.close();
      resolve(false);
    });
    s.bind({ port, address: HOST, exclusive: true }, () => s.close(() => resolve(true)));
  });
}

/** Ports already handed out by this process, so concurrent picks never collide with each other. */
const handedOut = new Set<number>();

/** A TCP port on 127.0.0.1 that is free right now. */
export async function freePort(opts: { udpToo?: boolean } = {}): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = await tcpListen(0);
    if (handedOut.has(port)) continue;
    if (opts.udpToo && !(await udpFree(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error('could not find a free port on 127.0.0.1');
}

/** Forget ports (after the component using them stopped), so they may be chosen again. */
export function releasePorts(ports: Iterable<number>): void {
  for (const p of ports) handedOut.delete(p);
}

/**
 * Runs the reference API server on its own, for kubectl and benchmarks:
 *   npx tsx reference/apiserver/main.ts --port 8080 [--host 127.0.0.1] [--token secret]
 */
import { parseArgs } from 'node:util';
import { startApiServer } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '8080' },
    host: { type: 'string', default: '127.0.0.1' },
    token: { type: 'string' },
  },
});

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`invalid --port ${values.port}`);
  process.exit(2);
}

const server = await startApiServer({ host: values.host, port, token: values.token, log: (line) => console.error(line) });
console.log(`reference API server listening on ${server.url}`);
const stop = (): void => {
  void server.close().then(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);

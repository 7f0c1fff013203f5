import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { generatePki, writeKubeconfig } from '../support/control-plane/pki.ts';

const dir = mkdtempSync(join(tmpdir(), 'sts-pki-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('PKI: certificates chain to the CA, carry the right names, and work for mutual TLS', async () => {
  const pki = await generatePki(join(dir, 'pki'));
  for (const f of [pki.apiserverCert, pki.clients.admin.cert, pki.clients['kube-controller-manager'].cert]) {
    assert.match(execFileSync('openssl', ['verify', '-CAfile', pki.caCert, f]).toString(), /: OK/);
  }
  const serverText = execFileSync('openssl', ['x509', '-in', pki.apiserverCert, '-noout', '-text']).toString();
  assert.match(serverText, /IP Address:127\.0\.0\.1/);
  assert.match(serverText, /DNS:kubernetes\.default\.svc\.cluster\.local/);
  assert.match(serverText, /TLS Web Server Authentication/);
  const adminSubject = execFileSync('openssl', ['x509', '-in', pki.clients.admin.cert, '-noout', '-subject']).toString();
  assert.match(adminSubject, /O ?= ?system:masters/);

  const srv = createServer(
    { cert: readFileSync(pki.apiserverCert), key: readFileSync(pki.apiserverKey), ca: readFileSync(pki.caCert), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const peer = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.end(`${peer.subject.O}/${peer.subject.CN}`);
    },
  );
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  try {
    const port = (srv.address() as AddressInfo).port;
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port, path: '/', ca: readFileSync(pki.caCert), cert: readFileSync(pki.clients.admin.cert), key: readFileSync(pki.clients.admin.key) },
        (res) => {
          let b = '';
          res.on('data', (c: Buffer) => (b += c.toString()));
          res.on('end', () => resolve(b));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(body, 'system:masters/sts-admin');
  } finally {
    srv.close();
  }

  const kc = readFileSync(await writeKubeconfig(join(dir, 'admin.kubeconfig'), 'https://127.0.0.1:1', pki, 'admin'), 'utf8');
  assert.match(kc, /client-certificate-data: \S+/);
  assert.match(kc, /current-context: sts-control-plane/);
});

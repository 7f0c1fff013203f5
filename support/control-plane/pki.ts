/**
 * A throwaway PKI for a loopback control plane, made with the openssl CLI.
 *
 * Why openssl: Node 20's `node:crypto` can make keys but not X.509 certificates; the openssl
 * CLI is on every machine of this project (Debian base), needs no npm dependency, and what it
 * makes is exactly what kubeadm-style clusters use. Keys are ECDSA P-256 (fast to generate;
 * accepted by Go's crypto/tls, by Node's TLS, and as service-account signing keys (ES256)).
 *
 * Identities (kubeadm-like, so bootstrap RBAC is exercised as in a real cluster):
 * - admin: O=system:masters (test client, node simulator, CoreDNS)
 * - system:kube-controller-manager, system:kube-scheduler
 * - front-proxy-client (requestheader / aggregation identity)
 */
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  apiserverCert: string;
  apiserverKey: string;
  saKey: string;
  saPub: string;
  clients: Record<ClientName, { cert: string; key: string }>;
}

export type ClientName = 'admin' | 'kube-controller-manager' | 'kube-scheduler' | 'front-proxy-client' | 'apiserver-kubelet-client';

const SUBJECTS: Record<ClientName, string> = {
  admin: '/O=system:masters/CN=sts-admin',
  'kube-controller-manager': '/CN=system:kube-controller-manager',
  'kube-scheduler': '/CN=system:kube-scheduler',
  // The apiserver's aggregation-layer client (--proxy-client-cert-file); with
  // --requestheader-client-ca-file set, KCM and the scheduler find the requestheader CA bundle
  // they look for in kube-system/extension-apiserver-authentication, as in kubeadm clusters.
  'front-proxy-client': '/CN=front-proxy-client',
  // The apiserver's identity towards kubelets (exec, logs, port-forward), as kubeadm's.
  'apiserver-kubelet-client': '/O=system:masters/CN=kube-apiserver-kubelet-client',
};

/** The apiserver's serving-certificate names: loopback plus the in-cluster `kubernetes` Service names. */
export const APISERVER_SANS = [
  'IP:127.0.0.1',
  'DNS:localhost',
  'IP:10.96.0.1',
  'DNS:kubernetes',
  'DNS:kubernetes.default',
  'DNS:kubernetes.default.svc',
  'DNS:kubernetes.default.svc.cluster.local',
];

async function openssl(args: string[], cwd: string): Promise<void> {
  try {
    await execFileP('openssl', args, { cwd });
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { stderr?: string };
    if (e.code === 'ENOENT') throw new Error('`openssl` is not installed: the control-plane PKI needs it (apt-get install openssl)');
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1'];

async function signedCert(dir: string, name: string, subject: string, ext: string, days: number): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), ext);
  await openssl(['req', '-new', '-nodes', ...EC, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject], dir);
  await openssl(
    ['x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial', `0x${randomSerial()}`, '-sha256', '-days', String(days), '-extfile', `${name}.ext`, '-out', `${name}.crt`],
    dir,
  );
}

function randomSerial(): string {
  let s = '';
  for (let i = 0; i < 16; i++) s += Math.floor(Math.random() * 16).toString(16);
  return `1${s}`;
}

/** Generates the PKI into `dir` (created if needed). Takes well under a second. */
export async function generatePki(dir: string, days = 30): Promise<Pki> {
  await mkdir(dir, { recursive: true });
  await openssl(
    ['req', '-x509', '-new', '-nodes', ...EC, '-sha256', '-days', String(days), '-keyout', 'ca.key', '-out', 'ca.crt', '-subj', '/CN=sts-conformance-ca',
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature'],
    dir,
  );
  const leaf = 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n';
  await Promise.all([
    signedCert(dir, 'apiserver', '/CN=kube-apiserver', `${leaf}extendedKeyUsage=serverAuth\nsubjectAltName=${APISERVER_SANS.join(',')}\n`, days),
    ...(Object.keys(SUBJECTS) as ClientName[]).map((c) => signedCert(dir, c, SUBJECTS[c], `${leaf}extendedKeyUsage=clientAuth\n`, days)),
    (async () => {
      await openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', 'sa.key'], dir);
      await openssl(['pkey', '-in', 'sa.key', '-pubout', '-out', 'sa.pub'], dir);
    })(),
  ]);
  const p = (f: string): string => join(dir, f);
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    apiserverCert: p('apiserver.crt'),
    apiserverKey: p('apiserver.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
    clients: Object.fromEntries(
      (Object.keys(SUBJECTS) as ClientName[]).map((c) => [c, { cert: p(`${c}.crt`), key: p(`${c}.key`) }]),
    ) as Pki['clients'],
  };
}

/**
 * A client certificate signed by the PKI's CA, e.g. a kubelet's `/O=system:nodes/CN=system:node:<name>`.
 * Returns the certificate and key paths (in the PKI dir, named after `name`).
 */
export async function signClientCert(pki: Pki, name: string, subject: string, days = 30): Promise<{ cert: string; key: string }> {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new Error(`invalid certificate file name "${name}"`);
  await signedCert(pki.dir, name, subject, 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=clientAuth\n', days);
  return { cert: join(pki.dir, `${name}.crt`), key: join(pki.dir, `${name}.key`) };
}

/** A kubeconfig with embedded CA and client cert/key (what @kubernetes/client-node and kubectl read). */
export async function writeKubeconfig(path: string, server: string, pki: Pki, client: ClientName): Promise<string> {
  const b64 = async (f: string): Promise<string> => (await readFile(f)).toString('base64');
  const text = [
    'apiVersion: v1',
    'kind: Config',
    'clusters:',
    '- name: sts-control-plane',
    '  cluster:',
    `    server: ${server}`,
    `    certificate-authority-data: ${await b64(pki.caCert)}`,
    'users:',
    `- name: ${client}`,
    '  user:',
    `    client-certificate-data: ${await b64(pki.clients[client].cert)}`,
    `    client-key-data: ${await b64(pki.clients[client].key)}`,
    'contexts:',
    '- name: sts-control-plane',
    '  context:',
    '    cluster: sts-control-plane',
    `    user: ${client}`,
    'current-context: sts-control-plane',
    '',
  ].join('\n');
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

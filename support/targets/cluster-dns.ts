/**
 * DNS on a real cluster, seen from inside it: a small long-lived probe pod (busybox) in a
 * namespace of the harness's own, and each look-up is `nslookup` run in it through the pod
 * exec API (client-node `Exec`), answered by the cluster DNS the way a pod sees it.
 */
import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { CoreV1Api, Exec, Watch, type KubeConfig, type V1Pod, type V1Status } from '@kubernetes/client-node';
import { closeTrackedNamespace, interruptSignal, openTrackedNamespace } from '../interrupt.ts';
import { MANAGED_BY } from '../labels.ts';
import { SHELL_IMAGE } from '../manifests.ts';
import type { DnsAnswer } from './target.ts';

/** busybox from Kubernetes' own e2e images: nslookup with -type=, and a shell. */
export const PROBE_IMAGE = SHELL_IMAGE;

export class DnsProbe {
  /** Probe pods made so far: each replacement gets the next name. */
  private generation = 1;

  private constructor(
    private readonly kc: KubeConfig,
    readonly namespace: string,
    private readonly labels: Record<string, string>,
    private readonly timeoutMs: number,
    public pod: string,
  ) {}

  /**
   * Creates the probe namespace and pod and waits (watching the pod, at most `timeoutMs`) until
   * it runs. The namespace is removed again if this fails.
   */
  static async start(kc: KubeConfig, opts: { target: string; labels: Record<string, string>; timeoutMs: number }): Promise<DnsProbe> {
    const core = kc.makeApiClient(CoreV1Api);
    const namespace = `sts-dns-${randomBytes(4).toString('hex')}`;
    const labels = { ...MANAGED_BY, ...opts.labels, 'statefulset-conformance.io/role': 'dns-probe' };
    await openTrackedNamespace(kc, namespace, { target: opts.target, labels }, () => core.createNamespace({ body: { metadata: { name: namespace, labels } } }));
    const probe = new DnsProbe(kc, namespace, labels, opts.timeoutMs, 'dns-probe');
    try {
      await probe.run(probe.pod, []);
      return probe;
    } catch (err) {
      await probe.stop();
      throw err;
    }
  }

  /** Creates a probe pod, off the given nodes, and waits until it runs. */
  private async run(name: string, avoidNodes: string[]): Promise<void> {
    const pod: V1Pod = {
      metadata: { name, labels: this.labels },
      spec: {
        terminationGracePeriodSeconds: 1,
        ...(avoidNodes.length
          ? {
              affinity: {
                nodeAffinity: {
                  requiredDuringSchedulingIgnoredDuringExecution: {
                    nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'NotIn', values: avoidNodes }] }],
                  },
                },
              },
            }
          : {}),
        containers: [
          {
            name: 'probe',
            image: PROBE_IMAGE,
            command: ['sh', '-c', 'trap "exit 0" TERM; while true; do sleep 1; done'],
            resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '32Mi' } },
          },
        ],
      },
    };
    await this.kc.makeApiClient(CoreV1Api).createNamespacedPod({ namespace: this.namespace, body: pod });
    await runningWithin(this.kc, this.namespace, name, this.timeoutMs);
  }

  /**
   * A scenario may stop the node the probe runs on (node faults): the API server can then no
   * longer reach its kubelet, and a DNS client there would see nothing anyway. If the probe's
   * node is not Ready, a new probe pod starts on another node and the old one is force-deleted.
   * Answers whether the probe moved.
   */
  private async moveOffFailedNode(): Promise<boolean> {
    const core = this.kc.makeApiClient(CoreV1Api);
    const nodeName = (await core.readNamespacedPod({ name: this.pod, namespace: this.namespace })).spec?.nodeName;
    if (!nodeName) return false;
    const node = await core.readNode({ name: nodeName });
    if (node.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True') return false;
    const old = this.pod;
    const next = `dns-probe-${++this.generation}`;
    await this.run(next, [nodeName]);
    this.pod = next;
    await core.deleteNamespacedPod({ name: old, namespace: this.namespace, gracePeriodSeconds: 0 }).catch(() => undefined);
    return true;
  }

  async stop(): Promise<void> {
    await this.kc
      .makeApiClient(CoreV1Api)
      .deleteNamespace({ name: this.namespace })
      .catch(() => undefined);
    closeTrackedNamespace(this.namespace);
  }

  /** Runs a command in the probe pod: its stdout, stderr and exit code. */
  async exec(command: string[], timeoutMs = 20_000): Promise<{ stdout: string; stderr: string; exitCode: number }> {
    let stdout = '';
    let stderr = '';
    const sink = (append: (s: string) => void) =>
      new Writable({
        write(chunk: Buffer, _enc, done) {
          append(chunk.toString('utf8'));
          done();
        },
      });
    const result = new Promise<V1Status>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`exec ${command.join(' ')} timed out after ${timeoutMs / 1000}s`)), timeoutMs);
      new Exec(this.kc)
        .exec(this.namespace, this.pod, 'probe', command, sink((s) => (stdout += s)), sink((s) => (stderr += s)), null, false, (status) => {
          clearTimeout(timer);
          resolve(status);
        })
        .catch((err: unknown) => {
          clearTimeout(timer);
          reject(err instanceof Error ? err : new Error(`exec ${command.join(' ')} in pod ${this.namespace}/${this.pod} failed: ${describeExecError(err)}`));
        });
    });
    const status = await result;
    if (status.status === 'Success') return { stdout, stderr, exitCode: 0 };
    const exitCode = status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message;
    // No exit code: the command never ran (the API server could not reach the node's kubelet, …).
    if (exitCode === undefined) throw new Error(`exec in pod ${this.namespace}/${this.pod} failed: ${status.message ?? JSON.stringify(status)}`);
    return { stdout, stderr, exitCode: Number(exitCode) };
  }

  async resolve(name: string, type: 'A' | 'SRV'): Promise<DnsAnswer[]> {
    // A trailing dot: the name is absolute, never tried against the pod's search domains.
    const absolute = name.endsWith('.') ? name : `${name}.`;
    const command = ['nslookup', `-type=${type.toLowerCase()}`, absolute];
    const { stdout, stderr, exitCode } = await this.exec(command).catch(async (err: unknown) => {
      if (await this.moveOffFailedNode().catch(() => false)) return this.exec(command);
      throw err;
    });
    return parseNslookup(name, type, stdout, `${stderr}`, exitCode);
  }
}

/**
 * What a failed exec rejected with, in words. client-node rejects with the WebSocket's
 * ErrorEvent (or a bare object) rather than an Error, which prints as "[object Object]".
 */
export function describeExecError(err: unknown): string {
  if (err instanceof Error) return err.message;
  const e = err as { message?: unknown; error?: { message?: unknown }; type?: unknown } | null | undefined;
  const message = e?.error?.message ?? e?.message;
  if (typeof message === 'string' && message) return message;
  try {
    const json = JSON.stringify(err);
    if (json && json !== '{}') return json;
  } catch {
    // circular: fall through
  }
  return typeof e?.type === 'string' ? `a WebSocket ${e.type} event` : String(err);
}

/** Resolves once the pod is Running; rejects with its last state at the deadline, or on an interrupt. */
async function runningWithin(kc: KubeConfig, namespace: string, name: string, timeoutMs: number): Promise<void> {
  let last = 'not seen yet';
  let settle!: (err?: Error) => void;
  const done = new Promise<void>((resolve, reject) => (settle = (err) => (err ? reject(err) : resolve())));
  done.catch(() => undefined); // settled before it is awaited (a deadline during the list): handled below
  const check = (pod: V1Pod): void => {
    const status = pod.status;
    if (status?.phase === 'Running') return settle();
    const waiting = status?.containerStatuses?.[0]?.state?.waiting;
    last = `phase ${status?.phase ?? 'unknown'}${waiting ? ` (${waiting.reason}: ${waiting.message ?? ''})` : ''}`;
  };
  const timer = setTimeout(() => settle(new Error(`the DNS probe pod ${namespace}/${name} did not run within ${timeoutMs / 1000}s: ${last}`)), timeoutMs);
  const onAbort = () => settle(new Error(`interrupted while starting the DNS probe pod ${namespace}/${name}`));
  interruptSignal.addEventListener('abort', onAbort);
  let watch: AbortController | undefined;
  try {
    const list = await kc.makeApiClient(CoreV1Api).listNamespacedPod({ namespace, fieldSelector: `metadata.name=${name}` });
    list.items.forEach(check);
    watch = await new Watch(kc).watch(
      `/api/v1/namespaces/${namespace}/pods`,
      { fieldSelector: `metadata.name=${name}`, resourceVersion: list.metadata?.resourceVersion },
      (_phase: string, pod: V1Pod) => check(pod),
      (err: unknown) => {
        if (err && !(err instanceof Error && err.name === 'AbortError')) settle(new Error(`watching the DNS probe pod ${namespace}/${name}: ${(err as Error).message}`));
      },
    );
    await done;
  } finally {
    clearTimeout(timer);
    interruptSignal.removeEventListener('abort', onAbort);
    watch?.abort();
  }
}

/**
 * Parses busybox `nslookup -type=a|srv` output. NXDOMAIN and "no answer" are empty answers;
 * anything else that failed (no server reached) is an error.
 */
export function parseNslookup(name: string, type: 'A' | 'SRV', stdout: string, stderr: string, exitCode: number): DnsAnswer[] {
  const text = `${stdout}\n${stderr}`;
  // The header (Server:/Address: of the DNS server) ends at the first blank line.
  const body = stdout.split(/\n\s*\n/).slice(1).join('\n');
  const answers: DnsAnswer[] = [];
  for (const line of body.split('\n')) {
    if (type === 'A') {
      const a = /^Address(?:\s+\d+)?:\s*(\d{1,3}(?:\.\d{1,3}){3})\s*$/.exec(line.trim());
      if (a) answers.push({ type: 'A', name, address: a[1] });
    } else {
      const srv = /\sservice\s*=\s*(\d+)\s+(\d+)\s+(\d+)\s+(\S+?)\.?\s*$/.exec(line);
      if (srv) answers.push({ type: 'SRV', name, priority: Number(srv[1]), weight: Number(srv[2]), port: Number(srv[3]), target: srv[4] });
    }
  }
  if (answers.length) return answers;
  if (/NXDOMAIN|No answer|can't find/i.test(text)) return [];
  if (exitCode === 0) return [];
  throw new Error(`nslookup ${name} (${type}) failed with exit code ${exitCode}: ${text.trim().split('\n').slice(-2).join(' ')}`);
}

/**
 * A small TypeScript wrapper around the kind CLI (https://kind.sigs.k8s.io) and the docker CLI
 * it needs: find out whether they can run, create a cluster (one control-plane node and three
 * workers) or reuse one of the same name, export its kubeconfig, stop and start a node's
 * container for node faults, delete the cluster. Every command runs through
 * `child_process.execFile` with an argument list, never a shell string.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_CLUSTER_NAME = 'statefulset-conformance';

/** One control-plane node and three workers (support/kind/kind-config.yaml, also used by the CI workflow). */
export const KIND_CONFIG_PATH = fileURLToPath(new URL('./kind-config.yaml', import.meta.url));
export const KIND_CONFIG = readFileSync(KIND_CONFIG_PATH, 'utf8');

export interface KindOptions {
  name?: string;
  /** kind executable (default "kind" on PATH, or $KIND). */
  kind?: string;
  /** docker executable (default "docker" on PATH, or $DOCKER). */
  docker?: string;
  /** Node image, e.g. kindest/node:v1.34.0 (default: kind's own, or $KIND_NODE_IMAGE). */
  image?: string;
  /** Environment of the commands (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Aborts a running `kind create cluster` (e.g. on Ctrl-C); the partial cluster is deleted. */
  signal?: AbortSignal;
  /** Progress lines (cluster creation takes a minute or two). */
  log?: (line: string) => void;
}

export interface CommandResult {
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  override name = 'CommandError';
  constructor(
    message: string,
    readonly code: string | number | undefined,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

/** Runs a program with arguments (no shell); rejects with its stderr on a non-zero exit. */
export function run(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { env: opts.env ?? process.env, timeout: opts.timeoutMs ?? 0, maxBuffer: 16 * 1024 * 1024, signal: opts.signal }, (err, stdout, stderr) => {
      if (!err) return resolve({ stdout, stderr });
      const code = (err as NodeJS.ErrnoException).code;
      const detail = stderr.trim().split('\n').slice(-3).join(' ') || err.message;
      reject(new CommandError(`${[file, ...args].join(' ')} failed: ${detail}`, code, stdout, stderr));
    });
  });
}

export type Availability = { ok: true; kindVersion: string; dockerVersion: string } | { ok: false; reason: string };

export const INSTALL_KIND = 'install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation, e.g. `go install sigs.k8s.io/kind@latest` or a release binary on PATH)';
export const INSTALL_DOCKER = 'install Docker (https://docs.docker.com/get-docker/) or another engine kind supports (podman: KIND_EXPERIMENTAL_PROVIDER=podman)';

/** Whether kind can run here: the kind and docker CLIs exist and the Docker engine answers. */
export async function kindAvailability(opts: KindOptions = {}): Promise<Availability> {
  const env = opts.env ?? process.env;
  const kind = opts.kind ?? env.KIND ?? 'kind';
  const docker = opts.docker ?? env.DOCKER ?? 'docker';
  const missing = (err: unknown) => err instanceof CommandError && err.code === 'ENOENT';
  let kindVersion: string;
  try {
    kindVersion = (await run(kind, ['version'], { env, timeoutMs: 30_000 })).stdout.trim();
  } catch (err) {
    return { ok: false, reason: missing(err) ? `kind is not installed: ${INSTALL_KIND}` : `kind does not work: ${(err as Error).message}` };
  }
  let dockerVersion: string;
  try {
    dockerVersion = (await run(docker, ['version', '--format', '{{.Client.Version}}'], { env, timeoutMs: 30_000 }).catch((err: unknown) => {
      // `docker version` fails when the engine is down but still prints the client part.
      if (err instanceof CommandError && err.code !== 'ENOENT') return { stdout: err.stdout, stderr: err.stderr };
      throw err;
    })).stdout.trim();
  } catch (err) {
    return { ok: false, reason: missing(err) ? `docker is not installed (kind runs its nodes as containers): ${INSTALL_DOCKER}` : `docker does not work: ${(err as Error).message}` };
  }
  try {
    await run(docker, ['info', '--format', '{{.ServerVersion}}'], { env, timeoutMs: 30_000 });
  } catch (err) {
    const detail = err instanceof CommandError ? (err.stderr || err.stdout).trim().split('\n')[0] : (err as Error).message;
    return { ok: false, reason: `the Docker engine is not running (docker info: ${detail}): start Docker, or ${INSTALL_DOCKER}` };
  }
  return { ok: true, kindVersion, dockerVersion };
}

export class Kind {
  readonly name: string;
  private readonly kind: string;
  private readonly docker: string;
  private readonly env: NodeJS.ProcessEnv;

  constructor(private readonly opts: KindOptions = {}) {
    this.env = opts.env ?? process.env;
    this.name = opts.name ?? DEFAULT_CLUSTER_NAME;
    this.kind = opts.kind ?? this.env.KIND ?? 'kind';
    this.docker = opts.docker ?? this.env.DOCKER ?? 'docker';
  }

  private log(line: string): void {
    this.opts.log?.(line);
  }

  private kindCmd(args: string[], timeoutMs = 60_000): Promise<CommandResult> {
    return run(this.kind, args, { env: this.env, timeoutMs });
  }

  async clusters(): Promise<string[]> {
    // kind prints "No kind clusters found." on stderr when there are none.
    const { stdout } = await this.kindCmd(['get', 'clusters']);
    return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  async exists(): Promise<boolean> {
    return (await this.clusters()).includes(this.name);
  }

  /** Creates the cluster, or reuses one of the same name. `created` says which. */
  async ensure(): Promise<{ created: boolean }> {
    if (await this.exists()) {
      this.log(`reusing kind cluster "${this.name}"`);
      return { created: false };
    }
    await this.create();
    return { created: true };
  }

  async create(): Promise<void> {
    const image = this.opts.image ?? this.env.KIND_NODE_IMAGE;
    this.log(`creating kind cluster "${this.name}" (1 control-plane node, 3 workers${image ? `, ${image}` : ''})…`);
    try {
      await run(this.kind, ['create', 'cluster', '--name', this.name, '--config', KIND_CONFIG_PATH, '--wait', '180s', ...(image ? ['--image', image] : [])], {
        env: this.env,
        timeoutMs: 15 * 60_000,
        signal: this.opts.signal,
      });
    } catch (err) {
      // An interrupted or failed create can leave node containers behind: remove them.
      if (await this.exists().catch(() => false)) await this.delete().catch(() => undefined);
      throw err;
    }
  }

  /** The cluster's kubeconfig (as `kind get kubeconfig --name` prints it). */
  async kubeconfig(): Promise<string> {
    return (await this.kindCmd(['get', 'kubeconfig', '--name', this.name])).stdout;
  }

  /** Writes the kubeconfig to a file of its own (never the user's ~/.kube/config). */
  async writeKubeconfig(path: string): Promise<string> {
    writeFileSync(path, await this.kubeconfig(), { mode: 0o600 });
    return path;
  }

  async nodes(): Promise<string[]> {
    const { stdout } = await this.kindCmd(['get', 'nodes', '--name', this.name]);
    return stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  }

  /** A node of this cluster (its container has the node's name); refuses anything else. */
  private async node(node: string): Promise<string> {
    const nodes = await this.nodes();
    if (!nodes.includes(node)) throw new Error(`"${node}" is not a node of kind cluster "${this.name}" (nodes: ${nodes.join(', ')})`);
    return node;
  }

  /** Stops the node's container: kubelet and pods stop, no heartbeats. */
  async stopNode(node: string): Promise<void> {
    await run(this.docker, ['stop', await this.node(node)], { env: this.env, timeoutMs: 120_000 });
  }

  async startNode(node: string): Promise<void> {
    await run(this.docker, ['start', await this.node(node)], { env: this.env, timeoutMs: 120_000 });
  }

  async delete(): Promise<void> {
    this.log(`deleting kind cluster "${this.name}"`);
    await this.kindCmd(['delete', 'cluster', '--name', this.name], 5 * 60_000);
  }
}

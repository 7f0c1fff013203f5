/**
 * `npm run clean -- [--context <ctx>] [--run <id>] [--dry-run] [--all] [--host]`
 *
 * Removes namespaces that interrupted runs left on a cluster (the current kubeconfig context,
 * or --context; KUBECONFIG chooses the file). It goes by label only: it lists namespaces
 * labelled `app.kubernetes.io/managed-by=statefulset-conformance` (and, with --run, the run
 * id label) and deletes those — never anything unlabelled. Runs still going on this host (per
 * the ledger, support/interrupt.ts) are left alone unless --all. Afterwards it prunes the
 * ledger and says which other contexts the ledger still records namespaces on.
 *
 * First, on this host: what real-node runs (`npm run test:real-nodes`, `local-cluster
 * --real-nodes`) that died without cleaning up left — their processes, network namespaces,
 * cgroups and directories, as their host record (support/control-plane/netns.ts) names them.
 * Records of runs still going are left alone. `--host` does only this (no cluster needed).
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CoreV1Api, type V1Namespace } from '@kubernetes/client-node';
import { isNotFound } from '../reference/api-errors.ts';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, RUN_ID_LABEL } from '../support/labels.ts';
import { isLive, ledgerPath, readLedger, unclosed, writeLedger } from '../support/interrupt.ts';
import { describeRequestError } from '../support/targets/cluster.ts';
import { loadKubeConfig } from '../support/targets/kubeconfig.ts';
import { orphanedHostRecords, removeRecorded } from '../support/control-plane/netns.ts';
import { parseCli } from './lib/cli.ts';

export interface CleanOptions {
  context?: string;
  kubeconfig?: string;
  runId?: string;
  dryRun?: boolean;
  /** Also runs that are still live on this host. */
  all?: boolean;
  log?: (line: string) => void;
}

export interface CleanResult {
  deleted: string[];
  skipped: Array<{ namespace: string; why: string }>;
}

export async function clean(opts: CleanOptions = {}): Promise<CleanResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const loaded = loadKubeConfig({ context: opts.context, kubeconfig: opts.kubeconfig });
  const { kc, where, server } = loaded;
  const core = kc.makeApiClient(CoreV1Api);
  const selector = `${MANAGED_BY_LABEL}=${MANAGED_BY_VALUE}${opts.runId ? `,${RUN_ID_LABEL}=${opts.runId}` : ''}`;
  const items: V1Namespace[] = [];
  let _continue: string | undefined;
  do {
    const page = await core.listNamespace({ labelSelector: selector, limit: 500, _continue }).catch((err: unknown) => {
      throw describeRequestError(err, loaded, `list namespaces labelled ${selector}`);
    });
    items.push(...page.items);
    _continue = page.metadata?._continue || undefined;
  } while (_continue);

  // The ledger's records of namespaces not yet closed (creations without a deletion record).
  const ledger = unclosed(readLedger());
  const liveRuns = new Set(ledger.filter((e) => isLive(e)).map((e) => e.runId));
  const result: CleanResult = { deleted: [], skipped: [] };
  for (const ns of items) {
    const name = ns.metadata?.name ?? '';
    const labels = ns.metadata?.labels ?? {};
    // The server filtered by label; check again, so that nothing unlabelled is ever touched.
    if (labels[MANAGED_BY_LABEL] !== MANAGED_BY_VALUE || (opts.runId && labels[RUN_ID_LABEL] !== opts.runId)) continue;
    const run = labels[RUN_ID_LABEL];
    if (!opts.all && run && liveRuns.has(run)) {
      result.skipped.push({ namespace: name, why: `run ${run} is still going on this host (use --all to remove it anyway)` });
      continue;
    }
    if (ns.metadata?.deletionTimestamp) {
      result.skipped.push({ namespace: name, why: 'already terminating' });
      continue;
    }
    if (opts.dryRun) {
      log(`would delete namespace ${name} (run ${run ?? 'unknown'})`);
      result.deleted.push(name);
      continue;
    }
    try {
      await core.deleteNamespace({ name });
      log(`deleted namespace ${name} (run ${run ?? 'unknown'})`);
      result.deleted.push(name);
    } catch (err) {
      if (isNotFound(err)) continue;
      throw describeRequestError(err, loaded, `delete namespace ${name}`);
    }
  }
  for (const s of result.skipped) log(`kept namespace ${s.namespace}: ${s.why}`);
  log(`${where}: ${result.deleted.length} namespace(s) ${opts.dryRun ? 'to delete' : 'deleted'}, ${result.skipped.length} kept`);

  if (!opts.dryRun) {
    // The ledger keeps what may still exist: entries of live runs, of other clusters, and of
    // namespaces this clean kept; everything else (closed or deleted now) is dropped.
    const remaining = new Set(items.map((n) => n.metadata?.name).filter((n) => n && !result.deleted.includes(n)));
    const kept = ledger.filter(
      (e) => isLive(e) || e.server !== server || remaining.has(e.namespace) || (opts.runId !== undefined && e.runId !== opts.runId),
    );
    writeLedger(kept);
    const elsewhere = new Map<string, number>();
    for (const e of kept) {
      if (e.server === server || isLive(e)) continue;
      const where = e.context ? `${e.context} (${e.server ?? '?'})` : (e.server ?? '?');
      elsewhere.set(where, (elsewhere.get(where) ?? 0) + 1);
    }
    for (const [where, n] of elsewhere) {
      log(`the ledger (${ledgerPath()}) records ${n} namespace(s) never deleted on context ${where}: \`npm run clean -- --context <that context>\` removes them if they still exist`);
    }
  }
  return result;
}

/** Removes what dead real-node runs left on this host; returns the ids of the runs cleaned. */
export async function cleanHost(opts: { dryRun?: boolean; log?: (line: string) => void } = {}): Promise<string[]> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const done: string[] = [];
  for (const rec of orphanedHostRecords()) {
    const what = [...rec.netns.map((n) => `netns ${n}`), ...rec.cgroupRoots.map((c) => `cgroup ${c}`), ...rec.dirs].join(', ');
    if (opts.dryRun) {
      log(`would remove what real-node run ${rec.id} (pid ${rec.pid}, gone) left: ${what}`);
      continue;
    }
    await removeRecorded(rec);
    log(`removed what real-node run ${rec.id} (pid ${rec.pid}, gone) left: ${what}`);
    done.push(rec.id);
  }
  return done;
}

// Run as a script (not imported): argv[1] may be a symlink to this file, import.meta.url is its real path.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  const { values } = parseCli({
    name: 'clean',
    usage: new URL(import.meta.url),
    options: {
      context: { type: 'string' },
      run: { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
      all: { type: 'boolean', default: false },
      host: { type: 'boolean', default: false },
    },
  });
  try {
    await cleanHost({ dryRun: values['dry-run'] });
    if (!values.host) await clean({ context: values.context, runId: values.run, dryRun: values['dry-run'], all: values.all });
  } catch (err) {
    console.error(`clean: ${(err as Error).message}`);
    process.exitCode = 1;
  }
}

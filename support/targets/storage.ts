/**
 * What a target's StorageClasses offer, read from the cluster (every target asks the same way):
 *   storage          — a default StorageClass exists
 *   movable-storage  — the default class binds at once (Immediate, or unset), so its volumes
 *                      carry no node affinity from a first consumer and a claim can follow its
 *                      pod to another node. A WaitForFirstConsumer default is what node-local
 *                      provisioners use (kind's local-path): its volumes stay on their node.
 *                      A heuristic (an Immediate class may still have zonal volumes), so it
 *                      can be overridden with STS_STORAGE_MOVES=true|false.
 *   wffc-storage     — some StorageClass binds at first consumer: the default one if it does,
 *                      else the first by name (never `kubernetes.io/no-provisioner`, which
 *                      provisions nothing); its name goes to `TargetInfo.firstConsumerClass`.
 */
import { ApiException, StorageV1Api, type KubeConfig, type V1StorageClass } from '@kubernetes/client-node';
import type { Capability, TargetInfo } from './target.ts';

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];
/** The provisioner of statically provisioned classes (local volumes): nothing is ever provisioned. */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';
export const STORAGE_MOVES_ENV = 'STS_STORAGE_MOVES';

export interface StorageFindings {
  capabilities: Capability[];
  missing: Array<[Capability, string]>;
  firstConsumerClass?: string;
}

/**
 * The default class as the DefaultStorageClass admission plugin picks it
 * (`pkg/volume/util.GetDefaultClass`): the newest of the classes annotated default, then by name.
 */
export function defaultClass(classes: V1StorageClass[]): V1StorageClass | undefined {
  const defaults = classes.filter((c) => DEFAULT_CLASS_ANNOTATIONS.some((a) => c.metadata?.annotations?.[a] === 'true'));
  const created = (c: V1StorageClass) => new Date(c.metadata?.creationTimestamp ?? 0).getTime();
  return defaults.sort((a, b) => created(b) - created(a) || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
}

const bindsAtFirstConsumer = (c: V1StorageClass) => c.volumeBindingMode === 'WaitForFirstConsumer';

/** The storage capabilities the classes give; `movesOverride` is STS_STORAGE_MOVES, parsed. */
export function storageFindings(classes: V1StorageClass[], movesOverride?: boolean): StorageFindings {
  const found: StorageFindings = { capabilities: [], missing: [] };
  const def = defaultClass(classes);
  if (def) found.capabilities.push('storage');
  else found.missing.push(['storage', 'no default StorageClass']);

  if (movesOverride === true) found.capabilities.push('movable-storage');
  else if (movesOverride === false) found.missing.push(['movable-storage', `${STORAGE_MOVES_ENV}=false: volumes stay on their node`]);
  else if (!def) found.missing.push(['movable-storage', 'no default StorageClass']);
  else if (bindsAtFirstConsumer(def)) {
    found.missing.push([
      'movable-storage',
      `the default StorageClass "${def.metadata?.name}" binds at first consumer (WaitForFirstConsumer), as node-local provisioners do: ` +
        `a volume stays on its node (set ${STORAGE_MOVES_ENV}=true if its volumes can move)`,
    ]);
  } else found.capabilities.push('movable-storage');

  const usable = classes.filter((c) => bindsAtFirstConsumer(c) && c.provisioner !== NO_PROVISIONER);
  const wffc = def && usable.includes(def) ? def : usable.sort((a, b) => (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''))[0];
  if (wffc) {
    found.capabilities.push('wffc-storage');
    found.firstConsumerClass = wffc.metadata?.name;
  } else found.missing.push(['wffc-storage', `no StorageClass binds at first consumer (volumeBindingMode WaitForFirstConsumer, with a provisioner)`]);
  return found;
}

/** STS_STORAGE_MOVES: true, false, or unset (probe); anything else is an error naming the variable. */
export function storageMovesOverride(value = process.env[STORAGE_MOVES_ENV]): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`${STORAGE_MOVES_ENV} must be true or false, not "${value}"`);
}

/** Lists the StorageClasses and records what they offer in `info`. */
export async function probeStorage(kc: KubeConfig, info: TargetInfo, movesOverride?: boolean): Promise<void> {
  let found: StorageFindings;
  try {
    found = storageFindings((await kc.makeApiClient(StorageV1Api).listStorageClass()).items, movesOverride);
  } catch (err) {
    const why = `StorageClasses could not be listed: ${err instanceof ApiException ? `${err.code}` : (err as Error).message}`;
    found = { capabilities: [], missing: (['storage', 'movable-storage', 'wffc-storage'] as const).map((c) => [c, why]) };
  }
  found.capabilities.forEach((c) => info.capabilities.add(c));
  found.missing.forEach(([c, why]) => info.missing.set(c, why));
  if (found.firstConsumerClass) info.firstConsumerClass = found.firstConsumerClass;
}

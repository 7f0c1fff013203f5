/**
 * Builders for the objects scenarios create. A scenario names a StatefulSet and lists the
 * settings it cares about; everything else comes from one default shape, so that scenarios
 * say only what matters to the guarantee they check.
 */
import type {
  V1PersistentVolumeClaim,
  V1PersistentVolumeClaimTemplate,
  V1Service,
  V1StatefulSet,
} from '@kubernetes/client-node';
import YAML from 'yaml';
import { READINESS_GATE } from './pods.ts';

/** A small image every kind node already holds; on simulated nodes it is never pulled. */
export const PAUSE_IMAGE = 'registry.k8s.io/pause:3.10';
/** A second image, used to make a template change that rolls pods. */
export const ALTERNATE_IMAGE = 'registry.k8s.io/pause:3.9';
/** An image with a shell, for containers that must ignore SIGTERM on real kubelets. */
export const SHELL_IMAGE = 'registry.k8s.io/e2e-test-images/busybox:1.36.1-1';
/** Simulated kubelets (reference/nodes) let a pod with this annotation run out its grace period. */
export const IGNORE_SIGTERM_ANNOTATION = 'sim.statefulset-conformance.io/ignore-sigterm';

export function statefulSet(name: string, replicas = 1): V1StatefulSet {
  const labels = { app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name },
    spec: {
      serviceName: name,
      replicas,
      selector: { matchLabels: { ...labels } },
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          // Readiness is the harness's to give: see support/readiness.ts.
          readinessGates: [{ conditionType: READINESS_GATE }],
          containers: [{ name: 'app', image: PAUSE_IMAGE }],
        },
      },
    },
  };
}

export function headlessService(name: string, selector: Record<string, string> = { app: name }): V1Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name },
    spec: {
      clusterIP: 'None',
      selector,
      ports: [{ name: 'web', port: 80, protocol: 'TCP' }],
    },
  };
}

export function claimTemplate(name: string, storage = '1Gi'): V1PersistentVolumeClaimTemplate & V1PersistentVolumeClaim {
  return {
    metadata: { name },
    spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } } },
  };
}

type Setter = (set: V1StatefulSet, value: string) => void;

const spec = (set: V1StatefulSet) => set.spec!;
const podSpec = (set: V1StatefulSet) => set.spec!.template.spec!;
const rollingUpdate = (set: V1StatefulSet) => {
  const s = spec(set);
  s.updateStrategy = { type: 'RollingUpdate', ...s.updateStrategy };
  s.updateStrategy.rollingUpdate ??= {};
  return s.updateStrategy.rollingUpdate;
};
const retention = (set: V1StatefulSet) => (spec(set).persistentVolumeClaimRetentionPolicy ??= {});

function int(value: string, setting: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new Error(`setting "${setting}" needs a whole number, got "${value}"`);
  return n;
}

/**
 * The settings a scenario can give a StatefulSet, by the name scenarios use. Anything else is
 * written as a field path (`spec.foo.bar` or `metadata.labels.x`) with a YAML value.
 */
const SETTINGS: Record<string, Setter> = {
  replicas: (s, v) => (spec(s).replicas = int(v, 'replicas')),
  podManagementPolicy: (s, v) => (spec(s).podManagementPolicy = v),
  updateStrategy: (s, v) => (spec(s).updateStrategy = { type: v }),
  partition: (s, v) => (rollingUpdate(s).partition = int(v, 'partition')),
  maxUnavailable: (s, v) => (rollingUpdate(s).maxUnavailable = /%$/.test(v) ? v : int(v, 'maxUnavailable')),
  minReadySeconds: (s, v) => (spec(s).minReadySeconds = int(v, 'minReadySeconds')),
  revisionHistoryLimit: (s, v) => (spec(s).revisionHistoryLimit = int(v, 'revisionHistoryLimit')),
  ordinalsStart: (s, v) => (spec(s).ordinals = { start: int(v, 'ordinalsStart') }),
  serviceName: (s, v) => (spec(s).serviceName = v),
  volumeClaimTemplate: (s, v) => {
    spec(s).volumeClaimTemplates ??= [];
    for (const name of v.split(',').map((x) => x.trim())) spec(s).volumeClaimTemplates!.push(claimTemplate(name));
  },
  storageClassName: (s, v) => {
    const templates = spec(s).volumeClaimTemplates ?? [];
    if (!templates.length) throw new Error('setting "storageClassName" applies to the claim templates: list volumeClaimTemplate before it');
    for (const t of templates) t.spec!.storageClassName = v;
  },
  whenDeleted: (s, v) => (retention(s).whenDeleted = v),
  whenScaled: (s, v) => (retention(s).whenScaled = v),
  image: (s, v) => (podSpec(s).containers[0].image = v),
  terminationGracePeriodSeconds: (s, v) => (podSpec(s).terminationGracePeriodSeconds = int(v, 'terminationGracePeriodSeconds')),
  // Containers that ignore SIGTERM run out their whole grace period before they stop. One
  // manifest for every target: simulated kubelets honour the annotation (and never pull or run
  // the image); real kubelets run a shell that ignores TERM until the grace period's SIGKILL.
  ignoreSigterm: (s, v) => {
    if (v !== 'true') return;
    const meta = (s.spec!.template.metadata ??= {});
    meta.annotations = { ...meta.annotations, [IGNORE_SIGTERM_ANNOTATION]: 'true' };
    Object.assign(podSpec(s).containers[0], {
      image: SHELL_IMAGE,
      command: ['sh', '-c', 'trap "" TERM; while true; do sleep 1; done'],
    });
  },
};

export const SETTING_NAMES = Object.keys(SETTINGS);

/** Applies one named setting, or a `spec.`/`metadata.` field path with a YAML value. */
export function applySetting(set: V1StatefulSet, name: string, value: string): void {
  const setter = SETTINGS[name];
  if (setter) return setter(set, value);
  if (/^(spec|metadata)\./.test(name)) return setPath(set as unknown as Record<string, unknown>, name, YAML.parse(value));
  throw new Error(`unknown StatefulSet setting "${name}"; use one of ${SETTING_NAMES.join(', ')}, or a field path such as spec.minReadySeconds`);
}

/** Sets `a.b.c` on an object, creating intermediate objects. */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === undefined || next === null) node[key] = {};
    else if (typeof next !== 'object') throw new Error(`cannot set ${path}: ${key} is not an object`);
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]] = value;
}

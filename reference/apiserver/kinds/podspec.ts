/**
 * Pod spec defaulting (pkg/apis/core/v1/defaults.go) and the part of pod spec validation
 * (pkg/apis/core/validation) that catches malformed pods; shared by pods and pod templates.
 */
import { arr, child, isObject, obj, str, type JsonObject } from '../json.ts';
import { Errors, isDNS1123Label, isDNS1123Subdomain, validateAnnotations, validateLabels } from '../validation.ts';

function defaultProbe(p: unknown): void {
  if (!isObject(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  const http = obj(p.httpGet);
  if (http) http.scheme ??= 'HTTP';
}

function defaultContainer(c: unknown): void {
  if (!isObject(c)) return;
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  if (c.imagePullPolicy === undefined) {
    const image = str(c.image) ?? '';
    const tag = /:([^/:@]+)$/.exec(image.split('@')[0] ?? '')?.[1];
    c.imagePullPolicy = !image.includes('@') && (tag === undefined || tag === 'latest') ? 'Always' : 'IfNotPresent';
  }
  c.resources ??= {};
  for (const p of arr(c.ports)) if (isObject(p)) p.protocol ??= 'TCP';
  for (const e of arr(c.env)) {
    const fieldRef = obj(obj(obj(e)?.valueFrom)?.fieldRef);
    if (fieldRef) fieldRef.apiVersion ??= 'v1';
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

function defaultVolume(v: unknown): void {
  if (!isObject(v)) return;
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined)) v.emptyDir = {};
  for (const s of ['secret', 'configMap', 'projected', 'downwardAPI'] as const) {
    const src = obj(v[s]);
    if (src) src.defaultMode ??= 420;
  }
  const hostPath = obj(v.hostPath);
  if (hostPath) hostPath.type ??= '';
}

export function defaultPodSpec(spec: JsonObject): void {
  spec.restartPolicy ??= 'Always';
  spec.terminationGracePeriodSeconds ??= 30;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.securityContext ??= {};
  spec.schedulerName ??= 'default-scheduler';
  spec.enableServiceLinks ??= true;
  arr(spec.containers).forEach(defaultContainer);
  arr(spec.initContainers).forEach(defaultContainer);
  arr(spec.volumes).forEach(defaultVolume);
}

export function defaultPodTemplate(template: JsonObject): void {
  defaultPodSpec(child(template, 'spec'));
}

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];

function validateContainers(errs: Errors, list: unknown, field: string, volumes: Set<string>, required: boolean, seen: Set<string>): void {
  if (list !== undefined && !Array.isArray(list)) return errs.invalid(field, list, 'must be a list of containers');
  const items = arr(list);
  if (required && items.length === 0) errs.required(field);
  items.forEach((raw, i) => {
    const c = obj(raw) ?? {};
    const f = `${field}[${i}]`;
    const name = str(c.name) ?? '';
    if (!name) errs.required(`${f}.name`);
    else {
      errs.check(`${f}.name`, name, isDNS1123Label(name));
      if (seen.has(name)) errs.duplicate(`${f}.name`, name);
      seen.add(name);
    }
    if (!str(c.image)?.trim()) errs.required(`${f}.image`);
    if (c.imagePullPolicy !== undefined && !PULL_POLICIES.includes(c.imagePullPolicy as string)) {
      errs.notSupported(`${f}.imagePullPolicy`, c.imagePullPolicy, PULL_POLICIES);
    }
    arr(c.ports).forEach((p, j) => {
      const port = obj(p)?.containerPort;
      if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
        errs.invalid(`${f}.ports[${j}].containerPort`, port ?? 0, 'must be between 1 and 65535, inclusive');
      }
    });
    arr(c.volumeMounts).forEach((m, j) => {
      const mount = obj(m) ?? {};
      const mname = str(mount.name) ?? '';
      if (!mname) errs.required(`${f}.volumeMounts[${j}].name`);
      else if (!volumes.has(mname)) errs.notFound(`${f}.volumeMounts[${j}].name`, mname);
      if (!str(mount.mountPath)) errs.required(`${f}.volumeMounts[${j}].mountPath`);
    });
  });
}

/** ValidatePodSpec, reduced to the checks that reject garbage. `field` is e.g. 'spec'. */
export function validatePodSpec(errs: Errors, spec: unknown, field: string): void {
  if (!isObject(spec)) return errs.required(field);
  const volumes = new Set<string>();
  arr(spec.volumes).forEach((v, i) => {
    const name = str(obj(v)?.name) ?? '';
    if (!name) errs.required(`${field}.volumes[${i}].name`);
    else {
      errs.check(`${field}.volumes[${i}].name`, name, isDNS1123Label(name));
      if (volumes.has(name)) errs.duplicate(`${field}.volumes[${i}].name`, name);
      volumes.add(name);
    }
  });
  const names = new Set<string>();
  validateContainers(errs, spec.containers, `${field}.containers`, volumes, true, names);
  validateContainers(errs, spec.initContainers, `${field}.initContainers`, volumes, false, names);
  if (spec.restartPolicy !== undefined && !RESTART_POLICIES.includes(spec.restartPolicy as string)) {
    errs.notSupported(`${field}.restartPolicy`, spec.restartPolicy, RESTART_POLICIES);
  }
  if (spec.dnsPolicy !== undefined && !DNS_POLICIES.includes(spec.dnsPolicy as string)) {
    errs.notSupported(`${field}.dnsPolicy`, spec.dnsPolicy, DNS_POLICIES);
  }
  errs.nonNegative(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds);
  const ads = spec.activeDeadlineSeconds;
  if (ads !== undefined && ads !== null && (typeof ads !== 'number' || ads < 1)) {
    errs.invalid(`${field}.activeDeadlineSeconds`, ads, 'must be between 1 and 2147483647, inclusive');
  }
  for (const f of ['hostname', 'subdomain'] as const) {
    const v = str(spec[f]);
    if (v) errs.check(`${field}.${f}`, v, isDNS1123Label(v));
  }
  const nodeName = str(spec.nodeName);
  if (nodeName) errs.check(`${field}.nodeName`, nodeName, isDNS1123Subdomain(nodeName));
  validateLabels(errs, spec.nodeSelector, `${field}.nodeSelector`);
}

/** Template metadata: labels and annotations only (ValidatePodTemplateSpec). */
export function validateTemplateMeta(errs: Errors, template: JsonObject, field: string): void {
  const meta = obj(template.metadata) ?? {};
  validateLabels(errs, meta.labels, `${field}.metadata.labels`);
  validateAnnotations(errs, meta.annotations, `${field}.metadata.annotations`);
}

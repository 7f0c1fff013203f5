/**
 * Pod spec defaulting (pkg/apis/core/v1/defaults.go) and the part of pod spec validation
 * (pkg/apis/core/validation) that catches malformed pods; shared by pods and pod templates.
 */
import { arr, child, isObject, obj, str, type JsonObject } from '../json.ts';
import { Errors, isDNS1123Label, isDNS1123Subdomain, validateAnnotations, validateLabels } from '../validation.ts';

/** SetDefaults_HTTPGetAction. */
function defaultHttpGet(h: unknown): void {
  if (!isObject(h)) return;
  h.path ??= '/';
  h.scheme ??= 'HTTP';
}

/** SetDefaults_Probe, and the defaults of its handler. */
function defaultProbe(p: unknown): void {
  if (!isObject(p)) return;
  p.timeoutSeconds ??= 1;
  p.periodSeconds ??= 10;
  p.successThreshold ??= 1;
  p.failureThreshold ??= 3;
  defaultHttpGet(p.httpGet);
  const grpc = obj(p.grpc);
  if (grpc) grpc.service ??= '';
}

/**
 * parsers.ParseImageName's tag: the image's tag, '' with a digest and none, 'latest' with
 * neither, and '' when docker's reference grammar rejects the name.
 */
export function imageTag(image: string): string {
  const m = IMAGE_REFERENCE.exec(image);
  if (!m || image.length > 255 || /^[a-f0-9]{64}$/.test(m[1]!)) return '';
  if (m[2] !== undefined) return m[2];
  return m[3] !== undefined ? '' : 'latest';
}

// distribution/reference's ReferenceRegexp: name (optional domain, lowercase path), :tag, @digest.
const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[(?:[a-fA-F0-9:]+)\\])(?::[0-9]+)?`;
const PATH_COMPONENT = '[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*';
const IMAGE_REFERENCE = new RegExp(
  `^((?:${DOMAIN}/)?${PATH_COMPONENT}(?:/${PATH_COMPONENT})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

/** SetDefaults_Container and what zz_generated.defaults.go applies inside a container. */
function defaultContainer(c: unknown): void {
  if (!isObject(c)) return;
  if (c.imagePullPolicy === undefined) c.imagePullPolicy = imageTag(str(c.image) ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  c.terminationMessagePath ??= '/dev/termination-log';
  c.terminationMessagePolicy ??= 'File';
  for (const p of arr(c.ports)) if (isObject(p)) p.protocol ??= 'TCP';
  for (const e of arr(c.env)) {
    const from = obj(obj(e)?.valueFrom);
    const fieldRef = obj(from?.fieldRef);
    if (fieldRef) fieldRef.apiVersion ??= 'v1';
    const fileKeyRef = obj(from?.fileKeyRef);
    if (fileKeyRef) fileKeyRef.optional ??= false;
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lifecycle = obj(c.lifecycle);
  defaultHttpGet(obj(lifecycle?.postStart)?.httpGet);
  defaultHttpGet(obj(lifecycle?.preStop)?.httpGet);
}

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
];

function defaultFieldRefs(items: unknown): void {
  for (const item of arr(items)) {
    const fieldRef = obj(obj(item)?.fieldRef);
    if (fieldRef) fieldRef.apiVersion ??= 'v1';
  }
}

/** SetDefaults_Volume and the defaults zz_generated.defaults.go applies to each volume source. */
function defaultVolume(v: unknown): void {
  if (!isObject(v)) return;
  if (!VOLUME_SOURCES.some((s) => v[s] !== undefined)) v.emptyDir = {};
  const image = obj(v.image);
  // ImageVolume (GA, locked on in 1.37).
  if (image && image.pullPolicy === undefined) image.pullPolicy = imageTag(str(image.reference) ?? '') === 'latest' ? 'Always' : 'IfNotPresent';
  const hostPath = obj(v.hostPath);
  if (hostPath) hostPath.type ??= '';
  for (const s of ['secret', 'configMap', 'projected', 'downwardAPI'] as const) {
    const src = obj(v[s]);
    if (src) src.defaultMode ??= 420;
  }
  defaultFieldRefs(obj(v.downwardAPI)?.items);
  for (const source of arr(obj(v.projected)?.sources)) {
    defaultFieldRefs(obj(obj(source)?.downwardAPI)?.items);
    const token = obj(obj(source)?.serviceAccountToken);
    if (token) token.expirationSeconds ??= 3600;
  }
  const iscsi = obj(v.iscsi);
  if (iscsi) iscsi.iscsiInterface ??= 'default';
  const rbd = obj(v.rbd);
  if (rbd) {
    rbd.pool ??= 'rbd';
    rbd.user ??= 'admin';
    rbd.keyring ??= '/etc/ceph/keyring';
  }
  const azureDisk = obj(v.azureDisk);
  if (azureDisk) {
    azureDisk.cachingMode ??= 'ReadWrite';
    azureDisk.fsType ??= 'ext4';
    azureDisk.readOnly ??= false;
    azureDisk.kind ??= 'Shared';
  }
  const scaleIO = obj(v.scaleIO);
  if (scaleIO) {
    scaleIO.storageMode ??= 'ThinProvisioned';
    scaleIO.fsType ??= 'xfs';
  }
  const claimSpec = obj(obj(obj(v.ephemeral)?.volumeClaimTemplate)?.spec);
  if (claimSpec) claimSpec.volumeMode ??= 'Filesystem';
}

/**
 * SetDefaults_PodSpec and the defaults zz_generated.defaults.go applies inside a pod spec: what
 * a pod template gets. Pods get SetDefaults_Pod too (defaultPod).
 */
export function defaultPodSpec(spec: JsonObject): void {
  // DeprecatedServiceAccount mirrors ServiceAccountName, which wins when both are set.
  if (!str(spec.serviceAccountName)) spec.serviceAccountName = spec.serviceAccount;
  spec.serviceAccount = spec.serviceAccountName;
  spec.dnsPolicy ??= 'ClusterFirst';
  spec.restartPolicy ??= 'Always';
  spec.securityContext ??= {};
  spec.terminationGracePeriodSeconds ??= 30;
  spec.schedulerName ??= 'default-scheduler';
  arr(spec.volumes).forEach(defaultVolume);
  arr(spec.initContainers).forEach(defaultContainer);
  arr(spec.containers).forEach(defaultContainer);
  arr(spec.ephemeralContainers).forEach(defaultContainer);
}

/** Limits copied into absent requests (SetDefaults_Pod, for pods only). */
function defaultRequestsToLimits(c: unknown): void {
  const resources = obj(obj(c)?.resources);
  const limits = obj(resources?.limits);
  if (!resources || !limits) return;
  const requests = obj(resources.requests) ?? {};
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
  resources.requests = requests;
}

/** SetDefaults_Pod on top of the pod spec's defaults (with v1.37.2's default feature gates). */
export function defaultPod(spec: JsonObject): void {
  defaultPodSpec(spec);
  if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0) spec.terminationGracePeriodSeconds = 1;
  arr(spec.containers).forEach(defaultRequestsToLimits);
  arr(spec.initContainers).forEach(defaultRequestsToLimits);
  spec.enableServiceLinks ??= true;
  if (spec.hostNetwork === true) {
    for (const c of [...arr(spec.containers), ...arr(spec.initContainers)]) {
      for (const p of arr(obj(c)?.ports)) if (isObject(p) && !p.hostPort) p.hostPort = p.containerPort;
    }
  }
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

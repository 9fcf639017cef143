// A pod's volumes and the containers' mounts of them (upstream's SetDefaults_Volume and the
// volume sources' defaults, ValidateVolumes for the sources loopkube's nodes project: configMap,
// secret, downwardAPI, projected, and the rule of one source per volume; ValidateVolumeMounts).
import type { KeyToPath, Volume, VolumeMount } from '../api/config.js';
import { validateObjectFieldSelector } from './env.js';
import type { FieldError } from './field-errors.js';
import { duplicate, forbidden, invalid, notFound, required } from './field-errors.js';
import { child, index } from './field-path.js';
import { isDNS1123Label } from './names.js';

/** Every volume source of core/v1, in the order upstream's validateVolumeSource counts them. */
export const VOLUME_SOURCES = [
  'emptyDir', 'hostPath', 'gitRepo', 'gcePersistentDisk', 'awsElasticBlockStore', 'secret', 'nfs', 'iscsi', 'glusterfs',
  'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc', 'azureFile', 'configMap',
  'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected', 'portworxVolume', 'scaleIO', 'storageos', 'csi',
  'ephemeral', 'image',
] as const;

const FILE_MODE_ERROR = 'must be a number between 0 and 0777 (octal), both inclusive';
/** 0644, the mode configMap, secret, downwardAPI and projected volumes default to. */
const DEFAULT_MODE = 0o644;

const present = (v: unknown): boolean => v !== undefined && v !== null;

/** SetDefaults_Volume (no source: an emptyDir) and each source's defaultMode. */
export function defaultVolumes(volumes: Volume[] | undefined): void {
  for (const v of volumes ?? []) {
    if (!v || typeof v !== 'object') continue;
    if (!VOLUME_SOURCES.some((s) => present(v[s]))) v.emptyDir = {};
    for (const s of ['configMap', 'secret', 'downwardAPI', 'projected'] as const) {
      const src = v[s] as { defaultMode?: number } | undefined;
      if (src && typeof src === 'object' && src.defaultMode === undefined) src.defaultMode = DEFAULT_MODE;
    }
    for (const item of v.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
    for (const p of v.projected?.sources ?? []) {
      for (const item of p.downwardAPI?.items ?? []) if (item.fieldRef && !item.fieldRef.apiVersion) item.fieldRef.apiVersion = 'v1';
      if (p.serviceAccountToken && p.serviceAccountToken.expirationSeconds === undefined) p.serviceAccountToken.expirationSeconds = 3600;
    }
  }
}

function validateMode(mode: number | undefined, field: string): FieldError[] {
  return mode !== undefined && mode !== null && (mode > 0o777 || mode < 0) ? [invalid(field, mode, FILE_MODE_ERROR)] : [];
}

/** ValidateLocalNonReservedPath: relative, no `..` element, not starting with `..`. */
export function validateLocalPath(path: string, field: string): FieldError[] {
  const errs = validateLocalDescendingPath(path, field);
  if (path.startsWith('..') && errs.length === 0) errs.push(invalid(field, path, "must not start with '..'"));
  return errs;
}

function validateLocalDescendingPath(path: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  if (path.startsWith('/')) errs.push(invalid(field, path, 'must be a relative path'));
  if (path.split('/').includes('..')) errs.push(invalid(field, path, "must not contain '..'"));
  return errs;
}

function validateKeyToPaths(items: KeyToPath[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((kp, i) => {
    const path = index(field, i);
    if (!kp.key) errs.push(required(child(path, 'key'), ''));
    if (!kp.path) errs.push(required(child(path, 'path'), ''));
    errs.push(...validateLocalPath(kp.path ?? '', child(path, 'path')), ...validateMode(kp.mode, child(path, 'mode')));
  });
  return errs;
}

const DOWNWARD_VOLUME_FIELDS = ['metadata.annotations', 'metadata.labels', 'metadata.name', 'metadata.namespace', 'metadata.uid'];

function validateDownwardItems(items: Array<{ path: string; fieldRef?: { apiVersion?: string; fieldPath: string }; mode?: number }> | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (items ?? []).forEach((f, i) => {
    const path = index(field, i);
    if (!f.path) errs.push(required(child(path, 'path'), ''));
    errs.push(...validateLocalPath(f.path ?? '', child(path, 'path')), ...validateMode(f.mode, child(path, 'mode')));
    if (f.fieldRef) errs.push(...validateObjectFieldSelector(f.fieldRef, DOWNWARD_VOLUME_FIELDS, child(path, 'fieldRef')));
  });
  return errs;
}

function validateSource(v: Volume, field: string): FieldError[] {
  const errs: FieldError[] = [];
  let sources = 0;
  for (const s of VOLUME_SOURCES) {
    if (!present(v[s])) continue;
    sources++;
    if (sources > 1) errs.push(forbidden(child(field, s), 'may not specify more than 1 volume type'));
  }
  if (sources === 0) errs.push(required(field, 'must specify a volume type'));
  if (v.configMap) {
    const f = child(field, 'configMap');
    if (!v.configMap.name) errs.push(required(child(f, 'name'), ''));
    errs.push(...validateMode(v.configMap.defaultMode, child(f, 'defaultMode')), ...validateKeyToPaths(v.configMap.items, child(f, 'items')));
  }
  if (v.secret) {
    const f = child(field, 'secret');
    if (!v.secret.secretName) errs.push(required(child(f, 'secretName'), ''));
    errs.push(...validateMode(v.secret.defaultMode, child(f, 'defaultMode')), ...validateKeyToPaths(v.secret.items, child(f, 'items')));
  }
  if (v.downwardAPI) {
    const f = child(field, 'downwardAPI');
    errs.push(...validateMode(v.downwardAPI.defaultMode, child(f, 'defaultMode')), ...validateDownwardItems(v.downwardAPI.items, child(f, 'items')));
  }
  return errs;
}

/** ValidateVolumes: returns the volumes' names (for the mounts) and the errors. */
export function validateVolumes(volumes: Volume[] | undefined, field: string): { names: Set<string>; errs: FieldError[] } {
  const names = new Set<string>();
  const errs: FieldError[] = [];
  (volumes ?? []).forEach((v, i) => {
    const path = index(field, i);
    errs.push(...validateSource(v, path));
    if (!v.name) errs.push(required(child(path, 'name'), ''));
    else errs.push(...isDNS1123Label(v.name).map((m) => invalid(child(path, 'name'), v.name, m)));
    if (names.has(v.name)) errs.push(duplicate(child(path, 'name'), v.name));
    else if (v.name) names.add(v.name);
  });
  return { names, errs };
}

/** ValidateVolumeMounts: each names a volume of the pod, at a mount path of its own. */
export function validateVolumeMounts(mounts: VolumeMount[] | undefined, volumes: ReadonlySet<string>, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const paths = new Set<string>();
  (mounts ?? []).forEach((m, i) => {
    const path = index(field, i);
    if (!m.name) errs.push(required(child(path, 'name'), ''));
    if (!volumes.has(m.name)) errs.push(notFound(child(path, 'name'), m.name ?? ''));
    if (!m.mountPath) errs.push(required(child(path, 'mountPath'), ''));
    if (paths.has(m.mountPath)) errs.push(invalid(child(path, 'mountPath'), m.mountPath, 'must be unique'));
    paths.add(m.mountPath);
    // upstream's path here is the list's, not the item's
    if (m.subPath) errs.push(...validateLocalDescendingPath(m.subPath, child(field, 'subPath')));
  });
  return errs;
}

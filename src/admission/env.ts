// A container's environment (upstream's ValidateEnv, validateEnvVarValueFrom, ValidateEnvFrom):
// names, and where a value comes from: one of a field of the pod (fieldRef), a resource of a
// container (resourceFieldRef), a key of a ConfigMap or a Secret.
import type { EnvFromSource, EnvVarSource, KeySelector, ObjectFieldSelector } from '../api/config.js';
import type { EnvVar } from '../api/types.js';
import { isConfigMapKey } from './config-keys.js';
import type { FieldError } from './field-errors.js';
import { invalid, notSupported, required } from './field-errors.js';
import { child, index } from './field-path.js';
import { isQualifiedName } from './labels.js';
import { nameIsDNSSubdomain } from './names.js';

/** The pod fields an env var may take (validEnvDownwardAPIFieldPathExpressions), sorted. */
export const ENV_FIELD_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];

const RESOURCES = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

// RelaxedEnvironmentVariableValidation (on by default): printable ASCII other than '='.
const RELAXED_ENV_NAME = /^[\x20-\x3c\x3e-\x7e]+$/;
const RELAXED_ENV_NAME_ERR = "a valid environment variable name must consist only of printable ASCII characters other than '='";

export function isRelaxedEnvVarName(name: string): string[] {
  return RELAXED_ENV_NAME.test(name) ? [] : [RELAXED_ENV_NAME_ERR];
}

/** `metadata.labels['app']` -> ['metadata.labels', 'app'] (fieldpath.SplitMaybeSubscriptedPath). */
export function splitSubscriptedPath(fieldPath: string): [string, string] | undefined {
  const m = /^(.*)\['(.*)'\]$/.exec(fieldPath);
  return m ? [m[1]!, m[2]!] : undefined;
}

export function validateObjectFieldSelector(fs: ObjectFieldSelector, allowed: readonly string[], field: string): FieldError[] {
  if (!fs.apiVersion) return [required(child(field, 'apiVersion'), '')];
  if (!fs.fieldPath) return [required(child(field, 'fieldPath'), '')];
  if (fs.apiVersion !== 'v1') {
    return [invalid(child(field, 'fieldPath'), fs.fieldPath, `error converting fieldPath: unsupported pod version: ${fs.apiVersion}`)];
  }
  const sub = splitSubscriptedPath(fs.fieldPath);
  if (sub) {
    const [path, subscript] = sub;
    if (path === 'metadata.annotations') return isQualifiedName(subscript.toLowerCase()).map((m) => invalid(field, subscript.toLowerCase(), m));
    if (path === 'metadata.labels') return isQualifiedName(subscript).map((m) => invalid(field, subscript, m));
    return [invalid(field, path, 'does not support subscript')];
  }
  return allowed.includes(fs.fieldPath) ? [] : [notSupported(child(field, 'fieldPath'), fs.fieldPath, allowed)];
}

function validateKeySelector(s: KeySelector, field: string): FieldError[] {
  const errs = nameIsDNSSubdomain(s.name ?? '', false).map((m) => invalid(child(field, 'name'), s.name ?? '', m));
  if (!s.key) errs.push(required(child(field, 'key'), ''));
  else errs.push(...isConfigMapKey(s.key).map((m) => invalid(child(field, 'key'), s.key, m)));
  return errs;
}

function validateValueFrom(e: EnvVar, field: string): FieldError[] {
  const from: EnvVarSource | undefined = e.valueFrom;
  if (!from) return [];
  const errs: FieldError[] = [];
  let sources = 0;
  if (from.fieldRef) {
    sources++;
    errs.push(...validateObjectFieldSelector(from.fieldRef, ENV_FIELD_PATHS, child(field, 'fieldRef')));
  }
  if (from.resourceFieldRef) {
    sources++;
    const r = from.resourceFieldRef.resource ?? '';
    if (!r) errs.push(required(child(field, 'resourceFieldRef', 'resource'), ''));
    else if (!RESOURCES.includes(r)) errs.push(notSupported(child(field, 'resourceFieldRef', 'resource'), r, RESOURCES));
  }
  if (from.configMapKeyRef) {
    sources++;
    errs.push(...validateKeySelector(from.configMapKeyRef, child(field, 'configMapKeyRef')));
  }
  if (from.secretKeyRef) {
    sources++;
    errs.push(...validateKeySelector(from.secretKeyRef, child(field, 'secretKeyRef')));
  }
  if (sources === 0) errs.push(invalid(field, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (e.value) errs.push(invalid(field, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) errs.push(invalid(field, '', 'may not have more than one field specified at a time'));
  return errs;
}

export function validateEnv(env: EnvVar[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (env ?? []).forEach((e, i) => {
    const path = index(field, i);
    if (!e.name) errs.push(required(child(path, 'name'), ''));
    else errs.push(...isRelaxedEnvVarName(e.name).map((m) => invalid(child(path, 'name'), e.name, m)));
    errs.push(...validateValueFrom(e, child(path, 'valueFrom')));
  });
  return errs;
}

function validateEnvSourceName(name: string | undefined, field: string): FieldError[] {
  if (!name) return [required(child(field, 'name'), '')];
  return nameIsDNSSubdomain(name, true).map((m) => invalid(child(field, 'name'), name, m));
}

export function validateEnvFrom(envFrom: EnvFromSource[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (envFrom ?? []).forEach((ev, i) => {
    const path = index(field, i);
    if (ev.prefix) errs.push(...isRelaxedEnvVarName(ev.prefix).map((m) => invalid(child(path, 'prefix'), ev.prefix, m)));
    let sources = 0;
    if (ev.configMapRef) {
      sources++;
      errs.push(...validateEnvSourceName(ev.configMapRef.name, child(path, 'configMapRef')));
    }
    if (ev.secretRef) {
      sources++;
      errs.push(...validateEnvSourceName(ev.secretRef.name, child(path, 'secretRef')));
    }
    // upstream reports these on the list, not the item
    if (sources === 0) errs.push(invalid(field, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) errs.push(invalid(field, '', 'may not have more than one field specified at a time'));
  });
  return errs;
}

/** SetDefaults_ObjectFieldSelector: apiVersion v1. */
export function defaultEnv(env: EnvVar[] | undefined): void {
  for (const e of env ?? []) {
    const fr = e?.valueFrom?.fieldRef;
    if (fr && !fr.apiVersion) fr.apiVersion = 'v1';
  }
}

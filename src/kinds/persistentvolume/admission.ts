// core/v1 PersistentVolume: SetDefaults_PersistentVolume (Retain, Filesystem, phase Pending),
// the StorageObjectInUseProtection admission plugin (the kubernetes.io/pv-protection finalizer on
// create), ValidatePersistentVolume (access modes, a `storage` capacity greater than zero, one
// volume source, a class name, the reclaim policy; a local volume needs node affinity) and
// ValidatePersistentVolumeUpdate (the source, the volume mode and a set node affinity are fixed).
import { forbidden, invalid, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { child, key } from '../../admission/field-path.js';
import { FIELD_IMMUTABLE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { canonicalResourceList } from '../../admission/resource-lists.js';
import { validateResourceQuantityValue } from '../../admission/resources.js';
import { GoSyntax } from '../../admission/go-syntax.js';
import { parseQuantityExact } from '../../api/quantity.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import { specStatusAdmission } from '../shared/admission.js';
import { validateAccessModes } from './access-modes.js';
import { PERSISTENT_VOLUME_SOURCES, PV_PROTECTION_FINALIZER, type PersistentVolume } from './types.js';

export const RECLAIM_POLICIES = ['Delete', 'Recycle', 'Retain'];
export const VOLUME_MODES = ['Block', 'Filesystem'];
export const PV_PHASES = ['Available', 'Bound', 'Failed', 'Pending', 'Released'];

/** A quantity of a volume: not negative (ValidateResourceQuantityValue), and more than zero. */
export function validateStorageQuantity(value: string, field: string): FieldError[] {
  const errs = validateResourceQuantityValue('storage', value, field);
  if (errs.length === 0 && parseQuantityExact(value).digits === 0n) errs.push(invalid(field, value, 'must be greater than zero'));
  return errs;
}

/** ValidateClassName: a DNS subdomain. */
export function validateClassName(name: string | null | undefined, field: string): FieldError[] {
  if (!name) return [];
  return nameIsDNSSubdomain(name, false).map((m) => invalid(field, name, m));
}

/** Adds a finalizer once (upstream's admission plugin adds it on create). */
export function withFinalizer(finalizers: string[] | undefined, name: string): string[] {
  return finalizers?.includes(name) ? finalizers : [...(finalizers ?? []), name];
}

function defaults(pv: PersistentVolume): void {
  pv.spec ??= {};
  pv.spec.persistentVolumeReclaimPolicy ||= 'Retain';
  pv.spec.volumeMode ||= 'Filesystem';
  if (pv.spec.hostPath && pv.spec.hostPath.type === undefined) pv.spec.hostPath.type = '';
  pv.spec.capacity = canonicalResourceList(pv.spec.capacity, 'PersistentVolume');
}

function validateSpec(pv: PersistentVolume): FieldError[] {
  const spec = pv.spec;
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', ''));
  const capacity = spec.capacity ?? {};
  if (Object.keys(capacity).length === 0) errs.push(required('spec.capacity', ''));
  if (!('storage' in capacity) || Object.keys(capacity).length > 1) {
    errs.push(notSupported('spec.capacity', new GoSyntax(`core.ResourceList{${Object.keys(capacity).map((k) => `"${k}":resource.Quantity{…}`).join(', ')}}`), ['storage']));
  }
  for (const [r, q] of Object.entries(capacity)) errs.push(...validateStorageQuantity(q, key('spec.capacity', r)));
  errs.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  const policy = spec.persistentVolumeReclaimPolicy ?? '';
  if (policy && !RECLAIM_POLICIES.includes(policy)) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, RECLAIM_POLICIES));
  const sources = PERSISTENT_VOLUME_SOURCES.filter((s) => spec[s] !== undefined && spec[s] !== null);
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  for (const extra of sources.slice(1)) errs.push(forbidden(child('spec', extra), 'may not specify more than 1 volume type'));
  if (spec.hostPath) {
    const p = spec.hostPath.path ?? '';
    if (p === '') errs.push(required('spec.hostPath.path', ''));
    else if (p.split('/').includes('..')) errs.push(invalid('spec.hostPath.path', p, "must not contain '..'"));
    if (policy === 'Recycle' && p === '/') errs.push(forbidden('spec.persistentVolumeReclaimPolicy', 'may not be \'recycle\' for a hostPath mount of \'/\''));
  }
  if (spec.local) {
    const p = spec.local.path ?? '';
    if (p === '') errs.push(required('spec.local.path', ''));
    else if (p.split('/').includes('..')) errs.push(invalid('spec.local.path', p, "must not contain '..'"));
    if (!spec.nodeAffinity) errs.push(required('metadata.annotations', 'Local volume requires node affinity'));
  }
  const terms = spec.nodeAffinity?.required?.nodeSelectorTerms;
  if (spec.nodeAffinity && !spec.nodeAffinity.required) errs.push(required('spec.nodeAffinity.required', 'must specify required node constraints'));
  if (terms !== undefined && terms.length === 0) errs.push(required('spec.nodeAffinity.required.nodeSelectorTerms', 'must have at least one node selector term'));
  return errs;
}

function validateUpdate(pv: PersistentVolume, old: PersistentVolume): FieldError[] {
  const errs: FieldError[] = [];
  const source = (v: PersistentVolume): Record<string, unknown> => Object.fromEntries(PERSISTENT_VOLUME_SOURCES.map((s) => [s, v.spec[s] ?? null]));
  if (!semanticEqual(source(pv), source(old))) errs.push(forbidden('spec.persistentvolumesource', 'spec.persistentvolumesource is immutable after creation'));
  if ((pv.spec.volumeMode ?? null) !== (old.spec.volumeMode ?? null)) errs.push(invalid('volumeMode', pv.spec.volumeMode, FIELD_IMMUTABLE_ERROR));
  if (old.spec.nodeAffinity && !semanticEqual(pv.spec.nodeAffinity ?? null, old.spec.nodeAffinity)) {
    errs.push(invalid('nodeAffinity.required.nodeSelectorTerms', new GoSyntax('[]core.NodeSelectorTerm{…}'), FIELD_IMMUTABLE_ERROR));
  }
  return errs;
}

function validateStatus(pv: PersistentVolume): FieldError[] {
  const phase = pv.status?.phase;
  return phase && !PV_PHASES.includes(phase) ? [notSupported('status.phase', phase, PV_PHASES)] : [];
}

const admit = specStatusAdmission<PersistentVolume>({
  kind: 'PersistentVolume',
  group: '',
  namespaced: false,
  name: nameIsDNSSubdomain,
  defaults,
  validate: validateSpec,
  validateUpdate,
  validateStatus,
  initialStatus: () => ({ phase: 'Pending', lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }),
});

export const admitPersistentVolume: typeof admit = (req) => {
  const pv = admit(req) as PersistentVolume;
  if (req.operation === 'CREATE') pv.metadata.finalizers = withFinalizer(pv.metadata.finalizers, PV_PROTECTION_FINALIZER);
  if (req.operation === 'UPDATE' && req.subresource === 'status') {
    const old = req.oldObject as PersistentVolume;
    // the phase's last transition (PersistentVolumeLastPhaseTransitionTime, GA in 1.31)
    if (pv.status?.phase !== old.status?.phase) pv.status = { ...pv.status, lastPhaseTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') };
  }
  return pv;
};

// core/v1 PersistentVolumeClaim: SetDefaults_PersistentVolumeClaim (Filesystem, phase Pending),
// the StorageObjectInUseProtection admission plugin (the kubernetes.io/pvc-protection finalizer on
// create), ValidatePersistentVolumeClaim (access modes, a `storage` request greater than zero,
// the class name, the volume mode, the selector) and ValidatePersistentVolumeClaimUpdate: the
// spec is immutable but for a first volumeName (the binder's), a class given to a claim that had
// none, and resources.requests, which may grow and never shrink.
import { forbidden, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { FIELD_IMMUTABLE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { invalid } from '../../admission/field-errors.js';
import { validateLabelSelector } from '../../admission/label-selector.js';
import { canonicalResourceList } from '../../admission/resource-lists.js';
import { compareQuantities, parseQuantityExact } from '../../api/quantity.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import type { KubeObject } from '../../api/types.js';
import type { AdmissionDeps, AdmissionRequest } from '../kind.js';
import { specStatusAdmission } from '../shared/admission.js';
import { STORAGE_CLASSES } from '../storageclass/resource.js';
import { isDefaultClass, type StorageClass } from '../storageclass/types.js';
import { validateAccessModes } from '../persistentvolume/access-modes.js';
import { validateClassName, validateStorageQuantity, VOLUME_MODES, withFinalizer } from '../persistentvolume/admission.js';
import { ANN_BETA_STORAGE_CLASS, PVC_PROTECTION_FINALIZER, type PersistentVolumeClaim } from '../persistentvolume/types.js';

const PHASES = ['Bound', 'Lost', 'Pending'];

function defaults(pvc: PersistentVolumeClaim): void {
  pvc.spec ??= {};
  pvc.spec.volumeMode ||= 'Filesystem';
  if (pvc.spec.resources) {
    pvc.spec.resources.requests = canonicalResourceList(pvc.spec.resources.requests, 'PersistentVolumeClaim');
    pvc.spec.resources.limits = canonicalResourceList(pvc.spec.resources.limits, 'PersistentVolumeClaim');
  }
}

function validateSpec(pvc: PersistentVolumeClaim): FieldError[] {
  const spec = pvc.spec;
  const errs: FieldError[] = [];
  errs.push(...validateAccessModes(spec.accessModes, 'spec.accessModes', 'at least 1 access mode is required'));
  errs.push(...validateLabelSelector(spec.selector ?? undefined, 'spec.selector'));
  const storage = spec.resources?.requests?.['storage'];
  if (storage === undefined) errs.push(required('spec.resources[storage]', ''));
  else errs.push(...validateStorageQuantity(storage, 'spec.resources[storage]'));
  errs.push(...validateClassName(spec.storageClassName, 'spec.storageClassName'));
  if (spec.volumeMode && !VOLUME_MODES.includes(spec.volumeMode)) errs.push(notSupported('spec.volumeMode', spec.volumeMode, VOLUME_MODES));
  return errs;
}

const storageOf = (pvc: PersistentVolumeClaim): string | undefined => pvc.spec.resources?.requests?.['storage'];

function validateUpdate(pvc: PersistentVolumeClaim, old: PersistentVolumeClaim): FieldError[] {
  const errs: FieldError[] = [];
  const now = structuredClone(pvc.spec);
  const before = structuredClone(old.spec);
  // the binder sets volumeName once
  if (!before.volumeName) before.volumeName = now.volumeName;
  // a claim without a class may be given one (the PV controller's retroactive default class)
  if ((before.storageClassName === undefined || before.storageClassName === null) && now.storageClassName && !old.metadata.annotations?.[ANN_BETA_STORAGE_CLASS]) {
    before.storageClassName = now.storageClassName;
  }
  const oldClassAnnotation = old.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  const newClassAnnotation = pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS];
  if (oldClassAnnotation !== newClassAnnotation) errs.push(invalid(`metadata.annotations[${ANN_BETA_STORAGE_CLASS}]`, newClassAnnotation ?? '', FIELD_IMMUTABLE_ERROR));
  // requests may change (growth is checked below)
  before.resources = { ...(before.resources ?? {}), requests: now.resources?.requests };
  if (!semanticEqual(now, before)) errs.push(forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims'));
  const oldSize = storageOf(old);
  const newSize = storageOf(pvc);
  if (oldSize !== undefined && newSize !== undefined && compareQuantities(parseQuantityExact(newSize), parseQuantityExact(oldSize)) < 0) {
    errs.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

function validateStatus(pvc: PersistentVolumeClaim): FieldError[] {
  const phase = pvc.status?.phase;
  return phase && !PHASES.includes(phase) ? [notSupported('status.phase', phase, PHASES)] : [];
}

const admit = specStatusAdmission<PersistentVolumeClaim>({
  kind: 'PersistentVolumeClaim',
  group: '',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults,
  validate: validateSpec,
  validateUpdate,
  updateRulesFirst: true,
  validateStatus,
  initialStatus: () => ({ phase: 'Pending' }),
});

/**
 * The DefaultStorageClass admission plugin: a claim that names no class (neither
 * spec.storageClassName nor the beta annotation; "" means "no class") gets the default one, the
 * newest when several are marked default.
 */
async function defaultClass(pvc: PersistentVolumeClaim, deps: AdmissionDeps): Promise<void> {
  if ((pvc.spec.storageClassName !== undefined && pvc.spec.storageClassName !== null) || pvc.metadata.annotations?.[ANN_BETA_STORAGE_CLASS] !== undefined) return;
  const classes = ((await deps.listObjects?.(STORAGE_CLASSES, undefined)) ?? []) as StorageClass[];
  const defaults = classes.filter(isDefaultClass).sort((a, b) => {
    const ta = a.metadata.creationTimestamp ?? '';
    const tb = b.metadata.creationTimestamp ?? '';
    return ta !== tb ? (ta > tb ? -1 : 1) : (a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1;
  });
  if (defaults[0]) pvc.spec.storageClassName = defaults[0].metadata.name;
}

export async function admitPersistentVolumeClaimObject(req: AdmissionRequest, deps: AdmissionDeps): Promise<KubeObject> {
  if (req.operation === 'CREATE' && req.subresource === '') {
    const incoming = structuredClone(req.object) as PersistentVolumeClaim;
    incoming.spec ??= {};
    await defaultClass(incoming, deps);
    req = { ...req, object: incoming };
  }
  const pvc = admit(req) as PersistentVolumeClaim;
  if (req.operation === 'CREATE') pvc.metadata.finalizers = withFinalizer(pvc.metadata.finalizers, PVC_PROTECTION_FINALIZER);
  return pvc;
}

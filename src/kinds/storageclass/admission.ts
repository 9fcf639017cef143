// storage.k8s.io/v1 StorageClass: SetDefaults_StorageClass (reclaimPolicy Delete,
// volumeBindingMode Immediate), ValidateStorageClass (a provisioner that is a qualified name,
// parameters, the reclaim policy and binding mode) and ValidateStorageClassUpdate (parameters,
// provisioner, reclaim policy and binding mode never change).
import { forbidden, invalid, notSupported, required, tooLong, type FieldError } from '../../admission/field-errors.js';
import { isQualifiedName } from '../../admission/labels.js';
import { FIELD_IMMUTABLE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import { specStatusAdmission } from '../shared/admission.js';
import type { StorageClass } from './types.js';

const RECLAIM_POLICIES = ['Delete', 'Retain'];
const BINDING_MODES = ['Immediate', 'WaitForFirstConsumer'];
const MAX_PARAMETERS = 512;
const MAX_PARAMETERS_SIZE = 256 * 1024;

function defaults(sc: StorageClass): void {
  sc.reclaimPolicy ||= 'Delete';
  sc.volumeBindingMode ||= 'Immediate';
}

function validateParameters(params: Record<string, string> | undefined): FieldError[] {
  const entries = Object.entries(params ?? {});
  if (entries.length > MAX_PARAMETERS) return [tooLong('parameters', MAX_PARAMETERS)];
  const errs: FieldError[] = [];
  let size = 0;
  for (const [k, v] of entries) {
    if (k.length < 1) errs.push(invalid('parameters', k, 'field can not be empty.'));
    size += k.length + String(v).length;
  }
  if (size > MAX_PARAMETERS_SIZE) errs.push(tooLong('parameters', MAX_PARAMETERS_SIZE));
  return errs;
}

function validate(sc: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  const provisioner = sc.provisioner ?? '';
  if (provisioner === '') errs.push(required('provisioner', ''));
  else errs.push(...isQualifiedName(provisioner.toLowerCase()).map((m) => invalid('provisioner', provisioner.toLowerCase(), m)));
  errs.push(...validateParameters(sc.parameters));
  if (sc.reclaimPolicy && !RECLAIM_POLICIES.includes(sc.reclaimPolicy)) errs.push(notSupported('reclaimPolicy', sc.reclaimPolicy, RECLAIM_POLICIES));
  if (!sc.volumeBindingMode) errs.push(required('volumeBindingMode', ''));
  else if (!BINDING_MODES.includes(sc.volumeBindingMode)) errs.push(notSupported('volumeBindingMode', sc.volumeBindingMode, BINDING_MODES));
  return errs;
}

function validateUpdate(sc: StorageClass, old: StorageClass): FieldError[] {
  const errs: FieldError[] = [];
  if (!semanticEqual(sc.parameters ?? {}, old.parameters ?? {})) errs.push(forbidden('parameters', 'updates to parameters are forbidden.'));
  if (sc.provisioner !== old.provisioner) errs.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
  if (sc.reclaimPolicy !== old.reclaimPolicy) errs.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
  if (sc.volumeBindingMode !== old.volumeBindingMode) errs.push(invalid('volumeBindingMode', sc.volumeBindingMode, FIELD_IMMUTABLE_ERROR));
  return errs;
}

export const admitStorageClass = specStatusAdmission<StorageClass>({
  kind: 'StorageClass',
  group: 'storage.k8s.io',
  namespaced: false,
  name: nameIsDNSSubdomain,
  defaults,
  validate,
  validateUpdate,
  updateRulesFirst: false,
});

// apps/v1 ReplicaSet: SetDefaults_ReplicaSet (one replica, the template's pod defaults) and
// ValidateReplicaSet / its update (the selector may not change) and status.
import type { ReplicaSet } from '../../api/apps.js';
import { invalid, type FieldError } from '../../admission/field-errors.js';
import { FIELD_IMMUTABLE_ERROR, IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { defaultWorkloadTemplate, goLabelSelector, nonNegative, validateWorkloadSelector, validateWorkloadTemplate } from '../../admission/workload.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import { specStatusAdmission } from '../shared/admission.js';

export function defaultReplicaSet(rs: ReplicaSet): void {
  rs.spec ??= { selector: {} } as ReplicaSet['spec'];
  if (rs.spec.replicas === undefined || rs.spec.replicas === null) rs.spec.replicas = 1;
  defaultWorkloadTemplate(rs.spec.template, 'ReplicaSet');
}

function validateSpec(rs: ReplicaSet): FieldError[] {
  const spec = rs.spec ?? ({} as ReplicaSet['spec']);
  const errs: FieldError[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0) errs.push(invalid('spec.replicas', spec.replicas, IS_NEGATIVE_ERROR));
  if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) errs.push(invalid('spec.minReadySeconds', spec.minReadySeconds, IS_NEGATIVE_ERROR));
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector'));
  errs.push(...validateWorkloadTemplate(spec.template, spec.selector, 'spec.template', { kind: 'ReplicaSet', restartPolicies: ['Always'] }));
  return errs;
}

function validateStatus(rs: ReplicaSet): FieldError[] {
  const s = rs.status ?? { replicas: 0 };
  const errs = nonNegative(s as unknown as Record<string, unknown>, ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'], 'status');
  const replicas = s.replicas ?? 0;
  const over = 'cannot be greater than status.replicas';
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(invalid('status.fullyLabeledReplicas', s.fullyLabeledReplicas, over));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid('status.readyReplicas', s.readyReplicas, over));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid('status.availableReplicas', s.availableReplicas, over));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export const admitReplicaSet = specStatusAdmission<ReplicaSet>({
  kind: 'ReplicaSet',
  group: 'apps',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: defaultReplicaSet,
  validate: validateSpec,
  validateUpdate: (rs, old) =>
    semanticEqual(rs.spec?.selector ?? null, old.spec?.selector ?? null) ? [] : [invalid('spec.selector', goLabelSelector(rs.spec?.selector), FIELD_IMMUTABLE_ERROR)],
  validateStatus,
  initialStatus: () => ({ replicas: 0 }),
});

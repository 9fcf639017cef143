// apps/v1 Deployment: SetDefaults_Deployment (one replica, RollingUpdate with 25% surge and 25%
// unavailable, 10 revisions kept, a 600 s progress deadline) and ValidateDeployment / its update
// (the selector may not change) and status.
import type { Deployment, DeploymentStrategy } from '../../api/apps.js';
import { forbidden, invalid, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { GoSyntax, goQuote } from '../../admission/go-syntax.js';
import { isNotMoreThan100Percent, isZero, validatePositiveIntOrPercent } from '../../admission/int-or-percent.js';
import { FIELD_IMMUTABLE_ERROR, IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { defaultWorkloadTemplate, goLabelSelector, nonNegative, validateWorkloadSelector, validateWorkloadTemplate } from '../../admission/workload.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import { specStatusAdmission } from '../shared/admission.js';

export function defaultDeployment(d: Deployment): void {
  d.spec ??= {} as Deployment['spec'];
  const spec = d.spec;
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  spec.strategy ??= {};
  if (!spec.strategy.type) spec.strategy.type = 'RollingUpdate';
  if (spec.strategy.type === 'RollingUpdate') {
    spec.strategy.rollingUpdate ??= {};
    spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    spec.strategy.rollingUpdate.maxSurge ??= '25%';
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  if (spec.progressDeadlineSeconds === undefined || spec.progressDeadlineSeconds === null) spec.progressDeadlineSeconds = 600;
  defaultWorkloadTemplate(spec.template, 'Deployment');
}

function goStrategy(s: DeploymentStrategy): GoSyntax {
  return new GoSyntax(`apps.DeploymentStrategy{Type:${goQuote(s.type ?? '')}, RollingUpdate:${s.rollingUpdate ? '(*apps.RollingUpdateDeployment)(…)' : '(*apps.RollingUpdateDeployment)(nil)'}}`);
}

function validateStrategy(strategy: DeploymentStrategy | undefined): FieldError[] {
  const s = strategy ?? {};
  const field = 'spec.strategy';
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate ? [forbidden(`${field}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'")] : [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [required(`${field}.rollingUpdate`, 'this should be defaulted and never be nil')];
      const errs: FieldError[] = [];
      if (ru.maxUnavailable !== undefined) errs.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${field}.rollingUpdate.maxUnavailable`));
      if (ru.maxSurge !== undefined) errs.push(...validatePositiveIntOrPercent(ru.maxSurge, `${field}.rollingUpdate.maxSurge`));
      if (isZero(ru.maxUnavailable) && isZero(ru.maxSurge)) {
        errs.push(invalid(`${field}.rollingUpdate.maxUnavailable`, new GoSyntax(String(ru.maxUnavailable)), 'may not be 0 when `maxSurge` is 0'));
      }
      if (ru.maxUnavailable !== undefined) errs.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${field}.rollingUpdate.maxUnavailable`));
      return errs;
    }
    default:
      return [notSupported(field, goStrategy(s), ['Recreate', 'RollingUpdate'])];
  }
}

function validateSpec(d: Deployment): FieldError[] {
  const spec = d.spec ?? ({} as Deployment['spec']);
  const errs: FieldError[] = [];
  if (typeof spec.replicas === 'number' && spec.replicas < 0) errs.push(invalid('spec.replicas', spec.replicas, IS_NEGATIVE_ERROR));
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector'));
  errs.push(...validateWorkloadTemplate(spec.template, spec.selector, 'spec.template', { kind: 'ReplicaSet', restartPolicies: ['Always'] }));
  errs.push(...validateStrategy(spec.strategy));
  const minReady = spec.minReadySeconds ?? 0;
  if (minReady < 0) errs.push(invalid('spec.minReadySeconds', minReady, IS_NEGATIVE_ERROR));
  if (typeof spec.revisionHistoryLimit === 'number' && spec.revisionHistoryLimit < 0) errs.push(invalid('spec.revisionHistoryLimit', spec.revisionHistoryLimit, IS_NEGATIVE_ERROR));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    if (spec.progressDeadlineSeconds < 0) errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, IS_NEGATIVE_ERROR));
    if (spec.progressDeadlineSeconds <= minReady) errs.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

function validateStatus(d: Deployment): FieldError[] {
  const s = d.status ?? {};
  const errs = nonNegative(s as Record<string, unknown>, ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'collisionCount'], 'status');
  const replicas = s.replicas ?? 0;
  const over = 'cannot be greater than status.replicas';
  if ((s.updatedReplicas ?? 0) > replicas) errs.push(invalid('status.updatedReplicas', s.updatedReplicas, over));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid('status.readyReplicas', s.readyReplicas, over));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid('status.availableReplicas', s.availableReplicas, over));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  return errs;
}

export const admitDeployment = specStatusAdmission<Deployment>({
  kind: 'Deployment',
  group: 'apps',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: defaultDeployment,
  validate: validateSpec,
  validateUpdate: (d, old) =>
    semanticEqual(d.spec?.selector ?? null, old.spec?.selector ?? null) ? [] : [invalid('spec.selector', goLabelSelector(d.spec?.selector), FIELD_IMMUTABLE_ERROR)],
  validateStatus,
  initialStatus: () => ({}),
});

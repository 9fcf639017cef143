// apps/v1 DaemonSet: SetDefaults_DaemonSet (RollingUpdate with maxUnavailable 1 and maxSurge 0,
// ten revisions kept) and ValidateDaemonSet / its update (the selector may not change) and status.
import type { DaemonSet, DaemonSetUpdateStrategy } from '../../api/apps.js';
import { invalid, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { GoSyntax, goQuote } from '../../admission/go-syntax.js';
import { isNotMoreThan100Percent, isZero, validatePositiveIntOrPercent } from '../../admission/int-or-percent.js';
import { FIELD_IMMUTABLE_ERROR, IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { defaultWorkloadTemplate, goLabelSelector, nonNegative, validateWorkloadSelector, validateWorkloadTemplate } from '../../admission/workload.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import { specStatusAdmission } from '../shared/admission.js';

export function defaultDaemonSet(ds: DaemonSet): void {
  ds.spec ??= {} as DaemonSet['spec'];
  const spec = ds.spec;
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) spec.updateStrategy.type = 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.maxUnavailable ??= 1;
    spec.updateStrategy.rollingUpdate.maxSurge ??= 0;
  }
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  defaultWorkloadTemplate(spec.template, 'DaemonSet');
}

function goStrategy(s: DaemonSetUpdateStrategy): GoSyntax {
  return new GoSyntax(`apps.DaemonSetUpdateStrategy{Type:${goQuote(s.type ?? '')}, RollingUpdate:${s.rollingUpdate ? '(*apps.RollingUpdateDaemonSet)(…)' : '(*apps.RollingUpdateDaemonSet)(nil)'}}`);
}

/** ValidateDaemonSetUpdateStrategy / ValidateRollingUpdateDaemonSet. */
function validateUpdateStrategy(strategy: DaemonSetUpdateStrategy | undefined): FieldError[] {
  const s = strategy ?? {};
  const field = 'spec.updateStrategy';
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      const ru = s.rollingUpdate;
      if (!ru) return [required(`${field}.rollingUpdate`, '')];
      const unavailable = ru.maxUnavailable ?? 0;
      const surge = ru.maxSurge ?? 0;
      const errs = [
        ...validatePositiveIntOrPercent(unavailable, `${field}.rollingUpdate.maxUnavailable`),
        ...validatePositiveIntOrPercent(surge, `${field}.rollingUpdate.maxSurge`),
        ...isNotMoreThan100Percent(unavailable, `${field}.rollingUpdate.maxUnavailable`),
        ...isNotMoreThan100Percent(surge, `${field}.rollingUpdate.maxSurge`),
      ];
      const hasUnavailable = !isZero(unavailable);
      const hasSurge = !isZero(surge);
      if (hasUnavailable && hasSurge) errs.push(invalid(`${field}.rollingUpdate.maxSurge`, new GoSyntax(String(surge)), 'may not be set when maxUnavailable is non-zero'));
      if (!hasUnavailable && !hasSurge) errs.push(required(`${field}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      return errs;
    }
    default:
      return [notSupported(field, goStrategy(s), ['OnDelete', 'RollingUpdate'])];
  }
}

function validateSpec(ds: DaemonSet): FieldError[] {
  const spec = ds.spec ?? ({} as DaemonSet['spec']);
  const errs: FieldError[] = [];
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'daemonset'));
  errs.push(...validateWorkloadTemplate(spec.template, spec.selector, 'spec.template', { kind: 'DaemonSet', restartPolicies: ['Always'] }));
  if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) errs.push(invalid('spec.minReadySeconds', spec.minReadySeconds, IS_NEGATIVE_ERROR));
  errs.push(...validateUpdateStrategy(spec.updateStrategy));
  if (typeof spec.revisionHistoryLimit === 'number' && spec.revisionHistoryLimit < 0) errs.push(invalid('spec.revisionHistoryLimit', spec.revisionHistoryLimit, IS_NEGATIVE_ERROR));
  return errs;
}

function validateStatus(ds: DaemonSet): FieldError[] {
  return nonNegative(
    (ds.status ?? {}) as unknown as Record<string, unknown>,
    ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'],
    'status',
  );
}

export const admitDaemonSet = specStatusAdmission<DaemonSet>({
  kind: 'DaemonSet',
  group: 'apps',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: defaultDaemonSet,
  validate: validateSpec,
  validateUpdate: (ds, old) =>
    semanticEqual(ds.spec?.selector ?? null, old.spec?.selector ?? null) ? [] : [invalid('spec.selector', goLabelSelector(ds.spec?.selector), FIELD_IMMUTABLE_ERROR)],
  validateStatus,
  initialStatus: () => ({ currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 }),
});

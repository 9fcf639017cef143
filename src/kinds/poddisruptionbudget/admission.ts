// policy/v1 PodDisruptionBudget: ValidatePodDisruptionBudget (minAvailable and maxUnavailable are
// exclusive, each a non-negative count or a percentage of at most 100%, a valid selector, a known
// unhealthyPodEvictionPolicy) and its status update.
import type { PodDisruptionBudget } from '../../api/policy.js';
import { invalid, notSupported, type FieldError } from '../../admission/field-errors.js';
import { GoSyntax } from '../../admission/go-syntax.js';
import { isNotMoreThan100Percent, validatePositiveIntOrPercent } from '../../admission/int-or-percent.js';
import { validateLabelSelector } from '../../admission/label-selector.js';
import { IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { specStatusAdmission } from '../shared/admission.js';

const EVICTION_POLICIES = ['AlwaysAllow', 'IfHealthyBudget'];

function validateSpec(pdb: PodDisruptionBudget): FieldError[] {
  const spec = pdb.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.minAvailable !== undefined && spec.maxUnavailable !== undefined) {
    errs.push(invalid('spec', new GoSyntax(`policy.PodDisruptionBudgetSpec{MinAvailable:${spec.minAvailable}, MaxUnavailable:${spec.maxUnavailable}}`), 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const f of ['minAvailable', 'maxUnavailable'] as const) {
    const v = spec[f];
    if (v === undefined) continue;
    errs.push(...validatePositiveIntOrPercent(v, `spec.${f}`), ...isNotMoreThan100Percent(v, `spec.${f}`));
  }
  errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (spec.unhealthyPodEvictionPolicy !== undefined && !EVICTION_POLICIES.includes(spec.unhealthyPodEvictionPolicy)) {
    errs.push(notSupported('spec.unhealthyPodEvictionPolicy', spec.unhealthyPodEvictionPolicy, EVICTION_POLICIES));
  }
  return errs;
}

function validateStatus(pdb: PodDisruptionBudget): FieldError[] {
  const s = pdb.status;
  if (!s) return [];
  const errs: FieldError[] = [];
  for (const f of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods'] as const) {
    if (typeof s[f] === 'number' && s[f] < 0) errs.push(invalid(`status.${f}`, s[f], IS_NEGATIVE_ERROR));
  }
  return errs;
}

export const admitPodDisruptionBudget = specStatusAdmission<PodDisruptionBudget>({
  kind: 'PodDisruptionBudget',
  group: 'policy',
  namespaced: true,
  name: nameIsDNSSubdomain,
  validate: validateSpec,
  validateStatus,
  initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
});

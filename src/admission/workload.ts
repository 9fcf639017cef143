// What the workload kinds (ReplicaSet, Deployment, DaemonSet, StatefulSet) share in validation:
// a LabelSelector that is given, valid and not empty, a pod template its selector matches
// (ValidatePodTemplateSpecForReplicaSet and friends), the Go rendering of a selector in errors,
// and the status counters that are never negative.
import { labelSelectorMatches } from '../api/label-selector.js';
import type { LabelSelector, PodTemplateSpec } from '../api/types.js';
import { forbidden, invalid, notSupported, required, type FieldError } from './field-errors.js';
import { child } from './field-path.js';
import { goQuote, goStringMap, GoSyntax } from './go-syntax.js';
import { validateLabelSelector } from './label-selector.js';
import { validateAnnotations, validateLabels } from './labels.js';
import { IS_NEGATIVE_ERROR } from './names.js';
import { defaultPodSpec, validatePodSpec } from './pod-spec.js';

/** A LabelSelector as Go's %#v prints it in a field error. */
export function goLabelSelector(s: LabelSelector | undefined): GoSyntax {
  if (!s) return new GoSyntax('(*v1.LabelSelector)(nil)');
  const labels = s.matchLabels === undefined ? 'map[string]string(nil)' : goStringMap(s.matchLabels).text;
  const exprs =
    s.matchExpressions === undefined
      ? '[]v1.LabelSelectorRequirement(nil)'
      : `[]v1.LabelSelectorRequirement{${s.matchExpressions
          .map((e) => `v1.LabelSelectorRequirement{Key:${goQuote(e.key)}, Operator:${goQuote(e.operator)}, Values:${e.values === undefined ? '[]string(nil)' : `[]string{${e.values.map(goQuote).join(', ')}}`}}`)
          .join(', ')}}`;
  return new GoSyntax(`v1.LabelSelector{MatchLabels:${labels}, MatchExpressions:${exprs}}`);
}

/** spec.selector: required, valid, and (for workloads) not empty. */
export function validateWorkloadSelector(selector: LabelSelector | undefined, field: string, kindWord = 'deployment'): FieldError[] {
  if (!selector) return [required(field, '')];
  const errs = validateLabelSelector(selector, field);
  if (Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length === 0) {
    errs.push(invalid(field, goLabelSelector(selector), `empty selector is invalid for ${kindWord}`));
  }
  return errs;
}

export interface TemplateRules {
  /** The kind named in the activeDeadlineSeconds error ('ReplicaSet', 'DaemonSet', ...). */
  kind: string;
  /** Restart policies the template may have (['Always'] for every long-running workload). */
  restartPolicies: readonly string[];
}

/** The pod template of a workload: matched by its selector, a valid pod spec, a policy it may use. */
export function validateWorkloadTemplate(template: PodTemplateSpec | undefined, selector: LabelSelector | undefined, field: string, rules: TemplateRules): FieldError[] {
  if (!template) return [required(field, '')];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  const selects = selector && Object.keys(selector.matchLabels ?? {}).length + (selector.matchExpressions ?? []).length > 0;
  if (selects && !labelSelectorMatches(selector, labels)) {
    errs.push(invalid(child(field, 'metadata', 'labels'), goStringMap(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(labels, child(field, 'metadata', 'labels')));
  errs.push(...validateAnnotations(template.metadata?.annotations, child(field, 'metadata', 'annotations')));
  errs.push(...validatePodSpec(template.spec, child(field, 'spec')));
  const restart = template.spec?.restartPolicy ?? '';
  if (!rules.restartPolicies.includes(restart)) errs.push(notSupported(child(field, 'spec', 'restartPolicy'), restart, rules.restartPolicies));
  const deadline = (template.spec as { activeDeadlineSeconds?: number } | undefined)?.activeDeadlineSeconds;
  if (deadline !== undefined && deadline !== null && rules.kind !== 'Job') {
    errs.push(forbidden(child(field, 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${rules.kind} is not Supported`));
  }
  return errs;
}

/** The defaults of a workload's pod template (SetDefaults_PodSpec under its owner's kind). */
export function defaultWorkloadTemplate(template: PodTemplateSpec | undefined, kind: string): void {
  if (!template) return;
  template.spec ??= { containers: [] };
  defaultPodSpec(template.spec, kind);
}

/** `field: must be greater than or equal to 0` for each named counter that is negative. */
export function nonNegative(obj: Record<string, unknown> | undefined, names: readonly string[], field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const name of names) {
    const v = obj?.[name];
    if (typeof v === 'number' && v < 0) errs.push(invalid(child(field, name), v, IS_NEGATIVE_ERROR));
  }
  return errs;
}

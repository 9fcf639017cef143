// metav1 validation of a LabelSelector (ValidateLabelSelector / ValidateLabelSelectorRequirement):
// matchLabels as labels, each matchExpression's operator, key and values.
import type { LabelSelector } from '../api/types.js';
import { forbidden, invalid, required, type FieldError } from './field-errors.js';
import { child, index } from './field-path.js';
import { goStringer } from './go-syntax.js';
import { isValidLabelValue, validateLabelName, validateLabels } from './labels.js';

export function validateLabelSelector(selector: LabelSelector | undefined, field: string): FieldError[] {
  if (!selector) return [];
  const errs = validateLabels(selector.matchLabels, child(field, 'matchLabels'));
  (selector.matchExpressions ?? []).forEach((expr, i) => {
    const path = index(child(field, 'matchExpressions'), i);
    const values = expr.values ?? [];
    switch (expr.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) errs.push(required(child(path, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(path, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(path, 'operator'), goStringer(String(expr.operator ?? '')), 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(expr.key ?? '', child(path, 'key')));
    values.forEach((v, j) => {
      for (const msg of isValidLabelValue(v)) errs.push(invalid(index(child(path, 'values'), j), v, msg));
    });
  });
  return errs;
}

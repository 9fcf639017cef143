// Pod tolerations and node taints (core validation's ValidateTolerations / validateNodeTaints).
import type { Taint } from '../api/types.js';
import type { FieldError } from './field-errors.js';
import { duplicate, invalid, notSupported, required } from './field-errors.js';
import { child, index } from './field-path.js';
import { GoSyntax, goQuote } from './go-syntax.js';
import { isValidLabelValue, validateLabelName } from './labels.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

function validateTaintEffect(effect: string | undefined, allowEmpty: boolean, field: string): FieldError[] {
  if (!allowEmpty && !effect) return [required(field, '')];
  if (!TAINT_EFFECTS.includes(effect ?? '')) return [notSupported(field, effect ?? '', TAINT_EFFECTS)];
  return [];
}

export function validateTolerations(tolerations: Toleration[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  (tolerations ?? []).forEach((t, i) => {
    const path = index(field, i);
    if (t.key) errs.push(...validateLabelName(t.key, child(path, 'key')));
    if (!t.key && t.operator !== 'Exists') {
      errs.push(invalid(child(path, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.effect !== 'NoExecute') {
      errs.push(invalid(child(path, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    switch (t.operator ?? '') {
      case 'Equal':
      case '': {
        const msgs = isValidLabelValue(t.value ?? '');
        if (msgs.length > 0) errs.push(invalid(child(path, 'operator'), t.value ?? '', msgs.join(';')));
        break;
      }
      case 'Exists':
        if (t.value) errs.push(invalid(child(path, 'operator'), t.value, "value must be empty when `operator` is 'Exists'"));
        break;
      default:
        errs.push(notSupported(child(path, 'operator'), t.operator, ['Equal', 'Exists']));
    }
    if (t.effect) errs.push(...validateTaintEffect(t.effect, true, child(path, 'effect')));
  });
  return errs;
}

function goTaint(t: Taint): string {
  return `core.Taint{Key:${goQuote(t.key ?? '')}, Value:${goQuote(t.value ?? '')}, Effect:${goQuote(t.effect ?? '')}, TimeAdded:<nil>}`;
}

/** Upstream reports node taints under `metadata.taints` (its field path is built from metadata). */
export function validateNodeTaints(taints: Taint[] | undefined, field: string): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Map<string, Set<string>>();
  (taints ?? []).forEach((t, i) => {
    const path = index(field, i);
    errs.push(...validateLabelName(t.key ?? '', child(path, 'key')));
    const msgs = isValidLabelValue(t.value ?? '');
    if (msgs.length > 0) errs.push(invalid(child(path, 'value'), t.value ?? '', msgs.join(';')));
    errs.push(...validateTaintEffect(t.effect, false, child(path, 'effect')));
    const keys = unique.get(t.effect) ?? new Set<string>();
    if (keys.has(t.key)) {
      errs.push({ ...duplicate(path, new GoSyntax(goTaint(t))), detail: 'taints must be unique by key and effect pair' });
      return;
    }
    keys.add(t.key);
    unique.set(t.effect, keys);
  });
  return errs;
}

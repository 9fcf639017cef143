// metav1.LabelSelector (`matchLabels` + `matchExpressions`, what apps/v1, batch/v1 and policy/v1
// objects select pods with) as a parsed selector, and as kubectl prints it.
import { matchesLabels, type Requirement, type Selector } from './labels.js';
import type { LabelSelector } from './types.js';

/**
 * LabelSelectorAsSelector: the requirements of `selector`. A missing selector selects nothing
 * (undefined); an empty one `{}` selects everything ([]).
 */
export function labelSelectorAsSelector(selector: LabelSelector | undefined | null): Selector | undefined {
  if (!selector) return undefined;
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key, op: '=', values: [value] });
  for (const e of selector.matchExpressions ?? []) {
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, op: 'in', values: [...(e.values ?? [])] });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, op: 'notin', values: [...(e.values ?? [])] });
        break;
      case 'Exists':
        reqs.push({ key: e.key, op: 'exists', values: [] });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, op: '!', values: [] });
        break;
    }
  }
  return reqs;
}

/** Whether `selector` selects an object with `labels` (a nil selector selects nothing). */
export function labelSelectorMatches(selector: LabelSelector | undefined | null, labels: Record<string, string> | undefined): boolean {
  const reqs = labelSelectorAsSelector(selector);
  return reqs !== undefined && matchesLabels(reqs, labels);
}

/** True for a selector with neither matchLabels nor matchExpressions (it would select everything). */
export function isEmptyLabelSelector(selector: LabelSelector | undefined | null): boolean {
  return !selector || (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0);
}

/**
 * FormatLabelSelector, as kubectl's SELECTOR column and Scale's status.selector show it:
 * `app=web,tier in (a,b),!legacy`; `<none>` for an empty selector.
 */
export function formatLabelSelector(selector: LabelSelector | undefined | null): string {
  const parts: string[] = [];
  // labels.Selector sorts its requirements by key, matchLabels and matchExpressions together.
  const reqs = [...(labelSelectorAsSelector(selector) ?? [])].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  for (const r of reqs) {
    switch (r.op) {
      case '=':
        parts.push(`${r.key}=${r.values[0]}`);
        break;
      case 'in':
        parts.push(`${r.key} in (${[...r.values].sort().join(',')})`);
        break;
      case 'notin':
        parts.push(`${r.key} notin (${[...r.values].sort().join(',')})`);
        break;
      case 'exists':
        parts.push(r.key);
        break;
      case '!':
        parts.push(`!${r.key}`);
        break;
      default:
        break;
    }
  }
  const s = parts.join(',');
  return s === '' ? '<none>' : s;
}

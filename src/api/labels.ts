// Label selectors (k8s.io/apimachinery/pkg/labels): equality- and set-based requirements,
// parsed from the `labelSelector` query string and matched against an object's labels.
import { badRequest } from './errors.js';

export type SelectorOperator = '=' | '!=' | 'in' | 'notin' | 'exists' | '!';

export interface Requirement {
  key: string;
  op: SelectorOperator;
  values: string[];
}

export type Selector = Requirement[];

const TOKEN = /\s*(!=|==|=|,|\(|\)|!|[^\s,()=!]+)\s*/y;

function tokenize(s: string): string[] {
  const out: string[] = [];
  TOKEN.lastIndex = 0;
  let i = 0;
  while (i < s.length) {
    TOKEN.lastIndex = i;
    const m = TOKEN.exec(s);
    if (!m) throw badRequest(`unable to parse requirement: found '${s.slice(i)}', expected: identifier`);
    if (m[1] !== undefined) out.push(m[1]);
    i = TOKEN.lastIndex;
    if (m[0].length === 0) break;
  }
  return out;
}

/** Parses `app=web,tier!=db,env in (a,b),!legacy`. Throws a 400 ApiError worded as the API server. */
export function parseLabelSelector(selector: string | undefined | null): Selector {
  if (!selector || !selector.trim()) return [];
  const tokens = tokenize(selector);
  const reqs: Requirement[] = [];
  let i = 0;
  const expectIdent = (what: string): string => {
    const t = tokens[i];
    if (t === undefined || [',', '(', ')', '=', '==', '!=', '!'].includes(t)) {
      throw badRequest(`unable to parse requirement: found '${t ?? ''}', expected: ${what}`);
    }
    i++;
    return t;
  };
  while (i < tokens.length) {
    if (tokens[i] === '!') {
      i++;
      reqs.push({ key: expectIdent('identifier'), op: '!', values: [] });
    } else {
      const key = expectIdent('identifier');
      const op = tokens[i];
      if (op === undefined || op === ',') {
        reqs.push({ key, op: 'exists', values: [] });
      } else if (op === '=' || op === '==' || op === '!=') {
        i++;
        const value = tokens[i] === undefined || tokens[i] === ',' ? '' : expectIdent('identifier');
        reqs.push({ key, op: op === '!=' ? '!=' : '=', values: [value] });
      } else if (op === 'in' || op === 'notin') {
        i++;
        if (tokens[i] !== '(') throw badRequest(`unable to parse requirement: found '${tokens[i] ?? ''}', expected: '('`);
        i++;
        const values: string[] = [];
        while (tokens[i] !== ')') {
          if (tokens[i] === undefined) throw badRequest(`unable to parse requirement: found '', expected: ')'`);
          if (tokens[i] === ',') {
            i++;
            continue;
          }
          values.push(expectIdent('identifier'));
        }
        i++;
        reqs.push({ key, op, values });
      } else {
        throw badRequest(`unable to parse requirement: found '${op}', expected: in, notin, =, ==, !=, gt, lt`);
      }
    }
    if (i < tokens.length) {
      if (tokens[i] !== ',') throw badRequest(`unable to parse requirement: found '${tokens[i]}', expected: ','`);
      i++;
    }
  }
  return reqs;
}

export function matchesLabels(selector: Selector, labels: Record<string, string> | undefined): boolean {
  const l = labels ?? {};
  for (const r of selector) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case '=':
        if (!has || v !== r.values[0]) return false;
        break;
      case '!=':
        if (has && v === r.values[0]) return false;
        break;
      case 'in':
        if (!has || !r.values.includes(v!)) return false;
        break;
      case 'notin':
        if (has && r.values.includes(v!)) return false;
        break;
      case 'exists':
        if (!has) return false;
        break;
      case '!':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** A map selector (Service/RC `spec.selector`) matches when every pair is present. Empty matches nothing. */
export function matchesSelectorMap(selector: Record<string, string> | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  const l = labels ?? {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}

/** `app=web,tier=front`, as kubectl prints a map selector. */
export function formatSelectorMap(selector: Record<string, string> | undefined): string {
  return Object.entries(selector ?? {})
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
}

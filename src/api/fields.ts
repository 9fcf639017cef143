// Field selectors (`fieldSelector=spec.nodeName=node-1,status.phase!=Running`): only the
// fields the API server indexes per kind, as upstream's GetAttrs functions expose them. Each
// kind names its own (src/kinds/<kind>/fields.ts); metadata.name and metadata.namespace are
// everyone's.
import { badRequest } from './errors.js';
import type { KubeObject } from './types.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export type FieldGetter = (obj: KubeObject) => string;

/** A kind's selectable fields, by their selector name. */
export type FieldSelectors = Readonly<Record<string, FieldGetter>>;

const str = (v: unknown): string => (v === undefined || v === null ? '' : String(v));
const at = (obj: unknown, path: string): unknown =>
  path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), obj);

/** The field at a dotted path, as a string ('' when absent). */
export const fieldAt = (path: string): FieldGetter => (obj) => str(at(obj, path));

/** The field at a dotted path, or `fallback` (a Go zero value such as false or 0) when absent. */
export const fieldOr = (path: string, fallback: string | number | boolean): FieldGetter => (obj) => str(at(obj, path) ?? fallback);

const COMMON: FieldSelectors = {
  'metadata.name': fieldAt('metadata.name'),
  'metadata.namespace': fieldAt('metadata.namespace'),
};

/** Parses a field selector against a kind's fields; unknown fields are a 400 as upstream words it. */
export function parseFieldSelector(fields: FieldSelectors | undefined, selector: string | undefined | null): FieldRequirement[] {
  if (!selector || !selector.trim()) return [];
  const reqs: FieldRequirement[] = [];
  for (const part of selector.split(',')) {
    const p = part.trim();
    if (!p) continue;
    const m = /^([^=!]+?)\s*(==|=|!=)\s*(.*)$/.exec(p);
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${p}'`);
    const field = m[1]!.trim();
    if (!COMMON[field] && !fields?.[field]) {
      throw badRequest(`field label not supported: ${field}`);
    }
    reqs.push({ field, op: m[2] === '!=' ? '!=' : '=', value: m[3]!.trim() });
  }
  return reqs;
}

export function matchesFields(fields: FieldSelectors | undefined, reqs: FieldRequirement[], obj: KubeObject): boolean {
  for (const r of reqs) {
    const get = COMMON[r.field] ?? fields?.[r.field];
    const v = get ? get(obj) : '';
    if (r.op === '=' ? v !== r.value : v === r.value) return false;
  }
  return true;
}

// What `immutable: true` freezes on a ConfigMap or a Secret (ValidateConfigMapUpdate,
// ValidateSecretUpdate): the flag itself and the data; labels and annotations may still change.
import { forbidden, type FieldError } from '../../admission/field-errors.js';

const IMMUTABLE = 'field is immutable when `immutable` is set';

/** `unchanged`: each frozen field, and whether the update left it as it was. */
export function validateImmutableData(oldImmutable: boolean | undefined, immutable: boolean | undefined, unchanged: Array<[field: string, same: boolean]>): FieldError[] {
  if (oldImmutable !== true) return [];
  const errs: FieldError[] = [];
  if (immutable !== true) errs.push(forbidden('immutable', IMMUTABLE));
  for (const [field, same] of unchanged) if (!same) errs.push(forbidden(field, IMMUTABLE));
  return errs;
}

/** Two string maps with the same keys and values (an absent map is an empty one). */
export function sameStringMap(a: Readonly<Record<string, string>> | undefined, b: Readonly<Record<string, string>> | undefined): boolean {
  const ak = Object.keys(a ?? {});
  if (ak.length !== Object.keys(b ?? {}).length) return false;
  return ak.every((k) => b !== undefined && k in b && b[k] === a![k]);
}

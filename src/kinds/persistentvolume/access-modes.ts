// Access modes (ReadWriteOnce, ReadOnlyMany, ReadWriteMany, ReadWriteOncePod): their validation
// as ValidatePersistentVolume(Claim)Spec has it and kubectl's short form (GetAccessModesAsString).
import { forbidden, notSupported, required, type FieldError } from '../../admission/field-errors.js';

export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/** Required, each known, ReadWriteOncePod alone. */
export function validateAccessModes(modes: readonly string[] | undefined, field: string, requiredDetail: string): FieldError[] {
  const list = modes ?? [];
  if (list.length === 0) return [required(field, requiredDetail)];
  const errs: FieldError[] = [];
  for (const m of list) if (!ACCESS_MODES.includes(m)) errs.push(notSupported(field, m, ACCESS_MODES));
  if (list.includes('ReadWriteOncePod') && list.length > 1) errs.push(forbidden(field, 'may not use ReadWriteOncePod with other access modes'));
  return errs;
}

const SHORT: ReadonlyArray<readonly [string, string]> = [
  ['ReadWriteOnce', 'RWO'],
  ['ReadOnlyMany', 'ROX'],
  ['ReadWriteMany', 'RWX'],
  ['ReadWriteOncePod', 'RWOP'],
];

/** `RWO,ROX`: each mode once, in upstream's order. */
export function accessModesAsString(modes: readonly string[] | undefined): string {
  const list = modes ?? [];
  return SHORT.filter(([m]) => list.includes(m)).map(([, s]) => s).join(',');
}

/** Every mode the claim asks for is offered by the volume. */
export function accessModesContain(offered: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  return (wanted ?? []).every((m) => (offered ?? []).includes(m));
}

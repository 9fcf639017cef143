// intstr.IntOrString fields that hold a count or a percentage (maxSurge, maxUnavailable,
// minAvailable): apps validation's ValidatePositiveIntOrPercent and IsNotMoreThan100Percent, and
// intstr's GetScaledValueFromIntOrPercent, which resolves them against a total.
import type { IntOrString } from '../api/apps.js';
import { invalid, type FieldError } from './field-errors.js';
import { goStringer } from './go-syntax.js';
import { IS_NEGATIVE_ERROR } from './names.js';

const PERCENT = /^[0-9]+%$/;
const PERCENT_ERROR = "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')";

export function validatePositiveIntOrPercent(value: IntOrString, field: string): FieldError[] {
  if (typeof value === 'string') return PERCENT.test(value) ? [] : [invalid(field, goStringer(value), PERCENT_ERROR)];
  if (typeof value === 'number' && Number.isInteger(value)) return value < 0 ? [invalid(field, value, IS_NEGATIVE_ERROR)] : [];
  return [invalid(field, goStringer(String(value)), "must be an integer or percentage (e.g '5%')")];
}

/** The percentage of a valid percent string, or undefined for an integer. */
export function percentOf(value: IntOrString): number | undefined {
  return typeof value === 'string' && PERCENT.test(value) ? Number(value.slice(0, -1)) : undefined;
}

export function isNotMoreThan100Percent(value: IntOrString, field: string): FieldError[] {
  const p = percentOf(value);
  return p !== undefined && p > 100 ? [invalid(field, goStringer(String(value)), 'must not be greater than 100%')] : [];
}

/** True when the value is 0 or "0%". */
export function isZero(value: IntOrString | undefined): boolean {
  return value === 0 || percentOf(value ?? 1) === 0;
}

/**
 * GetScaledValueFromIntOrPercent: an integer as is, a percentage of `total` rounded up or down.
 * (Percentages are validated before this runs; anything else counts as 0.)
 */
export function scaledValue(value: IntOrString | undefined, total: number, roundUp: boolean): number {
  if (value === undefined) return 0;
  if (typeof value === 'number') return value;
  const p = percentOf(value);
  if (p === undefined) return 0;
  const exact = (p * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}

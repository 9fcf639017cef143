// Field errors (k8s.io/apimachinery/pkg/util/validation/field) and the 422 Invalid error built
// from them, as NewInvalid builds it: `Service "web" is invalid: [a, b]`, one cause per error,
// duplicates dropped from the message as ErrorList.ToAggregate drops them.
import { ApiError, fieldErr, fieldErrorBody, statusFailure, qualifiedKind } from '../api/errors.js';
import type { FieldError } from '../api/errors.js';
import type { StatusCause } from '../api/types.js';
import { GoSyntax } from './go-syntax.js';

export type { FieldError };

export const required = fieldErr.required;
export const invalid = fieldErr.invalid;
export const duplicate = fieldErr.duplicate;
export const forbidden = fieldErr.forbidden;
export const notFound = fieldErr.notFound;
export const tooLong = fieldErr.tooLong;

/** Unsupported value; `supported` is printed in the order given (upstream sorts most lists). */
export function notSupported(field: string, value: unknown, supported: readonly string[]): FieldError {
  return fieldErr.notSupported(field, value, [...supported]);
}

export function tooMany(field: string, actual: number, max: number): FieldError {
  return { type: 'FieldValueTooMany', field, value: actual, detail: `must have at most ${max} items` };
}

/** `Invalid value: "x": must be ...` for each message a format check returned. */
export function invalidEach(field: string, value: unknown, messages: readonly string[]): FieldError[] {
  return messages.map((m) => invalid(field, value, m));
}

/** The body after `field: `, printing Go-formatted values as Go prints them. */
export function errorBody(e: FieldError): string {
  if (e.value instanceof GoSyntax && e.type !== 'FieldValueRequired' && e.type !== 'FieldValueForbidden' && e.type !== 'FieldValueTooLong') {
    const text: Record<string, string> = {
      FieldValueInvalid: 'Invalid value',
      FieldValueNotSupported: 'Unsupported value',
      FieldValueDuplicate: 'Duplicate value',
      FieldValueNotFound: 'Not found',
      FieldValueTooMany: 'Too many',
      InternalError: 'Internal error',
    };
    let s = `${text[e.type]}: ${e.value.text}`;
    if (e.detail) s += `: ${e.detail}`;
    return s;
  }
  if (e.type === 'FieldValueTooMany') return `Too many: ${String(e.value)}${e.detail ? `: ${e.detail}` : ''}`;
  return fieldErrorBody(e);
}

export function errorMessage(e: FieldError): string {
  return `${e.field}: ${errorBody(e)}`;
}

/** 422 Invalid: `Kind "name" is invalid: ...`. */
export function invalidObject(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
  const seen = new Set<string>();
  const messages: string[] = [];
  for (const e of errs) {
    const m = errorMessage(e);
    if (seen.has(m)) continue;
    seen.add(m);
    messages.push(m);
  }
  const aggregate = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: errorBody(e), field: e.field }));
  return new ApiError(
    statusFailure(422, 'Invalid', `${qualifiedKind(kind, group)} "${name}" is invalid: ${aggregate}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes,
    }),
  );
}

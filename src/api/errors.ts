// API errors as metav1.Status objects, worded as Kubernetes words them
// (k8s.io/apimachinery/pkg/api/errors and pkg/util/validation/field).
import type { Status, StatusCause } from './types.js';

export class ApiError extends Error {
  readonly status: Status;
  constructor(status: Status) {
    super(status.message ?? status.reason ?? 'error');
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string {
    return this.status.reason ?? '';
  }
}

export function isApiError(err: unknown): err is ApiError {
  return err instanceof ApiError;
}

export function statusFailure(
  code: number,
  reason: string,
  message: string,
  details?: Status['details'],
): Status {
  const status: Status = {
    apiVersion: 'v1',
    kind: 'Status',
    metadata: {},
    status: 'Failure',
    message,
    reason,
    code,
  };
  if (details) status.details = details;
  return status;
}

export function statusSuccess(details?: Status['details']): Status {
  const status: Status = { apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Success', code: 200 };
  if (details) status.details = details;
  return status;
}

/** `pods`, or `endpointslices.discovery.k8s.io` for a non-core group. */
export function qualifiedResource(resource: string, group: string): string {
  return group ? `${resource}.${group}` : resource;
}

/** `Pod`, or `EndpointSlice.discovery.k8s.io` for a non-core group. */
export function qualifiedKind(kind: string, group: string): string {
  return group ? `${kind}.${group}` : kind;
}

export function notFound(resource: string, group: string, name: string): ApiError {
  return new ApiError(
    statusFailure(404, 'NotFound', `${qualifiedResource(resource, group)} "${name}" not found`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    }),
  );
}

export function alreadyExists(resource: string, group: string, name: string): ApiError {
  return new ApiError(
    statusFailure(409, 'AlreadyExists', `${qualifiedResource(resource, group)} "${name}" already exists`, {
      name,
      ...(group ? { group } : {}),
      kind: resource,
    }),
  );
}

export function conflict(resource: string, group: string, name: string, why?: string): ApiError {
  const reason = why ?? 'the object has been modified; please apply your changes to the latest version and try again';
  return new ApiError(
    statusFailure(
      409,
      'Conflict',
      `Operation cannot be fulfilled on ${qualifiedResource(resource, group)} "${name}": ${reason}`,
      { name, ...(group ? { group } : {}), kind: resource },
    ),
  );
}

export function badRequest(message: string): ApiError {
  return new ApiError(statusFailure(400, 'BadRequest', message));
}

export function unauthorized(): ApiError {
  return new ApiError(statusFailure(401, 'Unauthorized', 'Unauthorized'));
}

export function forbidden(message: string): ApiError {
  return new ApiError(statusFailure(403, 'Forbidden', message));
}

export function notFoundPath(path: string): ApiError {
  return new ApiError(statusFailure(404, 'NotFound', `the server could not find the requested resource`, {}));
  void path;
}

export function methodNotSupported(resource: string, verb: string): ApiError {
  return new ApiError(
    statusFailure(405, 'MethodNotAllowed', `${verb} is not supported on resources of kind "${resource}"`, {
      kind: resource,
    }),
  );
}

export function notAcceptable(message: string): ApiError {
  return new ApiError(statusFailure(406, 'NotAcceptable', message));
}

export function gone(message: string): ApiError {
  return new ApiError(statusFailure(410, 'Expired', message));
}

/** etcd's compaction as the API server reports it to a watch or list. */
export function tooOldResourceVersion(requested: number, oldest: number): ApiError {
  return gone(`too old resource version: ${requested} (${oldest})`);
}

export function requestEntityTooLarge(limit: number): ApiError {
  return new ApiError(statusFailure(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`));
}

export function unsupportedMediaType(contentType: string): ApiError {
  return new ApiError(
    statusFailure(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf`),
  );
  void contentType;
}

export function internalError(message: string): ApiError {
  return new ApiError(
    statusFailure(500, 'InternalError', `Internal error occurred: ${message}`, {
      causes: [{ message }],
    }),
  );
}

export function serviceUnavailable(message: string, retryAfterSeconds = 1): ApiError {
  return new ApiError(statusFailure(503, 'ServiceUnavailable', message, { retryAfterSeconds }));
}

/** 429 TooManyRequests (an eviction a disruption budget does not allow), with its causes. */
export function tooManyRequests(message: string, retryAfterSeconds: number, causes: StatusCause[] = []): ApiError {
  const details: NonNullable<Status['details']> = {};
  if (causes.length) details.causes = causes;
  if (retryAfterSeconds > 0) details.retryAfterSeconds = retryAfterSeconds;
  return new ApiError(statusFailure(429, 'TooManyRequests', message, details));
}

export function timeout(message: string): ApiError {
  return new ApiError(statusFailure(504, 'Timeout', message));
}

// ---- field errors (k8s.io/apimachinery/pkg/util/validation/field) -------------------------

export type FieldErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'InternalError';

export interface FieldError {
  type: FieldErrorType;
  field: string;
  value?: unknown;
  detail?: string;
}

const TYPE_TEXT: Record<FieldErrorType, string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueForbidden: 'Forbidden',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueNotFound: 'Not found',
  InternalError: 'Internal error',
};

/** A value field errors print as given: Go's %#v of a type JSON cannot spell, e.g. `[]string{"foo"}`. */
export class GoValue {
  constructor(readonly text: string) {}
}

/** Go's %#v of a value, as field errors print it. */
function formatValue(value: unknown): string {
  if (value instanceof GoValue) return value.text;
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** The part after `field: `, e.g. `Invalid value: "Foo": a lowercase RFC 1123 label must ...`. */
export function fieldErrorBody(e: FieldError): string {
  const text = TYPE_TEXT[e.type];
  let s: string;
  if (e.type === 'FieldValueRequired' || e.type === 'FieldValueForbidden' || e.type === 'FieldValueTooLong' || e.type === 'InternalError' || e.type === 'FieldValueTooMany') {
    s = text;
  } else {
    s = `${text}: ${formatValue(e.value)}`;
  }
  if (e.detail) s += `: ${e.detail}`;
  return s;
}

export function fieldErrorMessage(e: FieldError): string {
  return `${e.field}: ${fieldErrorBody(e)}`;
}

export const fieldErr = {
  required: (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail }),
  invalid: (field: string, value: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, value, detail }),
  notSupported: (field: string, value: unknown, supported: string[]): FieldError => ({
    type: 'FieldValueNotSupported',
    field,
    value,
    detail: supported.length ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}` : '',
  }),
  duplicate: (field: string, value: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, value }),
  forbidden: (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail }),
  tooLong: (field: string, max: number): FieldError => ({
    type: 'FieldValueTooLong',
    field,
    detail: `may not be more than ${max} bytes`,
  }),
  notFound: (field: string, value: unknown): FieldError => ({ type: 'FieldValueNotFound', field, value }),
};

/** `Service "web" is invalid: spec.ports: Required value` (422 Invalid), as NewInvalid builds it. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): ApiError {
  const messages = errs.map(fieldErrorMessage);
  const aggregate = messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
  const causes: StatusCause[] = errs.map((e) => ({ reason: e.type, message: fieldErrorBody(e), field: e.field }));
  return new ApiError(
    statusFailure(422, 'Invalid', `${qualifiedKind(kind, group)} "${name}" is invalid: ${aggregate}`, {
      name,
      ...(group ? { group } : {}),
      kind,
      causes,
    }),
  );
}

/**
 * Strict field validation's error for unknown fields. kube-apiserver answers it as
 * 400 BadRequest (a decoding error, not a validation one), and kubectl prints it as is:
 * `Service in version "v1" cannot be handled as a Service: strict decoding error: unknown field "spec.foo"`.
 */
export function strictDecodingError(kind: string, group: string, unknownFields: string[], duplicateFields: string[] = []): ApiError {
  const msgs = [...duplicateFields.map((f) => `duplicate field "${f}"`), ...unknownFields.map((f) => `unknown field "${f}"`)];
  return new ApiError(
    statusFailure(
      400,
      'BadRequest',
      `${qualifiedKind(kind, group)} in version "v1" cannot be handled as a ${kind}: strict decoding error: ${msgs.join(', ')}`,
    ),
  );
}

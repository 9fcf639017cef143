// Query parameters read as kube-apiserver reads them: the conversions apimachinery generates from
// url.Values into ListOptions, GetOptions, CreateOptions, UpdateOptions, PatchOptions,
// DeleteOptions and TableOptions (pkg/apis/meta/v1/zz_generated.conversion.go and
// pkg/runtime/conversion.go), then the defaulting and validation the handlers apply
// (pkg/apis/meta/internalversion/{defaults,validation}, pkg/apis/meta/v1/validation), with their
// errors: a value that does not convert is a 400 BadRequest with Go's own strconv text, a
// combination the validation refuses is a 422 Invalid of the options kind.
//
// Only the first value of a repeated parameter counts, except dryRun (every value).
import { badRequest, fieldErr, GoValue, invalid, type FieldError } from '../api/errors.js';

const META_GROUP = 'meta.k8s.io';

/** `Convert_Slice_string_To_bool`: every value but `0` and `false` (any case) is true, `?watch` alone too. */
export function queryBool(values: readonly string[]): boolean {
  if (values.length === 0) return false;
  const v = values[0] as string;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** `Convert_Slice_string_To_Pointer_bool`: undefined when absent. */
export function queryPointerBool(values: readonly string[]): boolean | undefined {
  return values.length === 0 ? undefined : queryBool(values);
}

/** Go's strconv.Quote, for error texts (close enough for the printable strings these are). */
function goQuote(s: string): string {
  return JSON.stringify(s);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * strconv.ParseInt(s, 10, 64): an optional sign and decimal digits, within int64. Its errors are
 * `strconv.ParseInt: parsing "abc": invalid syntax` and `...: value out of range`.
 */
export function parseGoInt64(s: string): number {
  if (!/^[+-]?[0-9]+$/.test(s)) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: invalid syntax`);
  const n = BigInt(s);
  if (n < INT64_MIN || n > INT64_MAX) throw badRequest(`strconv.ParseInt: parsing ${goQuote(s)}: value out of range`);
  return Number(n);
}

function first(q: URLSearchParams, name: string): string | undefined {
  const v = q.getAll(name);
  return v.length ? v[0] : undefined;
}

function optionalInt(q: URLSearchParams, name: string): number | undefined {
  const v = first(q, name);
  return v === undefined ? undefined : parseGoInt64(v);
}

export type ResourceVersionMatch = '' | 'Exact' | 'NotOlderThan';

export interface ListOptions {
  labelSelector: string;
  fieldSelector: string;
  watch: boolean;
  allowWatchBookmarks: boolean;
  resourceVersion: string;
  resourceVersionMatch: string;
  timeoutSeconds?: number;
  /** 0: no limit (a negative limit is none too, as the storage reads it). */
  limit: number;
  continue: string;
  /**
   * Whether a watch starts with the current objects as synthetic ADDED events (and, with
   * allowWatchBookmarks, ends them with a bookmark annotated `k8s.io/initial-events-end`).
   * Defaulted to true for a watch from resourceVersion "" or "0", as the WatchList feature
   * (beta and on in Kubernetes 1.32) defaults it.
   */
  sendInitialEvents?: boolean;
}

/** The annotation of the bookmark that ends a watch's initial events (metav1.InitialEventsAnnotationKey). */
export const INITIAL_EVENTS_END_ANNOTATION = 'k8s.io/initial-events-end';

/**
 * ListOptions from the query of a list or watch (`forceWatch`: the legacy /watch/ paths).
 * Throws 400 for a value that does not convert, 422 `ListOptions.meta.k8s.io "" is invalid` for a
 * combination ValidateListOptions refuses.
 */
export function parseListOptions(q: URLSearchParams, forceWatch = false): ListOptions {
  const timeoutSeconds = optionalInt(q, 'timeoutSeconds');
  const limit = optionalInt(q, 'limit') ?? 0;
  const opts: ListOptions = {
    labelSelector: first(q, 'labelSelector') ?? '',
    fieldSelector: first(q, 'fieldSelector') ?? '',
    watch: queryBool(q.getAll('watch')),
    allowWatchBookmarks: queryBool(q.getAll('allowWatchBookmarks')),
    resourceVersion: first(q, 'resourceVersion') ?? '',
    resourceVersionMatch: first(q, 'resourceVersionMatch') ?? '',
    limit,
    continue: first(q, 'continue') ?? '',
  };
  if (timeoutSeconds !== undefined) opts.timeoutSeconds = timeoutSeconds;
  const sendInitialEvents = queryPointerBool(q.getAll('sendInitialEvents'));
  if (sendInitialEvents !== undefined) opts.sendInitialEvents = sendInitialEvents;

  // SetListOptionsDefaults (WatchList on): a watch from "" or "0" sends the initial events.
  // The legacy /watch/ paths are watches too, but the defaulting reads only opts.Watch.
  if (opts.watch && opts.sendInitialEvents === undefined && opts.resourceVersionMatch === '' && (opts.resourceVersion === '' || opts.resourceVersion === '0')) {
    opts.sendInitialEvents = true;
    opts.resourceVersionMatch = 'NotOlderThan';
  }
  const errs = opts.watch ? validateWatchOptions(opts) : validateListOnly(opts);
  if (errs.length) throw invalid('ListOptions', META_GROUP, '', errs);
  if (forceWatch) opts.watch = true;
  return opts;
}

export interface WatchStart {
  /** Send the current objects first, as synthetic ADDED events. */
  initialEvents: boolean;
  /** Then a BOOKMARK annotated `k8s.io/initial-events-end: "true"` at the revision they were read at. */
  endBookmark: boolean;
}

/**
 * How a watch starts, as the watch cache decides it: with sendInitialEvents set, as it says
 * (the end bookmark only when bookmarks are allowed); unset (a resume, or a legacy /watch/ path),
 * the legacy rule: from "" or "0" the current objects first, from a revision only what follows.
 */
export function watchStart(o: ListOptions): WatchStart {
  if (o.sendInitialEvents !== undefined) return { initialEvents: o.sendInitialEvents, endBookmark: o.sendInitialEvents && o.allowWatchBookmarks };
  return { initialEvents: o.resourceVersion === '' || o.resourceVersion === '0', endBookmark: false };
}

function validateListOnly(o: ListOptions): FieldError[] {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (match) {
    if (!o.resourceVersion) errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (o.continue) errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
    if (match !== 'Exact' && match !== 'NotOlderThan') errs.push(fieldErr.notSupported('resourceVersionMatch', match, ['Exact', 'NotOlderThan', '']));
    if (match === 'Exact' && o.resourceVersion === '0') errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (o.sendInitialEvents !== undefined) errs.push(fieldErr.forbidden('sendInitialEvents', 'sendInitialEvents is forbidden for list'));
  return errs;
}

function validateWatchOptions(o: ListOptions): FieldError[] {
  const errs: FieldError[] = [];
  const match = o.resourceVersionMatch;
  if (o.sendInitialEvents !== undefined && match !== 'NotOlderThan') {
    errs.push(fieldErr.forbidden('resourceVersionMatch', 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  }
  if (match) {
    if (o.sendInitialEvents === undefined) errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (match !== 'NotOlderThan') errs.push(fieldErr.notSupported('resourceVersionMatch', match, ['NotOlderThan']));
    if (o.continue) errs.push(fieldErr.forbidden('resourceVersionMatch', 'resourceVersionMatch is forbidden when continue is provided'));
  }
  return errs;
}

/**
 * A resourceVersion as the storage reads it (APIObjectVersioner.ParseResourceVersion): "" and "0"
 * are 0, otherwise a uint64. kube-apiserver answers a bad one with the storage's InvalidError,
 * which no handler converts: a 500 whose message is the field error.
 */
export function parseResourceVersion(rv: string): number {
  if (rv === '' || rv === '0') return 0;
  if (!/^\+?[0-9]+$/.test(rv) || BigInt(rv) > 2n ** 64n - 1n) {
    const why = /^\+?[0-9]+$/.test(rv) ? 'value out of range' : 'invalid syntax';
    throw new ResourceVersionError(`resourceVersion: Invalid value: ${goQuote(rv)}: strconv.ParseUint: parsing ${goQuote(rv)}: ${why}`);
  }
  return Number(rv);
}

/** A resourceVersion that is not a number: upstream's 500 with no reason (ErrorToAPIStatus of a non-status error). */
export class ResourceVersionError extends Error {}

export type FieldValidationDirective = 'Strict' | 'Warn' | 'Ignore';

export interface WriteOptions {
  dryRun: boolean;
  fieldManager: string;
  /** Defaulted to Warn when not given, as the handlers default it. */
  fieldValidation: FieldValidationDirective;
}

const DRY_RUN_VALUES = ['All'];
const FIELD_VALIDATION_VALUES = ['', 'Ignore', 'Strict', 'Warn'];
const FIELD_MANAGER_MAX_LENGTH = 128;

/** Go's %#v of a []string, as NotSupported prints the dryRun values. */
function goStringSlice(values: readonly string[]): GoValue {
  return new GoValue(values.length ? `[]string{${values.map(goQuote).join(', ')}}` : '[]string(nil)');
}

function validateDryRun(values: readonly string[]): FieldError[] {
  return values.every((v) => DRY_RUN_VALUES.includes(v)) ? [] : [fieldErr.notSupported('dryRun', goStringSlice(values), DRY_RUN_VALUES)];
}

function validateFieldManager(manager: string): FieldError[] {
  const errs: FieldError[] = [];
  if (Buffer.byteLength(manager) > FIELD_MANAGER_MAX_LENGTH) errs.push(fieldErr.tooLong('fieldManager', FIELD_MANAGER_MAX_LENGTH));
  let i = 0;
  for (const ch of manager) {
    // unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      const cp = ch.codePointAt(0) as number;
      errs.push(fieldErr.invalid('fieldManager', manager, `invalid character U+${cp.toString(16).toUpperCase().padStart(4, '0')} (at position ${i})`));
    }
    i += Buffer.byteLength(ch);
  }
  return errs;
}

/** CreateOptions, UpdateOptions or PatchOptions from the query; 422 `<Kind>.meta.k8s.io "" is invalid` when refused. */
export function parseWriteOptions(q: URLSearchParams, kind: 'CreateOptions' | 'UpdateOptions' | 'PatchOptions', patchType?: string): WriteOptions & { force?: boolean } {
  const dryRun = q.getAll('dryRun');
  const fieldManager = first(q, 'fieldManager') ?? '';
  const fieldValidation = first(q, 'fieldValidation') ?? '';
  const force = kind === 'PatchOptions' ? queryPointerBool(q.getAll('force')) : undefined;
  const errs: FieldError[] = [];
  if (kind === 'PatchOptions') {
    if (patchType === 'application/apply-patch+yaml' || patchType === 'application/apply-patch+cbor') {
      if (fieldManager === '') errs.push(fieldErr.required('fieldManager', 'is required for apply patch'));
    } else if (force !== undefined) {
      errs.push(fieldErr.forbidden('force', 'may not be specified for non-apply patch'));
    }
  }
  errs.push(...validateFieldManager(fieldManager), ...validateDryRun(dryRun));
  if (!FIELD_VALIDATION_VALUES.includes(fieldValidation)) errs.push(fieldErr.notSupported('fieldValidation', fieldValidation, FIELD_VALIDATION_VALUES));
  if (errs.length) throw invalid(kind, META_GROUP, '', errs);
  return {
    dryRun: dryRun.length > 0,
    fieldManager,
    fieldValidation: (fieldValidation || 'Warn') as FieldValidationDirective,
    ...(force !== undefined ? { force } : {}),
  };
}

export interface DeleteOptionsQuery {
  gracePeriodSeconds?: number;
  orphanDependents?: boolean;
  propagationPolicy?: string;
  dryRun?: string[];
}

/** DeleteOptions from the query; the handler reads them only when the request has no body. */
export function parseDeleteOptionsQuery(q: URLSearchParams): DeleteOptionsQuery {
  const out: DeleteOptionsQuery = {};
  const grace = optionalInt(q, 'gracePeriodSeconds');
  if (grace !== undefined) out.gracePeriodSeconds = grace;
  const orphan = queryPointerBool(q.getAll('orphanDependents'));
  if (orphan !== undefined) out.orphanDependents = orphan;
  const policy = first(q, 'propagationPolicy');
  if (policy !== undefined) out.propagationPolicy = policy;
  const dryRun = q.getAll('dryRun');
  if (dryRun.length) out.dryRun = dryRun;
  return out;
}

/** ValidateDeleteOptions: 422 `DeleteOptions.meta.k8s.io "" is invalid` when refused. */
export function validateDeleteOptions(o: { orphanDependents?: boolean | null; propagationPolicy?: string | null; dryRun?: string[] | null }): void {
  const errs: FieldError[] = [];
  const policy = o.propagationPolicy ?? undefined;
  if (o.orphanDependents !== undefined && o.orphanDependents !== null && policy !== undefined) {
    errs.push(fieldErr.invalid('propagationPolicy', policy, 'orphanDependents and deletionPropagation cannot be both set'));
  }
  if (policy !== undefined && policy !== 'Foreground' && policy !== 'Background' && policy !== 'Orphan') {
    errs.push(fieldErr.notSupported('propagationPolicy', policy, ['Foreground', 'Background', 'Orphan', 'nil']));
  }
  errs.push(...validateDryRun(o.dryRun ?? []));
  if (errs.length) throw invalid('DeleteOptions', META_GROUP, '', errs);
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** TableOptions' includeObject (default Metadata); an unknown value is 400 "Unable to convert to Table as requested". */
export function parseIncludeObject(q: URLSearchParams): IncludeObject {
  const v = first(q, 'includeObject') ?? '';
  if (v === '') return 'Metadata';
  if (v === 'None' || v === 'Metadata' || v === 'Object') return v;
  throw badRequest(`Unable to convert to Table as requested: includeObject: Invalid value: ${goQuote(v)}: must be 'Metadata', 'Object', 'None', or empty`);
}

// Query parameters read as kube-apiserver 1.32 reads them (apimachinery's url.Values conversions,
// SetListOptionsDefaults with WatchList on, ValidateListOptions, Validate{Create,Update,Patch,Delete}Options,
// ValidateTableOptions), with upstream's error texts and codes for bad values.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../src/api/errors.js';
import {
  parseDeleteOptionsQuery,
  parseIncludeObject,
  parseListOptions,
  parseResourceVersion,
  parseWriteOptions,
  queryBool,
  ResourceVersionError,
  validateDeleteOptions,
  watchStart,
} from '../../src/apiserver/query.js';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

function apiError(fn: () => unknown): { code: number; reason?: string; message: string } {
  try {
    fn();
  } catch (err) {
    if (err instanceof ApiError) return { code: err.code, ...(err.status.reason ? { reason: err.status.reason } : {}), message: err.status.message ?? '' };
    throw err;
  }
  throw new Error('no error');
}

describe('booleans (Convert_Slice_string_To_bool)', () => {
  it.each([
    ['true', true], ['True', true], ['TRUE', true], ['1', true], ['yes', true], ['', true], ['anything', true],
    ['false', false], ['False', false], ['FALSE', false], ['0', false],
  ])('%j is %s', (value, want) => {
    expect(queryBool([value])).toBe(want);
    expect(parseListOptions(q(`watch=${encodeURIComponent(value)}&resourceVersion=5`)).watch).toBe(want);
    expect(parseListOptions(q(`allowWatchBookmarks=${encodeURIComponent(value)}`)).allowWatchBookmarks).toBe(want);
  });
  it('absent is false; only the first value counts', () => {
    expect(queryBool([])).toBe(false);
    expect(queryBool(['false', 'true'])).toBe(false);
  });
});

describe('list and watch options', () => {
  it.each([
    { name: 'plain list', query: 'limit=5&continue=abc', want: { watch: false, limit: 5, continue: 'abc' } },
    { name: 'negative limit is accepted (no limit)', query: 'limit=-1', want: { limit: -1 } },
    { name: 'timeoutSeconds', query: 'watch=1&timeoutSeconds=30', want: { timeoutSeconds: 30 } },
    { name: 'a watch from "" gets sendInitialEvents (WatchList default)', query: 'watch=true', want: { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } },
    { name: 'a watch from "0" too', query: 'watch=True&resourceVersion=0', want: { sendInitialEvents: true, resourceVersionMatch: 'NotOlderThan' } },
    { name: 'a watch from a revision does not', query: 'watch=true&resourceVersion=12', want: { resourceVersionMatch: '', resourceVersion: '12' } },
    { name: 'client-go streaming list', query: 'watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true', want: { sendInitialEvents: true, allowWatchBookmarks: true } },
    { name: 'resourceVersionMatch on a list with a resourceVersion', query: 'resourceVersion=5&resourceVersionMatch=Exact', want: { resourceVersionMatch: 'Exact' } },
  ])('$name', ({ query, want }) => {
    expect(parseListOptions(q(query))).toMatchObject(want);
  });

  it.each([
    { name: 'limit not a number', query: 'limit=abc', code: 400, message: 'strconv.ParseInt: parsing "abc": invalid syntax' },
    { name: 'limit with a fraction', query: 'limit=1.5', code: 400, message: 'strconv.ParseInt: parsing "1.5": invalid syntax' },
    { name: 'timeoutSeconds out of range', query: 'timeoutSeconds=99999999999999999999', code: 400, message: 'strconv.ParseInt: parsing "99999999999999999999": value out of range' },
    {
      name: 'resourceVersionMatch without resourceVersion',
      query: 'resourceVersionMatch=NotOlderThan',
      code: 422,
      message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided',
    },
    {
      name: 'unknown resourceVersionMatch',
      query: 'resourceVersion=1&resourceVersionMatch=Newest',
      code: 422,
      message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Newest": supported values: "Exact", "NotOlderThan", ""',
    },
    {
      name: 'exact at 0',
      query: 'resourceVersion=0&resourceVersionMatch=Exact',
      code: 422,
      message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"',
    },
    { name: 'sendInitialEvents on a list', query: 'sendInitialEvents=true', code: 422, message: 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list' },
    {
      name: 'sendInitialEvents without resourceVersionMatch',
      query: 'watch=1&sendInitialEvents=true',
      code: 422,
      message: 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan',
    },
    {
      name: 'resourceVersionMatch on a watch without sendInitialEvents',
      query: 'watch=1&resourceVersion=3&resourceVersionMatch=Exact',
      code: 422,
      message:
        'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]',
    },
  ])('$name: $code', ({ query, code, message }) => {
    const err = apiError(() => parseListOptions(q(query)));
    expect(err.code).toBe(code);
    expect(err.message).toBe(message);
    expect(err.reason).toBe(code === 400 ? 'BadRequest' : 'Invalid');
  });

  it.each([
    { name: 'legacy watch from ""', query: 'watch=1', want: { initialEvents: true, endBookmark: false } },
    { name: 'legacy watch from "" with bookmarks ends the initial events with a bookmark', query: 'watch=1&allowWatchBookmarks=true', want: { initialEvents: true, endBookmark: true } },
    { name: 'resume from a revision', query: 'watch=1&resourceVersion=9&allowWatchBookmarks=true', want: { initialEvents: false, endBookmark: false } },
    { name: 'streaming list from a revision', query: 'watch=1&resourceVersion=9&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=1', want: { initialEvents: true, endBookmark: true } },
    { name: 'explicitly no initial events', query: 'watch=1&sendInitialEvents=false&resourceVersionMatch=NotOlderThan', want: { initialEvents: false, endBookmark: false } },
  ])('watch start: $name', ({ query, want }) => {
    expect(watchStart(parseListOptions(q(query)))).toEqual(want);
  });

  it('the legacy /watch/ paths are watches without the WatchList defaulting', () => {
    const o = parseListOptions(q(''), true);
    expect(o.watch).toBe(true);
    expect(o.sendInitialEvents).toBeUndefined();
    expect(watchStart(o)).toEqual({ initialEvents: true, endBookmark: false });
  });
});

describe('resourceVersion as the storage reads it', () => {
  it.each([['', 0], ['0', 0], ['42', 42]])('%j is %d', (rv, want) => expect(parseResourceVersion(rv)).toBe(want));
  it.each([
    ['abc', 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'],
    ['-1', 'resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax'],
    ['99999999999999999999', 'resourceVersion: Invalid value: "99999999999999999999": strconv.ParseUint: parsing "99999999999999999999": value out of range'],
  ])('%j is refused', (rv, message) => {
    expect(() => parseResourceVersion(rv)).toThrow(ResourceVersionError);
    expect(() => parseResourceVersion(rv)).toThrow(message);
  });
});

describe('create, update and patch options', () => {
  it('defaults and values', () => {
    expect(parseWriteOptions(q(''), 'CreateOptions')).toEqual({ dryRun: false, fieldManager: '', fieldValidation: 'Warn' });
    expect(parseWriteOptions(q('dryRun=All&fieldManager=kubectl-client-side-apply&fieldValidation=Strict'), 'UpdateOptions')).toEqual({
      dryRun: true,
      fieldManager: 'kubectl-client-side-apply',
      fieldValidation: 'Strict',
    });
    expect(parseWriteOptions(q('fieldManager=me&force=true'), 'PatchOptions', 'application/apply-patch+yaml')).toMatchObject({ force: true });
  });
  it.each([
    { name: 'unknown dryRun', kind: 'CreateOptions' as const, query: 'dryRun=Server', message: 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Server"}: supported values: "All"' },
    { name: 'fieldValidation', kind: 'UpdateOptions' as const, query: 'fieldValidation=strict', message: 'UpdateOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"' },
    { name: 'fieldManager too long', kind: 'CreateOptions' as const, query: `fieldManager=${'m'.repeat(129)}`, message: 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: may not be more than 128 bytes' },
    { name: 'fieldManager unprintable', kind: 'CreateOptions' as const, query: 'fieldManager=a%09b', message: 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Invalid value: "a\\tb": invalid character U+0009 (at position 1)' },
    { name: 'force on a merge patch', kind: 'PatchOptions' as const, query: 'force=true', message: 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch' },
  ])('$name', ({ kind, query, message }) => {
    const err = apiError(() => parseWriteOptions(q(query), kind, 'application/merge-patch+json'));
    expect(err).toEqual({ code: 422, reason: 'Invalid', message });
  });
  it('apply needs a field manager', () => {
    expect(apiError(() => parseWriteOptions(q(''), 'PatchOptions', 'application/apply-patch+yaml')).message).toBe(
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );
  });
});

describe('delete options', () => {
  it('from the query', () => {
    expect(parseDeleteOptionsQuery(q('gracePeriodSeconds=0&orphanDependents=False&propagationPolicy=Foreground&dryRun=All'))).toEqual({
      gracePeriodSeconds: 0,
      orphanDependents: false,
      propagationPolicy: 'Foreground',
      dryRun: ['All'],
    });
    expect(apiError(() => parseDeleteOptionsQuery(q('gracePeriodSeconds=soon')))).toEqual({ code: 400, reason: 'BadRequest', message: 'strconv.ParseInt: parsing "soon": invalid syntax' });
  });
  it.each([
    { name: 'unknown policy', opts: { propagationPolicy: 'Later' }, message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Later": supported values: "Foreground", "Background", "Orphan", "nil"' },
    { name: 'both orphanDependents and a policy', opts: { orphanDependents: true, propagationPolicy: 'Orphan' }, message: 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Invalid value: "Orphan": orphanDependents and deletionPropagation cannot be both set' },
    { name: 'unknown dryRun', opts: { dryRun: ['Yes'] }, message: 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Yes"}: supported values: "All"' },
  ])('$name', ({ opts, message }) => {
    expect(apiError(() => validateDeleteOptions(opts))).toEqual({ code: 422, reason: 'Invalid', message });
  });
});

describe('table options', () => {
  it.each([['', 'Metadata'], ['includeObject=None', 'None'], ['includeObject=Object', 'Object']])('%j', (query, want) => expect(parseIncludeObject(q(query))).toBe(want));
  it('an unknown includeObject is 400', () => {
    expect(apiError(() => parseIncludeObject(q('includeObject=All')))).toEqual({
      code: 400,
      reason: 'BadRequest',
      message: `Unable to convert to Table as requested: includeObject: Invalid value: "All": must be 'Metadata', 'Object', 'None', or empty`,
    });
  });
});

// The three PATCH formats, one table each, every row named for the rule it shows. Rows marked
// "(upstream)" are taken from the upstream test tables: evanphx/json-patch patch_test.go,
// RFC 7386 Appendix A / merge_test.go, and k8s.io/apimachinery strategicpatch patch_test.go
// (two-way rows apply the twoWay patch to `original`, three-way rows the threeWay patch to
// `current`).
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ApiError } from '../../src/api/errors.js';
import type { Pod, PodSpec } from '../../src/api/types.js';
import { applyPatch, type PatchContentType, type PatchSchema } from '../../src/apiserver/patch/index.js';

// ---- a small PatchSchema DSL, and the fixtures ------------------------------------------

type Meta = { patchStrategy?: string; patchMergeKey?: string; name?: string };

const primitive: PatchSchema = { kind: 'primitive', field: () => undefined, values: () => undefined };
const unknownNode = (meta: Meta = {}): PatchSchema => ({ kind: 'unknown', field: () => undefined, values: () => undefined, ...meta });

function object(fields: () => Record<string, PatchSchema>, meta: Meta = {}): PatchSchema {
  let known: Record<string, PatchSchema> | undefined;
  return {
    kind: 'object',
    field(name) {
      known ??= fields();
      return Object.prototype.hasOwnProperty.call(known, name) ? known[name] : undefined;
    },
    values: () => undefined,
    ...meta,
  };
}

const map = (values: PatchSchema, meta: Meta = {}): PatchSchema => ({ kind: 'map', field: () => undefined, values: () => values, ...meta });
const list = (items: () => PatchSchema, meta: Meta = {}): PatchSchema => ({ kind: 'array', field: () => undefined, values: items, ...meta });
const mergeBy = (key: string, strategy = 'merge'): Meta => ({ patchStrategy: strategy, patchMergeKey: key });
const stringMap = map(primitive);

/** A Pod-like schema with Kubernetes' patch metadata (the real one is built from OpenAPI). */
const containerPort = object(() => ({ containerPort: primitive, protocol: primitive, name: primitive }), { name: 'ContainerPort' });
const envVar = object(() => ({ name: primitive, value: primitive, valueFrom: unknownNode() }), { name: 'EnvVar' });
const container = object(
  () => ({
    name: primitive,
    image: primitive,
    args: list(() => primitive),
    command: list(() => primitive),
    ports: list(() => containerPort, mergeBy('containerPort')),
    env: list(() => envVar, mergeBy('name')),
    volumeMounts: list(() => object(() => ({ name: primitive, mountPath: primitive })), mergeBy('mountPath')),
  }),
  { name: 'Container' },
);
const volume = object(() => ({ name: primitive, emptyDir: object(() => ({ medium: primitive })), configMap: object(() => ({ name: primitive })) }), {
  name: 'Volume',
});
const podSchema: PatchSchema = object(() => ({
  apiVersion: primitive,
  kind: primitive,
  metadata: object(() => ({
    name: primitive,
    namespace: primitive,
    labels: stringMap,
    annotations: stringMap,
    finalizers: list(() => primitive, { patchStrategy: 'merge' }),
    ownerReferences: list(() => object(() => ({ uid: primitive, name: primitive, kind: primitive })), mergeBy('uid')),
  })),
  spec: object(() => ({
    containers: list(() => container, mergeBy('name')),
    initContainers: list(() => container, mergeBy('name')),
    volumes: list(() => volume, mergeBy('name', 'merge,retainKeys')),
    tolerations: list(() => object(() => ({ key: primitive, operator: primitive, effect: primitive }))),
    nodeSelector: stringMap,
    nodeName: primitive,
  })),
  status: object(() => ({
    phase: primitive,
    conditions: list(() => object(() => ({ type: primitive, status: primitive })), mergeBy('type')),
  })),
}));

/** strategicpatch's MergeItem test type, with the same tags. */
const retainKeysMergeItem: PatchSchema = object(
  () => ({
    name: primitive,
    value: primitive,
    other: primitive,
    simpleMap: stringMap,
    mergingIntList: list(() => primitive, { patchStrategy: 'merge' }),
    mergingList: list(() => mergeItem, mergeBy('name')),
    nonMergingList: list(() => mergeItem),
  }),
  { name: 'RetainKeysMergeItem', patchStrategy: 'retainKeys' },
);
const mergeItem: PatchSchema = object(
  () => ({
    name: primitive,
    value: primitive,
    other: primitive,
    mergingList: list(() => mergeItem, mergeBy('name')),
    nonMergingList: list(() => mergeItem),
    mergingIntList: list(() => primitive, { patchStrategy: 'merge' }),
    nonMergingIntList: list(() => primitive),
    mergeItemPtr: list(() => mergeItem, mergeBy('name')),
    simpleMap: stringMap,
    replacingItem: unknownNode({ patchStrategy: 'replace' }),
    retainKeysMap: retainKeysMergeItem,
    retainKeysMergingList: list(() => mergeItem, mergeBy('name', 'merge,retainKeys')),
  }),
  { name: 'MergeItem' },
);

// ---- the table runner ---------------------------------------------------------------------

interface ExpectedError {
  code: number;
  reason?: string;
  message?: string;
  /** Substring of the message (upstream tables check errors this way). */
  messageContains?: string;
  /** The library's explanation, kept on the error's cause. */
  cause?: string;
}

interface Row {
  name: string;
  original: unknown;
  patch: unknown;
  result?: unknown;
  error?: ExpectedError;
  schema?: PatchSchema | null;
}

const REJECTED = 'the server rejected our request due to an error in our request';

function run(type: PatchContentType, row: Row, defaultSchema?: PatchSchema): void {
  const original = structuredClone(row.original);
  const patch = structuredClone(row.patch);
  const schema = row.schema === null ? undefined : (row.schema ?? defaultSchema);
  let result: unknown;
  let thrown: unknown;
  try {
    result = applyPatch(original, patch, type, schema);
  } catch (err) {
    thrown = err;
  }
  // Never mutates its inputs, whatever happens.
  expect(original).toStrictEqual(row.original);
  expect(patch).toStrictEqual(row.patch);

  if (row.error) {
    expect(thrown, 'expected an error').toBeInstanceOf(ApiError);
    const err = thrown as ApiError;
    expect(err.status.kind).toBe('Status');
    expect(err.status.status).toBe('Failure');
    expect(err.code).toBe(row.error.code);
    if (row.error.reason !== undefined) expect(err.status.reason ?? '').toBe(row.error.reason);
    if (row.error.message !== undefined) expect(err.status.message).toBe(row.error.message);
    if (row.error.messageContains !== undefined) expect(err.status.message).toContain(row.error.messageContains);
    if (row.error.cause !== undefined) expect((err.cause as Error | undefined)?.message).toBe(row.error.cause);
    return;
  }
  if (thrown) throw thrown;
  expect(result).toStrictEqual(row.result);
  if (typeof result === 'object' && result !== null) expect(result).not.toBe(original);
}

const y = (text: string): unknown => parse(text);

// ---- JSON Patch (RFC 6902) ----------------------------------------------------------------

const rejected = (cause: string): ExpectedError => ({ code: 422, reason: 'Invalid', message: REJECTED, cause });

const jsonPatchRows: Row[] = [
  // (upstream) evanphx/json-patch Cases
  { name: 'add creates a member (upstream)', original: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: 'qux' }], result: { baz: 'qux', foo: 'bar' } },
  { name: 'add inserts into a list at the index (upstream)', original: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/1', value: 'qux' }], result: { foo: ['bar', 'qux', 'baz'] } },
  { name: 'add at index -1 appends (negative indices, upstream)', original: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/-1', value: 'qux' }], result: { foo: ['bar', 'baz', 'qux'] } },
  { name: 'add at index -1 of an empty list (upstream)', original: { foo: [] }, patch: [{ op: 'add', path: '/foo/-1', value: 'qux' }], result: { foo: ['qux'] } },
  { name: 'add at "-" appends, here a list value (upstream)', original: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }], result: { foo: ['bar', ['abc', 'def']] } },
  { name: 'add a nested object (upstream)', original: { foo: 'bar' }, patch: [{ op: 'add', path: '/child', value: { grandchild: {} } }], result: { foo: 'bar', child: { grandchild: {} } } },
  { name: 'add a null value (upstream)', original: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz', value: null }], result: { baz: null, foo: 'bar' } },
  { name: 'add over an existing member replaces it', original: { a: 1 }, patch: [{ op: 'add', path: '/a', value: 2 }], result: { a: 2 } },
  { name: 'remove a member (upstream)', original: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'remove', path: '/baz' }], result: { foo: 'bar' } },
  { name: 'remove a list item (upstream)', original: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/1' }], result: { foo: ['bar', 'baz'] } },
  { name: 'remove a member whose value is null (upstream)', original: { foo: 'bar', qux: { baz: 1, bar: null } }, patch: [{ op: 'remove', path: '/qux/bar' }], result: { foo: 'bar', qux: { baz: 1 } } },
  { name: 'remove at a negative index (upstream)', original: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'remove', path: '/foo/-2' }], result: { foo: ['bar', 'baz'] } },
  { name: 'replace a member (upstream)', original: { baz: 'qux', foo: 'bar' }, patch: [{ op: 'replace', path: '/baz', value: 'boo' }], result: { baz: 'boo', foo: 'bar' } },
  { name: 'replace a list item (upstream)', original: { foo: ['bar', 'qux', 'baz'] }, patch: [{ op: 'replace', path: '/foo/1', value: 'bum' }], result: { foo: ['bar', 'bum', 'baz'] } },
  { name: 'replace inside a document that is a list (upstream)', original: [{ foo: ['bar', 'qux', 'baz'] }], patch: [{ op: 'replace', path: '/0/foo/0', value: 'bum' }], result: [{ foo: ['bum', 'qux', 'baz'] }] },
  { name: 'replace a null member (upstream)', original: { bar: [{ baz: null }] }, patch: [{ op: 'replace', path: '/bar/0/baz', value: 1 }], result: { bar: [{ baz: 1 }] } },
  { name: 'replace with null (upstream)', original: { bar: [1] }, patch: [{ op: 'replace', path: '/bar/0', value: null }], result: { bar: [null] } },
  { name: 'replace of an absent member adds it (json-patch v4 leniency)', original: { a: 1 }, patch: [{ op: 'replace', path: '/b', value: 2 }], result: { a: 1, b: 2 } },
  { name: 'replace of the whole document', original: { a: 1 }, patch: [{ op: 'replace', path: '', value: { b: 2 } }], result: { b: 2 } },
  { name: 'move a member between objects (upstream)', original: { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } }, patch: [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], result: { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } } },
  { name: 'move a list item forward (upstream)', original: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/3' }], result: { foo: ['all', 'cows', 'eat', 'grass'] } },
  { name: 'move a list item by one (upstream)', original: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/2' }], result: { foo: ['all', 'cows', 'grass', 'eat'] } },
  { name: 'copy a list item into another list (upstream)', original: [{ foo: ['bar', 'qux', 'baz'], bar: ['qux', 'baz'] }], patch: [{ op: 'copy', from: '/0/foo/0', path: '/0/bar/0' }], result: [{ foo: ['bar', 'qux', 'baz'], bar: ['bar', 'qux', 'baz'] }] },
  { name: 'copy a list into its own items (upstream)', original: { foo: ['bar'] }, patch: [{ op: 'copy', path: '/foo/0', from: '/foo' }], result: { foo: [['bar'], 'bar'] } },
  { name: 'copy makes an independent copy', original: { a: { x: 1 } }, patch: [{ op: 'copy', from: '/a', path: '/b' }, { op: 'replace', path: '/b/x', value: 2 }], result: { a: { x: 1 }, b: { x: 2 } } },
  { name: 'pointer escapes: ~1 is "/" and ~0 is "~"', original: { metadata: { labels: {} } }, patch: [{ op: 'add', path: '/metadata/labels/app.kubernetes.io~1name', value: 'web' }, { op: 'add', path: '/metadata/labels/a~0b', value: 'x' }], result: { metadata: { labels: { 'app.kubernetes.io/name': 'web', 'a~b': 'x' } } } },
  { name: 'test passes on equal values and changes nothing (upstream)', original: { baz: 'qux', foo: ['a', 2, 'c'] }, patch: [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }], result: { baz: 'qux', foo: ['a', 2, 'c'] } },
  { name: 'test of an absent member against null passes (upstream)', original: { baz: 'qux' }, patch: [{ op: 'test', path: '/foo', value: null }], result: { baz: 'qux' } },
  { name: 'test of a null member against null passes (upstream)', original: { foo: null }, patch: [{ op: 'test', path: '/foo', value: null }], result: { foo: null } },
  { name: 'test with an escaped path (upstream)', original: { 'baz/foo': 'qux' }, patch: [{ op: 'test', path: '/baz~1foo', value: 'qux' }], result: { 'baz/foo': 'qux' } },
  { name: 'test compares objects regardless of key order', original: { a: { x: 1, y: [1, { z: true }] } }, patch: [{ op: 'test', path: '/a', value: { y: [1, { z: true }], x: 1 } }, { op: 'add', path: '/ok', value: true }], result: { a: { x: 1, y: [1, { z: true }] }, ok: true } },
  { name: 'a null body is an empty patch', original: { a: 1 }, patch: null, result: { a: 1 } },
  // failures: 422 with the apiserver's fixed message, the library's explanation on `cause`
  { name: 'add under an absent parent fails (upstream)', original: { foo: 'bar' }, patch: [{ op: 'add', path: '/baz/bat', value: 'qux' }], error: rejected('add operation does not apply: doc is missing path: "/baz/bat": missing value') },
  { name: 'remove of an absent member fails (upstream)', original: { a: { b: { d: 1 } } }, patch: [{ op: 'remove', path: '/a/b/c' }], error: rejected("error in remove for path: '/a/b/c': Unable to remove nonexistent key: c: missing value") },
  { name: 'move from an absent member fails (upstream)', original: { a: { b: { d: 1 } } }, patch: [{ op: 'move', from: '/a/b/c', path: '/a/b/e' }], error: rejected("error in move for path: 'c': Unable to remove nonexistent key: c: missing value") },
  { name: 'remove past the end of a list fails (upstream)', original: { a: { b: [1] } }, patch: [{ op: 'remove', path: '/a/b/1' }], error: rejected("error in remove for path: '/a/b/1': Unable to access invalid index: 1: invalid index referenced") },
  { name: 'an operation without a path fails (upstream)', original: { foo: 'bar' }, patch: [{ op: 'add', pathz: '/baz', value: 'qux' }], error: rejected('add operation failed to decode path: missing value') },
  { name: 'add at the empty pointer fails (upstream)', original: { foo: 'bar' }, patch: [{ op: 'add', path: '', value: 'qux' }], error: rejected('add operation does not apply: doc is missing path: "": missing value') },
  { name: 'replace past the end of a list fails (upstream)', original: { foo: ['bar', 'baz'] }, patch: [{ op: 'replace', path: '/foo/2', value: 'bum' }], error: rejected('replace operation does not apply: doc is missing key: /foo/2: missing value') },
  { name: 'add at a negative index beyond the list fails (upstream)', original: { foo: ['bar', 'baz'] }, patch: [{ op: 'add', path: '/foo/-4', value: 'bum' }], error: rejected("error in add for path: '/foo/-4': Unable to access invalid index: -4: invalid index referenced") },
  { name: 'replace under an absent parent fails (upstream)', original: { name: { foo: 'bat', qux: 'bum' } }, patch: [{ op: 'replace', path: '/foo/bar', value: 'baz' }], error: rejected('replace operation does not apply: doc is missing path: /foo/bar: missing value') },
  { name: 'add beyond the end of a list fails (upstream)', original: { foo: ['bar'] }, patch: [{ op: 'add', path: '/foo/2', value: 'bum' }], error: rejected("error in add for path: '/foo/2': Unable to access invalid index: 2: invalid index referenced") },
  { name: 'remove of "-" fails (upstream)', original: { foo: [] }, patch: [{ op: 'remove', path: '/foo/-' }], error: rejected(`error in remove for path: '/foo/-': strconv.Atoi: parsing "-": invalid syntax`) },
  { name: 'an operation without op fails (upstream)', original: {}, patch: [{ op: null, path: '' }], error: rejected('Unexpected kind: unknown') },
  { name: 'an unknown op fails', original: {}, patch: [{ op: 'frobnicate', path: '/a' }], error: rejected('Unexpected kind: frobnicate') },
  { name: 'copy into an index beyond the list fails (upstream)', original: { foo: ['bar'] }, patch: [{ op: 'copy', path: '/foo/2', from: '/foo/0' }], error: rejected("error while adding value during copy: Unable to access invalid index: 2: invalid index referenced") },
  { name: 'move to an index beyond the list fails (upstream)', original: { foo: ['all', 'grass', 'cows', 'eat'] }, patch: [{ op: 'move', from: '/foo/1', path: '/foo/4' }], error: rejected("error in move for path: '/foo/4': Unable to access invalid index: 4: invalid index referenced") },
  { name: 'test of a different value fails (upstream)', original: { baz: 'qux' }, patch: [{ op: 'test', path: '/baz', value: 'bar' }], error: rejected('testing value /baz failed: test failed') },
  { name: 'test of a list item fails on the first difference (upstream)', original: { baz: 'qux', foo: ['a', 2, 'c'] }, patch: [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 'c' }], error: rejected('testing value /foo/1 failed: test failed') },
  { name: 'test of an absent member against a value fails (upstream)', original: { baz: 'qux' }, patch: [{ op: 'test', path: '/foo', value: 42 }], error: rejected('testing value /foo failed: test failed') },
  { name: 'test of an empty object against null fails (upstream)', original: { foo: {} }, patch: [{ op: 'test', path: '/foo', value: null }], error: rejected('testing value /foo failed: test failed') },
  { name: 'test without a value fails (upstream)', original: { foo: [] }, patch: [{ op: 'test', path: '/foo' }], error: rejected('testing value /foo failed: test failed') },
  { name: 'test of an object with an extra member fails', original: { foo: { a: 1 } }, patch: [{ op: 'test', path: '/foo', value: { a: 1, b: 2 } }], error: rejected('testing value /foo failed: test failed') },
  { name: 'all or nothing: a later failure undoes earlier operations', original: { a: 1 }, patch: [{ op: 'add', path: '/b', value: 2 }, { op: 'remove', path: '/c' }], error: rejected("error in remove for path: '/c': Unable to remove nonexistent key: c: missing value") },
  // a body of the wrong shape: 400 with Go's decoding message
  { name: 'a body that is an object is a bad request', original: {}, patch: { op: 'add', path: '/a', value: 1 }, error: { code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' } },
  { name: 'a body that is a string is a bad request', original: {}, patch: 'add', error: { code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal string into Go value of type jsonpatch.Patch' } },
  { name: 'an operation that is not an object is a bad request', original: {}, patch: [1], error: { code: 400, reason: 'BadRequest', message: 'json: cannot unmarshal number into Go value of type jsonpatch.Operation' } },
  {
    name: 'more than 10000 operations is too large',
    original: {},
    patch: Array.from({ length: 10001 }, () => ({ op: 'test', path: '/a', value: null })),
    error: { code: 413, reason: 'RequestEntityTooLarge', message: 'Request entity too large: The allowed maximum operations in a JSON patch is 10000, got 10001' },
  },
  {
    name: 'copies may not grow the object by more than 3 MiB',
    original: { big: 'x'.repeat(2 * 1024 * 1024) },
    patch: [{ op: 'copy', from: '/big', path: '/b1' }, { op: 'copy', from: '/big', path: '/b2' }],
    error: rejected(`Unable to complete the copy, the accumulated size increase of copy is ${2 * (2 * 1024 * 1024 + 2)}, exceeding the limit ${3 * 1024 * 1024}`),
  },
];

describe('JSON patch (application/json-patch+json)', () => {
  it.each(jsonPatchRows.map((r) => [r.name, r] as const))('%s', (_name, row) => run('application/json-patch+json', row));
});

// ---- JSON Merge Patch (RFC 7386) --------------------------------------------------------

const mergePatchRows: Row[] = [
  // (upstream) RFC 7386 Appendix A, as evanphx/json-patch merge_test.go runs it
  { name: 'a member is replaced (RFC 7386)', original: { a: 'b' }, patch: { a: 'c' }, result: { a: 'c' } },
  { name: 'a member is added (RFC 7386)', original: { a: 'b' }, patch: { b: 'c' }, result: { a: 'b', b: 'c' } },
  { name: 'null removes a member (RFC 7386)', original: { a: 'b' }, patch: { a: null }, result: {} },
  { name: 'null removes only that member (RFC 7386)', original: { a: 'b', b: 'c' }, patch: { a: null }, result: { b: 'c' } },
  { name: 'a list is replaced by a scalar (RFC 7386)', original: { a: ['b'] }, patch: { a: 'c' }, result: { a: 'c' } },
  { name: 'a scalar is replaced by a list (RFC 7386)', original: { a: 'c' }, patch: { a: ['b'] }, result: { a: ['b'] } },
  { name: 'objects merge recursively (RFC 7386)', original: { a: { b: 'c' } }, patch: { a: { b: 'd', c: null } }, result: { a: { b: 'd' } } },
  { name: 'lists are replaced, never merged (RFC 7386)', original: { a: [{ b: 'c' }] }, patch: { a: [1] }, result: { a: [1] } },
  { name: 'a list document is replaced by a list patch (RFC 7386)', original: ['a', 'b'], patch: ['c', 'd'], result: ['c', 'd'] },
  { name: 'a list patch replaces an object document (RFC 7386)', original: { a: 'b' }, patch: ['c'], result: ['c'] },
  { name: 'null members of the document stay (RFC 7386)', original: { e: null }, patch: { a: 1 }, result: { e: null, a: 1 } },
  { name: 'an object patch on a list document drops its nulls (RFC 7386)', original: [1, 2], patch: { a: 'b', c: null }, result: { a: 'b' } },
  { name: 'nulls inside new objects are dropped (RFC 7386)', original: {}, patch: { a: { bb: { ccc: null } } }, result: { a: { bb: {} } } },
  { name: 'null list items stay; null members of objects in new lists go', original: {}, patch: { a: [1, null, { x: null, y: 2 }] }, result: { a: [1, null, { y: 2 }] } },
  { name: 'an object replacing a scalar drops its nulls', original: { a: 'x' }, patch: { a: { b: null, c: 1 } }, result: { a: { c: 1 } } },
  { name: 'labels merge and null removes one', original: { metadata: { name: 'web', labels: { app: 'web', tier: 'frontend' } } }, patch: { metadata: { labels: { tier: null, track: 'canary' } } }, result: { metadata: { name: 'web', labels: { app: 'web', track: 'canary' } } } },
  {
    name: 'containers are replaced as a whole (no merge keys in merge patch)',
    original: { spec: { containers: [{ name: 'app', image: 'nginx:1.25' }, { name: 'sidecar', image: 'busybox' }] } },
    patch: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
    result: { spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
  { name: 'an empty patch changes nothing', original: { a: { b: 1 } }, patch: {}, result: { a: { b: 1 } } },
  { name: 'a "__proto__" member is plain data', original: {}, patch: JSON.parse('{"__proto__": {"polluted": true}}'), result: JSON.parse('{"__proto__": {"polluted": true}}') },
  // (upstream) what RFC 7386 allows and jsonpatch.MergePatch refuses: ErrBadJSONPatch, 400
  { name: 'a null body is refused (Invalid JSON Patch)', original: { a: 'foo' }, patch: null, error: { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' } },
  { name: 'a string body is refused (Invalid JSON Patch)', original: { a: 'foo' }, patch: 'bar', error: { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' } },
  { name: 'a boolean body is refused (Invalid JSON Patch)', original: { a: 'foo' }, patch: true, error: { code: 400, reason: 'BadRequest', message: 'Invalid JSON Patch' } },
];

describe('JSON merge patch (application/merge-patch+json)', () => {
  it.each(mergePatchRows.map((r) => [r.name, r] as const))('%s', (_name, row) => run('application/merge-patch+json', row));

  it('does not pollute prototypes', () => {
    applyPatch({}, JSON.parse('{"__proto__": {"polluted": true}}'), 'application/merge-patch+json');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

// ---- Strategic Merge Patch: a Pod, with Kubernetes' merge keys and strategies --------------

const pod = y(`
apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
  labels: {app: web, tier: frontend}
  annotations: {note: hello}
  finalizers: [example.com/a, example.com/b]
spec:
  containers:
  - name: app
    image: nginx:1.25
    args: [--port, "8080"]
    ports:
    - {containerPort: 8080, protocol: TCP}
    env:
    - {name: MODE, value: fast}
    - {name: LEVEL, value: "1"}
  - name: sidecar
    image: busybox:1.36
  volumes:
  - name: cache
    emptyDir: {}
  tolerations:
  - {key: a, operator: Exists}
  nodeSelector: {disk: ssd}
status:
  phase: Running
  conditions:
  - {type: Ready, status: "True"}
  - {type: PodScheduled, status: "True"}
`) as PodFixture;

type PodFixture = Pod & { spec: PodSpec & { volumes?: Array<Record<string, unknown>> } };

/** The Pod with `edit` applied to a copy: the expected result of a row. */
function podWith(edit: (p: PodFixture) => void): unknown {
  const copy = structuredClone(pod);
  edit(copy);
  return copy;
}

const failed = (message: string): ExpectedError => ({ code: 500, reason: '', message });
const badPatch = (message: string): ExpectedError => ({ code: 400, reason: 'BadRequest', message });

const podRows: Row[] = [
  {
    name: 'containers merge by name: only the named container changes',
    original: pod,
    patch: y('spec: {containers: [{name: app, image: "nginx:1.27"}]}'),
    result: podWith((p) => (p.spec.containers[0].image = 'nginx:1.27')),
  },
  {
    name: 'a new container without $setElementOrder goes first, where upstream puts it',
    original: pod,
    patch: y('spec: {containers: [{name: debug, image: busybox}]}'),
    result: podWith((p) => p.spec.containers.unshift({ name: 'debug', image: 'busybox' })),
  },
  {
    name: '$setElementOrder (as kubectl sends it) orders the merged list',
    original: pod,
    patch: y(`
spec:
  $setElementOrder/containers: [{name: app}, {name: sidecar}, {name: debug}]
  containers: [{name: debug, image: busybox}]
`),
    result: podWith((p) => p.spec.containers.push({ name: 'debug', image: 'busybox' })),
  },
  {
    name: '$setElementOrder alone reorders the list',
    original: pod,
    patch: y('spec: {$setElementOrder/containers: [{name: sidecar}, {name: app}]}'),
    result: podWith((p) => p.spec.containers.reverse()),
  },
  {
    name: 'ports merge by containerPort inside the matching container',
    original: pod,
    patch: y('spec: {containers: [{name: app, ports: [{containerPort: 8080, name: http}]}]}'),
    result: podWith((p) => (p.spec.containers[0].ports = [{ containerPort: 8080, protocol: 'TCP', name: 'http' }])),
  },
  {
    name: 'env merges by name and an item with $patch: delete removes its match',
    original: pod,
    patch: y('spec: {containers: [{name: app, env: [{name: LEVEL, value: "2"}, {name: MODE, $patch: delete}]}]}'),
    result: podWith((p) => (p.spec.containers[0].env = [{ name: 'LEVEL', value: '2' }])),
  },
  {
    name: 'an item $patch: replace makes the patch the whole list',
    original: pod,
    patch: y('spec: {containers: [{$patch: replace}, {name: only, image: x}]}'),
    result: podWith((p) => (p.spec.containers = [{ name: 'only', image: 'x' }])),
  },
  {
    name: 'deleting a container that is not there changes nothing',
    original: pod,
    patch: y('spec: {containers: [{name: ghost, $patch: delete}]}'),
    result: pod,
  },
  {
    name: 'scalar lists with strategy merge are unioned without duplicates',
    original: pod,
    patch: y('metadata: {finalizers: [example.com/b, example.com/c]}'),
    result: podWith((p) => (p.metadata.finalizers = ['example.com/a', 'example.com/b', 'example.com/c'])),
  },
  {
    name: '$deleteFromPrimitiveList removes scalars from the list',
    original: pod,
    patch: y('metadata: {$deleteFromPrimitiveList/finalizers: [example.com/a, example.com/x]}'),
    result: podWith((p) => (p.metadata.finalizers = ['example.com/b'])),
  },
  {
    name: 'a list without strategy merge is replaced (args)',
    original: pod,
    patch: y('spec: {containers: [{name: app, args: [--verbose]}]}'),
    result: podWith((p) => (p.spec.containers[0].args = ['--verbose'])),
  },
  {
    name: 'a list of maps without strategy merge is replaced (tolerations)',
    original: pod,
    patch: y('spec: {tolerations: [{key: b, operator: Exists}]}'),
    result: podWith((p) => (p.spec.tolerations = [{ key: 'b', operator: 'Exists' }])),
  },
  {
    name: 'null deletes a map key, new keys are added',
    original: pod,
    patch: y('metadata: {labels: {tier: null, track: canary}}'),
    result: podWith((p) => (p.metadata.labels = { app: 'web', track: 'canary' })),
  },
  {
    name: 'null deletes a whole field',
    original: pod,
    patch: y('{spec: {nodeSelector: null}, status: null}'),
    result: podWith((p) => {
      delete p.spec.nodeSelector;
      delete p.status;
    }),
  },
  {
    name: '$patch: replace on a map keeps only the patch',
    original: pod,
    patch: y('metadata: {annotations: {$patch: replace, owner: me}}'),
    result: podWith((p) => (p.metadata.annotations = { owner: 'me' })),
  },
  {
    name: '$patch: delete on a map empties it',
    original: pod,
    patch: y('spec: {nodeSelector: {$patch: delete}}'),
    result: podWith((p) => (p.spec.nodeSelector = {})),
  },
  {
    name: '$retainKeys drops the keys it does not list (switching a volume source)',
    original: pod,
    patch: y('spec: {volumes: [{name: cache, $retainKeys: [configMap, name], configMap: {name: cfg}}]}'),
    result: podWith((p) => (p.spec.volumes = [{ name: 'cache', configMap: { name: 'cfg' } }])),
  },
  {
    name: 'status conditions merge by type',
    original: pod,
    patch: y('status: {conditions: [{type: Ready, status: "False"}]}'),
    result: podWith((p) => (p.status!.conditions![0].status = 'False')),
  },
  {
    name: 'a new field takes the patch value without its nulls and $patch maps',
    original: pod,
    patch: y('spec: {initContainers: [{name: init, image: x, env: [{name: A, value: null}]}, {name: gone, $patch: delete}]}'),
    result: podWith((p) => (p.spec.initContainers = [{ name: 'init', image: 'x', env: [{ name: 'A' }] }])),
  },
  {
    name: 'a field the schema does not know merges like a JSON merge patch',
    original: { spec: { extra: { a: 0, b: 2, list: [9] } } },
    patch: { spec: { extra: { a: 1, b: null, list: [1, 2], c: { d: null, e: 3 } } } },
    result: { spec: { extra: { a: 1, list: [1, 2], c: { e: 3 } } } },
  },
  {
    name: 'without a schema every list is replaced',
    schema: null,
    original: pod,
    patch: y('spec: {containers: [{name: app, image: x}]}'),
    result: podWith((p) => (p.spec.containers = [{ name: 'app', image: 'x' }])),
  },
  { name: 'a null body changes nothing', original: pod, patch: null, result: pod },
  { name: 'an empty body changes nothing', original: pod, patch: {}, result: pod },
  { name: '$patch: delete on the object empties it', original: pod, patch: { $patch: 'delete' }, result: {} },
  // directive misuse and malformed patches, as the apiserver answers them
  {
    name: 'a merge-list item without its merge key is refused',
    original: pod,
    patch: y('spec: {containers: [{image: "nginx:1.27"}]}'),
    error: failed('map: map[image:nginx:1.27] does not contain declared merge key: name'),
  },
  {
    name: 'a $patch: delete item without its merge key is refused',
    original: pod,
    patch: y('spec: {containers: [{$patch: delete}]}'),
    error: failed('map: map[$patch:delete] does not contain declared merge key: name'),
  },
  {
    name: '$patch: merge in a list is refused',
    original: pod,
    patch: y('spec: {containers: [{$patch: merge, name: app}]}'),
    error: failed('merging lists cannot yet be specified in the patch'),
  },
  {
    name: '$patch: merge on a map is refused (only replace and delete exist there)',
    original: pod,
    patch: y('metadata: {labels: {$patch: merge, app: api}}'),
    error: failed('unknown patch type: merge in map: map[$patch:merge app:api]'),
  },
  {
    name: 'an unknown $patch on a list item is refused',
    original: pod,
    patch: y('spec: {containers: [{name: app, env: [{name: MODE, $patch: bogus}]}]}'),
    error: failed('unknown patch type: bogus in map: map[$patch:bogus name:MODE]'),
  },
  {
    name: 'a $patch that is not a string is refused',
    original: pod,
    patch: y('metadata: {labels: {$patch: 1}}'),
    error: failed('unknown patch type: %!s(int64=1) in map: map[$patch:1]'),
  },
  {
    name: '$retainKeys must be a list',
    original: pod,
    patch: y('spec: {volumes: [{name: cache, $retainKeys: configMap}]}'),
    error: badPatch('invalid patch format of retainKeys'),
  },
  {
    name: '$retainKeys must list every key the patch sets',
    original: pod,
    patch: y('spec: {volumes: [{name: cache, $retainKeys: [name], configMap: {name: cfg}}]}'),
    error: badPatch('invalid patch format of retainKeys'),
  },
  {
    name: '$deleteFromPrimitiveList must name its list',
    original: pod,
    patch: y('metadata: {$deleteFromPrimitiveList: [example.com/a]}'),
    error: badPatch('invalid patch format of primitive list'),
  },
  {
    name: '$setElementOrder must name its list',
    original: pod,
    patch: y('spec: {$setElementOrder: [{name: app}]}'),
    error: badPatch('invalid patch format of setElementOrder list'),
  },
  {
    name: '$setElementOrder must be a list',
    original: pod,
    patch: y('spec: {$setElementOrder/containers: app}'),
    error: failed('expected a []interface {}, but received a string'),
  },
  {
    name: 'the patch list must follow the $setElementOrder order',
    original: pod,
    patch: y(`
spec:
  $setElementOrder/containers: [{name: app}, {name: sidecar}]
  containers: [{name: sidecar, image: b}, {name: app, image: a}]
`),
    error: failed(
      "The order in patch list:\n[map[image:b name:sidecar] map[image:a name:app]]\n doesn't match $setElementOrder list:\n[map[name:app] map[name:sidecar]]\n",
    ),
  },
  {
    name: 'scalars and maps cannot be mixed in one list',
    original: pod,
    patch: y('metadata: {finalizers: [{x: 1}]}'),
    error: failed('list element types are not identical: [[example.com/a example.com/b] [map[x:1]]]'),
  },
  {
    name: 'lists of lists cannot be merged (422)',
    original: { metadata: { finalizers: [] } },
    patch: { metadata: { finalizers: [['a']] } },
    error: rejected('lists of lists are not supported'),
  },
  {
    name: 'a body that is a list is a bad request',
    original: pod,
    patch: [],
    error: badPatch('json: cannot unmarshal array into Go value of type map[string]interface {}'),
  },
  {
    name: 'a body that is a string is a bad request',
    original: pod,
    patch: 'spec',
    error: badPatch('json: cannot unmarshal string into Go value of type map[string]interface {}'),
  },
];

describe('strategic merge patch (application/strategic-merge-patch+json) on a Pod', () => {
  it.each(podRows.map((r) => [r.name, r] as const))('%s', (_name, row) => run('application/strategic-merge-patch+json', row, podSchema));
});

// ---- Strategic Merge Patch: upstream's own table (strategicpatch patch_test.go, MergeItem) --

const upstream = (name: string, original: string, patch: string, result: string): Row => ({
  name: `${name} (upstream)`,
  original: y(original) ?? {},
  patch: y(patch) ?? {},
  result: y(result) ?? {},
});
const upstreamError = (name: string, original: string, patch: string, messageContains: string): Row => ({
  name: `${name} (upstream)`,
  original: y(original) ?? {},
  patch: y(patch) ?? {},
  error: { code: 500, messageContains },
});

const upstreamRows: Row[] = [
  // customStrategicMergePatchTestCaseData
  upstream('unique scalars when merging lists', 'mergingIntList: [1, 2]', 'mergingIntList: [2, 3]', 'mergingIntList: [1, 2, 3]'),
  upstream('delete map from nested map', 'simpleMap: {key1: 1, key2: 1}', 'simpleMap: {$patch: delete}', 'simpleMap: {}'),
  upstream('delete all items from merging list', 'mergingList: [{name: 1}, {name: 2}]', 'mergingList: [{$patch: replace}]', 'mergingList: []'),
  upstream('merge empty merging lists', 'mergingList: []', 'mergingList: []', 'mergingList: []'),
  upstream('delete all keys from map', '{name: 1, value: 1}', '$patch: replace', '{}'),
  upstream('add key and delete all keys from map', '{name: 1, value: 1}', '{other: a, $patch: replace}', 'other: a'),
  upstream(
    'delete all duplicate entries in a merging list',
    'mergingList: [{name: 1}, {name: 1}, {name: 2, value: a}, {name: 3}, {name: 3}]',
    'mergingList: [{name: 1, $patch: delete}, {name: 3, $patch: delete}]',
    'mergingList: [{name: 2, value: a}]',
  ),
  upstream('retainKeys map can add a field when no retainKeys directive present', 'retainKeysMap: {name: foo}', 'retainKeysMap: {value: bar}', 'retainKeysMap: {name: foo, value: bar}'),
  upstream('retainKeys map can delete a field when no retainKeys directive present', 'retainKeysMap: {name: foo, value: a}', 'retainKeysMap: {value: null}', 'retainKeysMap: {name: foo}'),
  upstream(
    'retainKeys list can change a field when no retainKeys directive present',
    'retainKeysMergingList: [{name: bar}, {name: foo, value: a}]',
    'retainKeysMergingList: [{name: foo, value: b}]',
    'retainKeysMergingList: [{name: bar}, {name: foo, value: b}]',
  ),
  upstream(
    'preserve the order from the patch in a merging list',
    'mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]',
    'mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, other: x}]',
    'mergingList: [{name: 3, value: c}, {name: 1, value: a}, {name: 2, value: b, other: x}]',
  ),
  upstream(
    'preserve the order from the patch in a merging list 2',
    'mergingList: [{name: 1}, {name: 2, value: b}, {name: 3}]',
    'mergingList: [{name: 3, value: c}, {name: 1, value: a}]',
    'mergingList: [{name: 2, value: b}, {name: 3, value: c}, {name: 1, value: a}]',
  ),
  upstream('preserve the order from the patch in a merging int list', 'mergingIntList: [1, 2, 3]', 'mergingIntList: [3, 1, 2]', 'mergingIntList: [3, 1, 2]'),
  upstream('preserve the order from the patch in a merging int list 2', 'mergingIntList: [1, 2, 3]', 'mergingIntList: [3, 1]', 'mergingIntList: [2, 3, 1]'),
  // customStrategicMergePatchRawTestCases
  upstream(
    '$setElementOrder contains item that is not present in the list to be merged',
    'mergingList: [{name: 1}, {name: 3}]',
    '{$setElementOrder/mergingList: [{name: 3}, {name: 2}, {name: 1}], mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}',
    'mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]',
  ),
  upstream('$setElementOrder contains item that is not present in the int list to be merged', 'mergingIntList: [1, 3]', '$setElementOrder/mergingIntList: [3, 2, 1]', 'mergingIntList: [3, 1]'),
  upstreamError(
    'should check if order in $setElementOrder and patch list match',
    'mergingList: [{name: 1}, {name: 3}, {name: 2}]',
    '{$setElementOrder/mergingList: [{name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 3, value: 3}, {name: 1, value: 1}]}',
    "doesn't match",
  ),
  upstreamError(
    'should check if order in $setElementOrder and patch int list match',
    'mergingIntList: [1, 3, 2]',
    '{$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3, 1]}',
    "doesn't match",
  ),
  upstreamError('missing merge key should error out', 'mergingList: [{name: 1, value: a}]', 'mergingList: [{value: b}]', 'does not contain declared merge key'),
  upstream('$deleteFromPrimitiveList of nonexistent item in primitive list should not add the item to the list', 'mergingIntList: [1, 2]', '$deleteFromPrimitiveList/mergingIntList: [3]', 'mergingIntList: [1, 2]'),
  upstream('$deleteFromPrimitiveList on empty primitive list should not add the item to the list', 'mergingIntList:', '$deleteFromPrimitiveList/mergingIntList: [3]', 'mergingIntList:'),
  upstream('$deleteFromPrimitiveList on nonexistent primitive list should not add the primitive list', 'foo: [bar]', '$deleteFromPrimitiveList/mergingIntList: [3]', 'foo: [bar]'),
  upstream('$deleteFromPrimitiveList should delete item from a list with merge patch strategy', 'mergingIntList: [1, 2, 3]', '$deleteFromPrimitiveList/mergingIntList: [2]', 'mergingIntList: [1, 3]'),
  upstream('$deleteFromPrimitiveList should delete item from a list without merge patch strategy', 'nonMergingIntList: [1, 2, 3]', '$deleteFromPrimitiveList/nonMergingIntList: [2]', 'nonMergingIntList: [1, 3]'),
  // createStrategicMergePatchTestCaseData and strategicMergePatchRawTestCases
  upstream('defined null values should propagate removing original fields, two-way', '{name: original-name, value: original-value}', '{name: modified-name, value: null}', 'name: modified-name'),
  upstream(
    'nested patch merge with empty list, two-way',
    'name: hi',
    'mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]',
    '{name: hi, mergingList: [{name: hello}]}',
  ),
  upstream(
    'nested patch merge with empty list, three-way',
    '{name: hi, mergingList: [{name: hello2}]}',
    '{$setElementOrder/mergingList: [{name: hello}, {name: doesntexist}], mergingList: [{name: hello}, {$patch: delete, name: doesntexist}]}',
    '{name: hi, mergingList: [{name: hello}, {name: hello2}]}',
  ),
  upstream('delete items in lists of scalars, three-way', 'mergingIntList: [1, 2, 3, 4]', '{$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}', 'mergingIntList: [1, 2, 4]'),
  upstream('delete all duplicate items in lists of scalars, three-way', 'mergingIntList: [1, 2, 3, 3, 4]', '{$setElementOrder/mergingIntList: [1, 2], $deleteFromPrimitiveList/mergingIntList: [3]}', 'mergingIntList: [1, 2, 4]'),
  upstream(
    'add and delete items in lists of scalars, two-way',
    'mergingIntList: [1, 2, 3]',
    '{$setElementOrder/mergingIntList: [1, 2, 4], $deleteFromPrimitiveList/mergingIntList: [3], mergingIntList: [4]}',
    'mergingIntList: [1, 2, 4]',
  ),
  upstream(
    'merge lists of maps, two-way',
    'mergingList: [{name: 1}, {name: 2, value: 2}]',
    '{$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}',
    'mergingList: [{name: 4, value: 4}, {name: 1}, {name: 2, value: 2}, {name: 3, value: 3}]',
  ),
  upstream(
    'merge lists of maps, three-way',
    'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
    '{$setElementOrder/mergingList: [{name: 4}, {name: 1}, {name: 2}, {name: 3}], mergingList: [{name: 4, value: 4}, {name: 3, value: 3}]}',
    'mergingList: [{name: 4, value: 4}, {name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
  ),
  upstream(
    'add field to map in merging list, three-way',
    'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
    '{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: 1}]}',
    'mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2, other: b}]',
  ),
  upstream(
    'add duplicate field to map in merging list with conflict, three-way',
    'mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 3, other: b}]',
    '{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 2, value: 2}]}',
    'mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2, other: b}]',
  ),
  upstream(
    'delete map from merging list, three-way',
    'mergingList: [{name: 1}, {name: 2, other: b}]',
    '{$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 1, $patch: delete}]}',
    'mergingList: [{name: 2, other: b}]',
  ),
  upstream(
    'delete missing map from merging list with conflict, three-way',
    'mergingList: [{name: 3, other: a}]',
    '{$setElementOrder/mergingList: [{name: 2}], mergingList: [{name: 2}, {name: 1, $patch: delete}]}',
    'mergingList: [{name: 2}, {name: 3, other: a}]',
  ),
  upstream(
    'add map and delete map from merging list, two-way',
    'mergingList: [{name: 1}, {name: 2}]',
    '{$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}',
    'mergingList: [{name: 2}, {name: 3}]',
  ),
  upstream(
    'add map and delete map from merging list, three-way',
    'mergingList: [{name: 1}, {name: 2, other: b}, {name: 4, other: c}]',
    '{$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 3}, {name: 1, $patch: delete}]}',
    'mergingList: [{name: 2, other: b}, {name: 4, other: c}, {name: 3}]',
  ),
  upstream(
    'add map and delete map from merging list with conflict, three-way',
    'mergingList: [{name: 1, other: a}, {name: 4, other: c}]',
    '{$setElementOrder/mergingList: [{name: 2}, {name: 3}], mergingList: [{name: 2}, {name: 3}, {name: 1, $patch: delete}]}',
    'mergingList: [{name: 4, other: c}, {name: 2}, {name: 3}]',
  ),
  upstream(
    'delete field from map in merging list, three-way',
    'mergingList: [{name: 1, value: 1, other: a}, {name: 2, value: 2, other: b}]',
    '{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, value: null}]}',
    'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}]',
  ),
  upstream(
    'replace non merging list nested in merging list, three-way',
    'mergingList: [{name: 1, other: a, nonMergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2, other: b}]',
    '{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 1, nonMergingList: [{name: 1, value: 1}]}]}',
    'mergingList: [{name: 1, other: a, nonMergingList: [{name: 1, value: 1}]}, {name: 2, other: b}]',
  ),
  upstream(
    'add field to map in merging list nested in merging list, three-way',
    'mergingList: [{name: 1, other: a, mergingList: [{name: 1}, {name: 2, value: 2}]}, {name: 2, other: b}]',
    `{$setElementOrder/mergingList: [{name: 1}, {name: 2}],
      mergingList: [{$setElementOrder/mergingList: [{name: 1}, {name: 2}], name: 1, mergingList: [{name: 1, value: 1}]}]}`,
    'mergingList: [{name: 1, other: a, mergingList: [{name: 1, value: 1}, {name: 2, value: 2}]}, {name: 2, other: b}]',
  ),
  upstream(
    'add field to map in merging list nested in merging list with deletion conflict, three-way',
    'mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}]}, {name: 2, other: b}]',
    `{$setElementOrder/mergingList: [{name: 1}, {name: 2}],
      mergingList: [{$setElementOrder/mergingList: [{name: 2}, {name: 1}], name: 1, mergingList: [{name: 1, value: 1}]}]}`,
    'mergingList: [{name: 1, other: a, mergingList: [{name: 2, value: 2, other: d}, {name: 1, value: 1}]}, {name: 2, other: b}]',
  ),
  upstream(
    'add map to merging list by pointer, three-way',
    'mergeItemPtr: [{name: 1, other: a}, {name: 3}]',
    '{$setElementOrder/mergeItemPtr: [{name: 1}, {name: 2}], mergeItemPtr: [{name: 2}]}',
    'mergeItemPtr: [{name: 1, other: a}, {name: 2}, {name: 3}]',
  ),
  upstream('merge lists of scalars, three-way', 'mergingIntList: [1, 2, 4]', '{$setElementOrder/mergingIntList: [1, 2, 3], mergingIntList: [3]}', 'mergingIntList: [1, 2, 3, 4]'),
  upstream('add an item in a list of primitives and preserve order, three-way', 'mergingIntList: [1, 4, 2]', '{$setElementOrder/mergingIntList: [3, 1, 2], mergingIntList: [3]}', 'mergingIntList: [3, 1, 4, 2]'),
  upstream(
    'delete an item in a list and preserve order, three-way',
    'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
    '{$setElementOrder/mergingList: [{name: 2}, {name: 1}], mergingList: [{name: 3, $patch: delete}]}',
    'mergingList: [{name: 2, value: 2, other: b}, {name: 1, other: a}]',
  ),
  upstream(
    'add and delete an item in a list and preserve order, three-way',
    'mergingList: [{name: 1, other: a}, {name: 2, value: 2, other: b}, {name: 3, value: 3}]',
    '{$setElementOrder/mergingList: [{name: 4}, {name: 2}, {name: 1}], mergingList: [{name: 4, value: 4}, {name: 3, $patch: delete}]}',
    'mergingList: [{name: 4, value: 4}, {name: 2, value: 2, other: b}, {name: 1, other: a}]',
  ),
  upstream(
    'set elements order in a list with server-only items 2, three-way',
    'mergingList: [{name: 1, other: a}, {name: 2, value: 2}, {name: 9}, {name: 3, value: 3}, {name: 4, value: 4}]',
    '$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}]',
    'mergingList: [{name: 2, value: 2}, {name: 1, other: a}, {name: 9}, {name: 4, value: 4}, {name: 3, value: 3}]',
  ),
  upstream('set elements order in a int list with server-only items 3, three-way', 'mergingIntList: [1, 2, 7, 9, 8, 3, 4]', '$setElementOrder/mergingIntList: [2, 1, 4, 3]', 'mergingIntList: [2, 1, 7, 9, 8, 4, 3]'),
  upstream(
    'behavior of set element order for a merging list with duplicate',
    'mergingList: [{name: 1}, {name: 2, value: dup1}, {name: 3}, {name: 2, value: dup2}, {name: 4}]',
    '$setElementOrder/mergingList: [{name: 2}, {name: 1}, {name: 4}, {name: 3}, {name: 2}]',
    'mergingList: [{name: 2, value: dup1}, {name: 2, value: dup2}, {name: 1}, {name: 4}, {name: 3}]',
  ),
  upstream('behavior of set element order for a merging int list with duplicate', 'mergingIntList: [1, 2, 3, 2, 4]', '$setElementOrder/mergingIntList: [2, 1, 4, 3, 2]', 'mergingIntList: [2, 2, 1, 4, 3]'),
  upstream('retainKeys map should clear defaulted field, three-way', 'retainKeysMap: {value: foo}', 'retainKeysMap: {$retainKeys: [other], other: bar}', 'retainKeysMap: {other: bar}'),
  upstream('retainKeys map adds a field and clear a field, three-way', 'retainKeysMap: {name: foo, other: a}', 'retainKeysMap: {$retainKeys: [name, value], value: bar}', 'retainKeysMap: {name: foo, value: bar}'),
  upstream('retainKeys map deletes a field and clears a field, three-way', 'retainKeysMap: {name: foo, value: bar, other: a}', 'retainKeysMap: {$retainKeys: [name], value: null}', 'retainKeysMap: {name: foo}'),
  upstream(
    'retainKeys map adds an item in nested merging int list, three-way',
    'retainKeysMap: {name: foo, mergingIntList: [1, 2, 3]}',
    'retainKeysMap: {$setElementOrder/mergingIntList: [1, 2, 4], $retainKeys: [mergingIntList, name], mergingIntList: [4]}',
    'retainKeysMap: {name: foo, mergingIntList: [1, 2, 4, 3]}',
  ),
  upstream(
    'retainKeys map deletes an item in nested merging list, three-way',
    'retainKeysMap: {name: foo, mergingList: [{name: a}, {name: b}, {name: x}]}',
    'retainKeysMap: {$retainKeys: [mergingList, name], $setElementOrder/mergingList: [{name: a}], mergingList: [{name: b, $patch: delete}]}',
    'retainKeysMap: {name: foo, mergingList: [{name: a}, {name: x}]}',
  ),
  upstream(
    'retainKeys list of maps clears a field, three-way',
    'retainKeysMergingList: [{name: bar}, {name: foo, value: a, other: x}]',
    '{$setElementOrder/retainKeysMergingList: [{name: bar}, {name: foo}], retainKeysMergingList: [{$retainKeys: [name, value], name: foo}]}',
    'retainKeysMergingList: [{name: bar}, {name: foo, value: a}]',
  ),
  upstream(
    'delete and reorder in one list, reorder in another, three-way',
    '{mergingList: [{name: a, value: a}, {name: b, value: b}], mergeItemPtr: [{name: c, value: c}, {name: d, value: d}]}',
    '{$setElementOrder/mergingList: [{name: b}], $setElementOrder/mergeItemPtr: [{name: d}, {name: c}], mergingList: [{$patch: delete, name: a}]}',
    '{mergingList: [{name: b, value: b}], mergeItemPtr: [{name: d, value: d}, {name: c, value: c}]}',
  ),
  upstream(
    'replace RawExtension field and merge list, three-way',
    `{name: my-object, value: some-value, other: current-other, mergingList: [{name: 1}, {name: 3}],
      replacingItem: {Some: Generic, Yaml: Inside, The: RawExtension, Field: Period}}`,
    '{$setElementOrder/mergingList: [{name: 1}, {name: 2}], mergingList: [{name: 2}], replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}}',
    `{name: my-object, value: some-value, other: current-other, mergingList: [{name: 1}, {name: 2}, {name: 3}],
      replacingItem: {Newly: Modified, Yaml: Inside, The: RawExtension}}`,
  ),
  // TestUnknownField: fields MergeItem does not have
  upstream(
    'discard nulls in nested and adds not nulls',
    '{array: [1, 2, 3], complex: {nested: true}, name: foo, scalar: true}',
    'complex_nullable: {key: {keynotnull: value, keynull: null}}',
    '{array: [1, 2, 3], complex: {nested: true}, complex_nullable: {key: {keynotnull: value}}, name: foo, scalar: true}',
  ),
  upstream('filter nulls from nested slices', '{}', 'complex_nullable: [{inner_one: {key_one: foo, key_two: null}}]', 'complex_nullable: [{inner_one: {key_one: foo}}]'),
  upstream('not filter nulls from non-associative slice', '{}', 'complex_nullable: [key1, null, key2]', 'complex_nullable: [key1, null, key2]'),
  upstream('null values in original are preserved', 'thing: null', 'nested: {value: 5}', '{nested: {value: 5}, thing: null}'),
  upstream('removed only, three-way', '{name: foo, scalar: true, complex: {nested: true}, array: [1, 2, 3]}', '{complex: null, scalar: null}', '{array: [1, 2, 3], name: foo}'),
];

describe('strategic merge patch: upstream cases on MergeItem', () => {
  it.each(upstreamRows.map((r) => [r.name, r] as const))('%s', (_name, row) => run('application/strategic-merge-patch+json', row, mergeItem));
});

describe('applyPatch', () => {
  it('returns a new object and leaves the original alone for every format', () => {
    const original = structuredClone(pod);
    const bodies: [PatchContentType, unknown][] = [
      ['application/json-patch+json', [{ op: 'replace', path: '/spec/containers/0/image', value: 'x' }]],
      ['application/merge-patch+json', { spec: { nodeName: 'node-1' } }],
      ['application/strategic-merge-patch+json', { spec: { containers: [{ name: 'app', image: 'x' }] } }],
    ];
    for (const [type, body] of bodies) {
      const result = applyPatch(original, body, type, podSchema) as typeof pod;
      expect(result).not.toBe(original);
      expect(result.spec).not.toBe(original.spec);
      expect(original).toStrictEqual(pod);
    }
  });
});

describe('long lists', () => {
  // Guards against the quadratic steps of upstream's list code: this must finish (well within
  // the test timeout) and still order as upstream does.
  it('merges, deletes and orders lists of 20000 items', () => {
    const n = 20000;
    const original = {
      metadata: { finalizers: Array.from({ length: n }, (_, i) => `f${i}`) },
      spec: { containers: Array.from({ length: n }, (_, i) => ({ name: `c${i}`, image: 'x' })) },
    };
    const patch = {
      metadata: { finalizers: ['f0', 'new'], '$deleteFromPrimitiveList/finalizers': ['f1'] },
      spec: {
        '$setElementOrder/containers': Array.from({ length: n - 1 }, (_, i) => ({ name: `c${n - 1 - i}` })),
        containers: [{ name: 'c0', $patch: 'delete' }, { name: `c${n - 1}`, image: 'y' }],
      },
    };
    const result = applyPatch(original, patch, 'application/strategic-merge-patch+json', podSchema) as typeof original;
    expect(result.metadata.finalizers).toHaveLength(n);
    // The patch's own items keep their sequence (f0, new) ahead of the next server item.
    expect(result.metadata.finalizers.slice(0, 3)).toStrictEqual(['f0', 'new', 'f2']);
    expect(result.metadata.finalizers.at(-1)).toBe(`f${n - 1}`);
    expect(result.spec.containers).toHaveLength(n - 1);
    expect(result.spec.containers[0]).toStrictEqual({ name: `c${n - 1}`, image: 'y' });
    expect(result.spec.containers.at(-1)).toStrictEqual({ name: 'c1', image: 'x' });
  });
});

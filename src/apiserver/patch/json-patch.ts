// JSON Patch (RFC 6902, application/json-patch+json) as kube-apiserver applies it: with
// gopkg.in/evanphx/json-patch.v4, including its leniencies (negative array indices, "replace"
// of an absent object member adds it, "test" of an absent member against null passes).
//
// Errors: a body that is not a list of objects is 400 BadRequest with Go's decoding message;
// more than 10000 operations is 413; an operation that cannot be applied is 422 with the
// apiserver's fixed message (the library's own explanation is on the error's `cause`).
// The patch is all-or-nothing: it works on a copy, so the original is never touched.
import { cloneJson, hasKey, isJsonObject, jsonEqual, setKey, type JsonObject } from './json-value.js';
import { MAX_JSON_PATCH_OPERATIONS, patchRejected, tooManyOperations, undecodable } from './patch-errors.js';

/** The apiserver's JSONPatchMaxCopyBytes: how much "copy" operations may grow a document. */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

const ERR_MISSING = 'missing value';
const ERR_INVALID_INDEX = 'invalid index referenced';
const ERR_TEST_FAILED = 'test failed';

/** An operation that does not apply; becomes the 422 answer. */
class OperationFailure extends Error {}

function fail(message: string): never {
  throw new OperationFailure(message);
}

type Operation = JsonObject | null;

type Container = { kind: 'object'; value: JsonObject } | { kind: 'array'; value: unknown[] };

interface Document {
  root: unknown;
}

export function applyJsonPatch(original: unknown, patchBody: unknown): unknown {
  const ops = decodeOperations(patchBody);
  const doc: Document = { root: cloneJson(original) };
  let copiedBytes = 0;
  try {
    for (const op of ops) {
      const kind = operationKind(op);
      switch (kind) {
        case 'add':
          addOp(doc, op);
          break;
        case 'remove':
          removeOp(doc, op);
          break;
        case 'replace':
          replaceOp(doc, op);
          break;
        case 'move':
          moveOp(doc, op);
          break;
        case 'test':
          testOp(doc, op);
          break;
        case 'copy':
          copiedBytes = copyOp(doc, op, copiedBytes);
          break;
        default:
          fail(`Unexpected kind: ${kind}`);
      }
    }
  } catch (err) {
    if (err instanceof OperationFailure) throw patchRejected(err.message);
    throw err;
  }
  return doc.root;
}

/** jsonpatch.DecodePatch: a JSON list whose items are objects (or null). */
function decodeOperations(patchBody: unknown): Operation[] {
  if (patchBody === null || patchBody === undefined) return [];
  if (!Array.isArray(patchBody)) throw undecodable(patchBody, 'jsonpatch.Patch');
  for (const item of patchBody) {
    if (item !== null && !isJsonObject(item)) throw undecodable(item, 'jsonpatch.Operation');
  }
  if (patchBody.length > MAX_JSON_PATCH_OPERATIONS) throw tooManyOperations(patchBody.length);
  return patchBody as Operation[];
}

// ---- reading an operation's members -------------------------------------------------------

function member(op: Operation, name: string): unknown {
  return op && hasKey(op, name) ? op[name] : undefined;
}

function operationKind(op: Operation): string {
  const v = member(op, 'op');
  return typeof v === 'string' ? v : 'unknown';
}

/** op.Path()/op.From(): the string, or the reason it cannot be read. */
function stringMember(op: Operation, name: 'path' | 'from'): { value: string } | { error: string } {
  const v = member(op, name);
  if (v === undefined || v === null) {
    return { error: name === 'path' ? `operation missing path field: ${ERR_MISSING}` : `operation, missing from field: ${ERR_MISSING}` };
  }
  if (typeof v !== 'string') return { error: `json: cannot unmarshal ${goJsonWord(v)} into Go value of type string` };
  return { value: v };
}

function goJsonWord(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

/** The operation's "value": absent is `undefined`, JSON null is `null`. */
function operationValue(op: Operation): unknown {
  return member(op, 'value');
}

/** What an absent or null value becomes once stored: JSON null. */
function stored(v: unknown): unknown {
  return v === undefined ? null : cloneJson(v);
}

// ---- JSON pointers and containers (findObject and the container methods) ------------------

function decodePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** strconv.Atoi: an optionally signed run of decimal digits. */
function atoi(key: string): number {
  if (!/^[+-]?[0-9]+$/.test(key)) fail(`strconv.Atoi: parsing ${JSON.stringify(key)}: invalid syntax`);
  const n = Number(key);
  if (!Number.isSafeInteger(n) && Math.abs(n) >= 2 ** 63) fail(`strconv.Atoi: parsing ${JSON.stringify(key)}: value out of range`);
  return n;
}

function invalidIndex(idx: number): never {
  fail(`Unable to access invalid index: ${idx}: ${ERR_INVALID_INDEX}`);
}

function containerOf(v: unknown): Container | undefined {
  if (Array.isArray(v)) return { kind: 'array', value: v };
  if (isJsonObject(v)) return { kind: 'object', value: v };
  return undefined;
}

/** The container holding the pointer's last token, and that token; undefined if none. */
function findObject(doc: Document, path: string): { con: Container; key: string } | undefined {
  const split = path.split('/');
  if (split.length < 2) return undefined;
  let con = containerOf(doc.root);
  if (!con) return undefined;
  for (const part of split.slice(1, -1)) {
    let next: unknown;
    try {
      next = containerGet(con, decodePointerToken(part));
    } catch (err) {
      if (err instanceof OperationFailure) return undefined;
      throw err;
    }
    const nextCon = containerOf(next);
    if (!nextCon) return undefined;
    con = nextCon;
  }
  return { con, key: decodePointerToken(split[split.length - 1]) };
}

/** The member or element; undefined for an absent object member. */
function containerGet(con: Container, key: string): unknown {
  if (con.kind === 'object') return hasKey(con.value, key) ? con.value[key] : undefined;
  const arr = con.value;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -arr.length) invalidIndex(idx);
    idx += arr.length;
  }
  if (idx >= arr.length) invalidIndex(idx);
  return arr[idx];
}

/** Replace an element or set a member (the "replace" operation). */
function containerSet(con: Container, key: string, value: unknown): void {
  if (con.kind === 'object') {
    setKey(con.value, key, value);
    return;
  }
  const arr = con.value;
  let idx = atoi(key);
  if (idx < 0) {
    if (idx < -arr.length) invalidIndex(idx);
    idx += arr.length;
  }
  arr[idx] = value;
}

function containerAdd(con: Container, key: string, value: unknown): void {
  if (con.kind === 'object') {
    setKey(con.value, key, value);
    return;
  }
  const arr = con.value;
  if (key === '-') {
    arr.push(value);
    return;
  }
  let idx: number;
  try {
    idx = atoi(key);
  } catch (err) {
    if (err instanceof OperationFailure) fail(`value was not a proper array index: '${key}': ${err.message}`);
    throw err;
  }
  const size = arr.length + 1;
  if (idx >= size) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -size) invalidIndex(idx);
    idx += size;
  }
  arr.splice(idx, 0, value);
}

function containerRemove(con: Container, key: string): void {
  if (con.kind === 'object') {
    if (!hasKey(con.value, key)) fail(`Unable to remove nonexistent key: ${key}: ${ERR_MISSING}`);
    delete con.value[key];
    return;
  }
  const arr = con.value;
  let idx = atoi(key);
  if (idx >= arr.length) invalidIndex(idx);
  if (idx < 0) {
    if (idx < -arr.length) invalidIndex(idx);
    idx += arr.length;
  }
  arr.splice(idx, 1);
}

/** Run a container step, prefixing its failure the way the library wraps it. */
function wrapped(prefix: string, step: () => void): void {
  try {
    step();
  } catch (err) {
    if (err instanceof OperationFailure) fail(`${prefix}: ${err.message}`);
    throw err;
  }
}

// ---- the six operations ------------------------------------------------------------------

function addOp(doc: Document, op: Operation): void {
  const path = stringMember(op, 'path');
  if ('error' in path) fail(`add operation failed to decode path: ${ERR_MISSING}`);
  const found = findObject(doc, path.value);
  if (!found) fail(`add operation does not apply: doc is missing path: "${path.value}": ${ERR_MISSING}`);
  wrapped(`error in add for path: '${path.value}'`, () => containerAdd(found.con, found.key, stored(operationValue(op))));
}

function removeOp(doc: Document, op: Operation): void {
  const path = stringMember(op, 'path');
  if ('error' in path) fail(`remove operation failed to decode path: ${ERR_MISSING}`);
  const found = findObject(doc, path.value);
  if (!found) fail(`remove operation does not apply: doc is missing path: "${path.value}": ${ERR_MISSING}`);
  wrapped(`error in remove for path: '${path.value}'`, () => containerRemove(found.con, found.key));
}

function replaceOp(doc: Document, op: Operation): void {
  const path = stringMember(op, 'path');
  if ('error' in path) fail(`replace operation failed to decode path: ${path.error}`);
  if (path.value === '') {
    // The whole document; the library silently ignores a value that is neither object nor list.
    const v = operationValue(op);
    if (Array.isArray(v) || isJsonObject(v)) doc.root = cloneJson(v);
    return;
  }
  const found = findObject(doc, path.value);
  if (!found) fail(`replace operation does not apply: doc is missing path: ${path.value}: ${ERR_MISSING}`);
  try {
    containerGet(found.con, found.key);
  } catch (err) {
    if (err instanceof OperationFailure) fail(`replace operation does not apply: doc is missing key: ${path.value}: ${ERR_MISSING}`);
    throw err;
  }
  wrapped(`error in remove for path: '${path.value}'`, () => containerSet(found.con, found.key, stored(operationValue(op))));
}

function moveOp(doc: Document, op: Operation): void {
  const from = stringMember(op, 'from');
  if ('error' in from) fail(`move operation failed to decode from: ${from.error}`);
  const source = findObject(doc, from.value);
  if (!source) fail(`move operation does not apply: doc is missing from path: ${from.value}: ${ERR_MISSING}`);
  let value: unknown;
  wrapped(`error in move for path: '${source.key}'`, () => {
    value = containerGet(source.con, source.key);
  });
  wrapped(`error in move for path: '${source.key}'`, () => containerRemove(source.con, source.key));
  const path = stringMember(op, 'path');
  if ('error' in path) fail(`move operation failed to decode path: ${path.error}`);
  const target = findObject(doc, path.value);
  if (!target) fail(`move operation does not apply: doc is missing destination path: ${path.value}: ${ERR_MISSING}`);
  wrapped(`error in move for path: '${path.value}'`, () => containerAdd(target.con, target.key, value === undefined ? null : value));
}

function testOp(doc: Document, op: Operation): void {
  const path = stringMember(op, 'path');
  if ('error' in path) fail(`test operation failed to decode path: ${path.error}`);
  const expected = operationValue(op);
  const failed = (): never => fail(`testing value ${path.value} failed: ${ERR_TEST_FAILED}`);
  if (path.value === '') {
    if (!jsonEqual(doc.root, expected)) failed();
    return;
  }
  const found = findObject(doc, path.value);
  if (!found) fail(`test operation does not apply: is missing path: ${path.value}: ${ERR_MISSING}`);
  let actual: unknown;
  wrapped(`error in test for path: '${path.value}'`, () => {
    actual = containerGet(found.con, found.key);
  });
  if (actual === undefined || actual === null) {
    // An absent member and a null one are the same to the library: both match a null value.
    if (expected !== null) failed();
    return;
  }
  if (expected === undefined || !jsonEqual(actual, expected)) failed();
}

function copyOp(doc: Document, op: Operation, copiedBytes: number): number {
  const from = stringMember(op, 'from');
  if ('error' in from) fail(`copy operation failed to decode from: ${from.error}`);
  const source = findObject(doc, from.value);
  if (!source) fail(`copy operation does not apply: doc is missing from path: ${from.value}: ${ERR_MISSING}`);
  let value: unknown;
  wrapped(`error in copy for from: '${from.value}'`, () => {
    value = containerGet(source.con, source.key);
  });
  const path = stringMember(op, 'path');
  if ('error' in path) fail(`copy operation failed to decode path: ${ERR_MISSING}`);
  const target = findObject(doc, path.value);
  if (!target) fail(`copy operation does not apply: doc is missing destination path: ${path.value}: ${ERR_MISSING}`);
  const copy = value === undefined ? null : cloneJson(value);
  const total = copiedBytes + (value === undefined ? 0 : Buffer.byteLength(JSON.stringify(copy)));
  if (total > MAX_JSON_PATCH_COPY_BYTES) {
    fail(
      `Unable to complete the copy, the accumulated size increase of copy is ${total}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`,
    );
  }
  wrapped('error while adding value during copy', () => containerAdd(target.con, target.key, copy));
  return total;
}

// JSON Merge Patch (RFC 7386, application/merge-patch+json) as kube-apiserver applies it, with
// gopkg.in/evanphx/json-patch.v4's MergePatch: null deletes a member, objects merge
// recursively, anything else (lists included) replaces. Where a patch value lands on a member
// that is absent or not an object, null members inside it are dropped (also inside objects in
// lists; null list items stay).
//
// A patch that is null, a string, a number or a boolean is 400 "Invalid JSON Patch"
// (jsonpatch.ErrBadJSONPatch). A list patch replaces the whole document; the caller's decoding
// of the result into the kind then fails, as it does upstream.
import { badRequest } from '../../api/errors.js';
import { cloneJson, hasKey, isJsonObject, setKey, type JsonObject } from './json-value.js';

export function applyMergePatch(original: unknown, patchBody: unknown): unknown {
  if (Array.isArray(patchBody)) return pruneNulls(cloneJson(patchBody));
  if (!isJsonObject(patchBody)) throw badRequest('Invalid JSON Patch');
  const patch = cloneJson(patchBody);
  if (!isJsonObject(original)) return pruneNulls(patch);
  const doc = cloneJson(original);
  mergeDocs(doc, patch);
  return doc;
}

function mergeDocs(doc: JsonObject, patch: JsonObject): void {
  for (const k of Object.keys(patch)) {
    const v = patch[k];
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = hasKey(doc, k) ? doc[k] : null;
    setKey(doc, k, cur === null ? pruneNulls(v) : merge(cur, v));
  }
}

function merge(cur: unknown, patch: unknown): unknown {
  if (!isJsonObject(cur)) return pruneNulls(patch);
  if (!isJsonObject(patch)) return patch;
  mergeDocs(cur, patch);
  return cur;
}

/** Drop null members of objects, recursively (through lists too, whose null items stay). */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) {
    for (const e of v) if (e !== null) pruneNulls(e);
    return v;
  }
  if (isJsonObject(v)) {
    for (const k of Object.keys(v)) {
      if (v[k] === null) delete v[k];
      else pruneNulls(v[k]);
    }
  }
  return v;
}

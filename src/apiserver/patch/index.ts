// The three PATCH formats kube-apiserver accepts, as pure functions: each takes the current
// object and the decoded request body and returns the patched object (a new value; neither
// input is changed), or throws an ApiError worded and coded as the apiserver answers:
//
// - application/json-patch+json (RFC 6902): 400 for a body that is not a list of operations,
//   413 past 10000 operations, 422 "the server rejected our request due to an error in our
//   request" for an operation that does not apply (details on the error's `cause`).
// - application/merge-patch+json (RFC 7386): 400 "Invalid JSON Patch" for a body that is not
//   an object or a list.
// - application/strategic-merge-patch+json: 400 for a body that is not an object and for
//   malformed directives, 422 for lists of lists, 500 with the library's message for the rest
//   (e.g. `map: map[image:nginx] does not contain declared merge key: name`).
//
// The result is what the patch produced, before any decoding into the kind: it may hold
// fields the kind does not have, or (merge patch with a list body) not be an object at all;
// the caller validates it as it validates any request body.
import { applyJsonPatch } from './json-patch.js';
import { applyMergePatch } from './merge-patch.js';
import { applyStrategicMergePatch, type PatchSchema } from './strategic-merge-patch.js';

export type { PatchSchema } from './strategic-merge-patch.js';
export { applyJsonPatch, MAX_JSON_PATCH_COPY_BYTES } from './json-patch.js';
export { applyMergePatch } from './merge-patch.js';
export { applyStrategicMergePatch } from './strategic-merge-patch.js';
export { MAX_JSON_PATCH_OPERATIONS } from './patch-errors.js';

export type PatchContentType =
  | 'application/json-patch+json'
  | 'application/merge-patch+json'
  | 'application/strategic-merge-patch+json';

export const PATCH_CONTENT_TYPES: readonly PatchContentType[] = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];

export function isPatchContentType(contentType: string): contentType is PatchContentType {
  return (PATCH_CONTENT_TYPES as readonly string[]).includes(contentType);
}

/**
 * Apply a PATCH body of the given content type to `original`. `schema` describes the kind for
 * strategic merge patch (merge keys and strategies); without it every list is replaced.
 */
export function applyPatch(original: unknown, patchBody: unknown, type: PatchContentType, schema?: PatchSchema): unknown {
  switch (type) {
    case 'application/json-patch+json':
      return applyJsonPatch(original, patchBody);
    case 'application/merge-patch+json':
      return applyMergePatch(original, patchBody);
    case 'application/strategic-merge-patch+json':
      return applyStrategicMergePatch(original, patchBody, schema);
  }
}

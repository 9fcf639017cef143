// What a request may weigh, beyond the 3 MiB body limit (body.ts), as kube-apiserver and the etcd
// under it bound it, each refused before any recursive walk of the input and with upstream's words:
//
// - JSON nesting: Go's encoding/json scanner (which sigs.k8s.io/json and apimachinery's json
//   utilities use) checks the whole document before decoding and stops at maxNestingDepth, 10000
//   levels: `invalid character '[' exceeded max depth`, a 400 as every JSON syntax error is. Here
//   the bound is 1000 levels, with the same words: parts of this server walk objects recursively
//   and a JavaScript stack ends near 2000 levels of them (no built-in kind nests past ~20).
// - YAML aliases: yaml.v2 refuses a document whose aliases expand too far (the "billion laughs"),
//   `yaml: document contains excessive aliasing`.
// - An object's size: etcd refuses a request over --max-request-bytes (1.5 MiB by default) with
//   `etcdserver: request is too large`, which kube-apiserver passes on as a 500 with no reason.
//   Stores other than etcd get the same bound here, measured on the object's JSON (etcd stores
//   the protobuf encoding, a little smaller: an object this refuses is within a few percent of
//   what etcd would refuse).
import { ApiError, badRequest, statusFailure } from '../api/errors.js';

/** encoding/json's maxNestingDepth is 10000; this server's walks need a lower bound (see above). */
export const MAX_JSON_DEPTH = 1000;

/** etcd's default --max-request-bytes (embed.DefaultMaxRequestBytes): 1.5 MiB. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** What yaml.v2 says of an alias bomb. */
export const YAML_EXCESSIVE_ALIASING = 'yaml: document contains excessive aliasing';

/**
 * The JSON text's first bracket past MAX_JSON_DEPTH levels, or null when it stays within: a scan
 * of the text (strings skipped), with no recursion and no parse.
 */
export function excessiveJsonDepth(text: string, maxDepth = MAX_JSON_DEPTH): string | null {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > maxDepth) return text[i]!;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return null;
}

/** Throws the 400 encoding/json gives a document nested deeper than MAX_JSON_DEPTH. */
export function checkJsonDepth(text: string, prefix: string): void {
  const c = excessiveJsonDepth(text);
  if (c !== null) throw badRequest(`${prefix}invalid character '${c}' exceeded max depth`);
}

export function objectTooLarge(): ApiError {
  return new ApiError(statusFailure(500, '', 'etcdserver: request is too large'));
}

/** Throws etcd's refusal when `obj` is over what etcd takes in one request. */
export function checkObjectSize(obj: unknown): void {
  if (Buffer.byteLength(JSON.stringify(obj)) > MAX_OBJECT_BYTES) throw objectTooLarge();
}

// Resource lists (`requests`, `limits`, node `capacity`): quantities are decoded as the API
// server decodes them, so a malformed one is a 400 decoding error, and stored in canonical form
// rounded up to milli precision (upstream's SetDefaults_ResourceList).
import { badRequest } from '../api/errors.js';
import type { ApiError } from '../api/errors.js';
import { QuantityError, canonicalQuantity } from '../api/quantity.js';
import type { ResourceList } from '../api/types.js';

/** `Pod in version "v1" cannot be handled as a Pod: quantities must match ...` (400). */
export function decodeError(kind: string, message: string): ApiError {
  return badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${message}`);
}

export function canonicalResourceList(list: ResourceList | undefined, kind: string): ResourceList | undefined {
  if (list === undefined || list === null) return list;
  if (typeof list !== 'object' || Array.isArray(list)) throw decodeError(kind, 'resource lists must be objects');
  const out: ResourceList = {};
  for (const [name, value] of Object.entries(list)) {
    try {
      out[name] = canonicalQuantity(value as string | number);
    } catch (err) {
      if (err instanceof QuantityError) throw decodeError(kind, err.message);
      throw err;
    }
  }
  return out;
}

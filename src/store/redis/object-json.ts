// An object's JSON cut in two around the value of metadata.resourceVersion, so the write script
// can put in the revision it allocates without parsing JSON in Lua (cjson would reorder keys,
// round large numbers and turn empty objects into arrays): json = head + revision + tail, where
// head ends with `"resourceVersion":"` and tail starts with `"`. resourceVersion keeps its place
// in metadata when the object already has one, and comes last otherwise.
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../api/types.js';

export interface SplitJson {
  head: string;
  tail: string;
}

export function splitAtResourceVersion(object: KubeObject): SplitJson {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new TypeError('a stored object must be a JSON object');
  }
  const metadata: unknown = object.metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError('a stored object must have metadata');
  }
  for (;;) {
    // A marker no object can contain by chance; checked, and drawn again in the (astronomically
    // unlikely) case it does.
    const marker = `"loopkube-resource-version-${randomBytes(12).toString('hex')}"`;
    const json = JSON.stringify({ ...object, metadata: { ...metadata, resourceVersion: JSON.parse(marker) as string } });
    const at = json.indexOf(marker);
    if (at < 0 || json.indexOf(marker, at + 1) >= 0) continue;
    return { head: json.slice(0, at + 1), tail: json.slice(at + marker.length - 1) };
  }
}

/** The object as stored at a revision. */
export function joinAtRevision(split: SplitJson, revision: number): string {
  return split.head + String(revision) + split.tail;
}

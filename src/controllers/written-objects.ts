// A controller's own recent writes laid over its informer cache. Right after a controller
// creates, updates or deletes an object, its cache may not show it yet; reconciling against that
// stale cache would create a second object (generateName) or lose a compare-and-swap. This
// overlay answers with whichever is newer — the cache or what we wrote — until the cache catches
// up (or the entry expires, so a missed event cannot pin an old view forever).
import { objectKey } from '../api/paths.js';
import type { KubeObject } from '../api/types.js';

export interface WrittenObjects<T extends KubeObject> {
  /** Our write succeeded and the server answered with this object. */
  wrote(obj: T): void;
  /** We deleted this object. */
  deleted(obj: T): void;
  /** The cache saw the object go away: its tombstone is no longer needed. */
  observedDeletion(obj: T): void;
  /** The freshest view of one object (undefined = absent). */
  get(key: string, cached: T | undefined): T | undefined;
  /** The freshest view of a set of cached objects; `belongs` picks which written objects join it. */
  list(cached: T[], belongs: (obj: T) => boolean): T[];
}

interface Written<T> {
  obj: T;
  deleted: boolean;
  rv: number;
  at: number;
}

const rvOf = (obj: KubeObject): number => Number(obj.metadata.resourceVersion ?? 0) || 0;

export function createWrittenObjects<T extends KubeObject>(opts: { ttlMs?: number } = {}): WrittenObjects<T> {
  const ttlMs = opts.ttlMs ?? 30_000;
  const written = new Map<string, Written<T>>();

  /** The written entry still ahead of the cache, if any. */
  function ahead(key: string, cached: T | undefined): Written<T> | undefined {
    const w = written.get(key);
    if (!w) return undefined;
    if (Date.now() - w.at > ttlMs) {
      written.delete(key);
      return undefined;
    }
    if (cached) {
      const rv = rvOf(cached);
      // The cache caught up with our update, or the object was made anew after our delete.
      if ((!w.deleted && rv >= w.rv) || (w.deleted && rv > w.rv && cached.metadata.uid !== w.obj.metadata.uid)) {
        written.delete(key);
        return undefined;
      }
    }
    return w;
  }

  function get(key: string, cached: T | undefined): T | undefined {
    const w = ahead(key, cached);
    if (!w) return cached;
    return w.deleted ? undefined : w.obj;
  }

  return {
    wrote(obj) {
      written.set(objectKey(obj.metadata), { obj, deleted: false, rv: rvOf(obj), at: Date.now() });
    },
    deleted(obj) {
      written.set(objectKey(obj.metadata), { obj, deleted: true, rv: rvOf(obj), at: Date.now() });
    },
    observedDeletion(obj) {
      const key = objectKey(obj.metadata);
      const w = written.get(key);
      if (w && (w.deleted || w.obj.metadata.uid === obj.metadata.uid)) written.delete(key);
    },
    get,
    list(cached, belongs) {
      const out: T[] = [];
      const seen = new Set<string>();
      for (const c of cached) {
        const key = objectKey(c.metadata);
        seen.add(key);
        const v = get(key, c);
        if (v && belongs(v)) out.push(v);
      }
      for (const key of written.keys()) {
        if (seen.has(key)) continue;
        const v = get(key, undefined);
        if (v && belongs(v)) out.push(v);
      }
      return out;
    },
  };
}

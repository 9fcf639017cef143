// A bounded, revision-ordered history of recent events (a ring buffer), as etcd keeps its
// recent revisions and the Kubernetes watch cache keeps its window. It knows its horizon: the
// revision R such that every event with a revision > R is still here, so a watch from R (or
// later) can be replayed from it and a watch from before R must be told "Compacted".
//
// It is bounded by events and, given a size for each, by bytes: the oldest events go once the
// held ones weigh more than maxBytes (the newest is always kept), so a run of large objects
// cannot pin memory after they are deleted (etcd's own history is bounded by its backend quota
// and compaction; here the bytes are the bound).
export interface HistoryEvent {
  revision: number;
}

export interface EventHistory<E extends HistoryEvent> {
  /** Appends an event; its revision must be greater than every revision already held. */
  append(event: E): void;
  /** Every held event with revision > fromRevision, oldest first (a fresh array). */
  since(fromRevision: number): E[];
  /** A watch from revision R can be replayed iff R >= horizon(). */
  horizon(): number;
  /** The newest held event's revision, or the horizon when empty. */
  latest(): number;
  size(): number;
  /** What the held events weigh (0 when the history is not bounded by bytes). */
  bytes(): number;
  /** Drops every event; the history now starts at newHorizon. */
  reset(newHorizon: number): void;
}

export interface EventHistoryBytes<E> {
  /** The most the held events may weigh together. */
  maxBytes: number;
  /** What one event weighs (called once per event, as it is appended). */
  sizeOf(event: E): number;
}

export function createEventHistory<E extends HistoryEvent>(
  limit: number,
  initialHorizon: number,
  bytes?: EventHistoryBytes<E>,
): EventHistory<E> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`history limit must be a positive integer, got ${limit}`);
  if (bytes && !(bytes.maxBytes > 0)) throw new RangeError(`history maxBytes must be positive, got ${bytes.maxBytes}`);
  let ring: (E | undefined)[] = new Array<E | undefined>(limit);
  let sizes = bytes ? new Float64Array(limit) : undefined;
  let heldBytes = 0;
  let start = 0; // index of the oldest event
  let count = 0;
  let horizon = initialHorizon;

  /** Drops the oldest event; the horizon moves to its revision. */
  function dropOldest(): void {
    horizon = at(0).revision;
    ring[start] = undefined;
    if (sizes) heldBytes -= sizes[start]!;
    start = (start + 1) % limit;
    count--;
  }

  const at = (i: number): E => ring[(start + i) % limit] as E;

  /** Index (0..count) of the first held event with revision > rev. */
  function firstAfter(rev: number): number {
    let lo = 0;
    let hi = count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (at(mid).revision > rev) hi = mid;
      else lo = mid + 1;
    }
    return lo;
  }

  return {
    append(event) {
      const newest = count > 0 ? at(count - 1).revision : horizon;
      if (event.revision <= newest) {
        throw new RangeError(`history revisions must increase: ${event.revision} after ${newest}`);
      }
      if (count === limit) dropOldest();
      const slot = (start + count) % limit;
      ring[slot] = event;
      count++;
      if (sizes && bytes) {
        const size = bytes.sizeOf(event);
        sizes[slot] = size;
        heldBytes += size;
        while (heldBytes > bytes.maxBytes && count > 1) dropOldest();
      }
    },
    since(fromRevision) {
      const out: E[] = [];
      for (let i = firstAfter(fromRevision); i < count; i++) out.push(at(i));
      return out;
    },
    horizon: () => horizon,
    latest: () => (count > 0 ? at(count - 1).revision : horizon),
    size: () => count,
    bytes: () => heldBytes,
    reset(newHorizon) {
      ring = new Array<E | undefined>(limit);
      sizes = bytes ? new Float64Array(limit) : undefined;
      heldBytes = 0;
      start = 0;
      count = 0;
      horizon = newHorizon;
    },
  };
}

/** The default byte bound of a history: past it the oldest events go (watches from before them relist). */
export const HISTORY_MAX_BYTES = 64 * 1024 * 1024;

/** The byte bound for a history of events that carry their object as JSON text (the stores' own). */
export function jsonEventBytes(maxBytes = HISTORY_MAX_BYTES): EventHistoryBytes<{ key: string; json: string }> {
  return { maxBytes, sizeOf: (e) => e.key.length + e.json.length };
}

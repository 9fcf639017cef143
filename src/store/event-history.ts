// A bounded, revision-ordered history of recent events (a ring buffer), as etcd keeps its
// recent revisions and the Kubernetes watch cache keeps its window. It knows its horizon: the
// revision R such that every event with a revision > R is still here, so a watch from R (or
// later) can be replayed from it and a watch from before R must be told "Compacted".
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
  /** Drops every event; the history now starts at newHorizon. */
  reset(newHorizon: number): void;
}

export function createEventHistory<E extends HistoryEvent>(
  limit: number,
  initialHorizon: number,
): EventHistory<E> {
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`history limit must be a positive integer, got ${limit}`);
  let ring: (E | undefined)[] = new Array<E | undefined>(limit);
  let start = 0; // index of the oldest event
  let count = 0;
  let horizon = initialHorizon;

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
      if (count === limit) {
        horizon = at(0).revision;
        ring[start] = event;
        start = (start + 1) % limit;
      } else {
        ring[(start + count) % limit] = event;
        count++;
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
    reset(newHorizon) {
      ring = new Array<E | undefined>(limit);
      start = 0;
      count = 0;
      horizon = newHorizon;
    },
  };
}

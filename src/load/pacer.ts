// The schedule of an open-loop run (`--rate R`): request k is due at start + k/R, whichever
// connection sends it. A connection that is answered early waits for the next due time; when
// every connection is busy, due requests queue up and go out as soon as one is free, and their
// latency counts from when they were due, as wrk2 counts it: a server that stalls cannot hide the
// requests that stalled behind it (coordinated omission). The pacer's own wake-up lateness (a
// connection stood ready, the timer fired a little late) is not the server's and does not count.
export interface Pacer<C> {
  /** `c` is free for its next request: it is given the next due one now, or when that falls due. */
  ready(c: C, now: number): void;
  /** `c` no longer waits (it finished). */
  forget(c: C): void;
  stop(): void;
}

/**
 * `dispatch(c, countFrom)`: send `c`'s request now, its latency counted from `countFrom`.
 * `clock` is the time source (performance.now).
 */
export function createPacer<C>(rate: number, start: number, dispatch: (c: C, countFrom: number) => void, clock: () => number): Pacer<C> {
  const intervalMs = 1000 / rate;
  let k = 0;
  let waiting: C[] = [];
  let head = 0;
  /** Since when every connection has been busy (the queue was last emptied). */
  let busySince = start;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  const due = (): number => start + k * intervalMs;
  const queued = (): number => waiting.length - head;

  function arm(now: number): void {
    if (timer || stopped || queued() === 0) return;
    timer = setTimeout(wake, Math.max(1, Math.round(due() - now)));
  }

  function wake(): void {
    timer = null;
    const now = clock();
    while (queued() > 0 && due() <= now) {
      const c = waiting[head++]!;
      k++;
      if (queued() === 0) busySince = now;
      dispatch(c, now);
    }
    if (head > 1024 && head * 2 > waiting.length) {
      waiting = waiting.slice(head);
      head = 0;
    }
    arm(clock());
  }

  return {
    ready(c, now) {
      if (stopped) return;
      const at = due();
      if (at <= now) {
        k++;
        // Another connection stood ready for it: the delay was the pacer's. Else every
        // connection was busy: the request waited for the server since it fell due.
        dispatch(c, queued() > 0 ? now : Math.max(at, busySince));
        return;
      }
      waiting.push(c);
      arm(now);
    },
    forget(c) {
      const i = waiting.indexOf(c, head);
      if (i >= 0) waiting.splice(i, 1);
    },
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      waiting = [];
      head = 0;
    },
  };
}

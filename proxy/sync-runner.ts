// kube-proxy's BoundedFrequencyRunner (pkg/util/async/bounded_frequency_runner.go), which decides
// when the proxier syncs:
// - run() asks for a sync; requests that arrive together are coalesced into one;
// - syncs are at least minIntervalMs apart, except for a burst of `burstRuns` (a token bucket
//   refilled at one token per minIntervalMs, as upstream's flowcontrol limiter); a request that
//   would break that waits for the next opportunity;
// - a sync runs at least every maxIntervalMs even when nothing asks (0: never);
// - retryAfter(ms) makes sure one runs no later than ms from now (a failed sync, a port to retry).
// loopkube adds delayMs: a request is acted on only that long after it arrives (the requests
// arriving meanwhile ride along), modelling a node's rule-programming time.
//
// The clock is injected so the rules can be tested exactly (test/proxy/sync-runner.test.ts).

export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** Runs fn after the current batch of events (setImmediate). */
  defer(fn: () => void): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  defer: (fn) => setImmediate(fn),
};

export interface SyncRunnerOptions {
  minIntervalMs: number;
  maxIntervalMs: number;
  burstRuns: number;
  delayMs: number;
  clock?: Clock;
}

export interface SyncRunner {
  /** Ask for a sync as soon as the rules allow. */
  run(): void;
  /** Make sure a sync runs no later than `ms` from now. */
  retryAfter(ms: number): void;
  /** Record a sync made outside the runner (the first one, run at once as kube-proxy's), restarting the period. */
  ran(): void;
  stop(): void;
}

export function createSyncRunner(fn: () => void, opts: SyncRunnerOptions): SyncRunner {
  const clock = opts.clock ?? realClock;
  const { minIntervalMs, maxIntervalMs, delayMs } = opts;
  const burst = Math.max(1, opts.burstRuns);
  let tokens = burst;
  let refilledAt = clock.now();
  let lastRun = -Infinity;
  let timer: unknown = null;
  let timerAt = Infinity;
  /** The armed timer is the periodic one (maxIntervalMs), not a deferred request. */
  let timerPeriodic = false;
  /** A sync is owed: asked for and not yet run. */
  let wanted = false;
  let deferred = false;
  /** Inside fn(): a retry asked for then is armed once fn returns. */
  let running = false;
  let retryDueAt = Infinity;
  let delayed = false;
  let stopped = false;

  const tryAccept = (now: number): boolean => {
    if (minIntervalMs <= 0) return true;
    tokens = Math.min(burst, tokens + (now - refilledAt) / minIntervalMs);
    refilledAt = now;
    // A timer may fire a hair early; a token that is all but whole counts as whole.
    if (tokens >= 1 - 1e-6) {
      tokens = Math.max(0, tokens - 1);
      return true;
    }
    return false;
  };

  const arm = (ms: number, isPeriodic: boolean): void => {
    if (timer !== null) clock.clearTimeout(timer);
    timer = null;
    timerAt = Infinity;
    if (!Number.isFinite(ms)) return;
    const wait = Math.max(0, ms);
    timerAt = clock.now() + wait;
    timerPeriodic = isPeriodic;
    timer = clock.setTimeout(() => {
      timer = null;
      timerAt = Infinity;
      if (timerPeriodic) wanted = true;
      tryRun();
    }, wait);
  };

  const armPeriodic = (): void => arm(maxIntervalMs > 0 ? maxIntervalMs : Infinity, true);

  function tryRun(): void {
    if (stopped || !wanted) return;
    const now = clock.now();
    if (tryAccept(now)) {
      wanted = false;
      running = true;
      try {
        fn();
      } finally {
        running = false;
      }
      lastRun = clock.now();
      armPeriodic();
      if (retryDueAt < timerAt) arm(retryDueAt - lastRun, false);
      retryDueAt = Infinity;
      return;
    }
    // Not now: at the next possible moment, or the periodic one if that comes first.
    const nextPossible = minIntervalMs - (now - lastRun);
    if (nextPossible < timerAt - now) arm(nextPossible, false);
  }

  armPeriodic();

  return {
    run() {
      if (stopped) return;
      wanted = true;
      if (delayMs > 0) {
        if (delayed) return;
        delayed = true;
        clock.setTimeout(() => {
          delayed = false;
          tryRun();
        }, delayMs);
        return;
      }
      if (deferred) return;
      deferred = true;
      clock.defer(() => {
        deferred = false;
        tryRun();
      });
    },
    retryAfter(ms) {
      if (stopped) return;
      wanted = true;
      const at = clock.now() + ms;
      if (running) retryDueAt = Math.min(retryDueAt, at);
      else if (at < timerAt) arm(ms, false);
    },
    ran() {
      lastRun = clock.now();
      armPeriodic();
    },
    stop() {
      stopped = true;
      if (timer !== null) clock.clearTimeout(timer);
      timer = null;
    },
  };
}

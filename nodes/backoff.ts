// Crash-loop back-off, as kubelet's (client-go's flowcontrol.Backoff keyed per container): the
// first restart after a crash is immediate and opens a window of `base`; a container that
// crashes again waits out the window, and the window doubles up to the cap (kubelet: 10s
// doubling to 5m). A crash more than twice the cap after the last one starts over.
// loopkube's default base is short (1s, cap 30s) so a crash loop is quick to watch in a demo.

export interface RestartBackoffOptions {
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RESTART_BACKOFF: RestartBackoffOptions = { baseMs: 1000, maxMs: 30_000 };

/** kubelet's own (10 s doubling to 5 min): what host-process containers use, as their crashes cost real work. */
export const KUBELET_RESTART_BACKOFF: RestartBackoffOptions = { baseMs: 10_000, maxMs: 300_000 };

export interface RestartBackoff {
  /** The container stopped at `finishedAt` (ms): how long to wait before starting it again (0 = at once). */
  next(finishedAt: number): number;
}

export function createRestartBackoff(opts: RestartBackoffOptions = DEFAULT_RESTART_BACKOFF): RestartBackoff {
  /** The window in effect; 0 before the first crash. */
  let windowMs = 0;
  /** When the crash that last moved the window happened. */
  let lastCrashAt = 0;

  return {
    next(finishedAt) {
      if (windowMs === 0 || finishedAt - lastCrashAt > 2 * opts.maxMs) {
        windowMs = Math.min(opts.baseMs, opts.maxMs);
        lastCrashAt = finishedAt;
        return 0;
      }
      const wait = windowMs;
      windowMs = Math.min(windowMs * 2, opts.maxMs);
      lastCrashAt = finishedAt;
      return wait;
    },
  };
}

// When to restart a process that exited on its own: at once the first time, then after 0.5 s,
// 1 s, 2 s, 4 s, and 5 s from then on. A process that ran for 10 s counts as healthy again, and
// its next crash is restarted at once.
export const MAX_RESTART_DELAY_MS = 5000;
export const FIRST_RESTART_DELAY_MS = 500;
export const RESET_AFTER_MS = 10_000;

/** The delay before restart number `consecutiveFailures + 1` (0 = the first failure in a row). */
export function restartDelayMs(consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  return Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (consecutiveFailures - 1));
}

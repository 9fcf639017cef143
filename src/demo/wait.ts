// Waiting in the scenarios: poll a condition until it holds, or fail naming what did not happen
// (and the last thing seen), so a demo that cannot go on says why.
import { setTimeout as sleep } from 'node:timers/promises';

export class WaitTimeout extends Error {}

/**
 * Polls `check` every `intervalMs` until it returns something other than undefined/false.
 * `describeLast` (optional) tells what was seen instead, for the error message.
 */
export async function waitUntil<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  opts: { timeoutMs?: number; intervalMs?: number; describeLast?: () => string } = {},
): Promise<T> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const seen = opts.describeLast?.() ?? (lastError ? `last error: ${(lastError as Error).message}` : '');
      throw new WaitTimeout(`gave up after ${Math.round(timeoutMs / 1000)}s waiting for ${what}${seen ? ` (${seen})` : ''}`);
    }
    await sleep(opts.intervalMs ?? 100);
  }
}

// Small helpers every multi-process test uses: wait for a condition, find a free port, and
// check that dist/ holds what a test spawns (the vitest global setup builds it once per run).
import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Polls `check` until it returns a value that is not undefined/false (thrown errors count as
 * "not yet"), or throws after `timeoutMs` (generous by default: the machine is shared).
 */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 30_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v !== undefined && v !== false) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? ` (last error: ${(last as Error).message ?? String(last)})` : ''}`);
    await sleep(intervalMs);
  }
}

/** A TCP port free on `host` (127.0.0.1) right now. */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** Throws a clear error when a compiled file a test spawns is missing (test/support/global-setup.ts builds dist/). */
export function requireBuilt(...files: string[]): void {
  const missing = files.filter((f) => !existsSync(path.isAbsolute(f) ? f : path.join(REPO, f)));
  if (missing.length) throw new Error(`${missing.join(', ')} missing: run npx tsc -p tsconfig.json (vitest's global setup does it)`);
}

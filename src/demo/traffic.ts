// Traffic helpers shared by the scenarios: wait until a frontend reaches exactly the expected
// pods (the proxy applies a change in milliseconds, but the demo must not count before it has),
// and print who answered as a small table with each pod's count and share.
import { spread, type AskOptions, type Spread } from './http.js';
import type { DemoOutput } from './output.js';
import { waitUntil } from './wait.js';

/** Waits until new connections to host:port are answered by exactly `pods` (each at least once). */
export async function waitUntilServedBy(host: string, port: number, pods: string[], opts: AskOptions & { timeoutMs?: number } = {}): Promise<void> {
  const want = [...pods].sort().join(', ');
  let seen = '';
  await waitUntil(
    `${host}:${port}${opts.from ? ` (from ${opts.from})` : ''} to reach ${want}`,
    async () => {
      const s = await spread(Math.max(2, pods.length * 2), host, port, { ...opts, timeoutMs: 2000 });
      const got = Object.keys(s.pods).sort().join(', ');
      seen = got || Object.entries(s.errors).map(([k, n]) => `${n}x ${k}`).join(', ');
      return got === want && Object.keys(s.errors).length === 0;
    },
    { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 200, describeLast: () => `last answered by: ${seen || 'nobody'}` },
  );
}

const percent = (n: number, total: number): string => (total > 0 ? `${Math.round((n / total) * 100)}%` : '-');

/**
 * One row per pod, one column per run (e.g. per node the connections went to), each cell the
 * count of answers; a last row with failures when there were any.
 */
export function printSpreads(out: DemoOutput, runs: Array<{ label: string; spread: Spread }>, pods: Array<{ name: string; node?: string }>): void {
  const showNode = pods.some((p) => p.node);
  const headers = ['POD', ...(showNode ? ['ON NODE'] : []), ...runs.map((r) => r.label)];
  const rows: Array<Array<string | number>> = pods.map((p) => [
    p.name,
    ...(showNode ? [p.node ?? ''] : []),
    ...runs.map((r) => {
      const n = r.spread.pods[p.name] ?? 0;
      const total = Object.values(r.spread.pods).reduce((a, b) => a + b, 0);
      return runs.length === 1 ? `${n} (${percent(n, total)})` : n;
    }),
  ]);
  const others = new Set(runs.flatMap((r) => Object.keys(r.spread.pods)).filter((name) => !pods.some((p) => p.name === name)));
  for (const name of others) rows.push([name, ...(showNode ? ['?'] : []), ...runs.map((r) => r.spread.pods[name] ?? 0)]);
  if (runs.some((r) => Object.keys(r.spread.errors).length > 0)) {
    rows.push([
      '(no answer)',
      ...(showNode ? ['-'] : []),
      ...runs.map((r) =>
        Object.entries(r.spread.errors)
          .map(([code, n]) => `${n} ${code}`)
          .join(', ') || 0,
      ),
    ]);
  }
  out.table(headers, rows);
}

/** `{a: 10, b: 10}` as `a 10, b 10`. */
export function formatCounts(counts: Record<string, number>): string {
  const entries = Object.entries(counts).sort(([a], [b]) => a.localeCompare(b));
  return entries.length ? entries.map(([k, n]) => `${k} ${n}`).join(', ') : 'none';
}

/** True when `counts` has exactly these keys, each with `each`. */
export function evenlyOver(counts: Record<string, number>, keys: string[], each: number): boolean {
  const got = Object.keys(counts).sort();
  return got.join(',') === [...keys].sort().join(',') && keys.every((k) => counts[k] === each);
}

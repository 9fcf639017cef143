// What the proxy benchmarks share: the CLI, waiting, free ports, percentiles, and printing a
// table with the machine and its load beside it (the figures of a shared machine are
// provisional; the load average says how much so).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
export const CLI = path.join(REPO, 'dist/src/cli/main.js');

export const randomInt = (min: number, max: number): number => min + Math.floor(Math.random() * (max - min + 1));

/** Runs the loopkube CLI with its own LOOPKUBE_HOME; throws with its output when it fails. */
export function cli(loopkubeHome: string, args: string[]): string {
  return execFileSync(process.execPath, [CLI, ...args], { env: { ...process.env, LOOPKUBE_HOME: loopkubeHome }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 60_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(intervalMs);
  }
}

/** Runs fn over items, at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The p-th percentile (0-100) of xs, nearest rank; NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))]!;
}

export function median(xs: readonly number[]): number {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function fmt(n: number, digits = 0): string {
  return Number.isFinite(n) ? n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits }) : '-';
}

export function ratio(n: number): string {
  return Number.isFinite(n) ? n.toFixed(2) : '-';
}

/** A Markdown table, first column left-aligned, the rest right-aligned. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  return [line(headers), `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The first line a program prints for `args` (its version), or its name. */
export function versionOf(cmd: string, args: string[]): string {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).split('\n')[0]!.trim();
  } catch (err) {
    return ((err as { stdout?: string }).stdout ?? '').split('\n')[0]!.trim() || cmd;
  }
}

export function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' / ');
}

/** Date, CPU, cores, memory, kernel, and the load average now (1 / 5 / 15 min). */
export function machine(): string {
  const cpu = /model name\s*:\s*(.+)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? os.cpus()[0]?.model ?? 'unknown CPU';
  return `${new Date().toISOString().slice(0, 10)}, ${cpu}, ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Linux ${os.release()}; load average ${loadAverage()}`;
}

export const PROVISIONAL =
  'Figures from a machine shared with other work are provisional: compare the ratios of one run, and rerun on a quiet machine (load average well under the core count) before quoting them.';

/** utime and stime of a process (all its threads), in seconds. */
export function cpuSeconds(pid: number): { user: number; system: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { user: Number(fields[11]) / CLK_TCK, system: Number(fields[12]) / CLK_TCK };
}

const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/**
 * The `networking:` lines of a bench cluster's file: address ranges picked at random, so that a
 * bench cluster stays clear of the default plan and of other clusters on the machine. `nodeIP`
 * is node-1's address; `podPrefix` the pod subnet's first two octets (`127.P`).
 */
export function randomNetworking(): { lines: string[]; nodeIP: string; podPrefix: string } {
  const nodeBlock = randomInt(1, 254);
  const podPrefix = `127.${randomInt(150, 239)}`;
  return {
    nodeIP: `127.10.${nodeBlock}.1`,
    podPrefix,
    lines: [
      'networking:',
      `  nodeSubnet: 127.10.${nodeBlock}.0/24`,
      `  podSubnet: ${podPrefix}.0.0/16`,
      `  serviceSubnet: 127.${randomInt(112, 149)}.0.0/16`,
      `  loadBalancerPool: 127.${randomInt(240, 250)}.${randomInt(0, 255)}.0/24`,
    ],
  };
}

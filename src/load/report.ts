// How a load run reads on a terminal: a summary, latency percentiles, errors, and the spread over
// pods and nodes as a table with shares and bars (so "keep-alive pins clients to one pod" shows
// at a glance), and the one-line progress shown while it runs.
import { formatTable } from '../cli/table.js';
import type { Fairness, LoadSummary } from './stats.js';

const BAR_WIDTH = 30;
const EIGHTHS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

/** A bar `share / maxShare` of BAR_WIDTH cells long, in eighths of a cell. */
export function bar(share: number, maxShare: number, width = BAR_WIDTH): string {
  if (maxShare <= 0 || share <= 0) return '';
  const eighths = Math.max(1, Math.round((share / maxShare) * width * 8));
  return '█'.repeat(Math.floor(eighths / 8)) + EIGHTHS[eighths % 8]!;
}

const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
const ms = (v: number | null): string => (v === null ? '-' : v < 10 ? `${v.toFixed(2)}ms` : `${v.toFixed(1)}ms`);
const count = (n: number): string => n.toLocaleString('en-US');

function fairnessLine(what: string, f: Fairness, n: number): string {
  const ratio = f.maxMinRatio === null ? (n > 0 ? 'unbounded (one got nothing)' : '-') : f.maxMinRatio.toFixed(2);
  return `${what} fairness: Jain's index ${f.jain.toFixed(3)} (1 = even), max/min ${ratio}`;
}

export function formatReport(s: LoadSummary): string {
  const out: string[] = [];
  const failures = Object.entries(s.errors).filter(([k]) => k !== 'http 5xx');
  out.push(`Target:     ${s.target}`);
  out.push(
    `Load:       ${s.connections.concurrent} connection${s.connections.concurrent === 1 ? '' : 's'}, ` +
      `${s.keepAlive ? 'keep-alive' : 'a new connection per request'} (${count(s.connections.opened)} opened)`,
  );
  out.push(`Requests:   ${count(s.requests)} answered in ${s.durationSeconds.toFixed(2)}s = ${count(Math.round(s.rps))} requests/s`);
  out.push(`Latency:    p50 ${ms(s.latency.p50)}   p90 ${ms(s.latency.p90)}   p99 ${ms(s.latency.p99)}   max ${ms(s.latency.max)}`);
  const statuses = Object.entries(s.statuses).map(([code, n]) => `${code} x ${count(n)}`);
  if (statuses.length) out.push(`Statuses:   ${statuses.join(', ')}`);
  const errors = Object.entries(s.errors).map(([kind, n]) => `${kind} ${count(n)}`);
  out.push(`Errors:     ${errors.length ? errors.join(', ') : 'none'}${failures.length ? ` (${count(s.attempts - s.requests)} requests got no answer)` : ''}`);

  if (s.requests === 0) {
    out.push('', 'No request was answered.');
    return `${out.join('\n')}\n`;
  }
  if (s.pods.length === 0) {
    out.push('', 'No answer named a pod (is the target a loopkube pod or Service?).');
    return `${out.join('\n')}\n`;
  }
  const maxPod = Math.max(...s.pods.map((p) => p.share));
  out.push('');
  out.push(
    formatTable(
      ['POD', 'NODE', 'REQUESTS', 'SHARE', 'CONNECTIONS', ''],
      s.pods.map((p) => [p.pod, p.node || '-', count(p.requests), percent(p.share), count(p.connections), bar(p.share, maxPod) || ' ']),
    ),
  );
  out.push(fairnessLine('Pod', s.fairness, s.pods.length));
  const maxNode = Math.max(...s.nodes.map((n) => n.share));
  out.push('');
  out.push(
    formatTable(
      ['NODE', 'PODS', 'REQUESTS', 'SHARE', 'CONNECTIONS', ''],
      s.nodes.map((n) => [n.node, n.pods, count(n.requests), percent(n.share), count(n.connections), bar(n.share, maxNode) || ' ']),
    ),
  );
  out.push(fairnessLine('Node', s.nodeFairness, s.nodes.length));
  return `${out.join('\n')}\n`;
}

/** `  3.0s   12,345 requests   4,115/s   0 errors` */
export function formatProgress(p: { elapsedMs: number; responses: number; errors: number }, ratePerSecond: number): string {
  return `  ${(p.elapsedMs / 1000).toFixed(1)}s   ${count(p.responses)} requests   ${count(Math.round(ratePerSecond))}/s   ${count(p.errors)} error${p.errors === 1 ? '' : 's'}`;
}

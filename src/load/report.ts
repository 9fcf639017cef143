// How a load run reads on a terminal: a summary, latency percentiles, errors, a sparkline of
// requests and errors over time, and the spread over pods and nodes as a table with shares and
// bars (so "keep-alive pins clients to one pod" shows at a glance); the one-line progress shown
// while it runs (with an ETA); and the timeline's rows (`--timeline`), printed as they complete.
import { formatTable } from '../cli/table.js';
import { sparkline, squeeze } from './sparkline.js';
import type { Fairness, LoadSummary } from './stats.js';
import type { DuringResult } from './during.js';
import type { TimelineRow } from './timeline.js';
import type { Verdict } from './verdict.js';

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
  const rate = s.rate ? ` (asked for ${count(s.rate)}/s)` : '';
  out.push(`Requests:   ${count(s.requests)} answered in ${s.durationSeconds.toFixed(2)}s = ${count(Math.round(s.rps))} requests/s${rate}`);
  out.push(
    `Latency:    p50 ${ms(s.latency.p50)}   p90 ${ms(s.latency.p90)}   p99 ${ms(s.latency.p99)}   max ${ms(s.latency.max)}` +
      (s.latencyFrom === 'schedule' ? '   (from each request\'s scheduled time)' : ''),
  );
  const statuses = Object.entries(s.statuses).map(([code, n]) => `${code} x ${count(n)}`);
  if (statuses.length) out.push(`Statuses:   ${statuses.join(', ')}`);
  const errors = Object.entries(s.errors).map(([kind, n]) => `${kind} ${count(n)}`);
  out.push(`Errors:     ${errors.length ? errors.join(', ') : 'none'}${failures.length ? ` (${count(s.attempts - s.requests)} requests got no answer)` : ''}`);

  out.push(...formatSparklines(s.timeline.rows, s.timeline.intervalSeconds));

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

const SPARK_WIDTH = 60;

/** `Requests/s  ▅▇██▇▆  max 12,345/s` and the same for errors; nothing for a run shorter than two intervals. */
export function formatSparklines(rows: readonly TimelineRow[], intervalSeconds: number, width = SPARK_WIDTH): string[] {
  if (rows.length < 2) return [];
  const per = (r: TimelineRow, n: number): number => n / Math.max(r.end - r.start, intervalSeconds / 10);
  const requests = squeeze(rows.map((r) => per(r, r.requests)), width);
  const errors = squeeze(rows.map((r) => per(r, r.errors.refused + r.errors.reset + r.errors.timeout + r.errors['5xx'] + r.errors.other)), width);
  const maxRequests = Math.max(...requests);
  const maxErrors = Math.max(...errors);
  const span = (rows.length * intervalSeconds) / requests.length;
  const cell = `one cell = ${span >= 10 || Number.isInteger(span) ? span.toFixed(0) : span.toFixed(1)}s`;
  return [
    `Requests/s: ${sparkline(requests)}  max ${count(Math.round(maxRequests))}/s (${cell})`,
    `Errors/s:   ${sparkline(errors)}  ${maxErrors > 0 ? `max ${count(Math.round(maxErrors))}/s` : 'none'}`,
  ];
}

function clock(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Seconds left: of the duration, or of the requests at the current rate (whichever ends first);
 * null when neither bounds the run or the rate is not known yet.
 */
export function eta(p: { elapsedMs: number; responses: number; errors: number }, ratePerSecond: number, bounds: { durationMs?: number; requests?: number }): number | null {
  const left: number[] = [];
  if (bounds.durationMs !== undefined) left.push(Math.max(0, (bounds.durationMs - p.elapsedMs) / 1000));
  if (bounds.requests !== undefined && ratePerSecond > 0) left.push(Math.max(0, bounds.requests - p.responses - p.errors) / ratePerSecond);
  return left.length ? Math.min(...left) : null;
}

/** `  3.0s   12,345 requests   4,115/s   0 errors   ETA 7s` */
export function formatProgress(p: { elapsedMs: number; responses: number; errors: number }, ratePerSecond: number, etaSeconds: number | null = null): string {
  return (
    `  ${(p.elapsedMs / 1000).toFixed(1)}s   ${count(p.responses)} requests   ${count(Math.round(ratePerSecond))}/s   ${count(p.errors)} error${p.errors === 1 ? '' : 's'}` +
    (etaSeconds === null ? '' : `   ETA ${clock(etaSeconds)}`)
  );
}

// ---- the timeline --------------------------------------------------------------------------

const COLUMNS: Array<[string, number]> = [
  ['TIME', 11],
  ['REQUESTS', 10],
  ['REFUSED', 9],
  ['RESET', 7],
  ['TIMEOUT', 9],
  ['5XX', 6],
  ['P99', 10],
  ['VERSIONS', 26],
  ['FAILED BY', 0],
];

const cells = (values: string[]): string => values.map((v, i) => (COLUMNS[i]![1] ? v.padEnd(COLUMNS[i]![1] - 1) + ' ' : v)).join('').trimEnd();

export function formatTimelineHeader(): string {
  return cells(COLUMNS.map(([h]) => h));
}

const seconds = (t: number): string => (Number.isInteger(t) ? `${t}` : t.toFixed(1));

/** Shares of the largest first: `a1b2c3 70% 9f8e7d 30%`. */
function shares(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return '-';
  return Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${Math.round((n / total) * 100)}%`)
    .join(' ');
}

export function formatTimelineRow(row: TimelineRow): string {
  const failedBy = Object.entries(row.errorPods)
    .sort((a, b) => b[1] - a[1])
    .map(([pod, n]) => `${pod || '?'} ${count(n)}`)
    .join(', ');
  const line = cells([
    `${seconds(row.start)}-${seconds(row.end)}s`,
    count(row.requests),
    count(row.errors.refused),
    count(row.errors.reset),
    count(row.errors.timeout),
    count(row.errors['5xx']),
    ms(row.p99),
    shares(row.versions),
    failedBy || '-',
  ]);
  const other = row.errors.other ? `   (other errors: ${Object.entries(row.kinds).filter(([k]) => !['connect refused', 'reset', 'closed', 'timeout', 'http 5xx'].includes(k)).map(([k, n]) => `${k} ${count(n)}`).join(', ')})` : '';
  return [line + other, ...row.marks.map((m) => `  ▸ ${m}`)].join('\n');
}

// ---- the verdict ---------------------------------------------------------------------------

/** The `--during` command, what it printed, the verdict and its fixes. */
export function formatVerdict(d: DuringResult, v: Verdict): string {
  const out: string[] = [''];
  const how = d.endedAt === null ? 'still running' : d.signal ? `killed by ${d.signal}` : `exit ${d.exitCode}`;
  out.push(`During:     \`${d.command}\` from ${d.startedAt.toFixed(1)}s to ${d.endedAt === null ? '-' : `${d.endedAt.toFixed(1)}s`} (${how})`);
  const output = d.output.trimEnd();
  if (output) for (const line of output.split('\n').slice(0, 20)) out.push(`            | ${line}`);
  out.push(`Verdict:    ${v.sentence}`);
  const blamed = Object.entries(v.pods).filter(([pod]) => pod);
  if (blamed.length) {
    out.push('');
    out.push(
      formatTable(
        ['POD', 'FAILED', 'WHY'],
        blamed.map(([pod, causes]) => [
          pod,
          count(Object.values(causes).reduce((a, b) => a + (b ?? 0), 0)),
          Object.entries(causes)
            .map(([c, n]) => `${c} ${count(n ?? 0)}`)
            .join(', '),
        ]),
      ),
    );
  }
  if (v.fixes.length) {
    out.push('');
    out.push('What stops it:');
    for (const f of v.fixes) out.push(`  - ${f}`);
  }
  return `${out.join('\n')}\n`;
}

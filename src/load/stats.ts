// What a load run counts, and the numbers people compare afterwards: latency percentiles from
// an HdrHistogram (hdr-histogram-js, microsecond resolution, 3 significant digits), errors by
// kind, and the spread of requests and connections over pods and nodes, with Jain's fairness
// index and the max/min ratio.
import { build, type Histogram } from 'hdr-histogram-js';

export type ErrorKind =
  | 'connect refused'
  | 'reset'
  | 'timeout'
  | 'closed'
  | 'address not available'
  | 'bad response'
  | 'http 5xx'
  | string;

export interface PodCounter {
  pod: string;
  node: string;
  requests: number;
  /** Connections whose responses came from this pod. */
  connections: number;
}

export interface LoadStats {
  readonly latencyUs: Histogram;
  /** Requests answered with an HTTP response (any status). */
  responses: number;
  /** Responses by status code. */
  readonly statuses: Map<number, number>;
  readonly errors: Map<ErrorKind, number>;
  /** By pod name. */
  readonly pods: Map<string, PodCounter>;
  connectionsOpened: number;
}

/** Latencies up to an hour are tracked; larger ones are clamped to it. */
const HIGHEST_US = 3_600_000_000;

export function createLoadStats(expectedPods: ReadonlyArray<{ pod: string; node: string }> = []): LoadStats {
  const stats: LoadStats = {
    latencyUs: build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: false }),
    responses: 0,
    statuses: new Map(),
    errors: new Map(),
    pods: new Map(),
    connectionsOpened: 0,
  };
  for (const p of expectedPods) podCounter(stats, p.pod, p.node);
  return stats;
}

export function recordLatency(stats: LoadStats, microseconds: number): void {
  const v = microseconds < 1 ? 1 : microseconds > HIGHEST_US ? HIGHEST_US : Math.round(microseconds);
  stats.latencyUs.recordValue(v);
}

export function countError(stats: LoadStats, kind: ErrorKind): void {
  stats.errors.set(kind, (stats.errors.get(kind) ?? 0) + 1);
}

export function countStatus(stats: LoadStats, status: number): void {
  stats.responses++;
  stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
  if (status >= 500) countError(stats, 'http 5xx');
}

/** The counter of a pod, made on first sight. */
export function podCounter(stats: LoadStats, pod: string, node: string): PodCounter {
  let c = stats.pods.get(pod);
  if (!c) {
    c = { pod, node, requests: 0, connections: 0 };
    stats.pods.set(pod, c);
  } else if (!c.node && node) {
    c.node = node;
  }
  return c;
}

/** Jain's fairness index, (sum x)^2 / (n * sum x^2): 1 when all are equal, 1/n when one takes all. 1 for no values. */
export function jainIndex(values: readonly number[]): number {
  let sum = 0;
  let squares = 0;
  for (const v of values) {
    sum += v;
    squares += v * v;
  }
  if (values.length === 0 || squares === 0) return 1;
  return (sum * sum) / (values.length * squares);
}

/** max / min; null when some value is 0 (unbounded) or there are none. */
export function maxMinRatio(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return min > 0 ? max / min : null;
}

export interface Fairness {
  jain: number;
  /** null when some pod (node) got nothing. */
  maxMinRatio: number | null;
}

export interface PodShare {
  pod: string;
  node: string;
  requests: number;
  /** Of the requests that named a pod, 0..1. */
  share: number;
  connections: number;
}

export interface NodeShare {
  node: string;
  requests: number;
  share: number;
  pods: number;
  connections: number;
}

/** The result of a run, as `--json` prints it. */
export interface LoadSummary {
  target: string;
  /** HTTP responses received (any status; 5xx are also counted under errors). */
  requests: number;
  /** Requests tried: responses plus those that got none (refused, reset, timed out...). */
  attempts: number;
  durationSeconds: number;
  rps: number;
  keepAlive: boolean;
  connections: { concurrent: number; opened: number };
  /** Milliseconds; null when nothing was answered. */
  latency: { p50: number | null; p90: number | null; p99: number | null; max: number | null };
  statuses: Record<string, number>;
  errors: Record<string, number>;
  pods: PodShare[];
  nodes: NodeShare[];
  /** Over pods. */
  fairness: Fairness;
  nodeFairness: Fairness;
}

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

function percentileMs(h: Histogram, p: number): number | null {
  return h.totalCount === 0 ? null : round(h.getValueAtPercentile(p) / 1000, 3);
}

export function summarize(stats: LoadStats, run: { target: string; durationMs: number; keepAlive: boolean; concurrency: number }): LoadSummary {
  const h = stats.latencyUs;
  const failures = [...stats.errors].reduce((n, [kind, count]) => (kind === 'http 5xx' ? n : n + count), 0);
  const pods = [...stats.pods.values()].sort((a, b) => (a.node === b.node ? (a.pod < b.pod ? -1 : 1) : a.node < b.node ? -1 : 1));
  const named = pods.reduce((n, p) => n + p.requests, 0);
  const byNode = new Map<string, NodeShare>();
  for (const p of pods) {
    const key = p.node || '<unknown>';
    const n = byNode.get(key) ?? { node: key, requests: 0, share: 0, pods: 0, connections: 0 };
    n.requests += p.requests;
    n.pods++;
    n.connections += p.connections;
    byNode.set(key, n);
  }
  const nodes = [...byNode.values()].sort((a, b) => (a.node < b.node ? -1 : 1));
  for (const n of nodes) n.share = named ? round(n.requests / named, 4) : 0;
  const seconds = run.durationMs / 1000;
  return {
    target: run.target,
    requests: stats.responses,
    attempts: stats.responses + failures,
    durationSeconds: round(seconds, 3),
    rps: seconds > 0 ? round(stats.responses / seconds, 1) : 0,
    keepAlive: run.keepAlive,
    connections: { concurrent: run.concurrency, opened: stats.connectionsOpened },
    latency: {
      p50: percentileMs(h, 50),
      p90: percentileMs(h, 90),
      p99: percentileMs(h, 99),
      max: h.totalCount === 0 ? null : round(h.maxValue / 1000, 3),
    },
    statuses: Object.fromEntries([...stats.statuses].sort((a, b) => a[0] - b[0]).map(([s, n]) => [String(s), n])),
    errors: Object.fromEntries([...stats.errors].sort((a, b) => b[1] - a[1])),
    pods: pods.map((p) => ({ pod: p.pod, node: p.node, requests: p.requests, share: named ? round(p.requests / named, 4) : 0, connections: p.connections })),
    nodes,
    fairness: fairnessOf(pods.map((p) => p.requests)),
    nodeFairness: fairnessOf(nodes.map((n) => n.requests)),
  };
}

function fairnessOf(values: number[]): Fairness {
  const ratio = maxMinRatio(values);
  return { jain: round(jainIndex(values), 4), maxMinRatio: ratio === null ? null : round(ratio, 3) };
}

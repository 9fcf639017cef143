// What a load run counts, and the numbers people compare afterwards: latency percentiles from
// an HdrHistogram (hdr-histogram-js, microsecond resolution, 3 significant digits), errors by
// kind, and the spread of requests and connections over pods and nodes, with Jain's fairness
// index and the max/min ratio.
import { build, type Histogram } from 'hdr-histogram-js';
import type { TimelineRow } from './timeline.js';

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
  /** The pod's version as it reports it (pod-template-hash, controller-revision-hash, image tag). */
  version: string;
  requests: number;
  /** Connections whose responses came from this pod. */
  connections: number;
}

/** One request that got no good answer: when, why, and what the client knew of the pod. */
export interface Failure {
  /** Milliseconds since the run started (when the failure was seen). */
  t: number;
  kind: ErrorKind;
  /** The pod that failed it: named in a 5xx answer, or the pod that had answered on this connection before; '' when unknown. */
  pod: string;
  /** On a kept-alive connection that had been answered on before (the pod closed a connection in use). */
  reused: boolean;
}

/** Failures kept one by one for the timeline and the verdict (counts stay exact past it). */
export const MAX_FAILURE_RECORDS = 200_000;

export interface LoadStats {
  readonly latencyUs: Histogram;
  /** Latencies of the current timeline interval (reset by the sampler), when a timeline is kept. */
  intervalLatencyUs: Histogram | null;
  readonly failures: Failure[];
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

export function newHistogram(): Histogram {
  return build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: 3, autoResize: false });
}

export function createLoadStats(expectedPods: ReadonlyArray<{ pod: string; node: string }> = []): LoadStats {
  const stats: LoadStats = {
    latencyUs: newHistogram(),
    intervalLatencyUs: null,
    failures: [],
    responses: 0,
    statuses: new Map(),
    errors: new Map(),
    pods: new Map(),
    connectionsOpened: 0,
  };
  for (const p of expectedPods) podCounter(stats, p.pod, p.node, '');
  return stats;
}

export function recordLatency(stats: LoadStats, microseconds: number): void {
  const v = microseconds < 1 ? 1 : microseconds > HIGHEST_US ? HIGHEST_US : Math.round(microseconds);
  stats.latencyUs.recordValue(v);
  stats.intervalLatencyUs?.recordValue(v);
}

/** Counts a failure of `kind` (and keeps its record while there is room). */
export function countError(stats: LoadStats, kind: ErrorKind, t = 0, pod = '', reused = false): void {
  stats.errors.set(kind, (stats.errors.get(kind) ?? 0) + 1);
  if (stats.failures.length < MAX_FAILURE_RECORDS) stats.failures.push({ t, kind, pod, reused });
}

export function countStatus(stats: LoadStats, status: number): void {
  stats.responses++;
  stats.statuses.set(status, (stats.statuses.get(status) ?? 0) + 1);
}

/** The counter of a pod, made on first sight. */
export function podCounter(stats: LoadStats, pod: string, node: string, version: string): PodCounter {
  let c = stats.pods.get(pod);
  if (!c) {
    c = { pod, node, version, requests: 0, connections: 0 };
    stats.pods.set(pod, c);
  } else {
    if (!c.node && node) c.node = node;
    if (!c.version && version) c.version = version;
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
  version: string;
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
  threads: number;
  /** Requests per second asked for (--rate), or null (each connection as fast as it is answered). */
  rate: number | null;
  /** Where latency counts from: the request's send, or its scheduled time (--rate: coordinated omission corrected). */
  latencyFrom: 'send' | 'schedule';
  /** CPU the load generator used during the run (seconds, all its threads). */
  cpu: { user: number; system: number } | null;
  /** One row per interval. */
  timeline: { intervalSeconds: number; rows: TimelineRow[] };
}

const round = (n: number, digits: number): number => {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
};

function percentileMs(h: Histogram, p: number): number | null {
  return h.totalCount === 0 ? null : round(h.getValueAtPercentile(p) / 1000, 3);
}

export interface RunFacts {
  target: string;
  durationMs: number;
  keepAlive: boolean;
  concurrency: number;
  threads?: number;
  rate?: number | null;
  cpu?: { user: number; system: number } | null;
  timeline?: { intervalSeconds: number; rows: TimelineRow[] };
}

export function summarize(stats: LoadStats, run: RunFacts): LoadSummary {
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
    pods: pods.map((p) => ({ pod: p.pod, node: p.node, version: p.version, requests: p.requests, share: named ? round(p.requests / named, 4) : 0, connections: p.connections })),
    nodes,
    fairness: fairnessOf(pods.map((p) => p.requests)),
    nodeFairness: fairnessOf(nodes.map((n) => n.requests)),
    threads: run.threads ?? 1,
    rate: run.rate ?? null,
    latencyFrom: run.rate ? 'schedule' : 'send',
    cpu: run.cpu ? { user: round(run.cpu.user, 3), system: round(run.cpu.system, 3) } : null,
    timeline: run.timeline ?? { intervalSeconds: 1, rows: [] },
  };
}

function fairnessOf(values: number[]): Fairness {
  const ratio = maxMinRatio(values);
  return { jain: round(jainIndex(values), 4), maxMinRatio: ratio === null ? null : round(ratio, 3) };
}

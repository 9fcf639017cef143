// A run as a series over time: each thread samples its counters once per interval (the
// sampler), the main thread adds the threads' samples of an interval up into one row (the
// merger) and hands rows on in order as soon as every thread has reported them. A row holds the
// answers, the failures by kind and by the pod that failed them, the latency p99 of the
// interval, and the answers per pod and per version (what `--timeline` prints, what `--json`
// carries, what the sparkline and the verdict are drawn from).
import { decodeFromCompressedBase64, encodeIntoCompressedBase64, type Histogram } from 'hdr-histogram-js';
import { newHistogram, type Failure, type LoadStats } from './stats.js';

export interface PodInfo {
  pod: string;
  node: string;
  version: string;
}

/** One thread's counts over one interval. */
export interface ThreadSample {
  /** Interval number: 0 is [0, interval) from the start. */
  index: number;
  /** The thread's last sample (its run ended within this interval). */
  final: boolean;
  /** Where this sample's interval ends, ms from the start: its boundary, or where a last one stopped short of it. */
  endMs: number;
  responses: number;
  /** Failures by kind (5xx answers included, as `http 5xx`). */
  errors: Record<string, number>;
  /** Failures by the pod that failed them ('' when the client could not know). */
  errorPods: Record<string, number>;
  /** Answers by pod. */
  pods: Record<string, number>;
  /** Pods first heard from in this interval. */
  podInfo: PodInfo[];
  /** This interval's latencies (µs): a histogram in-process, its compressed encoding across threads; null without a timeline. */
  latency: Histogram | string | null;
  /** The failures of this interval, one by one. */
  failures: Failure[];
}

export interface Sampler {
  /** Takes the last (partial) sample; no more follow. */
  finish(): void;
}

/**
 * Samples `stats` at every interval boundary from `startedAt` (performance.now() of this thread).
 * With `latency`, each interval gets a histogram of its own.
 */
export function startSampler(
  stats: LoadStats,
  opts: { startedAt: number; intervalMs: number; latency: boolean; encode: boolean; now: () => number; durationMs?: number },
  emit: (s: ThreadSample) => void,
): Sampler {
  if (opts.latency) stats.intervalLatencyUs = newHistogram();
  let index = 0;
  let responses = 0;
  let failuresSeen = 0;
  const errorsSeen = new Map<string, number>();
  const podsSeen = new Map<string, number>();
  let timer: NodeJS.Timeout | null = null;
  let finished = false;

  const take = (final: boolean): ThreadSample => {
    const errors: Record<string, number> = {};
    for (const [kind, n] of stats.errors) {
      const d = n - (errorsSeen.get(kind) ?? 0);
      if (d > 0) errors[kind] = d;
      errorsSeen.set(kind, n);
    }
    const pods: Record<string, number> = {};
    const podInfo: PodInfo[] = [];
    for (const p of stats.pods.values()) {
      const before = podsSeen.get(p.pod);
      if (before === undefined && p.requests > 0) podInfo.push({ pod: p.pod, node: p.node, version: p.version });
      const d = p.requests - (before ?? 0);
      if (d > 0) pods[p.pod] = d;
      if (p.requests > 0) podsSeen.set(p.pod, p.requests);
    }
    const failures = stats.failures.slice(failuresSeen);
    failuresSeen = stats.failures.length;
    const errorPods: Record<string, number> = {};
    for (const f of failures) errorPods[f.pod] = (errorPods[f.pod] ?? 0) + 1;
    let latency: Histogram | string | null = null;
    if (stats.intervalLatencyUs) {
      const h = stats.intervalLatencyUs;
      if (opts.encode) {
        latency = encodeIntoCompressedBase64(h);
        h.reset();
      } else {
        latency = h;
        stats.intervalLatencyUs = newHistogram();
      }
    }
    const boundary = (index + 1) * opts.intervalMs;
    const endMs = final && opts.durationMs !== undefined ? Math.min(boundary, Math.max(index * opts.intervalMs, opts.durationMs)) : boundary;
    const sample: ThreadSample = { index, final, endMs, responses: stats.responses - responses, errors, errorPods, pods, podInfo, latency, failures };
    responses = stats.responses;
    index++;
    return sample;
  };

  const arm = (): void => {
    const nextAt = opts.startedAt + (index + 1) * opts.intervalMs;
    timer = setTimeout(tick, Math.max(1, Math.ceil(nextAt - opts.now())));
  };
  const tick = (): void => {
    timer = null;
    if (finished) return;
    // The interval the run's duration ends: its last answers (in flight at the end) belong to it.
    if (opts.durationMs !== undefined && (index + 1) * opts.intervalMs >= opts.durationMs - 1) return;
    emit(take(false));
    arm();
  };
  arm();

  return {
    finish() {
      if (finished) return;
      finished = true;
      if (timer) clearTimeout(timer);
      emit(take(true));
    },
  };
}

/** A failure's kind as a timeline column. */
export type ErrorColumn = 'refused' | 'reset' | 'timeout' | '5xx' | 'other';

export function errorColumn(kind: string): ErrorColumn {
  switch (kind) {
    case 'connect refused':
      return 'refused';
    case 'reset':
    case 'closed':
      return 'reset';
    case 'timeout':
      return 'timeout';
    case 'http 5xx':
      return '5xx';
    default:
      return 'other';
  }
}

export interface TimelineRow {
  /** Seconds from the start of the run. */
  start: number;
  end: number;
  requests: number;
  /** Failures by column; `kinds` has the exact kinds. */
  errors: Record<ErrorColumn, number>;
  kinds: Record<string, number>;
  /** Failures by the pod that failed them ('' unknown). */
  errorPods: Record<string, number>;
  /** Milliseconds; null with no answer in the interval (or no timeline histograms). */
  p99: number | null;
  /** Answers per pod and per version. */
  pods: Record<string, number>;
  versions: Record<string, number>;
  /** What happened in this interval (e.g. the --during command started). */
  marks: string[];
}

export interface Merger {
  add(thread: number, s: ThreadSample): void;
  /** Every row so far, complete or not, in order. */
  rows(): TimelineRow[];
  /** The pods heard from, with their node and version. */
  pods(): Map<string, PodInfo>;
  /** Every failure, in time order. */
  failures(): Failure[];
  /** Marks a moment (ms from the start) on the row that holds it. */
  mark(atMs: number, text: string): void;
}

interface Pending {
  row: TimelineRow;
  latency: Histogram | null;
}

/** Adds up the samples of `threads` threads; `onRow` gets each row once every thread has reported it. */
export function createMerger(threads: number, intervalMs: number, onRow?: (row: TimelineRow) => void): Merger {
  const pending: Pending[] = [];
  const reported = new Array<number>(threads).fill(-1);
  const done = new Array<boolean>(threads).fill(false);
  const podInfo = new Map<string, PodInfo>();
  const failures: Failure[] = [];
  let emitted = 0;

  const rowAt = (index: number): Pending => {
    while (pending.length <= index) {
      const i = pending.length;
      pending.push({
        row: {
          start: (i * intervalMs) / 1000,
          end: ((i + 1) * intervalMs) / 1000,
          requests: 0,
          errors: { refused: 0, reset: 0, timeout: 0, '5xx': 0, other: 0 },
          kinds: {},
          errorPods: {},
          p99: null,
          pods: {},
          versions: {},
          marks: [],
        },
        latency: null,
      });
    }
    return pending[index]!;
  };

  const versionOf = (pod: string): string => podInfo.get(pod)?.version || '?';

  const complete = (p: Pending): void => {
    const row = p.row;
    row.versions = {};
    for (const [pod, n] of Object.entries(row.pods)) row.versions[versionOf(pod)] = (row.versions[versionOf(pod)] ?? 0) + n;
    row.p99 = p.latency && p.latency.totalCount > 0 ? Math.round(p.latency.getValueAtPercentile(99)) / 1000 : null;
  };

  const flush = (): void => {
    for (;;) {
      const i = emitted;
      if (i >= pending.length) return;
      for (let t = 0; t < threads; t++) if (!done[t] && reported[t]! < i) return;
      complete(pending[i]!);
      emitted++;
      onRow?.(pending[i]!.row);
    }
  };

  return {
    add(thread, s) {
      for (const p of s.podInfo) if (!podInfo.has(p.pod) || !podInfo.get(p.pod)!.version) podInfo.set(p.pod, p);
      const p = rowAt(s.index);
      const row = p.row;
      if (s.final && s.endMs / 1000 < row.end) row.end = Math.max(row.start, s.endMs / 1000);
      row.requests += s.responses;
      for (const [kind, n] of Object.entries(s.errors)) {
        row.kinds[kind] = (row.kinds[kind] ?? 0) + n;
        row.errors[errorColumn(kind)] += n;
      }
      for (const [pod, n] of Object.entries(s.errorPods)) row.errorPods[pod] = (row.errorPods[pod] ?? 0) + n;
      for (const [pod, n] of Object.entries(s.pods)) row.pods[pod] = (row.pods[pod] ?? 0) + n;
      if (s.latency !== null) {
        const h = typeof s.latency === 'string' ? decodeFromCompressedBase64(s.latency) : s.latency;
        if (p.latency === null) p.latency = typeof s.latency === 'string' ? h : newHistogramFrom(h);
        else p.latency.add(h);
      }
      for (const f of s.failures) failures.push(f);
      reported[thread] = s.index;
      if (s.final) done[thread] = true;
      flush();
    },
    rows() {
      for (let i = emitted; i < pending.length; i++) complete(pending[i]!);
      return pending.map((p) => p.row);
    },
    pods: () => podInfo,
    failures: () => failures.sort((a, b) => a.t - b.t),
    mark(atMs, text) {
      const i = Math.max(0, Math.floor(atMs / intervalMs));
      rowAt(i).row.marks.push(text);
    },
  };
}

function newHistogramFrom(h: Histogram): Histogram {
  const copy = newHistogram();
  copy.add(h);
  return copy;
}

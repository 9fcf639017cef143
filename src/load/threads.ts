// A whole run, on one thread or several (`--threads N`, as wrk's `-t`): the connections, the
// request count and the rate are split evenly over the threads; each thread runs its own engine
// (runner.ts) and sampler on its own event loop (worker_threads), all on one shared start time,
// and the main thread adds their interval samples up into one timeline (timeline.ts) and their
// counters into one set of stats at the end. With one thread everything runs in this thread.
import { performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { decodeFromCompressedBase64, encodeIntoCompressedBase64 } from 'hdr-histogram-js';
import { startLoad, type LoadOptions, type LoadProgress } from './runner.js';
import { createLoadStats, type LoadStats, type PodCounter } from './stats.js';
import { createMerger, startSampler, type Merger, type ThreadSample, type TimelineRow } from './timeline.js';

export interface RunPlan {
  load: Omit<LoadOptions, 'signal' | 'startedAt' | 'firstTarget'>;
  threads: number;
  /** Timeline interval (also the sparkline's). */
  intervalMs: number;
  /** Keep a latency histogram per interval (the timeline's p99). */
  intervalLatency: boolean;
  expectedPods?: ReadonlyArray<{ pod: string; node: string }>;
  /** Each timeline row, once every thread has reported it. */
  onRow?: (row: TimelineRow) => void;
}

export interface RunResult {
  stats: LoadStats;
  durationMs: number;
  /** CPU the whole process used during the run (every thread), in seconds. */
  cpu: { user: number; system: number };
}

export interface Run {
  done: Promise<RunResult>;
  progress(): LoadProgress;
  stop(): void;
  readonly merger: Merger;
  /** Milliseconds since the run started. */
  elapsed(): number;
}

/** What a worker gets (workerData). */
export interface WorkerPlan {
  load: RunPlan['load'];
  firstTarget: number;
  intervalMs: number;
  intervalLatency: boolean;
  /** Shared progress cells: [responses, errors] per thread. */
  progress: SharedArrayBuffer;
  thread: number;
}

export type WorkerMessage =
  | { type: 'ready' }
  | { type: 'sample'; sample: ThreadSample }
  | { type: 'done'; durationMs: number; stats: SerializedStats }
  | { type: 'failed'; message: string };

export type MainMessage = { type: 'start'; epochMs: number } | { type: 'stop' };

export interface SerializedStats {
  latency: string;
  responses: number;
  statuses: Array<[number, number]>;
  errors: Array<[string, number]>;
  pods: PodCounter[];
  connectionsOpened: number;
}

export function serializeStats(s: LoadStats): SerializedStats {
  return {
    latency: encodeIntoCompressedBase64(s.latencyUs),
    responses: s.responses,
    statuses: [...s.statuses],
    errors: [...s.errors],
    pods: [...s.pods.values()],
    connectionsOpened: s.connectionsOpened,
  };
}

function addStats(into: LoadStats, s: SerializedStats): void {
  into.latencyUs.add(decodeFromCompressedBase64(s.latency));
  into.responses += s.responses;
  for (const [code, n] of s.statuses) into.statuses.set(code, (into.statuses.get(code) ?? 0) + n);
  for (const [kind, n] of s.errors) into.errors.set(kind, (into.errors.get(kind) ?? 0) + n);
  for (const p of s.pods) {
    const c = into.pods.get(p.pod);
    if (!c) into.pods.set(p.pod, { ...p });
    else {
      c.requests += p.requests;
      c.connections += p.connections;
      if (!c.node) c.node = p.node;
      if (!c.version) c.version = p.version;
    }
  }
  into.connectionsOpened += s.connectionsOpened;
}

/** `total` split over `parts`: the first ones get one more. */
export function share(total: number, parts: number, i: number): number {
  return Math.floor(total / parts) + (i < total % parts ? 1 : 0);
}

export function startRun(plan: RunPlan): Run {
  const connections = Math.max(1, plan.load.connections ?? 10);
  const threads = Math.max(1, Math.min(plan.threads, connections));
  const merger = createMerger(threads, plan.intervalMs, plan.onRow);
  return threads === 1 ? runHere(plan, merger) : runOnWorkers(plan, threads, connections, merger);
}

export function durationOf(plan: { load: { durationMs?: number } }): { durationMs?: number } {
  return plan.load.durationMs !== undefined ? { durationMs: plan.load.durationMs } : {};
}

function runHere(plan: RunPlan, merger: Merger): Run {
  const stats = createLoadStats(plan.expectedPods);
  const cpu0 = process.cpuUsage();
  const run = startLoad(plan.load, stats);
  const sampler = startSampler(stats, { startedAt: run.startedAt, intervalMs: plan.intervalMs, latency: plan.intervalLatency, encode: false, now: () => performance.now(), ...durationOf(plan) }, (s) =>
    merger.add(0, s),
  );
  const done = run.done.then(({ durationMs }) => {
    sampler.finish();
    const cpu = process.cpuUsage(cpu0);
    stats.failures.splice(0, stats.failures.length, ...merger.failures());
    return { stats, durationMs, cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 } };
  });
  return { done, progress: run.progress, stop: run.stop, merger, elapsed: () => performance.now() - run.startedAt };
}

function runOnWorkers(plan: RunPlan, threads: number, connections: number, merger: Merger): Run {
  const progressCells = new SharedArrayBuffer(threads * 2 * Float64Array.BYTES_PER_ELEMENT);
  const cells = new Float64Array(progressCells);
  const workers: Worker[] = [];
  const stats = createLoadStats(plan.expectedPods);
  // CPU counts from the start signal: the threads' own start-up (loading their code) is not the run's.
  let cpu0 = process.cpuUsage();
  let startedAt = performance.now();
  let ready = 0;
  let finished = 0;
  let longest = 0;
  let stopped = false;
  let resolve: (r: RunResult) => void = () => {};
  let reject: (e: Error) => void = () => {};
  const done = new Promise<RunResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });

  const fail = (err: Error): void => {
    for (const w of workers) void w.terminate();
    reject(err);
  };

  for (let i = 0; i < threads; i++) {
    const load = { ...plan.load, connections: share(connections, threads, i) };
    if (plan.load.requests !== undefined) load.requests = share(plan.load.requests, threads, i);
    if (plan.load.rate !== undefined) load.rate = (plan.load.rate * load.connections) / connections;
    const data: WorkerPlan = { load, firstTarget: i, intervalMs: plan.intervalMs, intervalLatency: plan.intervalLatency, progress: progressCells, thread: i };
    const w = new Worker(new URL('./worker.js', import.meta.url), { workerData: data });
    workers.push(w);
    w.on('message', (m: WorkerMessage) => {
      switch (m.type) {
        case 'ready':
          if (++ready === threads) {
            // One start for all, a moment ahead so that every thread is waiting for it.
            const epochMs = performance.timeOrigin + performance.now() + 5;
            startedAt = epochMs - performance.timeOrigin;
            cpu0 = process.cpuUsage();
            for (const x of workers) x.postMessage({ type: stopped ? 'stop' : 'start', epochMs } satisfies MainMessage);
          }
          break;
        case 'sample':
          merger.add(i, m.sample);
          break;
        case 'done':
          addStats(stats, m.stats);
          longest = Math.max(longest, m.durationMs);
          if (++finished === threads) {
            const cpu = process.cpuUsage(cpu0);
            stats.failures.push(...merger.failures());
            for (const x of workers) void x.terminate();
            resolve({ stats, durationMs: longest, cpu: { user: cpu.user / 1e6, system: cpu.system / 1e6 } });
          }
          break;
        case 'failed':
          fail(new Error(m.message));
          break;
      }
    });
    w.on('error', fail);
  }

  return {
    done,
    progress() {
      let responses = 0;
      let errors = 0;
      for (let t = 0; t < threads; t++) {
        responses += cells[t * 2]!;
        errors += cells[t * 2 + 1]!;
      }
      return { elapsedMs: performance.now() - startedAt, responses, errors };
    },
    stop() {
      stopped = true;
      for (const w of workers) w.postMessage({ type: 'stop' } satisfies MainMessage);
    },
    merger,
    elapsed: () => performance.now() - startedAt,
  };
}

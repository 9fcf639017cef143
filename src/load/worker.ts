// One thread of a multi-threaded run (threads.ts): runs its share of the connections and posts
// its interval samples, its progress (shared cells) and, at the end, its counters.
import { performance } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { startLoad, type LoadRun } from './runner.js';
import { createLoadStats } from './stats.js';
import { durationOf, serializeStats, type MainMessage, type WorkerMessage, type WorkerPlan } from './threads.js';
import { startSampler } from './timeline.js';

const plan = workerData as WorkerPlan;
const port = parentPort!;
const cells = new Float64Array(plan.progress);
const post = (m: WorkerMessage): void => port.postMessage(m);
let run: LoadRun | null = null;
let stopped = false;

port.on('message', (m: MainMessage) => {
  if (m.type === 'stop') {
    if (run) run.stop();
    else if (!stopped) {
      stopped = true;
      post({ type: 'done', durationMs: 0, stats: serializeStats(createLoadStats()) });
    }
    return;
  }
  const startedAt = m.epochMs - performance.timeOrigin;
  setTimeout(() => begin(startedAt), Math.max(0, startedAt - performance.now()));
});

function begin(startedAt: number): void {
  if (stopped) return;
  try {
    const stats = createLoadStats();
    run = startLoad({ ...plan.load, startedAt, firstTarget: plan.firstTarget }, stats);
    const sampler = startSampler(stats, { startedAt, intervalMs: plan.intervalMs, latency: plan.intervalLatency, encode: true, now: () => performance.now(), ...durationOf(plan) }, (sample) =>
      post({ type: 'sample', sample }),
    );
    const current = run;
    const progress = setInterval(() => {
      const p = current.progress();
      cells[plan.thread * 2] = p.responses;
      cells[plan.thread * 2 + 1] = p.errors;
    }, 200);
    void run.done.then(({ durationMs }) => {
      clearInterval(progress);
      const p = current.progress();
      cells[plan.thread * 2] = p.responses;
      cells[plan.thread * 2 + 1] = p.errors;
      sampler.finish();
      post({ type: 'done', durationMs, stats: serializeStats(stats) });
      port.close();
    });
  } catch (err) {
    post({ type: 'failed', message: (err as Error).message });
  }
}
post({ type: 'ready' });

// When the proxier syncs, as kube-proxy's BoundedFrequencyRunner decides it: requests at given
// times in, sync times out, on a clock the test drives (so every row is exact).
import { describe, expect, it } from 'vitest';
import { createSyncRunner, type Clock, type SyncRunnerOptions } from '../../proxy/sync-runner.js';

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  live: boolean;
}

/** A clock whose time moves only when the test says; timers fire in time order, then in order of creation. */
function fakeClock(): Clock & { at(t: number, fn: () => void): void; runUntil(t: number): void } {
  let now = 0;
  let seq = 0;
  const pending: Pending[] = [];
  const add = (at: number, fn: () => void): Pending => {
    const p = { at, seq: seq++, fn, live: true };
    pending.push(p);
    return p;
  };
  return {
    now: () => now,
    setTimeout: (fn, ms) => add(now + Math.max(0, ms), fn),
    clearTimeout: (h) => {
      (h as Pending).live = false;
    },
    defer: (fn) => void add(now, fn),
    at: (t, fn) => void add(t, fn),
    runUntil(t) {
      for (;;) {
        const next = pending.filter((p) => p.live).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
        if (!next || next.at > t) break;
        next.live = false;
        now = next.at;
        next.fn();
      }
      now = t;
    },
  };
}

const KUBE_PROXY: Omit<SyncRunnerOptions, 'clock'> = { minIntervalMs: 1000, maxIntervalMs: 30_000, burstRuns: 2, delayMs: 0 };

const rows: Array<{ rule: string; opts: Omit<SyncRunnerOptions, 'clock'>; requests: number[]; retries?: Array<[at: number, ms: number]>; until: number; runs: number[] }> = [
  { rule: 'a lone change is applied at once', opts: KUBE_PROXY, requests: [5], until: 10_000, runs: [5] },
  { rule: 'changes arriving together are applied in one sync', opts: KUBE_PROXY, requests: [5, 5, 5, 5], until: 10_000, runs: [5] },
  { rule: 'two syncs may run back to back (burst 2), a third waits for minSyncPeriod', opts: KUBE_PROXY, requests: [0, 10, 20], until: 10_000, runs: [0, 10, 1010] },
  {
    // One token per minSyncPeriod, as upstream's token bucket: 100 ms of the second token had
    // accrued by the burst's second sync.
    rule: 'a steady stream of changes is applied at most once per minSyncPeriod after the burst',
    opts: KUBE_PROXY,
    requests: Array.from({ length: 21 }, (_, i) => i * 100),
    until: 10_000,
    runs: [0, 100, 1000, 2000],
  },
  { rule: 'with nothing changing, a full sync every syncPeriod', opts: KUBE_PROXY, requests: [], until: 65_000, runs: [30_000, 60_000] },
  { rule: 'a change restarts the period', opts: KUBE_PROXY, requests: [20_000], until: 55_000, runs: [20_000, 50_000] },
  { rule: 'syncDelay: a change waits, and the ones arriving meanwhile ride along', opts: { ...KUBE_PROXY, minIntervalMs: 0, delayMs: 500 }, requests: [0, 100, 400, 600], until: 5000, runs: [500, 1100] },
  { rule: 'syncDelay and minSyncPeriod together: the later of the two', opts: { ...KUBE_PROXY, delayMs: 300, burstRuns: 1 }, requests: [0, 400], until: 5000, runs: [300, 1300] },
  { rule: 'instant: every change applied as it arrives', opts: { minIntervalMs: 0, maxIntervalMs: 30_000, burstRuns: 2, delayMs: 0 }, requests: [0, 1, 2, 3], until: 100, runs: [0, 1, 2, 3] },
  { rule: 'retryAfter makes a sync happen by then', opts: KUBE_PROXY, requests: [], retries: [[0, 2000]], until: 40_000, runs: [2000, 32_000] },
  { rule: 'retryAfter never postpones a sync that is due sooner', opts: KUBE_PROXY, requests: [0, 10, 20], retries: [[20, 5000]], until: 3000, runs: [0, 10, 1010] },
];

describe('the bounded-frequency sync runner', () => {
  for (const row of rows) {
    it(row.rule, () => {
      const clock = fakeClock();
      const runs: number[] = [];
      const runner = createSyncRunner(() => runs.push(clock.now()), { ...row.opts, clock });
      for (const t of row.requests) clock.at(t, () => runner.run());
      for (const [t, ms] of row.retries ?? []) clock.at(t, () => runner.retryAfter(ms));
      clock.runUntil(row.until);
      runner.stop();
      expect(runs).toEqual(row.runs);
    });
  }

  it('keeps a retry asked for during a sync (a port that could not be bound)', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    let first = true;
    const runner = createSyncRunner(
      () => {
        runs.push(clock.now());
        if (first) runner.retryAfter(2000);
        first = false;
      },
      { ...KUBE_PROXY, clock },
    );
    clock.at(0, () => runner.run());
    clock.runUntil(10_000);
    runner.stop();
    expect(runs).toEqual([0, 2000]);
  });

  it('never runs after stop()', () => {
    const clock = fakeClock();
    const runs: number[] = [];
    const runner = createSyncRunner(() => runs.push(clock.now()), { ...KUBE_PROXY, clock });
    clock.at(0, () => runner.run());
    clock.at(10, () => runner.run());
    clock.at(20, () => runner.run());
    clock.at(30, () => runner.stop());
    clock.runUntil(100_000);
    expect(runs).toEqual([0, 10]);
  });
});

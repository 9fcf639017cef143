// The verdict's attribution: each failure joined with what the API said of the pods and
// endpoints at that moment. One table of cases, each a small story told in milliseconds from the
// load's start.
import { describe, expect, it } from 'vitest';
import type { DuringResult } from '../../src/load/during.js';
import type { Lifecycle, PodHistory } from '../../src/load/lifecycle.js';
import type { Failure } from '../../src/load/stats.js';
import type { TimelineRow } from '../../src/load/timeline.js';
import { judge, type Cause } from '../../src/load/verdict.js';

const START = 1_000_000; // the load's start on the lifecycle's clock

function pod(name: string, over: Partial<PodHistory> = {}): PodHistory {
  return { pod: name, node: 'node-1', version: 'v1', firstSeen: -5000, readyAt: -5000, terminatingAt: null, deletedAt: null, forced: false, readinessProbe: true, preStopSleepSeconds: 0, gracePeriodSeconds: 30, ...over };
}

/** Lifecycle times are given relative to the load's start, as the failures are. */
function lifecycle(pods: PodHistory[], readyEndpoints: Array<[number, number]> = [[-5000, pods.length]], endpoints: Record<string, Array<[number, boolean, boolean]>> = {}): Lifecycle {
  const abs = (t: number | null): number | null => (t === null ? null : START + t);
  return {
    pods: new Map(pods.map((p) => [p.pod, { ...p, firstSeen: START + p.firstSeen, readyAt: abs(p.readyAt), terminatingAt: abs(p.terminatingAt), deletedAt: abs(p.deletedAt) }])),
    endpoints: new Map(Object.entries(endpoints).map(([k, v]) => [k, v.map(([t, ready, present]) => ({ t: START + t, ready, serving: ready, terminating: !ready, present }))])),
    readyEndpoints: readyEndpoints.map(([t, ready]) => ({ t: START + t, ready })),
  };
}

const rows = (n: number, requests = 100): TimelineRow[] =>
  Array.from({ length: n }, (_, i) => ({ start: i, end: i + 1, requests, errors: { refused: 0, reset: 0, timeout: 0, '5xx': 0, other: 0 }, kinds: {}, errorPods: {}, p99: 1, pods: {}, versions: {}, marks: [] }));

const during: DuringResult = { command: 'kubectl delete pod web-a', startedAt: 2, endedAt: 2.2, exitCode: 0, signal: null, output: '' };
const f = (t: number, kind: string, pod = '', reused = false): Failure => ({ t, kind, pod, reused });

describe('verdict', () => {
  const cases: Array<{ rule: string; failures: Failure[]; lc: Lifecycle; want: Partial<Record<Cause, number>>; pods?: Record<string, Partial<Record<Cause, number>>>; fix?: RegExp; outside?: number }> = [
    {
      rule: 'requests cut on kept-alive connections to the deleted pod: keep-alive, on that pod; the fix drains connections',
      failures: [f(2300, 'closed', 'web-a', true), f(2301, 'reset', 'web-a', true)],
      lc: lifecycle([pod('web-a', { terminatingAt: 2200, deletedAt: 2400 }), pod('web-b')]),
      want: { 'keep-alive': 2 },
      pods: { 'web-a': { 'keep-alive': 2 } },
      fix: /Drain keep-alive connections/,
    },
    {
      rule: 'fresh connections reset while one pod was terminating: blamed on it; the fix is a preStop sleep longer than what was measured',
      failures: [f(2300, 'closed'), f(3100, 'reset')],
      lc: lifecycle([pod('web-a', { terminatingAt: 2200, deletedAt: 3300 }), pod('web-b')], [[-5000, 2], [2250, 1]], { 'web-a': [[-5000, true, true], [2250, false, true], [3300, false, false]] }),
      want: { terminating: 2 },
      pods: { 'web-a': { terminating: 2 } },
      fix: /preStop sleep longer than the propagation delay: requests still failed 900 ms after a pod began terminating, and its endpoint left the EndpointSlice 50 ms after \(lifecycle\.preStop\.sleep\.seconds: 2;/,
    },
    {
      rule: 'a pod deleted with no grace period: the fix says to delete gracefully, not a preStop',
      failures: [f(2300, 'closed', 'web-a', true)],
      lc: lifecycle([pod('web-a', { terminatingAt: 2290, deletedAt: 2290, forced: true }), pod('web-b')]),
      want: { 'keep-alive': 1 },
      fix: /deleted with no grace period/,
    },
    {
      rule: 'refused while no endpoint was ready: no endpoint; the fix is maxUnavailable 0',
      failures: [f(2500, 'connect refused'), f(2600, 'connect refused')],
      lc: lifecycle([pod('web-a')], [[-5000, 1], [2400, 0], [2900, 1]]),
      want: { 'no endpoint': 2 },
      fix: /maxUnavailable: 0/,
    },
    {
      rule: 'fresh connections reset while no endpoint was ready, the old pods terminating meanwhile (a drain): no endpoint, whatever else went on; the fix names a PodDisruptionBudget',
      // the last one just after the API listed a ready endpoint again, before the proxy could know
      failures: [f(3300, 'reset'), f(3400, 'connect refused'), f(3500, 'reset', 'web-a', true), f(4200, 'reset')],
      lc: lifecycle([pod('web-a', { terminatingAt: 2200, deletedAt: 3250 }), pod('web-b', { terminatingAt: 2200, deletedAt: 3260 })], [[-5000, 2], [2300, 0], [4000, 2]]),
      want: { 'no endpoint': 3, 'keep-alive': 1 },
      pods: { '': { 'no endpoint': 3 }, 'web-a': { 'keep-alive': 1 } },
      fix: /PodDisruptionBudget/,
    },
    {
      rule: 'reset just after a pod without a readiness probe turned Ready: not ready; the fix is a readiness probe',
      failures: [f(2600, 'reset')],
      lc: lifecycle([pod('web-a'), pod('web-c', { readyAt: 2500, readinessProbe: false })]),
      want: { 'not ready': 1 },
      pods: { 'web-c': { 'not ready': 1 } },
      fix: /readiness probe/,
    },
    {
      rule: '5xx answers and timeouts are counted by pod',
      failures: [f(2500, 'http 5xx', 'web-a', true), f(2600, 'timeout', 'web-b', true)],
      lc: lifecycle([pod('web-a'), pod('web-b')]),
      want: { '5xx': 1, timeout: 1 },
      pods: { 'web-a': { '5xx': 1 }, 'web-b': { timeout: 1 } },
    },
    {
      rule: 'failures before the command started are outside the rollout',
      failures: [f(500, 'reset'), f(2500, 'reset')],
      lc: lifecycle([pod('web-a')]),
      want: { unattributed: 1 },
      outside: 1,
    },
  ];
  for (const tc of cases) {
    it(tc.rule, () => {
      const v = judge({ failures: tc.failures, rows: rows(6), lifecycle: tc.lc, during, startEpochMs: START, intervalSeconds: 1 });
      const nonZero = Object.fromEntries(Object.entries(v.causes).filter(([, n]) => n > 0));
      expect(nonZero).toEqual(tc.want);
      expect(v.failed).toBe(Object.values(tc.want).reduce((a, b) => a + b, 0));
      if (tc.pods) expect(v.pods).toEqual(tc.pods);
      if (tc.fix) expect(v.fixes.join('\n')).toMatch(tc.fix);
      expect(v.outside).toBe(tc.outside ?? 0);
    });
  }

  it('says so when nothing failed, with the requests it counted in the window', () => {
    const v = judge({ failures: [], rows: rows(6), lifecycle: lifecycle([pod('web-a')]), during, startEpochMs: START, intervalSeconds: 1 });
    expect(v.failed).toBe(0);
    expect(v.sentence).toBe('No request failed during the rollout (2s-3.2s): 120 requests, all answered.');
    expect(v.fixes).toEqual([]);
  });

  it('counts the failures outside the window in the sentence, before and after it', () => {
    const v = judge({ failures: [f(500, 'reset'), f(600, 'reset'), f(5800, 'reset')], rows: rows(6), lifecycle: lifecycle([pod('web-a')]), during, startEpochMs: START, intervalSeconds: 1 });
    expect(v.failed).toBe(0);
    expect(v.outside).toBe(3);
    expect(v.outsideBefore).toBe(2);
    expect(v.sentence).toBe('No request failed during the rollout (2s-3.2s): 120 requests, all answered. Outside the rollout 3 more failed: 2 before the command started, 1 after the changes settled.');
  });

  it('the window runs on while the pods the command set moving still change', () => {
    const lc = lifecycle([pod('web-a', { terminatingAt: 2300, deletedAt: 4000 })]);
    const v = judge({ failures: [f(4500, 'reset')], rows: rows(6), lifecycle: lc, during, startEpochMs: START, intervalSeconds: 1 });
    expect(v.window).toEqual({ start: 2, end: 5 });
    expect(v.failed).toBe(1);
    expect(v.sentence).toMatch(/^1 request failed during the rollout \(0\.33% of 300, 2s-5s\): 1 reset or refused by pods that were terminating before their endpoint left the proxy\.$/);
  });
});

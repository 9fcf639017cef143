// The HPA's arithmetic, table-driven against upstream's rules (replica_calculator.go,
// horizontal.go): tolerance, missing and unready pods, stabilisation windows, scaling policies.
import { describe, expect, it } from 'vitest';
import type { Pod } from '../../src/api/types.js';
import { normalize, recordScaleEvent, type BehaviorState } from '../../src/controllers/horizontalpodautoscaler/behavior.js';
import { resourceReplicas, type PodMetric } from '../../src/controllers/horizontalpodautoscaler/replica-calculator.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const LONG_AGO = new Date(NOW - 3_600_000).toISOString();

function pod(name: string, opts: { phase?: string; ready?: boolean; startedAgoMs?: number; readySinceMs?: number; request?: string } = {}): Pod {
  const started = new Date(NOW - (opts.startedAgoMs ?? 3_600_000)).toISOString();
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: { containers: [{ name: 'app', image: 'x', resources: opts.request === '' ? {} : { requests: { cpu: opts.request ?? '100m' } } }] },
    status: {
      phase: opts.phase ?? 'Running',
      startTime: started,
      conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: opts.readySinceMs !== undefined ? new Date(NOW - opts.readySinceMs).toISOString() : LONG_AGO }],
    },
  } as Pod;
}
const usage = (entries: Array<[string, number]>): Map<string, PodMetric> => new Map(entries.map(([n, milli]) => [n, { milliValue: milli, timestampMs: NOW - 1000, windowMs: 15_000 }]));

describe('replicas for a cpu utilization target', () => {
  const cases: Array<{ name: string; current: number; target: number; pods: Pod[]; metrics: Map<string, PodMetric>; want: number; utilization?: number }> = [
    { name: 'within the tolerance keeps the count', current: 2, target: 50, pods: [pod('a'), pod('b')], metrics: usage([['a', 54], ['b', 54]]), want: 2, utilization: 54 },
    { name: 'above it scales up by the ratio', current: 2, target: 50, pods: [pod('a'), pod('b')], metrics: usage([['a', 100], ['b', 100]]), want: 4, utilization: 100 },
    { name: 'below it scales down by the ratio', current: 4, target: 50, pods: [pod('a'), pod('b'), pod('c'), pod('d')], metrics: usage([['a', 10], ['b', 10], ['c', 10], ['d', 10]]), want: 1 },
    { name: 'a missing pod counts as 100% when scaling down', current: 2, target: 50, pods: [pod('a'), pod('b')], metrics: usage([['a', 10]]), want: 2 },
    { name: 'a missing pod counts as 0% when scaling up', current: 2, target: 50, pods: [pod('a'), pod('b')], metrics: usage([['a', 200]]), want: 4 },
    { name: 'an unready pod counts as 0% when scaling up', current: 2, target: 50, pods: [pod('a'), pod('b', { ready: false, startedAgoMs: 10_000, readySinceMs: 5000 })], metrics: usage([['a', 200], ['b', 200]]), want: 4 },
    { name: 'a pending pod is unready', current: 2, target: 50, pods: [pod('a'), pod('b', { phase: 'Pending' })], metrics: usage([['a', 60]]), want: 2 },
    { name: 'a deleted or failed pod is ignored', current: 2, target: 50, pods: [pod('a'), pod('b', { phase: 'Failed' })], metrics: usage([['a', 100], ['b', 0]]), want: 2 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = resourceReplicas(c.current, c.target, 'cpu', c.pods, c.metrics, NOW);
      expect(got.replicas).toBe(c.want);
      if (c.utilization !== undefined) expect(got.utilization).toBe(c.utilization);
    });
  }
  it('a container without a cpu request is an error in upstream words', () => {
    expect(() => resourceReplicas(1, 50, 'cpu', [pod('a', { request: '' })], usage([['a', 10]]), NOW)).toThrow('missing request for cpu in container app of Pod a');
  });
});

describe('normalizing the recommendation', () => {
  const fresh = (): BehaviorState => ({ recommendations: [], scaleUpEvents: [], scaleDownEvents: [] });
  it('without a behavior, scale-up is at most double (at least 4)', () => {
    expect(normalize(1, 10, 1, 20, undefined, fresh(), NOW)).toMatchObject({ replicas: 4, limited: { status: true, reason: 'ScaleUpLimit' } });
    expect(normalize(5, 30, 1, 20, undefined, fresh(), NOW)).toMatchObject({ replicas: 10, limited: { status: true, reason: 'ScaleUpLimit' } });
  });
  it('maxReplicas caps it, reason TooManyReplicas', () => {
    expect(normalize(3, 10, 1, 5, undefined, fresh(), NOW)).toMatchObject({ replicas: 5, limited: { status: true, reason: 'TooManyReplicas' } });
  });
  it('the scale-down window keeps the highest recent recommendation', () => {
    const s = fresh();
    normalize(4, 4, 1, 10, undefined, s, NOW - 60_000);
    const n = normalize(4, 1, 1, 10, undefined, s, NOW);
    expect(n).toMatchObject({ replicas: 4, stabilized: 'ScaleDownStabilized' });
    // after the default 300 s window, the lower one applies
    expect(normalize(4, 1, 1, 10, undefined, s, NOW + 300_000).replicas).toBe(1);
  });
  it('a short window set in behavior lets it down sooner', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 2, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
    const s = fresh();
    normalize(4, 4, 1, 10, behavior, s, NOW - 3000);
    expect(normalize(4, 1, 1, 10, behavior, s, NOW).replicas).toBe(1);
  });
  it('a Pods policy limits the change within its period, counting earlier scale events', () => {
    const behavior = { scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 2, periodSeconds: 60 }] } };
    const s = fresh();
    expect(normalize(1, 10, 1, 20, behavior, s, NOW).replicas).toBe(3);
    recordScaleEvent(s, behavior, 1, 3, NOW);
    expect(normalize(3, 10, 1, 20, behavior, s, NOW + 10_000)).toMatchObject({ replicas: 3, limited: { reason: 'ScaleUpLimit' } });
    expect(normalize(3, 10, 1, 20, behavior, s, NOW + 61_000).replicas).toBe(5);
  });
  it('selectPolicy Disabled never scales that way', () => {
    const behavior = { scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Disabled', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } };
    expect(normalize(4, 1, 1, 10, behavior, fresh(), NOW).replicas).toBe(4);
  });
});

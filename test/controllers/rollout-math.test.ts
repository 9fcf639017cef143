// The arithmetic of rollouts (upstream's deployment/util), one row per rule: fenceposts and their
// rounding, the new ReplicaSet's size at each step, and proportional scaling mid-rollout.
import { describe, expect, it } from 'vitest';
import type { Deployment, IntOrString, ReplicaSet } from '../../src/api/apps.js';
import { maxSurge, maxUnavailable, newRSNewReplicas, proportionalSizes } from '../../src/controllers/deployment/rollout-math.js';

function d(replicas: number, surge: IntOrString, unavailable: IntOrString, status: Deployment['status'] = {}): Deployment {
  return {
    metadata: { name: 'web' },
    spec: { replicas, selector: {}, template: { spec: { containers: [] } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: surge, maxUnavailable: unavailable } } },
    status,
  };
}

function rs(name: string, replicas: number, created: string, maxReplicas?: number): ReplicaSet {
  const r: ReplicaSet = { metadata: { name, creationTimestamp: created }, spec: { replicas, selector: {} } };
  if (maxReplicas !== undefined) r.metadata.annotations = { 'deployment.kubernetes.io/max-replicas': String(maxReplicas) };
  return r;
}

describe('fenceposts', () => {
  const rows: Array<{ rule: string; d: Deployment; surge: number; unavailable: number }> = [
    { rule: '25%/25% of 10: surge rounds up to 3, unavailable down to 2', d: d(10, '25%', '25%'), surge: 3, unavailable: 2 },
    { rule: '25%/25% of 1: surge 1, unavailable 0', d: d(1, '25%', '25%'), surge: 1, unavailable: 0 },
    { rule: '0%/1% of 2: both would be 0, so 1 may be unavailable', d: d(2, '0%', '1%'), surge: 0, unavailable: 1 },
    { rule: 'counts are counts', d: d(5, 2, 1), surge: 2, unavailable: 1 },
    { rule: 'unavailable never exceeds the replicas', d: d(2, 0, 5), surge: 0, unavailable: 2 },
    { rule: 'zero replicas: nothing may be unavailable', d: d(0, 1, 1), surge: 1, unavailable: 0 },
  ];
  for (const r of rows) {
    it(r.rule, () => {
      expect({ surge: maxSurge(r.d), unavailable: maxUnavailable(r.d) }).toEqual({ surge: r.surge, unavailable: r.unavailable });
    });
  }
});

describe('the new ReplicaSet at each step', () => {
  const rows: Array<{ rule: string; d: Deployment; all: ReplicaSet[]; want: number }> = [
    { rule: 'grows by the surge over the pods that exist', d: d(3, 1, 0), all: [rs('old', 3, '2024-01-01T00:00:00Z'), rs('new', 0, '2024-01-02T00:00:00Z')], want: 1 },
    { rule: 'cannot grow while the surge is used', d: d(3, 1, 0), all: [rs('old', 3, '2024-01-01T00:00:00Z'), rs('new', 1, '2024-01-02T00:00:00Z')], want: 1 },
    { rule: 'grows as old pods go', d: d(3, 1, 0), all: [rs('old', 1, '2024-01-01T00:00:00Z'), rs('new', 2, '2024-01-02T00:00:00Z')], want: 3 },
    { rule: 'never past the desired replicas', d: d(3, 5, 0), all: [rs('old', 0, '2024-01-01T00:00:00Z'), rs('new', 2, '2024-01-02T00:00:00Z')], want: 3 },
  ];
  for (const r of rows) {
    it(r.rule, () => {
      expect(newRSNewReplicas(r.d, r.all, r.all[r.all.length - 1]!)).toBe(r.want);
    });
  }
});

describe('proportional scaling mid-rollout', () => {
  it('scaling 10 -> 15 with 3 surge splits the 5 by size (upstream example: 8/5 -> 11/7)', () => {
    // during a rollout of 10 replicas (max 13): old has 8, new has 5, both annotated max 13
    const dep = d(15, 3, 2, { replicas: 13 });
    const sizes = proportionalSizes(dep, [rs('old', 8, '2024-01-01T00:00:00Z', 13), rs('new', 5, '2024-01-02T00:00:00Z', 13)]);
    // allowed 15 + 4 (25%... here 3) = 18: +5 shared 8*18/13=11.08->11 (+3), 5*18/13=6.9->7 (+2)
    expect(Object.fromEntries(sizes)).toEqual({ old: 11, new: 7 });
  });

  it('scaling to 0 empties every ReplicaSet', () => {
    const sizes = proportionalSizes(d(0, 1, 0, { replicas: 4 }), [rs('old', 2, '2024-01-01T00:00:00Z', 4), rs('new', 2, '2024-01-02T00:00:00Z', 4)]);
    expect(Object.fromEntries(sizes)).toEqual({ old: 0, new: 0 });
  });
});

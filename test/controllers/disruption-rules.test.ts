// The disruption controller's arithmetic (upstream's getExpectedPodCount and trySync), one row per
// rule: expected pods, desired healthy, current healthy, and disruptions allowed.
import { describe, expect, it } from 'vitest';
import type { PodDisruptionBudget } from '../../src/api/policy.js';
import type { OwnerReference, Pod } from '../../src/api/types.js';
import { budgetStatus, DELETION_TIMEOUT_MS, type ScaleFinder } from '../../src/controllers/disruption.js';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const owner: OwnerReference = { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: 'rc-1', controller: true };

function pod(name: string, opts: { ready?: boolean; owned?: boolean; deleting?: boolean } = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app' }] },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
  if (opts.owned !== false) p.metadata.ownerReferences = [owner];
  if (opts.deleting) p.metadata.deletionTimestamp = '2026-12-03T11:59:59Z';
  return p;
}

function pdb(spec: PodDisruptionBudget['spec'], disruptedPods?: Record<string, string>): PodDisruptionBudget {
  const b: PodDisruptionBudget = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: 'default', generation: 1 }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec } };
  if (disruptedPods) b.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, disruptedPods };
  return b;
}

const scaleOf = (n: number): ScaleFinder => (ref) => (ref.uid === 'rc-1' ? { uid: 'rc-1', scale: n } : undefined);
const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

interface Row {
  rule: string;
  pdb: PodDisruptionBudget;
  pods: Pod[];
  scale?: number;
  want: { expectedPods: number; desiredHealthy: number; currentHealthy: number; disruptionsAllowed: number; disruptedPods?: string[] };
}

const three = [pod('a'), pod('b'), pod('c')];
const ROWS: Row[] = [
  { rule: 'minAvailable as a count: expected is the pods selected', pdb: pdb({ minAvailable: 2 }), pods: three, want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 } },
  { rule: 'minAvailable equal to the healthy pods allows nothing', pdb: pdb({ minAvailable: 3 }), pods: three, want: { expectedPods: 3, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 } },
  { rule: 'minAvailable as a percentage of the controller scale, rounded up', pdb: pdb({ minAvailable: '50%' }), pods: three, scale: 3, want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 3, disruptionsAllowed: 1 } },
  { rule: 'maxUnavailable counts against the controller scale, not the pods that exist', pdb: pdb({ maxUnavailable: 1 }), pods: [pod('a'), pod('b')], scale: 3, want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 } },
  { rule: 'maxUnavailable as a percentage rounds up', pdb: pdb({ maxUnavailable: '34%' }), pods: three, scale: 3, want: { expectedPods: 3, desiredHealthy: 1, currentHealthy: 3, disruptionsAllowed: 2 } },
  { rule: 'an unready pod is not healthy', pdb: pdb({ minAvailable: 2 }), pods: [pod('a'), pod('b', { ready: false }), pod('c')], want: { expectedPods: 3, desiredHealthy: 2, currentHealthy: 2, disruptionsAllowed: 0 } },
  { rule: 'a terminating pod is not healthy', pdb: pdb({ minAvailable: 1 }), pods: [pod('a'), pod('b', { deleting: true })], want: { expectedPods: 2, desiredHealthy: 1, currentHealthy: 1, disruptionsAllowed: 0 } },
  {
    rule: 'a pod evicted a moment ago is not healthy and stays recorded',
    pdb: pdb({ minAvailable: 1 }, { a: iso(NOW - 1000) }),
    pods: three,
    want: { expectedPods: 3, desiredHealthy: 1, currentHealthy: 2, disruptionsAllowed: 1, disruptedPods: ['a'] },
  },
  {
    rule: 'an eviction the pod never followed is forgotten after the deletion timeout',
    pdb: pdb({ minAvailable: 1 }, { a: iso(NOW - DELETION_TIMEOUT_MS - 1000) }),
    pods: three,
    want: { expectedPods: 3, desiredHealthy: 1, currentHealthy: 3, disruptionsAllowed: 2 },
  },
  { rule: 'no pods selected: nothing may be disrupted', pdb: pdb({ minAvailable: 0 }), pods: [], want: { expectedPods: 0, desiredHealthy: 0, currentHealthy: 0, disruptionsAllowed: 0 } },
];

describe('disruption budget status', () => {
  for (const row of ROWS) {
    it(row.rule, () => {
      const { status } = budgetStatus({ pdb: row.pdb, pods: row.pods, findScale: scaleOf(row.scale ?? row.pods.length), now: NOW });
      const { disruptedPods, ...counts } = row.want;
      expect({ expectedPods: status.expectedPods, desiredHealthy: status.desiredHealthy, currentHealthy: status.currentHealthy, disruptionsAllowed: status.disruptionsAllowed }).toEqual(counts);
      expect(Object.keys(status.disruptedPods ?? {})).toEqual(disruptedPods ?? []);
      const cond = status.conditions?.find((c) => c.type === 'DisruptionAllowed');
      expect(cond).toMatchObject(status.disruptionsAllowed > 0 ? { status: 'True', reason: 'SufficientPods' } : { status: 'False', reason: 'InsufficientPods' });
    });
  }

  it('a percentage budget over pods no controller owns cannot be computed', () => {
    expect(() => budgetStatus({ pdb: pdb({ minAvailable: '50%' }), pods: [pod('a')], findScale: () => undefined, now: NOW })).toThrow('found no controllers for pod "a"');
  });

  it('names unmanaged pods (they count only for an integer minAvailable)', () => {
    const { unmanaged } = budgetStatus({ pdb: pdb({ maxUnavailable: 1 }), pods: [pod('a'), pod('x', { owned: false })], findScale: scaleOf(1), now: NOW });
    expect(unmanaged).toEqual(['x']);
  });
});

// Which pods a ReplicationController removes first, how it counts its status, and how
// expectations hold it back while its own writes are on their way.
import { describe, expect, it } from 'vitest';
import type { Pod, ReplicationController } from '../../src/api/types.js';
import { podsToDelete } from '../../src/controllers/active-pods.js';
import { createExpectations } from '../../src/controllers/expectations.js';
import { replicationStatus } from '../../src/controllers/replication.js';

function pod(name: string, o: { node?: string; phase?: 'Pending' | 'Running'; ready?: boolean; readySince?: string; restarts?: number; created?: string; cost?: number } = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: 'default',
      labels: { app: 'web' },
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': String(o.cost) } } : {}),
    },
    spec: { containers: [{ name: 'app' }], ...(o.node ? { nodeName: o.node } : {}) },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:10Z' }],
      containerStatuses: [{ name: 'app', ready: o.ready !== false, restartCount: o.restarts ?? 0, image: '', imageID: '', state: {} }],
    },
  };
}

describe('scale-down order (least useful first)', () => {
  const cases: Array<{ name: string; pods: Pod[]; first: string }> = [
    { name: 'unscheduled before scheduled', pods: [pod('scheduled', { node: 'n1' }), pod('unscheduled', { phase: 'Pending', ready: false })], first: 'unscheduled' },
    { name: 'Pending before Running', pods: [pod('running', { node: 'n1' }), pod('pending', { node: 'n2', phase: 'Pending' })], first: 'pending' },
    { name: 'not ready before ready', pods: [pod('ready', { node: 'n1' }), pod('unready', { node: 'n2', ready: false })], first: 'unready' },
    { name: 'lower deletion cost first', pods: [pod('costly', { node: 'n1', cost: 10 }), pod('cheap', { node: 'n2', cost: -5 })], first: 'cheap' },
    { name: 'doubled up before alone', pods: [pod('alone', { node: 'n1' }), pod('pair-a', { node: 'n2', created: '2023-01-01T00:00:00Z' }), pod('pair-b', { node: 'n2', created: '2023-01-01T00:00:00Z' })], first: 'pair-b' },
    { name: 'ready more recently first', pods: [pod('old-ready', { node: 'n1', readySince: '2024-01-01T00:00:00Z' }), pod('new-ready', { node: 'n2', readySince: '2024-06-01T00:00:00Z' })], first: 'new-ready' },
    { name: 'more restarts first', pods: [pod('steady', { node: 'n1' }), pod('flaky', { node: 'n2', restarts: 5 })], first: 'flaky' },
    { name: 'newer first', pods: [pod('old', { node: 'n1', created: '2024-01-01T00:00:00Z' }), pod('new', { node: 'n2', created: '2024-02-01T00:00:00Z' })], first: 'new' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      expect(podsToDelete(c.pods, 1)[0]?.metadata.name).toBe(c.first);
    });
  }
});

describe('status', () => {
  const rc: ReplicationController = {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name: 'web', namespace: 'default', generation: 3 },
    spec: { replicas: 3, minReadySeconds: 60, selector: { app: 'web' }, template: { metadata: { labels: { app: 'web', tier: 'front' } }, spec: { containers: [] } } },
  };

  it('counts replicas, fully labeled, ready and available (minReadySeconds) pods', () => {
    const now = Date.parse('2024-01-01T00:05:00Z');
    const pods = [
      { ...pod('a', { readySince: '2024-01-01T00:00:00Z' }), metadata: { ...pod('a').metadata, labels: { app: 'web', tier: 'front' } } },
      pod('b', { readySince: '2024-01-01T00:04:30Z' }),
      pod('c', { ready: false }),
    ];
    expect(replicationStatus(rc, pods, undefined, now)).toEqual({ replicas: 3, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, observedGeneration: 3 });
  });

  it('leaves zero counts out, as the API does', () => {
    expect(replicationStatus(rc, [], undefined)).toEqual({ replicas: 0, observedGeneration: 3 });
  });

  it('reports a failed creation as a ReplicaFailure condition', () => {
    const s = replicationStatus(rc, [], { message: 'pods "web-" is forbidden: exceeded quota' });
    expect(s.conditions).toEqual([expect.objectContaining({ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'pods "web-" is forbidden: exceeded quota' })]);
  });
});

describe('expectations', () => {
  it('hold the controller until every expected creation and deletion is seen', () => {
    const e = createExpectations();
    expect(e.satisfied('rc')).toBe(true);
    e.expectCreations('rc', 2);
    e.expectDeletions('rc', ['default/a']);
    e.creationObserved('rc');
    expect(e.satisfied('rc')).toBe(false);
    e.creationObserved('rc');
    expect(e.satisfied('rc')).toBe(false);
    e.deletionObserved('rc', 'default/b'); // not one we deleted
    expect(e.satisfied('rc')).toBe(false);
    e.deletionObserved('rc', 'default/a');
    expect(e.satisfied('rc')).toBe(true);
  });

  it('expire, so a lost event cannot wedge a controller', () => {
    let t = 0;
    const e = createExpectations({ ttlMs: 1000, now: () => t });
    e.expectCreations('rc', 1);
    expect(e.satisfied('rc')).toBe(false);
    t = 1001;
    expect(e.satisfied('rc')).toBe(true);
  });

  it('are lowered for creations that failed', () => {
    const e = createExpectations();
    e.expectCreations('rc', 3);
    e.lowerCreations('rc', 3);
    expect(e.satisfied('rc')).toBe(true);
  });
});

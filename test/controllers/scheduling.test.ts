// The scheduler's rules as pure functions: filters, their Kubernetes-worded reasons, the
// memory-weighted score, and the FailedScheduling message.
import { describe, expect, it } from 'vitest';
import type { Node, Pod, Taint } from '../../src/api/types.js';
import { filterNode, fitErrorMessage, schedulePod, type NodeSnapshot } from '../../src/controllers/scheduling.js';

function node(name: string, o: { cpu?: string; memory?: string; pods?: string; labels?: Record<string, string>; taints?: Taint[]; unschedulable?: boolean; ready?: 'True' | 'False' | 'Unknown' } = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110' };
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, ...o.labels } },
    spec: { taints: o.taints ?? [], ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: { allocatable: alloc, capacity: alloc, conditions: [{ type: 'Ready', status: o.ready ?? 'True' }] },
  };
}

function pod(name: string, o: { cpu?: string; memory?: string; nodeSelector?: Record<string, string>; tolerations?: Array<Record<string, unknown>>; hostPort?: number; preemptionPolicy?: string; nodeName?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default' },
    spec: {
      containers: [{ name: 'app', image: 'app', resources: { requests }, ports: o.hostPort ? [{ containerPort: 8080, hostPort: o.hostPort }] : [] }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.tolerations ? { tolerations: o.tolerations } : {}),
      ...(o.preemptionPolicy ? { preemptionPolicy: o.preemptionPolicy } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    },
  };
}

const snap = (n: Node, pods: Pod[] = []): NodeSnapshot => ({ node: n, pods });

describe('scheduler filters', () => {
  const cases: Array<{ name: string; node: Node; pod: Pod; onNode?: Pod[]; want: string[] | null; resolvable?: boolean }> = [
    { name: 'a ready node with room fits', node: node('n'), pod: pod('p', { cpu: '1', memory: '1Gi' }), want: null },
    { name: 'unschedulable node', node: node('n', { unschedulable: true }), pod: pod('p'), want: ['node(s) were unschedulable'], resolvable: false },
    {
      name: 'unschedulable node tolerated',
      node: node('n', { unschedulable: true }),
      pod: pod('p', { tolerations: [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' }] }),
      want: null,
    },
    {
      name: 'NoSchedule taint not tolerated',
      node: node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      pod: pod('p'),
      want: ['node(s) had untolerated taint {dedicated: db}'],
      resolvable: false,
    },
    {
      name: 'NoSchedule taint tolerated by Equal',
      node: node('n', { taints: [{ key: 'dedicated', value: 'db', effect: 'NoSchedule' }] }),
      pod: pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'db', effect: 'NoSchedule' }] }),
      want: null,
    },
    {
      name: 'PreferNoSchedule taint does not filter',
      node: node('n', { taints: [{ key: 'soft', effect: 'PreferNoSchedule' }] }),
      pod: pod('p'),
      want: null,
    },
    { name: 'node not ready', node: node('n', { ready: 'False' }), pod: pod('p'), want: ['node(s) had untolerated taint {node.kubernetes.io/not-ready: }'], resolvable: false },
    { name: 'node unreachable', node: node('n', { ready: 'Unknown' }), pod: pod('p'), want: ['node(s) had untolerated taint {node.kubernetes.io/unreachable: }'], resolvable: false },
    { name: 'nodeSelector matches', node: node('n', { labels: { disk: 'ssd' } }), pod: pod('p', { nodeSelector: { disk: 'ssd' } }), want: null },
    {
      name: 'nodeSelector does not match',
      node: node('n', { labels: { disk: 'hdd' } }),
      pod: pod('p', { nodeSelector: { disk: 'ssd' } }),
      want: ["node(s) didn't match Pod's node affinity/selector"],
      resolvable: false,
    },
    { name: 'more memory than allocatable', node: node('n', { memory: '1Gi' }), pod: pod('p', { memory: '2Gi' }), want: ['Insufficient memory'], resolvable: true },
    {
      name: 'memory taken by pods already there',
      node: node('n', { memory: '4Gi' }),
      pod: pod('p', { memory: '2Gi' }),
      onNode: [pod('a', { memory: '3Gi' })],
      want: ['Insufficient memory'],
      resolvable: true,
    },
    { name: 'exactly fits', node: node('n', { memory: '4Gi', cpu: '2' }), pod: pod('p', { memory: '1Gi', cpu: '500m' }), onNode: [pod('a', { memory: '3Gi', cpu: '1500m' })], want: null },
    { name: 'cpu and memory both short', node: node('n', { memory: '1Gi', cpu: '1' }), pod: pod('p', { memory: '2Gi', cpu: '2' }), want: ['Insufficient cpu', 'Insufficient memory'], resolvable: true },
    { name: 'pod count full', node: node('n', { pods: '1' }), pod: pod('p'), onNode: [pod('a')], want: ['Too many pods'], resolvable: true },
    { name: 'host port taken', node: node('n'), pod: pod('p', { hostPort: 8080 }), onNode: [pod('a', { hostPort: 8080 })], want: ["node(s) didn't have free ports for the requested pod ports"], resolvable: true },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const got = filterNode(c.pod, snap(c.node, c.onNode));
      if (c.want === null) expect(got).toBeNull();
      else {
        expect(got?.reasons).toEqual(c.want);
        expect(got?.resolvable).toBe(c.resolvable);
      }
    });
  }
});

describe('FailedScheduling message', () => {
  it('is worded and sorted as upstream, with the preemption verdict', () => {
    const nodes = [node('node-1', { memory: '1Gi' }), node('node-2', { memory: '1Gi' }), node('node-3', { memory: '1Gi' })];
    const r = schedulePod(pod('big', { memory: '4Gi' }), nodes.map((n) => snap(n)));
    expect(r.node).toBeUndefined();
    expect(r.node === undefined && r.message).toBe(
      '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.',
    );
  });

  it('counts each reason and sorts the histogram as strings', () => {
    const nodes = [node('a', { memory: '1Gi', labels: { disk: 'ssd' } }), node('b', { memory: '1Gi', labels: { disk: 'ssd' } }), node('c', { labels: { disk: 'hdd' } })];
    const r = schedulePod(pod('big', { memory: '4Gi', nodeSelector: { disk: 'ssd' } }), nodes.map((n) => snap(n)));
    expect(r.node === undefined && r.message).toBe(
      "0/3 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 2 Insufficient memory. " +
        'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
    );
  });

  it('says preemption is not possible for preemptionPolicy Never', () => {
    const msg = fitErrorMessage(pod('p', { preemptionPolicy: 'Never' }), 1, [{ reasons: ['Insufficient memory'], resolvable: true }]);
    expect(msg).toBe('0/1 nodes are available: 1 Insufficient memory. preemption: not eligible due to preemptionPolicy=Never.');
  });

  it('says so when there are no nodes at all', () => {
    const r = schedulePod(pod('p'), []);
    expect(r.node === undefined && r.message).toBe('no nodes available to schedule pods');
  });
});

describe('scoring', () => {
  it('prefers the node with the most free memory', () => {
    const nodes = [
      snap(node('node-1', { memory: '8Gi' }), [pod('a', { memory: '6Gi' })]),
      snap(node('node-2', { memory: '8Gi' }), [pod('b', { memory: '2Gi' })]),
      snap(node('node-3', { memory: '8Gi' }), [pod('c', { memory: '4Gi' })]),
    ];
    expect(schedulePod(pod('p', { memory: '1Gi' }), nodes).node).toBe('node-2');
  });

  it('weighs memory above cpu', () => {
    const nodes = [
      // lots of cpu free, little memory
      snap(node('cpu-rich', { memory: '8Gi', cpu: '4' }), [pod('a', { memory: '6Gi', cpu: '0' })]),
      // little cpu free, lots of memory
      snap(node('mem-rich', { memory: '8Gi', cpu: '4' }), [pod('b', { memory: '0', cpu: '3' })]),
    ];
    expect(schedulePod(pod('p', { memory: '512Mi', cpu: '100m' }), nodes).node).toBe('mem-rich');
  });

  it('spreads equal pods: ties go to the node with fewer pods, then by name', () => {
    const snaps = ['node-1', 'node-2', 'node-3'].map((n) => snap(node(n)));
    const placed: string[] = [];
    for (let i = 0; i < 6; i++) {
      const p = pod(`p${i}`);
      const r = schedulePod(p, snaps);
      placed.push(r.node!);
      snaps.find((s) => s.node.metadata.name === r.node)!.pods.push(p);
    }
    expect(placed).toEqual(['node-1', 'node-2', 'node-3', 'node-1', 'node-2', 'node-3']);
  });
});

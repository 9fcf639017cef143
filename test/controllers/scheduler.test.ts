// The scheduler in a real control plane, with nodes played by the test: where pods land
// (memory-weighted, spread, nodeSelector, nodeName, cordoned / not-ready nodes skipped), and
// what an unschedulable pod shows (PodScheduled=False, FailedScheduling worded as Kubernetes).
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Event, KubeList, Node, Pod } from '../../src/api/types.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { createFakeNode, type FakeNode, type FakeNodeSpec } from '../support/fake-nodes.js';

let cp: TestControlPlane;
let nodes: FakeNode[] = [];
let nsCounter = 0;

beforeAll(async () => {
  cp = await startTestControlPlane();
});
afterAll(async () => {
  await cp?.stop();
});
afterEach(async () => {
  for (const n of nodes) await n.delete();
  nodes = [];
});

/**
 * Creates the nodes, then proves the scheduler has seen them all: a probe pod pinned (by
 * nodeSelector) to the last one gets scheduled (node events arrive in order), and is removed.
 */
async function addNodes(...specs: FakeNodeSpec[]): Promise<void> {
  for (const s of specs) {
    const n = await createFakeNode(cp.client, s);
    n.startHeartbeats(1000);
    nodes.push(n);
  }
  const last = specs[specs.length - 1]!;
  if (last.unschedulable || last.taints?.length) return;
  const probe = `probe-${Math.random().toString(36).slice(2, 8)}`;
  await createPod('default', podSpec(probe, { nodeSelector: { 'kubernetes.io/hostname': last.name } }));
  await scheduledNode('default', probe);
  await cp.client.delete(podPath('default', probe), { gracePeriodSeconds: 0 });
}

async function namespace(): Promise<string> {
  const name = `sched-${++nsCounter}-${Math.random().toString(36).slice(2, 7)}`;
  await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function podSpec(name: string, o: { memory?: string; cpu?: string; nodeSelector?: Record<string, string>; nodeName?: string } = {}): Pod {
  const requests: Record<string, string> = {};
  if (o.memory) requests.memory = o.memory;
  if (o.cpu) requests.cpu = o.cpu;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: {
      containers: [{ name: 'app', image: 'loopkube/app', resources: { requests } }],
      ...(o.nodeSelector ? { nodeSelector: o.nodeSelector } : {}),
      ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    },
  };
}

const podPath = (ns: string, name?: string): string => `/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ''}`;

async function createPod(ns: string, pod: Pod): Promise<Pod> {
  return cp.client.create<Pod>(podPath(ns), pod);
}

async function scheduledNode(ns: string, name: string): Promise<string> {
  return waitFor(`pod ${ns}/${name} to be scheduled`, async () => (await cp.client.get<Pod>(podPath(ns, name))).spec.nodeName || undefined);
}

async function eventsFor(ns: string, name: string): Promise<Event[]> {
  const list = await cp.client.list<Event>(`/api/v1/namespaces/${ns}/events`, { fieldSelector: `involvedObject.name=${name}` });
  return list.items;
}

describe('scheduler', () => {
  it('places a pod with requests on the node with the most free memory, and says so in a Scheduled event', async () => {
    await addNodes({ name: 'mem-1', memory: '8Gi' }, { name: 'mem-2', memory: '8Gi' }, { name: 'mem-3', memory: '8Gi' });
    const ns = await namespace();
    // Pinned pods take 6Gi, 2Gi and 4Gi of the three nodes.
    await createPod(ns, podSpec('used-1', { memory: '6Gi', nodeName: 'mem-1' }));
    await createPod(ns, podSpec('used-2', { memory: '2Gi', nodeName: 'mem-2' }));
    await createPod(ns, podSpec('used-3', { memory: '4Gi', nodeName: 'mem-3' }));
    await createPod(ns, podSpec('web', { memory: '1Gi' }));
    expect(await scheduledNode(ns, 'web')).toBe('mem-2');

    const scheduled = await waitFor('the Scheduled event', async () => (await eventsFor(ns, 'web')).find((e) => e.reason === 'Scheduled'));
    expect(scheduled.message).toBe(`Successfully assigned ${ns}/web to mem-2`);
    expect(scheduled.type).toBe('Normal');
    expect(scheduled.source?.component).toBe('default-scheduler');
    const pod = await cp.client.get<Pod>(podPath(ns, 'web'));
    expect(pod.status?.conditions?.find((c) => c.type === 'PodScheduled')?.status).toBe('True');
  });

  it('spreads equal pods across the nodes', async () => {
    await addNodes({ name: 'spread-1' }, { name: 'spread-2' }, { name: 'spread-3' });
    const ns = await namespace();
    for (let i = 0; i < 6; i++) await createPod(ns, podSpec(`p${i}`));
    const placed: string[] = [];
    for (let i = 0; i < 6; i++) placed.push(await scheduledNode(ns, `p${i}`));
    const perNode = Object.fromEntries(['spread-1', 'spread-2', 'spread-3'].map((n) => [n, placed.filter((p) => p === n).length]));
    expect(perNode).toEqual({ 'spread-1': 2, 'spread-2': 2, 'spread-3': 2 });
  });

  it('honours nodeSelector, and skips cordoned and not-ready nodes', async () => {
    await addNodes(
      { name: 'sel-cordoned', labels: { disk: 'ssd' }, unschedulable: true },
      { name: 'sel-hdd', labels: { disk: 'hdd' } },
      { name: 'sel-ssd', labels: { disk: 'ssd' } },
    );
    const ns = await namespace();
    await createPod(ns, podSpec('wants-ssd', { nodeSelector: { disk: 'ssd' } }));
    expect(await scheduledNode(ns, 'wants-ssd')).toBe('sel-ssd');

    // A node that reports Ready=False takes no new pods.
    const notReady = nodes.find((n) => n.name === 'sel-ssd')!;
    await notReady.stopHeartbeats();
    await cp.client.patch('/api/v1/nodes/sel-ssd/status', {
      status: { conditions: [{ type: 'Ready', status: 'False', reason: 'KubeletNotReady', message: 'test', lastHeartbeatTime: new Date().toISOString() }] },
    });
    // The node lifecycle controller (sharing the scheduler's cache) taints it: the scheduler has seen it too.
    await waitFor('the not-ready taint', async () =>
      (await cp.client.get<Node>('/api/v1/nodes/sel-ssd')).spec?.taints?.some((t) => t.key === 'node.kubernetes.io/not-ready'),
    );
    await createPod(ns, podSpec('any-node'));
    expect(await scheduledNode(ns, 'any-node')).toBe('sel-hdd');
  });

  it('never moves a pod that names its node, even one that does not fit', async () => {
    await addNodes({ name: 'pin-small', memory: '1Gi' }, { name: 'pin-big', memory: '16Gi' });
    const ns = await namespace();
    await createPod(ns, podSpec('pinned', { memory: '4Gi', nodeName: 'pin-small' }));
    await createPod(ns, podSpec('free', { memory: '1Gi' }));
    expect(await scheduledNode(ns, 'free')).toBe('pin-big');
    const pinned = await cp.client.get<Pod>(podPath(ns, 'pinned'));
    expect(pinned.spec.nodeName).toBe('pin-small');
    expect((await eventsFor(ns, 'pinned')).filter((e) => e.reason === 'Scheduled' || e.reason === 'FailedScheduling')).toEqual([]);
  });

  it('leaves a pod that fits nowhere Pending with PodScheduled=False and a FailedScheduling event, then places it when a node with room joins', async () => {
    await addNodes({ name: 'tiny-1', memory: '1Gi' }, { name: 'tiny-2', memory: '1Gi' }, { name: 'tiny-3', memory: '1Gi' });
    const ns = await namespace();
    await createPod(ns, podSpec('huge', { memory: '4Gi' }));
    const message =
      '0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.';

    const condition = await waitFor('PodScheduled=False', async () => {
      const pod = await cp.client.get<Pod>(podPath(ns, 'huge'));
      const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
      return c?.status === 'False' ? { c, pod } : undefined;
    });
    expect(condition.pod.status?.phase).toBe('Pending');
    expect(condition.pod.spec.nodeName ?? '').toBe('');
    expect(condition.c).toMatchObject({ reason: 'Unschedulable', message });

    const failed = await waitFor('the FailedScheduling event', async () => (await eventsFor(ns, 'huge')).find((e) => e.reason === 'FailedScheduling'));
    expect(failed).toMatchObject({ type: 'Warning', message, source: { component: 'default-scheduler' } });

    await addNodes({ name: 'roomy', memory: '8Gi' });
    expect(await scheduledNode(ns, 'huge')).toBe('roomy');
  });

  it('lists its decisions as kubectl shows them (events of the namespace)', async () => {
    await addNodes({ name: 'ev-1' });
    const ns = await namespace();
    await createPod(ns, podSpec('one'));
    await scheduledNode(ns, 'one');
    const list = await waitFor('events', async () => {
      const l = await cp.client.list<Event>(`/api/v1/namespaces/${ns}/events`);
      return l.items.length > 0 ? (l as KubeList<Event>) : undefined;
    });
    expect(list.items[0]?.involvedObject).toMatchObject({ kind: 'Pod', name: 'one', namespace: ns });
  });
});

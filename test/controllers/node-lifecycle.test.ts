// Node lifecycle in a real control plane with short timeouts, nodes played by the test: a node
// that stops heartbeating turns Unknown and tainted, its pods turn not ready, then are deleted
// and recreated (by their RC) on a node that is alive; heartbeats coming back lift the taint.
// Pods bound to a node that does not exist are collected.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Node, Pod } from '../../src/api/types.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { createFakeNode, setPodStatus, type FakeNode } from '../support/fake-nodes.js';

let cp: TestControlPlane;
const nodes = new Map<string, FakeNode>();

beforeAll(async () => {
  cp = await startTestControlPlane({ nodeLifecycle: { nodeMonitorGracePeriodSeconds: 2, podEvictionTimeoutSeconds: 3 } });
  for (const name of ['node-1', 'node-2']) {
    const n = await createFakeNode(cp.client, { name });
    n.startHeartbeats(500);
    nodes.set(name, n);
  }
});
afterAll(async () => {
  for (const n of nodes.values()) await n.stopHeartbeats();
  await cp?.stop();
});

const getNode = (name: string): Promise<Node> => cp.client.get<Node>(`/api/v1/nodes/${name}`);
const readyOf = (n: Node) => n.status?.conditions?.find((c) => c.type === 'Ready');

describe('node lifecycle', () => {
  it('turns a silent node Unknown, then moves its pods to a live node, and lifts the taint when it is back', async () => {
    const ns = 'default';
    await cp.client.create(`/api/v1/namespaces/${ns}/replicationcontrollers`, {
      apiVersion: 'v1',
      kind: 'ReplicationController',
      metadata: { name: 'life' },
      spec: { replicas: 2, selector: { app: 'life' }, template: { metadata: { labels: { app: 'life' } }, spec: { containers: [{ name: 'app', image: 'loopkube/app' }] } } },
    });
    const pods = await waitFor('2 pods, one per node', async () => {
      const p = (await cp.client.list<Pod>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: 'app=life' })).items;
      return p.length === 2 && new Set(p.map((x) => x.spec.nodeName)).size === 2 ? p : undefined;
    });
    let ip = 50;
    for (const p of pods) await setPodStatus(cp.client, p, { ip: `127.244.2.${ip++}`, ready: true });
    const onDead = pods.find((p) => p.spec.nodeName === 'node-1')!;

    await nodes.get('node-1')!.stopHeartbeats();

    const unknown = await waitFor('node-1 Ready=Unknown', async () => {
      const n = await getNode('node-1');
      return readyOf(n)?.status === 'Unknown' ? n : undefined;
    });
    expect(readyOf(unknown)).toMatchObject({ status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' });

    const tainted = await waitFor('the unreachable taints', async () => {
      const n = await getNode('node-1');
      return n.spec?.taints?.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute') ? n : undefined;
    });
    expect(tainted.spec?.taints?.map((t) => `${t.key}:${t.effect}`).sort()).toEqual(['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);

    const nodeEvent = await waitFor('NodeNotReady event', async () =>
      (await cp.client.list<Event>('/api/v1/namespaces/default/events', { fieldSelector: 'involvedObject.name=node-1' })).items.find((e) => e.reason === 'NodeNotReady'),
    );
    expect(nodeEvent.message).toBe('Node node-1 status is now: NodeNotReady');

    // The pod there is marked not ready (or already evicted, on a slow machine).
    await waitFor('the pod on node-1 not ready or gone', async () => {
      const p = await cp.client.get<Pod>(`/api/v1/namespaces/${ns}/pods/${onDead.metadata.name}`).catch(() => undefined);
      return !p || p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'False';
    });

    // After the eviction timeout it is deleted, and the RC recreates it on node-2.
    const moved = await waitFor('both pods on node-2', async () => {
      const p = (await cp.client.list<Pod>(`/api/v1/namespaces/${ns}/pods`, { labelSelector: 'app=life' })).items;
      return p.length === 2 && p.every((x) => x.spec.nodeName === 'node-2') ? p : undefined;
    });
    expect(moved.map((p) => p.metadata.name)).not.toContain(onDead.metadata.name);

    // Back: Ready again, taints lifted.
    nodes.get('node-1')!.startHeartbeats(500);
    const back = await waitFor('node-1 untainted', async () => {
      const n = await getNode('node-1');
      return readyOf(n)?.status === 'True' && !(n.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/')) ? n : undefined;
    });
    expect(back.spec?.taints ?? []).toEqual([]);
  });

  it('deletes pods bound to a node that does not exist', async () => {
    await cp.client.create('/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ghost-pod' },
      spec: { nodeName: 'ghost-node', containers: [{ name: 'app', image: 'loopkube/app' }] },
    });
    await waitFor('the orphan pod deleted', async () => {
      try {
        await cp.client.get('/api/v1/namespaces/default/pods/ghost-pod');
        return false;
      } catch (err) {
        return (err as { code?: number }).code === 404;
      }
    });
  });
});

// The ReplicationController controller in a real control plane, the kubelet played by the test:
// pods created, named and owned; a deleted pod replaced while it terminates; scale-down of the
// least useful pods; status; adoption and release; no extra pods from a burst of events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Event, Pod, ReplicationController } from '../../src/api/types.js';
import { startTestControlPlane, waitFor, type TestControlPlane } from '../support/control-plane.js';
import { confirmPodDeletion, createFakeNode, setPodStatus, type FakeNode } from '../support/fake-nodes.js';

let cp: TestControlPlane;
const nodes: FakeNode[] = [];
let ipCounter = 0;

beforeAll(async () => {
  cp = await startTestControlPlane();
  for (const name of ['node-1', 'node-2', 'node-3']) {
    const n = await createFakeNode(cp.client, { name });
    n.startHeartbeats(1000);
    nodes.push(n);
  }
});
afterAll(async () => {
  for (const n of nodes) await n.stopHeartbeats();
  await cp?.stop();
});

const NAME_SUFFIX = /^[bcdfghjklmnpqrstvwxz2456789]{5}$/;

async function namespace(): Promise<string> {
  const name = `rc-${Math.random().toString(36).slice(2, 8)}`;
  await cp.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
  return name;
}

function rcSpec(name: string, replicas: number, labels: Record<string, string> = { app: name }): ReplicationController {
  return {
    apiVersion: 'v1',
    kind: 'ReplicationController',
    metadata: { name },
    spec: {
      replicas,
      selector: labels,
      template: { metadata: { labels }, spec: { containers: [{ name: 'app', image: 'loopkube/app', ports: [{ containerPort: 8080 }] }] } },
    },
  };
}

const rcPath = (ns: string, name?: string, sub?: string): string =>
  `/api/v1/namespaces/${ns}/replicationcontrollers${name ? `/${name}` : ''}${sub ? `/${sub}` : ''}`;
const podsPath = (ns: string, name?: string): string => `/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ''}`;

async function podsOf(ns: string, selector: string): Promise<Pod[]> {
  return (await cp.client.list<Pod>(podsPath(ns), { labelSelector: selector })).items;
}

const active = (pods: Pod[]): Pod[] => pods.filter((p) => !p.metadata.deletionTimestamp);

/** Plays the kubelet for every scheduled pod of the selector that has no status yet: Running, ready. */
async function runPods(ns: string, selector: string, count: number): Promise<Pod[]> {
  return waitFor(`${count} running pods`, async () => {
    const pods = active(await podsOf(ns, selector));
    for (const p of pods) {
      if (p.spec.nodeName && p.status?.phase !== 'Running') await setPodStatus(cp.client, p, { ip: `127.244.9.${++ipCounter % 250}`, ready: true });
    }
    const running = active(await podsOf(ns, selector)).filter((p) => p.status?.phase === 'Running');
    return running.length === count && pods.length === count ? running : undefined;
  });
}

async function rcStatus(ns: string, name: string): Promise<ReplicationController> {
  return cp.client.get<ReplicationController>(rcPath(ns, name));
}

describe('replication controller', () => {
  it('creates its pods named <rc>-<5 chars>, owned by it, spread over the nodes, and reports them in its status', async () => {
    const ns = await namespace();
    const rc = await cp.client.create<ReplicationController>(rcPath(ns), rcSpec('web', 3));
    const pods = await waitFor('3 pods', async () => {
      const p = await podsOf(ns, 'app=web');
      return p.length === 3 && p.every((x) => x.spec.nodeName) ? p : undefined;
    });
    for (const p of pods) {
      expect(p.metadata.name!.startsWith('web-')).toBe(true);
      expect(p.metadata.name!.slice(4)).toMatch(NAME_SUFFIX);
      expect(p.metadata.ownerReferences).toEqual([
        { apiVersion: 'v1', kind: 'ReplicationController', name: 'web', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true },
      ]);
    }
    expect(new Set(pods.map((p) => p.spec.nodeName)).size).toBe(3);

    const created = await waitFor('SuccessfulCreate events', async () => {
      const ev = (await cp.client.list<Event>(`/api/v1/namespaces/${ns}/events`, { fieldSelector: 'involvedObject.name=web' })).items;
      const c = ev.filter((e) => e.reason === 'SuccessfulCreate');
      return c.length === 3 ? c : undefined;
    });
    expect(created.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
    expect(created[0]?.source?.component).toBe('replication-controller');

    await runPods(ns, 'app=web', 3);
    const status = await waitFor('status with 3 ready replicas', async () => {
      const r = await rcStatus(ns, 'web');
      return r.status?.readyReplicas === 3 && r.status.availableReplicas === 3 ? r.status : undefined;
    });
    expect(status).toEqual({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
  });

  it('replaces a deleted pod at once, while the old one is still terminating', async () => {
    const ns = await namespace();
    await cp.client.create(rcPath(ns), rcSpec('api', 2));
    const [victim] = await runPods(ns, 'app=api', 2);
    await cp.client.delete(podsPath(ns, victim!.metadata.name)); // graceful: the "kubelet" has not confirmed yet
    const replacement = await waitFor('a replacement pod', async () => {
      const pods = await podsOf(ns, 'app=api');
      return active(pods).length === 2 && pods.length === 3 ? pods : undefined;
    });
    const old = replacement.find((p) => p.metadata.name === victim!.metadata.name);
    expect(old?.metadata.deletionTimestamp).toBeTruthy(); // still there, terminating
    expect(active(replacement).map((p) => p.metadata.name)).not.toContain(victim!.metadata.name);

    await confirmPodDeletion(cp.client, victim!);
    await runPods(ns, 'app=api', 2);
    const status = await waitFor('status back at 2 ready', async () => {
      const r = await rcStatus(ns, 'api');
      return r.status?.replicas === 2 && r.status.readyReplicas === 2 ? r.status : undefined;
    });
    expect(status.replicas).toBe(2);
  });

  it('scales down through the scale subresource, removing the least useful pods first', async () => {
    const ns = await namespace();
    await cp.client.create(rcPath(ns), rcSpec('batch', 3));
    const pods = await runPods(ns, 'app=batch', 3);
    // The RC has seen all three ready first: otherwise a status written while the third was still
    // coming up (readyReplicas 2) would pass the wait below before it saw the pod turn unready.
    await waitFor('the RC to see three ready pods', async () => (await rcStatus(ns, 'batch')).status?.readyReplicas === 3);
    // One pod stops being ready: it is the least useful, so it goes first.
    const unready = pods[1]!;
    await setPodStatus(cp.client, unready, { ip: unready.status!.podIP!, ready: false });
    await waitFor('the RC to see the unready pod', async () => (await rcStatus(ns, 'batch')).status?.readyReplicas === 2);

    await cp.client.patch(rcPath(ns, 'batch', 'scale'), { spec: { replicas: 2 } });
    const after = await waitFor('one pod deleted', async () => {
      const p = await podsOf(ns, 'app=batch');
      return active(p).length === 2 ? p : undefined;
    });
    const deleted = after.filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    expect(deleted).toEqual([unready.metadata.name]);
    const ev = await waitFor('SuccessfulDelete event', async () =>
      (await cp.client.list<Event>(`/api/v1/namespaces/${ns}/events`, { fieldSelector: 'involvedObject.name=batch' })).items.find((e) => e.reason === 'SuccessfulDelete'),
    );
    expect(ev.message).toBe(`Deleted pod: ${unready.metadata.name}`);

    const status = await waitFor('status at generation 2', async () => {
      const r = await rcStatus(ns, 'batch');
      return r.status?.observedGeneration === 2 && r.status.replicas === 2 ? r.status : undefined;
    });
    expect(status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  });

  it('creates exactly as many pods as asked for, even at 20 replicas', async () => {
    const ns = await namespace();
    await cp.client.create(rcPath(ns), rcSpec('many', 20));
    await waitFor('status at 20 replicas', async () => (await rcStatus(ns, 'many')).status?.replicas === 20);
    // Pod updates (the kubelet's status writes) are a burst of watch events: still 20.
    await runPods(ns, 'app=many', 20);
    await waitFor('20 ready', async () => (await rcStatus(ns, 'many')).status?.readyReplicas === 20);
    expect((await podsOf(ns, 'app=many')).length).toBe(20);
  });

  it('adopts a matching orphan pod and releases a pod that stops matching', async () => {
    const ns = await namespace();
    await cp.client.create(podsPath(ns), {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'orphan', labels: { app: 'adopt' } },
      spec: { containers: [{ name: 'app', image: 'loopkube/app' }] },
    });
    const rc = await cp.client.create<ReplicationController>(rcPath(ns), rcSpec('adopt', 2));
    const pods = await waitFor('2 pods, the orphan adopted', async () => {
      const p = await podsOf(ns, 'app=adopt');
      const orphan = p.find((x) => x.metadata.name === 'orphan');
      return p.length === 2 && orphan?.metadata.ownerReferences?.[0]?.uid === rc.metadata.uid ? p : undefined;
    });
    expect(pods.find((p) => p.metadata.name === 'orphan')?.metadata.ownerReferences).toEqual([
      { apiVersion: 'v1', kind: 'ReplicationController', name: 'adopt', uid: rc.metadata.uid, controller: true, blockOwnerDeletion: true },
    ]);

    // Relabel the orphan: it is released and replaced.
    await cp.client.patch(podsPath(ns, 'orphan'), { metadata: { labels: { app: 'elsewhere' } } });
    const released = await waitFor('the pod released', async () => {
      const p = await cp.client.get<Pod>(podsPath(ns, 'orphan'));
      return (p.metadata.ownerReferences ?? []).length === 0 ? p : undefined;
    });
    expect(released.metadata.ownerReferences ?? []).toEqual([]);
    await waitFor('a replacement', async () => (await podsOf(ns, 'app=adopt')).length === 2);
  });
});

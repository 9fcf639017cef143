// pods/eviction and PodDisruptionBudgets on a real cluster with the real kubectl: a budget that
// allows no disruption answers an eviction 429 in upstream's words and keeps `kubectl drain` from
// emptying a node; once it allows one, drain evicts, the node is emptied and the controller's
// replacement runs elsewhere.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodDisruptionBudget } from '../../src/api/policy.js';
import type { Pod } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'evict';

const manifest = (minAvailable: number): string =>
  JSON.stringify({
    apiVersion: 'v1',
    kind: 'List',
    items: [
      {
        apiVersion: 'v1',
        kind: 'ReplicationController',
        metadata: { name: 'web', namespace: NS },
        spec: {
          replicas: 2,
          selector: { app: 'web' },
          template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'app', image: 'loopkube/echo', ports: [{ containerPort: 8080 }] }] } },
        },
      },
      { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: NS }, spec: { minAvailable, selector: { matchLabels: { app: 'web' } } } },
    ],
  });

async function readyPods(): Promise<Pod[]> {
  const list = await c.client.list<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=web' });
  return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((k) => k.type === 'Ready' && k.status === 'True'));
}

async function budget(): Promise<PodDisruptionBudget> {
  return c.client.get<PodDisruptionBudget>(`/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/web`);
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
  expect((await c.kubectl(['apply', '-f', '-'], { input: manifest(2) })).code).toBe(0);
  await waitFor('two ready pods', async () => ((await readyPods()).length === 2 ? true : undefined), 30_000);
  await waitFor('the budget counted them', async () => {
    const s = (await budget()).status;
    return s?.currentHealthy === 2 && s.expectedPods === 2 ? s : undefined;
  });
});
afterAll(async () => {
  await c?.down();
});

describe('evictions and disruption budgets', () => {
  it('kubectl get pdb shows the budget as kubectl prints it', async () => {
    const r = await c.kubectl(['get', 'pdb', '-n', NS]);
    expect(r.stdout.split('\n')[0]).toMatch(/^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE$/);
    expect(r.stdout.split('\n')[1]).toMatch(/^web\s+2\s+N\/A\s+0\s+\S+$/);
  });

  it('an eviction the budget does not allow is 429, with the budget named in its cause', async () => {
    const [pod] = await readyPods();
    const name = pod!.metadata.name!;
    const r = await c.kubectl(['create', '--raw', `/api/v1/namespaces/${NS}/pods/${name}/eviction`, '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS } }),
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    const still = await c.client.get<Pod>(`/api/v1/namespaces/${NS}/pods/${name}`);
    expect(still.metadata.deletionTimestamp).toBeUndefined();
  });

  it('drain is held by the budget, then empties the node once the budget allows it', async () => {
    const [pod] = await readyPods();
    const node = pod!.spec.nodeName!;
    const held = await c.kubectl(['drain', node, '--ignore-daemonsets', '--timeout=6s'], { timeoutMs: 30_000 });
    expect(held.code).not.toBe(0);
    expect(held.stderr).toContain("Cannot evict pod as it would violate the pod's disruption budget.");
    expect((await readyPods()).length).toBe(2);

    expect((await c.kubectl(['patch', 'pdb', 'web', '-n', NS, '--type', 'merge', '-p', '{"spec":{"minAvailable":1}}'])).code).toBe(0);
    await waitFor('one disruption allowed', async () => ((await budget()).status?.disruptionsAllowed === 1 ? true : undefined));
    const drained = await c.kubectl(['drain', node, '--ignore-daemonsets', '--timeout=30s'], { timeoutMs: 45_000 });
    expect(drained.stderr).toBe('');
    expect(drained.code).toBe(0);
    expect(drained.stdout).toContain(`evicting pod ${NS}/`);
    expect(drained.stdout).toContain(`node/${node} drained`);
    // the RC replaces the evicted pod on the other node
    const pods = await waitFor('two ready pods off the drained node', async () => {
      const ready = await readyPods();
      return ready.length === 2 && ready.every((p) => p.spec.nodeName !== node) ? ready : undefined;
    }, 30_000);
    expect(pods.map((p) => p.spec.nodeName)).not.toContain(node);
    expect((await c.kubectl(['uncordon', node])).code).toBe(0);
  });
});

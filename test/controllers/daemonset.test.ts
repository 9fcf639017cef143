// DaemonSets on a real cluster with the real kubectl: one pod per node, pinned by node affinity
// and bound by the scheduler, with the daemon tolerations; a node that joins gets a pod and its
// pod goes with the node; an untolerated NoExecute taint takes the pod off a node and a toleration
// brings it back; a rolling update within maxUnavailable, kubectl rollout status / history / undo
// through ControllerRevisions; the kubectl columns and events.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ControllerRevision, DaemonSet } from '../../src/api/apps.js';
import type { Event, Pod } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';
import { createFakeNode, type FakeNode } from '../support/fake-nodes.js';

let c: TestCluster;
const NS = 'ds';
const fakes: FakeNode[] = [];

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const ds = (name: string): Promise<DaemonSet> => c.client.get<DaemonSet>(`/apis/apps/v1/namespaces/${NS}/daemonsets/${name}`);
const podsOf = async (app: string): Promise<Pod[]> =>
  (await c.client.list<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
const pinnedNode = (p: Pod): string | undefined =>
  (p.spec as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: Array<{ matchFields?: Array<{ values?: string[] }> }> } } } }).affinity?.nodeAffinity
    ?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0];

function manifest(name: string, image: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, namespace: NS },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image, ports: [{ containerPort: 8080 }] }], ...extra } },
    },
  });
}

const workers = (): string[] => c.config.nodes.map((n) => n.name);

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
});
afterAll(async () => {
  for (const f of fakes) await f.stopHeartbeats().catch(() => undefined);
  await c?.down();
});

describe('DaemonSets', () => {
  it('runs one Ready pod on every node, pinned by node affinity, bound by the scheduler, with the daemon tolerations', async () => {
    expect(await k(['apply', '-f', '-'], manifest('agent', 'registry.example/agent:1'))).toBe('daemonset.apps/agent created\n');
    expect(await k(['rollout', 'status', 'ds/agent', '--timeout=60s'])).toContain('daemon set "agent" successfully rolled out');
    const pods = await podsOf('agent');
    expect(pods.map((p) => p.spec.nodeName).sort()).toEqual(workers().sort());
    for (const p of pods) {
      expect(pinnedNode(p)).toBe(p.spec.nodeName);
      expect(p.metadata.ownerReferences).toEqual([expect.objectContaining({ kind: 'DaemonSet', name: 'agent', controller: true })]);
      expect(p.metadata.labels).toMatchObject({ 'pod-template-generation': '1', 'controller-revision-hash': expect.stringMatching(/^[bcdfghjklmnpqrstvwxz2456789]+$/) });
      expect(p.spec.tolerations?.map((t) => `${t.key}:${t.effect}`)).toEqual(
        expect.arrayContaining(['node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']),
      );
    }
    const d = await ds('agent');
    expect(d.spec.updateStrategy).toEqual({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(d.status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, updatedNumberScheduled: 2, numberAvailable: 2, numberMisscheduled: 0, observedGeneration: 1 });
    const table = await k(['get', 'ds', 'agent']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
    expect(table.split('\n')[1]).toMatch(/^agent\s+2\s+2\s+2\s+2\s+2\s+<none>\s+\S+$/);
    const wide = await k(['get', 'ds', 'agent', '-o', 'wide']);
    expect(wide.split('\n')[1]).toMatch(/agent\s+registry\.example\/agent:1\s+app=agent$/);
    const evs = (await c.client.list<Event>(`/api/v1/namespaces/${NS}/events`)).items.filter((e) => e.involvedObject?.name === 'agent' && e.reason === 'SuccessfulCreate');
    expect(evs.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
  });

  it('gives a node that joins a pod, and its pod goes when the node is removed', async () => {
    const fake = await createFakeNode(c.client, { name: 'joiner', ip: '127.10.0.9' });
    fake.startHeartbeats(1000);
    fakes.push(fake);
    try {
    const onJoiner = await waitFor('a pod on the node that joined', async () => (await podsOf('agent')).find((p) => p.spec.nodeName === 'joiner'));
    expect(pinnedNode(onJoiner)).toBe('joiner');
    await waitFor('3 desired', async () => (await ds('agent')).status?.desiredNumberScheduled === 3);
    } finally {
      await fake.stopHeartbeats();
      await fake.delete();
    }
    await waitFor('the removed node\'s pod gone', async () => !(await podsOf('agent')).some((p) => p.spec.nodeName === 'joiner'), 60_000);
    await waitFor('2 desired', async () => (await ds('agent')).status?.desiredNumberScheduled === 2);
  });

  it('takes its pod off a node with an untolerated NoExecute taint, and keeps pods that tolerate it', async () => {
    const [n1] = workers();
    expect((await c.kubectl(['taint', 'nodes', n1!, 'dedicated=infra:NoExecute'])).code).toBe(0);
    try {
      await waitFor('the tainted node\'s pod gone', async () => !(await podsOf('agent')).some((p) => p.spec.nodeName === n1));
      await waitFor('1 desired', async () => (await ds('agent')).status?.desiredNumberScheduled === 1);
      await k(['apply', '-f', '-'], manifest('tolerant', 'registry.example/agent:1', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoExecute' }] }));
      await k(['rollout', 'status', 'ds/tolerant', '--timeout=60s']);
      expect((await podsOf('tolerant')).map((p) => p.spec.nodeName).sort()).toEqual(workers().sort());
    } finally {
      await c.kubectl(['taint', 'nodes', n1!, 'dedicated=infra:NoExecute-']);
    }
    await waitFor('a pod back on the untainted node', async () => (await podsOf('agent')).some((p) => p.spec.nodeName === n1));
    await k(['delete', 'ds', 'tolerant']);
  });

  it('honours the template nodeSelector (NODE SELECTOR column)', async () => {
    const [, n2] = workers();
    await k(['apply', '-f', '-'], manifest('picky', 'registry.example/agent:1', { nodeSelector: { 'kubernetes.io/hostname': n2 } }));
    await k(['rollout', 'status', 'ds/picky', '--timeout=60s']);
    expect((await podsOf('picky')).map((p) => p.spec.nodeName)).toEqual([n2]);
    expect((await k(['get', 'ds', 'picky'])).split('\n')[1]).toMatch(new RegExp(`^picky\\s+1\\s+1\\s+1\\s+1\\s+1\\s+kubernetes.io/hostname=${n2}\\s`));
    await k(['delete', 'ds', 'picky']);
  });

  it('rolls a new template out within maxUnavailable, keeps history in ControllerRevisions, and kubectl rollout undo goes back', async () => {
    const unavailableSeen: number[] = [];
    const watch = c.client.watch<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=agent' }, {
      onEvent: async () => {
        const pods = await podsOf('agent').catch(() => []);
        unavailableSeen.push(workers().length - pods.filter((p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length);
      },
      onClose() {},
    });
    try {
      await k(['set', 'image', 'ds/agent', 'agent=registry.example/agent:2']);
      await k(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    } finally {
      watch.stop();
    }
    expect(Math.max(...unavailableSeen)).toBeLessThanOrEqual(1);
    const pods = await podsOf('agent');
    expect(pods.map((p) => p.spec.containers[0]!.image)).toEqual(['registry.example/agent:2', 'registry.example/agent:2']);
    const revs = (await c.client.list<ControllerRevision>(`/apis/apps/v1/namespaces/${NS}/controllerrevisions`)).items.filter((r) => r.metadata.ownerReferences?.[0]?.name === 'agent');
    expect(revs.map((r) => r.revision).sort()).toEqual([1, 2]);
    const hash = pods[0]!.metadata.labels!['controller-revision-hash'];
    expect(revs.find((r) => r.revision === 2)!.metadata.name).toBe(`agent-${hash}`);
    const history = await k(['rollout', 'history', 'ds/agent']);
    expect(history).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    expect(await k(['get', 'controllerrevisions'])).toMatch(new RegExp(`agent-${hash}\\s+daemonset.apps/agent\\s+2\\s`));
    expect(await k(['rollout', 'undo', 'ds/agent'])).toBe('daemonset.apps/agent rolled back\n');
    await waitFor('the undo observed', async () => {
      const d = await ds('agent');
      return d.status?.observedGeneration === d.metadata.generation;
    });
    await k(['rollout', 'status', 'ds/agent', '--timeout=90s']);
    expect((await podsOf('agent')).map((p) => p.spec.containers[0]!.image)).toEqual(['registry.example/agent:1', 'registry.example/agent:1']);
    const after = (await c.client.list<ControllerRevision>(`/apis/apps/v1/namespaces/${NS}/controllerrevisions`)).items.filter((r) => r.metadata.ownerReferences?.[0]?.name === 'agent');
    expect(after.map((r) => r.revision).sort()).toEqual([2, 3]);
  });
});

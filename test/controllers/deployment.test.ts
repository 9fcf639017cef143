// Deployments on a real cluster with the real kubectl, as a user drives them: create, expose,
// set image (a rolling update whose every step stays within maxSurge / maxUnavailable), rollout
// status / history / undo / restart / pause / resume, scale, Recreate (no new pod while an old one
// runs), the progress deadline, the revision history limit, and cascading deletion.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment, ReplicaSet } from '../../src/api/apps.js';
import type { Pod, Service } from '../../src/api/types.js';
import type { Watch } from '../../src/client/client.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'deploy';

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 90_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};

const rsOf = async (name: string): Promise<ReplicaSet[]> =>
  (await c.client.list<ReplicaSet>(`/apis/apps/v1/namespaces/${NS}/replicasets`)).items.filter((rs) => rs.metadata.ownerReferences?.some((r) => r.name === name));
const deployment = (name: string): Promise<Deployment> => c.client.get<Deployment>(`/apis/apps/v1/namespaces/${NS}/deployments/${name}`);
const podsOf = async (selector: string): Promise<Pod[]> => (await c.client.list<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: selector })).items;

function manifest(name: string, spec: Record<string, unknown>, image = 'registry.example/web:1'): string {
  return JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: NS },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] } },
      ...spec,
    },
  });
}

/** Records each ReplicaSet's spec.replicas as the watch reports it, while a rollout runs. */
function recordReplicaSets(owner: string): { samples: Array<Record<string, number>>; stop: () => void } {
  const sizes: Record<string, number> = {};
  const samples: Array<Record<string, number>> = [];
  const watch: Watch = c.client.watch<ReplicaSet>(`/apis/apps/v1/namespaces/${NS}/replicasets`, {}, {
    onEvent(ev) {
      const rs = ev.object as ReplicaSet;
      if (!rs.metadata?.ownerReferences?.some((r) => r.name === owner)) return;
      sizes[rs.metadata.name!] = ev.type === 'DELETED' ? 0 : (rs.spec.replicas ?? 0);
      samples.push({ ...sizes });
    },
    onClose() {},
  });
  return { samples, stop: () => watch.stop() };
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
});
afterAll(async () => {
  await c?.down();
});

describe('Deployments', () => {
  it('kubectl create deployment, rollout status, expose: pods of a ReplicaSet named by the template hash, serving through the Service', async () => {
    expect(await k(['create', 'deployment', 'web', '--image=nginx', '--replicas=3', '--port=8080'])).toBe('deployment.apps/web created\n');
    expect(await k(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain('deployment "web" successfully rolled out');
    const [rs] = await rsOf('web');
    const hash = rs!.metadata.labels!['pod-template-hash']!;
    expect(hash).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    expect(rs!.metadata.name).toBe(`web-${hash}`);
    expect(rs!.spec.selector.matchLabels).toEqual({ app: 'web', 'pod-template-hash': hash });
    expect(rs!.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '1', 'deployment.kubernetes.io/desired-replicas': '3', 'deployment.kubernetes.io/max-replicas': '4' });
    const pods = await podsOf('app=web');
    expect(pods.map((p) => p.metadata.labels?.['pod-template-hash'])).toEqual([hash, hash, hash]);
    expect(pods.every((p) => p.metadata.name!.startsWith(`web-${hash}-`))).toBe(true);
    const d = await deployment('web');
    expect(d.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('1');
    expect(d.status).toMatchObject({ replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(d.status?.conditions?.map((x) => [x.type, x.status, x.reason])).toEqual(
      expect.arrayContaining([
        ['Available', 'True', 'MinimumReplicasAvailable'],
        ['Progressing', 'True', 'NewReplicaSetAvailable'],
      ]),
    );
    const table = (await k(['get', 'deploy', 'web'])).split('\n');
    expect(table[0]).toMatch(/^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/);
    expect(table[1]).toMatch(/^web\s+3\/3\s+3\s+3\s+\S+$/);
    expect((await k(['get', 'rs', '-o', 'wide'])).split('\n')[0]).toMatch(/^NAME\s+DESIRED\s+CURRENT\s+READY\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/);

    expect(await k(['expose', 'deployment', 'web', '--type=NodePort', '--port=80', '--target-port=8080'])).toBe('service/web exposed\n');
    const svc = await c.client.get<Service>(`/api/v1/namespaces/${NS}/services/web`);
    expect(svc.spec.selector).toEqual({ app: 'web' });
    await waitFor('three endpoints', async () => {
      const out = await k(['get', 'endpoints', 'web', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
      return out.trim().split(' ').length === 3 ? out : undefined;
    });
  });

  it('set image rolls out within maxSurge 1 / maxUnavailable 0 at every step; history, undo and restart as kubectl prints them', async () => {
    await k(['patch', 'deployment', 'web', '--type=merge', '-p', JSON.stringify({ spec: { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } } })]);
    const rec = recordReplicaSets('web');
    try {
      expect(await k(['set', 'image', 'deployment/web', 'nginx=nginx:1.27'])).toBe('deployment.apps/web image updated\n');
      expect(await k(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain('deployment "web" successfully rolled out');
    } finally {
      rec.stop();
    }
    // every step: at most replicas + maxSurge pods wanted, never fewer than replicas - maxUnavailable
    for (const s of rec.samples) {
      const total = Object.values(s).reduce((a, b) => a + b, 0);
      expect(total, JSON.stringify(s)).toBeLessThanOrEqual(4);
    }
    const sets = await rsOf('web');
    expect(sets).toHaveLength(2);
    const byRev = Object.fromEntries(sets.map((rs) => [rs.metadata.annotations!['deployment.kubernetes.io/revision'], rs]));
    expect(byRev['1']!.spec.replicas).toBe(0);
    expect(byRev['2']!.spec.replicas).toBe(3);
    expect(byRev['2']!.spec.template!.spec.containers[0]!.image).toBe('nginx:1.27');
    // the new ReplicaSet only grew and the old only shrank, one pod at a time
    const newName = byRev['2']!.metadata.name!;
    const oldName = byRev['1']!.metadata.name!;
    const seen = rec.samples.filter((s) => s[newName] !== undefined);
    for (let i = 1; i < seen.length; i++) {
      expect(seen[i]![newName]!).toBeGreaterThanOrEqual(seen[i - 1]![newName]!);
      if (seen[i]![oldName] !== undefined && seen[i - 1]![oldName] !== undefined) expect(seen[i]![oldName]!).toBeLessThanOrEqual(seen[i - 1]![oldName]!);
    }
    // created with one pod (3 + maxSurge 1 - 3 wanted), then grown one at a time
    expect([...new Set(seen.map((s) => s[newName]))]).toEqual([1, 2, 3]);

    const history = await k(['rollout', 'history', 'deployment/web']);
    expect(history).toMatch(/^deployment\.apps\/web \nREVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n\n$/);
    expect(await k(['rollout', 'undo', 'deployment/web'])).toBe('deployment.apps/web rolled back\n');
    expect(await k(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain('successfully rolled out');
    const back = await deployment('web');
    expect(back.spec.template.spec.containers[0]!.image).toBe('nginx');
    expect(back.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('3');
    expect(await k(['rollout', 'history', 'deployment/web'])).toMatch(/REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/);
    const revived = (await rsOf('web')).find((rs) => rs.metadata.name === oldName)!;
    expect(revived.metadata.annotations).toMatchObject({ 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/revision-history': '1' });

    expect(await k(['rollout', 'restart', 'deployment/web'])).toBe('deployment.apps/web restarted\n');
    expect(await k(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain('successfully rolled out');
    const restarted = await deployment('web');
    expect(restarted.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']).toBeDefined();
    expect(await rsOf('web')).toHaveLength(3);
  });

  it('pause holds a template change; resume rolls it out; scale changes no template', async () => {
    expect(await k(['rollout', 'pause', 'deployment/web'])).toBe('deployment.apps/web paused\n');
    await k(['set', 'image', 'deployment/web', 'nginx=nginx:1.28']);
    await waitFor('the paused condition', async () => {
      const d = await deployment('web');
      return d.status?.conditions?.some((x) => x.type === 'Progressing' && x.reason === 'DeploymentPaused') && (d.status.observedGeneration ?? 0) >= (d.metadata.generation ?? 0) ? d : undefined;
    });
    expect(await rsOf('web')).toHaveLength(3);
    expect(await k(['rollout', 'resume', 'deployment/web'])).toBe('deployment.apps/web resumed\n');
    expect(await k(['rollout', 'status', 'deployment/web', '--timeout=60s'])).toContain('successfully rolled out');
    expect((await rsOf('web')).some((rs) => rs.spec.template?.spec.containers[0]?.image === 'nginx:1.28' && rs.spec.replicas === 3)).toBe(true);

    const before = (await rsOf('web')).length;
    expect(await k(['scale', 'deployment', 'web', '--replicas=5'])).toBe('deployment.apps/web scaled\n');
    const scaled = await waitFor('5 ready', async () => {
      const d = await deployment('web');
      return d.status?.readyReplicas === 5 ? d : undefined;
    });
    expect(scaled.metadata.annotations?.['deployment.kubernetes.io/revision']).toBe('5');
    expect(await rsOf('web')).toHaveLength(before);
  });

  it('Recreate: no new pod is created while an old one still runs', async () => {
    await k(['apply', '-f', '-'], manifest('rec', { replicas: 2, strategy: { type: 'Recreate' } }));
    await k(['rollout', 'status', 'deployment/rec', '--timeout=60s']);
    const [first] = await rsOf('rec');
    const oldHash = first!.metadata.labels!['pod-template-hash'];
    const overlaps: string[] = [];
    const live = new Map<string, Pod>();
    const watch = c.client.watch<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: 'app=rec' }, {
      onEvent(ev) {
        const p = ev.object as Pod;
        if (ev.type === 'DELETED') live.delete(p.metadata.name!);
        else live.set(p.metadata.name!, p);
        const hashes = new Set([...live.values()].map((x) => x.metadata.labels?.['pod-template-hash']));
        if (hashes.size > 1) overlaps.push([...live.keys()].join(','));
      },
      onClose() {},
    });
    try {
      await k(['apply', '-f', '-'], manifest('rec', { replicas: 2, strategy: { type: 'Recreate' } }, 'registry.example/web:2'));
      await k(['rollout', 'status', 'deployment/rec', '--timeout=60s']);
    } finally {
      watch.stop();
    }
    expect(overlaps).toEqual([]);
    const pods = await podsOf('app=rec');
    expect(pods.filter((p) => !p.metadata.deletionTimestamp).every((p) => p.metadata.labels?.['pod-template-hash'] !== oldHash)).toBe(true);
  });

  it('a rollout that makes no progress is ProgressDeadlineExceeded, and rollout status says so', async () => {
    const never = {
      replicas: 1,
      progressDeadlineSeconds: 2,
      template: {
        metadata: { labels: { app: 'stuck' } },
        spec: { containers: [{ name: 'app', image: 'x', ports: [{ containerPort: 8080 }], readinessProbe: { tcpSocket: { port: 9 }, periodSeconds: 1 } }] },
      },
    };
    await k(['apply', '-f', '-'], manifest('stuck', never));
    const r = await c.kubectl(['rollout', 'status', 'deployment/stuck', '-n', NS, '--timeout=30s'], { timeoutMs: 40_000 });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('error: deployment "stuck" exceeded its progress deadline');
    const d = await deployment('stuck');
    expect(d.status?.conditions?.find((x) => x.type === 'Progressing')).toMatchObject({ status: 'False', reason: 'ProgressDeadlineExceeded' });
  });

  it('keeps revisionHistoryLimit old ReplicaSets, and a delete cascades to ReplicaSets and pods', async () => {
    await k(['apply', '-f', '-'], manifest('hist', { replicas: 1, revisionHistoryLimit: 1 }));
    for (const tag of ['2', '3', '4']) {
      await k(['set', 'image', 'deployment/hist', `app=registry.example/web:${tag}`]);
      await k(['rollout', 'status', 'deployment/hist', '--timeout=60s']);
    }
    await waitFor('one old ReplicaSet kept', async () => ((await rsOf('hist')).length === 2 ? true : undefined));
    expect((await rsOf('hist')).map((rs) => rs.metadata.annotations?.['deployment.kubernetes.io/revision']).sort()).toEqual(['3', '4']);

    await k(['delete', 'deployment', 'hist', '--cascade=foreground']);
    expect(await rsOf('hist')).toEqual([]);
    await waitFor('its pods gone', async () => ((await podsOf('app=hist')).length === 0 ? true : undefined));
  });
});

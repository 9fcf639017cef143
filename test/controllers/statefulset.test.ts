// StatefulSets on a real cluster with the real kubectl: `<name>-0..N-1` created in order, each
// Running and Ready before the next (the order observed from the watch), removed highest first;
// stable names, hostname and subdomain (so the cluster DNS answers `<pod>.<svc>.<ns>.svc.cluster.local`
// for a headless Service, asked with dig); the pod-name and pod-index labels; Parallel; a rolling
// update with a partition (highest ordinal first, pods below the partition untouched); kubectl
// rollout status / history / undo; the scale subresource; the columns and events.
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StatefulSet } from '../../src/api/apps.js';
import type { Event, Pod, Scale } from '../../src/api/types.js';
import type { Watch } from '../../src/client/client.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'sts';

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 120_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const sts = (name: string): Promise<StatefulSet> => c.client.get<StatefulSet>(`/apis/apps/v1/namespaces/${NS}/statefulsets/${name}`);
const podsOf = async (app: string): Promise<Pod[]> =>
  (await c.client.list<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: `app=${app}` })).items.filter((p) => !p.metadata.deletionTimestamp);
const isReady = (p: Pod): boolean => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;

function manifest(name: string, extra: Record<string, unknown> = {}, image = 'registry.example/db:1'): string {
  // YAML documents (each one JSON): kubectl reads a stream starting with `---` as YAML
  return [
    '',
    JSON.stringify({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: NS }, spec: { clusterIP: 'None', selector: { app: name }, ports: [{ port: 8080, name: 'web' }] } }),
    JSON.stringify({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name, namespace: NS },
      spec: {
        serviceName: name,
        replicas: 3,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'db', image, ports: [{ containerPort: 8080, name: 'web' }] }] } },
        ...extra,
      },
    }),
  ].join('\n---\n');
}

/** Pod events in the order the watch sees them: `ADDED web-1`, `READY web-1`, `DELETED web-2`. */
function recordPods(app: string): { seen: string[]; stop: () => void } {
  const seen: string[] = [];
  const ready = new Set<string>();
  const watch: Watch = c.client.watch<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: `app=${app}` }, {
    onEvent(ev) {
      const p = ev.object as Pod;
      const name = p.metadata.name!;
      if (ev.type === 'ADDED') seen.push(`ADDED ${name}`);
      if (ev.type === 'DELETED') {
        seen.push(`DELETED ${name}`);
        ready.delete(name);
      } else if (isReady(p) && !ready.has(name)) {
        ready.add(name);
        seen.push(`READY ${name}`);
      }
    },
    onClose() {},
  });
  return { seen, stop: () => watch.stop() };
}

function dig(name: string): Promise<string[]> {
  const { ip, port } = c.config.dns;
  return new Promise((resolve, reject) => {
    execFile('dig', ['+tries=1', '+time=2', '+nocookie', '+short', `@${ip}`, '-p', String(port), name, 'A'], { timeout: 15_000 }, (err, stdout) => {
      if (err && !stdout) reject(new Error(`dig failed: ${err.message} (dig comes from Debian's dnsutils)`));
      else resolve(stdout.trim().split('\n').filter(Boolean));
    });
  });
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
});
afterAll(async () => {
  await c?.down();
});

describe('StatefulSets', () => {
  it('creates web-0, web-1, web-2 in order, each Ready before the next, with stable identities', async () => {
    const rec = recordPods('web');
    try {
      expect(await k(['apply', '-f', '-'], manifest('web'))).toBe('service/web created\nstatefulset.apps/web created\n');
      expect(await k(['rollout', 'status', 'sts/web', '--timeout=90s'])).toContain('partitioned roll out complete: 3 new pods have been updated...');
    } finally {
      rec.stop();
    }
    expect(rec.seen).toEqual(['ADDED web-0', 'READY web-0', 'ADDED web-1', 'READY web-1', 'ADDED web-2', 'READY web-2']);
    const pods = (await podsOf('web')).sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    const s = await sts('web');
    pods.forEach((p, i) => {
      expect(p.metadata.labels).toMatchObject({ 'statefulset.kubernetes.io/pod-name': `web-${i}`, 'apps.kubernetes.io/pod-index': String(i), 'controller-revision-hash': s.status?.updateRevision });
      expect(p.spec.hostname).toBe(`web-${i}`);
      expect(p.spec.subdomain).toBe('web');
    });
    expect(s.spec).toMatchObject({ podManagementPolicy: 'OrderedReady', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10, persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' } });
    expect(s.status).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    expect(s.status?.currentRevision).toBe(s.status?.updateRevision);
    expect(s.status?.updateRevision).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
    const table = await k(['get', 'sts']);
    expect(table).toMatch(/^NAME\s+READY\s+AGE\nweb\s+3\/3\s+\S+\n$/);
    const evs = (await c.client.list<Event>(`/api/v1/namespaces/${NS}/events`)).items.filter((e) => e.involvedObject?.name === 'web' && e.reason === 'SuccessfulCreate');
    expect(evs.map((e) => e.message).sort()).toEqual([0, 1, 2].map((i) => `create Pod web-${i} in StatefulSet web successful`));
  });

  it('answers <pod>.<service>.<ns>.svc.cluster.local through the cluster DNS for the headless Service', async () => {
    for (const p of await podsOf('web')) {
      const fqdn = `${p.metadata.name}.web.${NS}.svc.cluster.local`;
      expect(await waitFor(`${fqdn} answers`, async () => {
        const a = await dig(fqdn);
        return a.length === 1 && a[0] === p.status?.podIP ? a : undefined;
      })).toEqual([p.status?.podIP]);
    }
  });

  it('brings a deleted pod back under the same name', async () => {
    const before = (await podsOf('web')).find((p) => p.metadata.name === 'web-1')!;
    await k(['delete', 'pod', 'web-1', '--wait=false']);
    const again = await waitFor('web-1 recreated and Ready', async () => {
      const p = (await podsOf('web')).find((x) => x.metadata.name === 'web-1');
      return p && p.metadata.uid !== before.metadata.uid && isReady(p) ? p : undefined;
    }, 60_000);
    expect(again.spec.hostname).toBe('web-1');
  });

  it('rolls a template change out from the highest ordinal down to the partition, and undoes it', async () => {
    await k(['patch', 'sts', 'web', '--type=merge', '-p', JSON.stringify({ spec: { updateStrategy: { rollingUpdate: { partition: 1 } } } })]);
    const rec = recordPods('web');
    await waitFor('the watch has listed the 3 Ready pods', () => rec.seen.filter((e) => e.startsWith('READY')).length === 3);
    rec.seen.length = 0;
    try {
      await k(['set', 'image', 'sts/web', 'db=registry.example/db:2']);
      expect(await k(['rollout', 'status', 'sts/web', '--timeout=90s'])).toContain('partitioned roll out complete: 2 new pods have been updated...');
    } finally {
      rec.stop();
    }
    expect(rec.seen.filter((e) => e.startsWith('DELETED') || e.startsWith('READY'))).toEqual(['DELETED web-2', 'READY web-2', 'DELETED web-1', 'READY web-1']);
    const images = Object.fromEntries((await podsOf('web')).map((p) => [p.metadata.name, p.spec.containers[0]!.image]));
    expect(images).toEqual({ 'web-0': 'registry.example/db:1', 'web-1': 'registry.example/db:2', 'web-2': 'registry.example/db:2' });
    const s = await sts('web');
    expect(s.status).toMatchObject({ replicas: 3, currentReplicas: 1, updatedReplicas: 2 });
    expect(s.status?.currentRevision).not.toBe(s.status?.updateRevision);
    expect(await k(['rollout', 'history', 'sts/web'])).toMatch(/REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    // the partition lifted: web-0 follows
    await k(['patch', 'sts', 'web', '--type=merge', '-p', JSON.stringify({ spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } })]);
    await k(['rollout', 'status', 'sts/web', '--timeout=90s']);
    await waitFor('every pod at db:2', async () => (await podsOf('web')).every((p) => p.spec.containers[0]!.image === 'registry.example/db:2' && isReady(p)), 60_000);
    await waitFor('currentRevision caught up', async () => {
      const x = await sts('web');
      return x.status?.currentRevision === x.status?.updateRevision && x.status?.currentReplicas === 3;
    });
    expect(await k(['rollout', 'undo', 'sts/web'])).toBe('statefulset.apps/web rolled back\n');
    await waitFor('every pod back at db:1', async () => {
      const pods = await podsOf('web');
      return pods.length === 3 && pods.every((p) => p.spec.containers[0]!.image === 'registry.example/db:1' && isReady(p));
    }, 90_000);
  });

  it('scales down highest ordinal first and up again through the scale subresource', async () => {
    const rec = recordPods('web');
    try {
      expect(await k(['scale', 'sts/web', '--replicas=1'])).toBe('statefulset.apps/web scaled\n');
      await waitFor('one pod left', async () => (await podsOf('web')).length === 1 && (await sts('web')).status?.replicas === 1, 60_000);
    } finally {
      rec.stop();
    }
    expect(rec.seen.filter((e) => e.startsWith('DELETED'))).toEqual(['DELETED web-2', 'DELETED web-1']);
    expect((await podsOf('web')).map((p) => p.metadata.name)).toEqual(['web-0']);
    const scale = await c.client.get<Scale>(`/apis/apps/v1/namespaces/${NS}/statefulsets/web/scale`);
    expect(scale).toMatchObject({ spec: { replicas: 1 }, status: { selector: 'app=web' } });
    await k(['scale', 'sts/web', '--replicas=2']);
    await k(['rollout', 'status', 'sts/web', '--timeout=60s']);
    expect((await podsOf('web')).map((p) => p.metadata.name).sort()).toEqual(['web-0', 'web-1']);
  });

  it('creates every pod at once with podManagementPolicy Parallel', async () => {
    const rec = recordPods('par');
    try {
      await k(['apply', '-f', '-'], manifest('par', { podManagementPolicy: 'Parallel' }));
      await k(['rollout', 'status', 'sts/par', '--timeout=90s']);
    } finally {
      rec.stop();
    }
    const added = rec.seen.filter((e) => e.startsWith('ADDED'));
    const firstReady = rec.seen.findIndex((e) => e.startsWith('READY'));
    expect(added.sort()).toEqual(['ADDED par-0', 'ADDED par-1', 'ADDED par-2']);
    // all three made before any is Ready: no pod waited for another
    expect(rec.seen.slice(0, 3).every((e) => e.startsWith('ADDED'))).toBe(true);
    expect(firstReady).toBeGreaterThanOrEqual(3);
  });
});

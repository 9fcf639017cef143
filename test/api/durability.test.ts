// The store's promise from a user's seat: SIGKILL the control plane during a burst of writes
// from several clients; the supervisor restarts it; every write that was acknowledged is there.
// Watches resume across the restart from the resourceVersion they had, and a watch from a
// resourceVersion the watch cache no longer holds ends with 410 Expired. The cluster keeps a
// small watch history (LOOPKUBE_WATCH_HISTORY) so the burst pushes old revisions out of it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApiError } from '../../src/api/errors.js';
import type { KubeObject, WatchEvent } from '../../src/api/types.js';
import type { ApiClient } from '../../src/client/client.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

const HISTORY = 200;
const BURST = 300;
const CLIENTS = 8;
let c: TestCluster;

const event = (ns: string, name: string) => ({
  apiVersion: 'v1',
  kind: 'Event',
  metadata: { name, namespace: ns },
  involvedObject: { kind: 'Pod', name: 'nobody', namespace: ns },
  reason: 'Burst',
  message: `write ${name}`,
  type: 'Normal',
});

async function controlPlane(): Promise<{ pid: number; restarts: number; healthy: boolean; state: string }> {
  const cp = (await c.status()).processes.find((p) => p.component === 'control-plane');
  if (!cp || cp.pid === null) throw new Error('no control-plane process');
  return { pid: cp.pid, restarts: cp.restarts, healthy: cp.healthy, state: cp.state };
}

/** SIGKILLs the control plane and waits until the supervisor has it back, healthy. */
async function killControlPlane(pid: number): Promise<void> {
  process.kill(pid, 'SIGKILL');
  await waitFor(
    'the supervisor to restart the control plane',
    async () => {
      const cp = await controlPlane();
      return cp.pid !== pid && cp.state === 'running' && cp.healthy;
    },
    60_000,
  );
  await waitFor('the API server to answer', () => c.client.list('/api/v1/namespaces').then(() => true), 30_000);
}

async function createNamespace(name: string): Promise<void> {
  await c.client.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

async function currentRevision(client: ApiClient, path: string): Promise<string> {
  return (await client.list(path)).metadata.resourceVersion!;
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 0, env: { LOOPKUBE_WATCH_HISTORY: String(HISTORY) } });
});

afterAll(async () => {
  await c?.down();
});

describe('SIGKILL of the control plane', () => {
  it(`loses no acknowledged write of a burst of ${BURST} creates from ${CLIENTS} clients`, async () => {
    await createNamespace('burst');
    const path = '/api/v1/namespaces/burst/events';
    const { pid } = await controlPlane();
    const acknowledged = new Set<string>();
    let failures = 0;
    let next = 0;
    let killed = false;

    const worker = async (): Promise<void> => {
      for (;;) {
        const i = next++;
        if (i >= BURST) return;
        const name = `e-${String(i).padStart(4, '0')}`;
        for (let attempt = 0; ; attempt++) {
          try {
            await c.client.create(path, event('burst', name));
            acknowledged.add(name);
            break;
          } catch (err) {
            const e = err as ApiError;
            // the first try may have been written but its answer lost with the process
            if (e.code === 409 && e.reason === 'AlreadyExists' && attempt > 0) break;
            failures++;
            if (attempt > 600) throw err;
            await sleep(50);
          }
        }
        if (!killed && acknowledged.size >= BURST / 3) {
          killed = true;
          process.kill(pid, 'SIGKILL');
        }
      }
    };
    await Promise.all(Array.from({ length: CLIENTS }, worker));

    expect(killed).toBe(true);
    // the clients did meet the dead control plane mid-burst
    expect(failures).toBeGreaterThan(0);
    const cp = await waitFor('control plane back', async () => {
      const now = await controlPlane();
      return now.pid !== pid && now.healthy ? now : undefined;
    });
    expect(cp.restarts).toBeGreaterThanOrEqual(1);

    const stored = new Set((await c.client.list(path)).items.map((o) => o.metadata.name!));
    const lost = [...acknowledged].filter((n) => !stored.has(n));
    expect(lost).toEqual([]);
    expect(acknowledged.size).toBeGreaterThan(BURST / 3);
    // the retried ones are there too: every name exactly once
    expect(stored.size).toBe(BURST);
  });
});

describe('watches across a restart', () => {
  it('a watch resumed from its last resourceVersion after the restart gets every event after it, once, in order', async () => {
    await createNamespace('resume');
    const path = '/api/v1/namespaces/resume/events';
    const start = await currentRevision(c.client, path);

    // An informer-like watcher: on close, it watches again from the last resourceVersion it saw.
    const seen: Array<{ type: string; name: string; rv: number }> = [];
    let last = start;
    let closes = 0;
    const errors: string[] = [];
    let stopped = false;
    let current: { stop(): void } | undefined;
    const open = (): void => {
      current = c.client.watch<KubeObject>(path, { resourceVersion: last }, {
        onEvent(ev: WatchEvent<KubeObject>) {
          seen.push({ type: ev.type, name: ev.object.metadata.name!, rv: Number(ev.object.metadata.resourceVersion) });
          last = ev.object.metadata.resourceVersion!;
        },
        onClose(err) {
          closes++;
          if (err) errors.push(`${err.code} ${err.message}`);
          if (!stopped) setTimeout(open, 100);
        },
      });
    };
    open();
    try {
      for (const n of ['a1', 'a2', 'a3']) await c.client.create(path, event('resume', n));
      await waitFor('the watcher to see a1..a3', () => seen.length === 3);
      const { pid } = await controlPlane();
      // written and acknowledged, then the process dies: the watcher may or may not have seen them
      for (const n of ['a4', 'a5']) await c.client.create(path, event('resume', n));
      await killControlPlane(pid);
      for (const n of ['b1', 'b2']) await c.client.create(path, event('resume', n));
      await c.client.delete(`${path}/a1`);
      await waitFor('the watcher to see DELETED a1', () => seen.some((e) => e.type === 'DELETED' && e.name === 'a1'));
    } finally {
      stopped = true;
      current?.stop();
    }
    expect(closes).toBeGreaterThanOrEqual(1);
    // a lost connection is not an error event: nothing expired
    expect(errors.filter((e) => e.startsWith('410'))).toEqual([]);
    expect(seen.map((e) => `${e.type} ${e.name}`)).toEqual(['ADDED a1', 'ADDED a2', 'ADDED a3', 'ADDED a4', 'ADDED a5', 'ADDED b1', 'ADDED b2', 'DELETED a1']);
    const rvs = seen.map((e) => e.rv);
    expect(rvs).toEqual([...rvs].sort((a, b) => a - b));
    expect(rvs[0]).toBeGreaterThan(Number(start));

    // and a fresh watch from the resourceVersion taken before the restart replays the same
    const replay: string[] = [];
    const w = c.client.watch<KubeObject>(path, { resourceVersion: start }, {
      onEvent: (ev) => replay.push(`${ev.type} ${ev.object.metadata.name}`),
      onClose: () => undefined,
    });
    try {
      await waitFor('the replay to reach DELETED a1', () => replay.includes('DELETED a1'));
    } finally {
      w.stop();
    }
    expect(replay).toEqual(seen.map((e) => `${e.type} ${e.name}`));
  });

  it('a watch with a selector, resumed from R, reports an object that left the selector since R as DELETED', async () => {
    // upstream's watch cache knows each event's previous object: matched before, not now = DELETED
    await createNamespace('leaving');
    const path = '/api/v1/namespaces/leaving/events';
    await c.client.create(path, { ...event('leaving', 'mover'), metadata: { name: 'mover', namespace: 'leaving', labels: { side: 'in' } } });
    const r = await currentRevision(c.client, path);
    // while the watcher is away, the object leaves its selector
    await c.client.patch(`${path}/mover`, { metadata: { labels: { side: 'out' } } });
    const got: string[] = [];
    const w = c.client.watch<KubeObject>(path, { resourceVersion: r, labelSelector: 'side=in' }, {
      onEvent: (ev) => got.push(`${ev.type} ${ev.object.metadata.name}`),
      onClose: () => undefined,
    });
    try {
      // a later write in the same scope shows the replay is done
      await c.client.create(path, { ...event('leaving', 'marker'), metadata: { name: 'marker', namespace: 'leaving', labels: { side: 'in' } } });
      await waitFor('ADDED marker', () => got.includes('ADDED marker'));
    } finally {
      w.stop();
    }
    expect(got).toEqual(['DELETED mover', 'ADDED marker']);
  });

  it('a watch from a resourceVersion older than the watch history ends with an ERROR event: 410 Expired', async () => {
    // the burst alone wrote more than HISTORY events since revision 2
    const path = '/api/v1/namespaces/burst/events';
    const result = await new Promise<{ events: string[]; err?: ApiError }>((resolve) => {
      const events: string[] = [];
      c.client.watch<KubeObject>(path, { resourceVersion: '2' }, {
        onEvent: (ev) => events.push(ev.type),
        onClose: (err) => resolve({ events, ...(err ? { err } : {}) }),
      });
    });
    expect(result.events).toEqual([]);
    expect(result.err?.status).toMatchObject({ kind: 'Status', status: 'Failure', code: 410, reason: 'Expired' });
    expect(result.err?.message).toMatch(/^too old resource version: 2 \(\d+\)$/);

    // kubectl's raw view of the same: one ERROR event, then the stream ends
    const raw = await c.kubectl(['get', '--raw', `${path}?watch=true&resourceVersion=2`]);
    expect(raw.code).toBe(0);
    const lines = raw.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('a watch from the newest resourceVersion is not expired, and lists and gets still work after all of it', async () => {
    const path = '/api/v1/namespaces/burst/events';
    const rv = await currentRevision(c.client, path);
    const got: string[] = [];
    const w = c.client.watch<KubeObject>(path, { resourceVersion: rv }, { onEvent: (ev) => got.push(`${ev.type} ${ev.object.metadata.name}`), onClose: () => undefined });
    try {
      await c.client.create(path, event('burst', 'late'));
      await waitFor('ADDED late', () => got.includes('ADDED late'));
    } finally {
      w.stop();
    }
    expect(got).toEqual(['ADDED late']);
    expect((await c.client.get<KubeObject>(`${path}/late`)).metadata.name).toBe('late');
  });
});

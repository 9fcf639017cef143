// The etcd store on a 3-member etcd cluster when its raft leader is SIGKILLed under a stream of
// writes, and a member that is killed comes back: only the requests in flight while the cluster
// had no leader fail (with Unavailable), every acknowledged write is there afterwards, and the
// API server's watch cache comes through with every write, in order, none skipped.
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import { startLocalEtcd, type LocalEtcd } from '../../src/store/etcd/local-server.js';
import { isStoreError, type Store, type StoreError, type StoreEvent } from '../../src/store/store.js';
import { createWatchCache, type WatchCache } from '../../src/store/watch-cache.js';
import { waitFor } from '../support/wait.js';
import { configMap, NS, rv, valueOf } from './conformance.js';

const run = promisify(execFile);

/** The client address of the member that is raft leader now (etcdctl endpoint status). */
async function leaderEndpoint(etcd: LocalEtcd): Promise<string> {
  const { stdout } = await run('etcdctl', ['--endpoints', etcd.endpoints.join(','), 'endpoint', 'status', '-w', 'json'], { env: { ...process.env, ETCDCTL_API: '3' } });
  // member ids are uint64: compare them as text
  for (const m of stdout.matchAll(/"Endpoint":"([^"]+)","Status":\{"header":\{"cluster_id":\d+,"member_id":(\d+)[^}]*\}.*?"leader":(\d+)/g)) {
    if (m[2] === m[3]) return m[1];
  }
  throw new Error(`no leader in ${stdout}`);
}

describe('etcd store on three members when the leader is killed', () => {
  let dir: string;
  let etcd: LocalEtcd | undefined;
  let store: Store | undefined;
  let cache: WatchCache | undefined;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'loopkube-etcd3-'));
    etcd = await startLocalEtcd({ dir, members: 3 });
    store = await openEtcdStore({ endpoints: etcd.endpoints, prefix: '/members-test', compactionIntervalMs: 0 });
  });
  afterAll(async () => {
    cache?.stop();
    await store?.close();
    await etcd?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('fails only the writes in flight while there is no leader, loses no acknowledged write, and the watch cache sees every write', async () => {
    const s = store!;
    const start = await s.currentRevision();
    cache = await createWatchCache(s, { retryInitialMs: 20, retryMaxMs: 200 });
    const seen: StoreEvent[] = [];
    const cacheErrors: StoreError[] = [];
    const w = cache.watch(NS, start, { onEvent: (e) => void seen.push(e), onError: (err) => void cacheErrors.push(err) });

    const acked = new Map<string, { value: string; revision: number }>();
    const failures: { startedAt: number; error: unknown }[] = [];
    let killedAt = Infinity;
    let firstAckAfterKill = Infinity; // when the cluster answered a write again
    let ackedAfterKill = 0;
    let writing = true;
    const writer = async (n: number): Promise<void> => {
      for (let i = 0; writing; i++) {
        const name = `w${n}-${i}`;
        const startedAt = performance.now();
        try {
          const o = await s.create(`${NS}${name}`, configMap(name, `v-${name}`));
          acked.set(`${NS}${name}`, { value: `v-${name}`, revision: rv(o) });
          if (startedAt > killedAt) {
            ackedAfterKill++;
            firstAckAfterKill = Math.min(firstAckAfterKill, performance.now());
          }
        } catch (error) {
          failures.push({ startedAt, error });
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, n) => writer(n));
    try {
      await waitFor('writes before the kill', () => acked.size >= 200, 60_000, 10);
      const leader = await leaderEndpoint(etcd!);
      const member = etcd!.members.find((m) => `127.0.0.1:${m.clientPort}` === leader)!;
      killedAt = performance.now();
      await member.kill();
      await waitFor('writes acknowledged again after the kill', () => ackedAfterKill >= 200, 60_000, 10);
      await member.start();
      const backAt = acked.size;
      await waitFor('writes with the member back', () => acked.size >= backAt + 100, 60_000, 10);
    } finally {
      writing = false;
      await Promise.all(writers);
    }

    // Every failure is Unavailable, of a write sent before the cluster had a leader again.
    for (const f of failures) {
      expect(isStoreError(f.error, 'Unavailable'), String(f.error)).toBe(true);
      expect(f.startedAt).toBeGreaterThanOrEqual(killedAt - 5_000); // in flight at the kill, or during the election
      expect(f.startedAt).toBeLessThan(firstAckAfterKill);
    }
    for (const [key, { value, revision }] of acked) {
      const o = await s.get(key);
      expect(valueOf(o), key).toBe(value);
      expect(rv(o as KubeObject), key).toBe(revision);
    }
    const end = await s.currentRevision();
    await waitFor('the watch cache to reach the last write', () => seen.at(-1)?.revision === end || cacheErrors.length > 0, 60_000, 10);
    w.stop();
    expect(cacheErrors).toEqual([]);
    // Each write once, in order; every acknowledged write among them, as acknowledged.
    const revisions = seen.map((e) => e.revision);
    expect(revisions).toEqual([...new Set(revisions)].sort((a, b) => a - b));
    const byRevision = new Map(seen.map((e) => [e.revision, e]));
    for (const [key, { value, revision }] of acked) {
      expect(byRevision.get(revision)?.key, key).toBe(key);
      expect(valueOf(byRevision.get(revision)?.object)).toBe(value);
    }
  });
});

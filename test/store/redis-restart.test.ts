// The Redis store when Redis goes away: redis-server is killed (SIGKILL) in the middle of a
// stream of writes and started again on the same port and folder. While it is down every call
// fails with Unavailable instead of hanging; afterwards the same store object writes again by
// itself; no acknowledged write is missing; and a watch held through the API server's watch
// cache comes through the outage with every write, in order, none skipped.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/redis/local-server.js';
import { openRedisStore } from '../../src/store/redis/index.js';
import { isStoreError, StoreError, type Store, type StoreEvent } from '../../src/store/store.js';
import { createWatchCache, type WatchCache } from '../../src/store/watch-cache.js';

const NS = '/registry/configmaps/default/';
const configMap = (name: string, value: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default' },
  data: { value },
});
const rv = (o: KubeObject): number => Number(o.metadata.resourceVersion);
const valueOf = (o: KubeObject | undefined) => (o?.data as { value?: string } | undefined)?.value;

async function waitFor(what: string, cond: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function outcome<T>(p: Promise<T>): Promise<{ ok: true; value: T } | { ok: false; error: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, error };
  }
}

describe('redis store across a Redis crash', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    while (cleanups.length) await cleanups.pop()?.();
  });

  async function setup(): Promise<{ redis: LocalRedis; store: Store }> {
    const dir = await mkdtemp(join(tmpdir(), 'loopkube-redis-restart-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const redis = await startLocalRedis({ dir });
    cleanups.push(() => redis.stop());
    const store = await openRedisStore(redis.url, { prefix: 'loopkube/restart', commandTimeoutMs: 3_000, connectTimeoutMs: 1_000 });
    cleanups.push(() => store.close());
    return { redis, store };
  }

  it('fails writes with Unavailable while Redis is down, recovers by itself, loses no acknowledged write, and a watch cache sees every write', async () => {
    const { redis, store } = await setup();
    const start = await store.currentRevision();
    const cache: WatchCache = await createWatchCache(store, { retryInitialMs: 20, retryMaxMs: 300 });
    cleanups.push(() => cache.stop());
    const seen: StoreEvent[] = [];
    const cacheErrors: StoreError[] = [];
    const watch = cache.watch(NS, start, { onEvent: (e) => void seen.push(e), onError: (err) => void cacheErrors.push(err) });
    cleanups.push(() => watch.stop());

    const acked = new Map<string, { value: string; revision: number }>();
    const failures: unknown[] = [];
    let phase: 'before' | 'down' | 'after' = 'before';
    const failuresWhileDown: unknown[] = [];
    let ackedAfterRestart = 0;
    let writing = true;
    const writer = async (w: number): Promise<void> => {
      for (let i = 0; writing; i++) {
        const name = `w${w}-${i}`;
        const result = await outcome(store.create(`${NS}${name}`, configMap(name, `v-${name}`)));
        if (result.ok) {
          acked.set(`${NS}${name}`, { value: `v-${name}`, revision: rv(result.value) });
          if (phase === 'after') ackedAfterRestart++;
        } else {
          failures.push(result.error);
          if (phase === 'down') failuresWhileDown.push(result.error);
          await new Promise((r) => setTimeout(r, 5));
        }
      }
    };
    const writers = Array.from({ length: 8 }, (_, w) => writer(w));
    try {
      await waitFor('writes before the crash', () => acked.size >= 300);
      await redis.kill();
      phase = 'down';

      // Down: every call settles, with Unavailable.
      // Down for a couple of seconds: long enough for reconnection attempts and watch retries
      // to go round several times.
      await new Promise((r) => setTimeout(r, 2_000));
      await waitFor('writes to fail while Redis is down', () => failuresWhileDown.length >= 40);
      for (const err of failuresWhileDown) expect(isStoreError(err, 'Unavailable'), String(err)).toBe(true);
      const reads = await Promise.all([
        outcome(store.get(`${NS}w0-0`)),
        outcome(store.list(NS)),
        outcome(store.currentRevision()),
      ]);
      for (const r of reads) expect(!r.ok && isStoreError(r.error, 'Unavailable')).toBe(true);
      const directWatchErrors: StoreError[] = [];
      store.watch(NS, start, { onEvent: () => undefined, onError: (err) => void directWatchErrors.push(err) });
      await waitFor('a watch started while Redis is down to end', () => directWatchErrors.length > 0);
      expect(directWatchErrors[0].code).toBe('Unavailable');

      await redis.start();
      phase = 'after';
      await waitFor('writes to succeed again', () => ackedAfterRestart >= 300);
    } finally {
      writing = false;
      await Promise.all(writers);
    }

    // Nothing acknowledged is missing, each at the revision it was acknowledged with.
    for (const [key, { value, revision }] of acked) {
      const o = await store.get(key);
      expect(o, key).toBeDefined();
      expect(valueOf(o), key).toBe(value);
      expect(rv(o as KubeObject), key).toBe(revision);
    }
    const end = await store.currentRevision();
    expect(end).toBeGreaterThanOrEqual(Math.max(...[...acked.values()].map((a) => a.revision)));

    // The watch came through: every revision from its start to the end, once, in order, and
    // every acknowledged write among them as it was acknowledged.
    await waitFor('the watch to reach the last write', () => seen.at(-1)?.revision === end || cacheErrors.length > 0);
    expect(cacheErrors).toEqual([]);
    expect(seen.map((e) => e.revision)).toEqual(Array.from({ length: end - start }, (_, i) => start + 1 + i));
    const byRevision = new Map(seen.map((e) => [e.revision, e]));
    for (const [key, { value, revision }] of acked) {
      const e = byRevision.get(revision);
      expect(e?.key, key).toBe(key);
      expect(valueOf(e?.object)).toBe(value);
    }
  });

  it('fails a write with Unavailable instead of hanging when Redis stops answering, and writes again once it answers', async () => {
    const { redis, store } = await setup();
    const pid = redis.pid() as number;
    await store.create(`${NS}before`, configMap('before', 'x'));
    process.kill(pid, 'SIGSTOP');
    cleanups.push(() => void (redis.running() && process.kill(pid, 'SIGCONT')));
    try {
      const stalled = await outcome(store.create(`${NS}stalled`, configMap('stalled', 'x')));
      expect(stalled.ok).toBe(false);
      expect(isStoreError((stalled as { error: unknown }).error, 'Unavailable')).toBe(true);
      expect(String((stalled as { error: unknown }).error)).toMatch(/no answer in time \(the write may or may not have been applied\)/);
    } finally {
      process.kill(pid, 'SIGCONT');
    }
    const after = await store.create(`${NS}after`, configMap('after', 'x'));
    expect(rv(after)).toBeGreaterThan(1);
    expect(valueOf(await store.get(`${NS}after`))).toBe('x');
  });

  it('ends a store watch with Unavailable when Redis dies, and serves a new one from the same revision once it is back', async () => {
    const { redis, store } = await setup();
    await store.create(`${NS}before`, configMap('before', 'x'));
    const from = await store.currentRevision();
    const events: StoreEvent[] = [];
    const errors: StoreError[] = [];
    const w1 = store.watch(NS, from, { onEvent: (e) => void events.push(e), onError: (err) => void errors.push(err) });
    cleanups.push(() => w1.stop());
    const a = await store.create(`${NS}a`, configMap('a', 'x'));
    await waitFor('the first event', () => events.length === 1);

    await redis.kill();
    await waitFor('the watch to end', () => errors.length > 0);
    expect(errors[0].code).toBe('Unavailable');
    expect(errors[0].message).toMatch(/Redis at 127\.0\.0\.1:\d+ is unavailable/);
    await redis.start();

    // A write made after Redis is back, by the same store object once it reconnects.
    let b: KubeObject | undefined;
    for (let attempt = 0; !b; attempt++) {
      const r = await outcome(store.create(`${NS}b`, configMap('b', 'x')));
      if (r.ok) b = r.value;
      else {
        expect(isStoreError(r.error, 'Unavailable')).toBe(true);
        if (attempt > 2_000) throw r.error;
        await new Promise((res) => setTimeout(res, 20));
      }
    }
    // Watch again from the last revision seen, as the watch cache does; retry while the
    // reader reconnects.
    const resumed: StoreEvent[] = [];
    for (let attempt = 0; ; attempt++) {
      const errs: StoreError[] = [];
      const w = store.watch(NS, rv(a), { onEvent: (e) => void resumed.push(e), onError: (err) => void errs.push(err) });
      await waitFor('the resumed watch to deliver or end', () => resumed.length > 0 || errs.length > 0);
      if (resumed.length > 0) {
        w.stop();
        break;
      }
      expect(errs[0].code).toBe('Unavailable');
      if (attempt > 500) throw errs[0];
      await new Promise((res) => setTimeout(res, 20));
    }
    expect(resumed.map((e) => [e.key, e.revision])).toEqual([[`${NS}b`, rv(b)]]);
  });
});

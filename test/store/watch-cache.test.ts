// The API server's watch cache over a real embedded store: fan-out, resume from its ring,
// Compacted when too old, a lost store watch re-established without gaps, a store compacted
// during an outage ending watchers so they relist, and slow watchers cut off.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { openEmbeddedStore, type EmbeddedStoreOptions } from '../../src/store/embedded/index.js';
import { StoreError, type Store, type StoreEvent, type StoreWatch, type StoreWatchHandlers } from '../../src/store/store.js';
import { createWatchCache, type WatchCache, type WatchCacheOptions, type WatchCacheWatch } from '../../src/store/watch-cache.js';
import { isSlowWatcherError } from '../../src/store/watch-fanout.js';

const PODS = '/registry/pods/';
const pod = (ns: string, name: string, value = 'x'): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns },
  spec: { value },
});
const rv = (o: KubeObject) => Number(o.metadata.resourceVersion);

interface Recorder {
  events: StoreEvent[];
  errors: StoreError[];
  watch: WatchCacheWatch;
}

async function waitFor(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * The real store behind a link that can go down, as Redis's does: while down, every store
 * watch ends with Unavailable and new ones fail at once; reads and writes still go through.
 */
function behindLink(inner: Store) {
  let down = false;
  const live = new Set<{ stopInner(): void; handlers: StoreWatchHandlers; prefix: string }>();
  const store: Store = {
    backend: inner.backend,
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    create: (key, o) => inner.create(key, o),
    update: (key, o, r) => inner.update(key, o, r),
    delete: (key, r) => inner.delete(key, r),
    currentRevision: () => inner.currentRevision(),
    oldestWatchableRevision: () => inner.oldestWatchableRevision(),
    close: () => inner.close(),
    watch(prefix, fromRevision, handlers): StoreWatch {
      if (down) {
        setImmediate(() => handlers.onError(new StoreError('Unavailable', prefix, 'link down')));
        return { stop() {} };
      }
      const entry = {
        prefix,
        handlers,
        stopInner: () => undefined as void,
      };
      const w = inner.watch(prefix, fromRevision, {
        onEvent: (e) => handlers.onEvent(e),
        onError: (err) => {
          live.delete(entry);
          handlers.onError(err);
        },
      });
      entry.stopInner = () => w.stop();
      live.add(entry);
      return {
        stop() {
          w.stop();
          live.delete(entry);
        },
      };
    },
  };
  return {
    store,
    watches: () => live.size,
    goDown() {
      down = true;
      for (const e of [...live]) {
        live.delete(e);
        e.stopInner();
        e.handlers.onError(new StoreError('Unavailable', e.prefix, 'link down'));
      }
    },
    comeBack() {
      down = false;
    },
  };
}

describe('watch cache', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setup(storeOpts: EmbeddedStoreOptions = {}, cacheOpts: WatchCacheOptions = {}) {
    const dir = await mkdtemp(join(tmpdir(), 'loopkube-watchcache-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const inner = await openEmbeddedStore(dir, storeOpts);
    cleanups.push(() => inner.close());
    const link = behindLink(inner);
    const cache = await createWatchCache(link.store, { retryInitialMs: 5, retryMaxMs: 50, ...cacheOpts });
    cleanups.push(() => cache.stop());
    return { store: link.store, link, cache, dir };
  }

  function record(cache: WatchCache, prefix: string, from: number, onEvent?: (e: StoreEvent) => boolean | void): Recorder {
    const rec = {
      events: [] as StoreEvent[],
      errors: [] as StoreError[],
      watch: cache.watch(prefix, from, {
        onEvent: (e) => {
          rec.events.push(e);
          return onEvent?.(e);
        },
        onError: (err) => void rec.errors.push(err),
      }),
    };
    cleanups.push(() => rec.watch.stop());
    return rec;
  }

  it('fans every write out to many watchers, each getting its prefix in order, once', async () => {
    const { store, cache } = await setup();
    const from = cache.currentRevision();
    const all = Array.from({ length: 30 }, () => record(cache, PODS, from));
    const inA = Array.from({ length: 30 }, () => record(cache, `${PODS}a/`, from));
    const writes: KubeObject[] = [];
    for (let i = 0; i < 20; i++) writes.push(await store.create(`${PODS}${i % 2 ? 'a' : 'b'}/p${i}`, pod(i % 2 ? 'a' : 'b', `p${i}`)));
    await store.create('/registry/services/a/s', pod('a', 's'));
    await waitFor('every watcher', () => all.every((r) => r.events.length === 20) && inA.every((r) => r.events.length === 10));
    const expectedAll = writes.map(rv);
    const expectedA = writes.filter((o) => o.metadata.namespace === 'a').map(rv);
    for (const r of all) expect(r.events.map((e) => e.revision)).toEqual(expectedAll);
    for (const r of inA) expect(r.events.map((e) => e.revision)).toEqual(expectedA);
    expect(cache.watcherCount()).toBe(60);
  });

  it('resumes a watch from a revision still in its ring: replay, then live', async () => {
    const { store, cache } = await setup();
    const a = await store.create(`${PODS}ns/a`, pod('ns', 'a', '1'));
    const a2 = await store.update(`${PODS}ns/a`, pod('ns', 'a', '2'), rv(a));
    expect(await cache.waitForRevision(rv(a2), 30_000)).toBe(true);
    const rec = record(cache, PODS, rv(a));
    const gone = await store.delete(`${PODS}ns/a`);
    await waitFor('two events', () => rec.events.length === 2);
    expect(rec.events.map((e) => [e.type, e.revision])).toEqual([
      ['MODIFIED', rv(a2)],
      ['DELETED', rv(gone)],
    ]);
    expect(rec.errors).toEqual([]);
  });

  it('answers Compacted to a watch older than its ring, naming the oldest revision it serves', async () => {
    const { store, cache } = await setup({}, { capacity: 10 });
    const first = await store.create(`${PODS}ns/first`, pod('ns', 'first'));
    let last = first;
    for (let i = 0; i < 30; i++) last = await store.create(`${PODS}ns/p${i}`, pod('ns', `p${i}`));
    expect(await cache.waitForRevision(rv(last), 30_000)).toBe(true);
    const rec = record(cache, PODS, rv(first));
    await waitFor('the error', () => rec.errors.length > 0);
    expect(rec.errors[0].code).toBe('Compacted');
    expect(rec.errors[0].oldestRevision).toBe(cache.oldestRevision());
    const edge = record(cache, PODS, cache.oldestRevision());
    await waitFor('the replay', () => edge.events.length === 10);
    expect(edge.events.at(-1)?.revision).toBe(rv(last));
  });

  it('tells a caller when it has seen a revision, and gives up after the timeout', async () => {
    const { store, cache } = await setup();
    const o = await store.create(`${PODS}ns/a`, pod('ns', 'a'));
    expect(await cache.waitForRevision(rv(o), 30_000)).toBe(true);
    expect(cache.currentRevision()).toBeGreaterThanOrEqual(rv(o));
    expect(await cache.waitForRevision(rv(o) + 100, 20)).toBe(false);
  });

  it('starts with the store history, so watches held before an API server restart can resume', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'loopkube-watchcache-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const before = await openEmbeddedStore(dir);
    const a = await before.create(`${PODS}ns/a`, pod('ns', 'a'));
    await before.create(`${PODS}ns/b`, pod('ns', 'b'));
    await before.close();
    const store = await openEmbeddedStore(dir);
    cleanups.push(() => store.close());
    const cache = await createWatchCache(store);
    cleanups.push(() => cache.stop());
    const rec = record(cache, PODS, rv(a));
    await waitFor('the replay', () => rec.events.length === 1);
    expect(rec.events[0].key).toBe(`${PODS}ns/b`);
  });

  it('re-establishes a lost store watch from the last revision seen: watchers see no gap and no repeat', async () => {
    const { store, link, cache } = await setup();
    const rec = record(cache, PODS, cache.currentRevision());
    const revisions: number[] = [];
    for (let i = 0; i < 5; i++) revisions.push(rv(await store.create(`${PODS}ns/p${i}`, pod('ns', `p${i}`))));
    await waitFor('the first events', () => rec.events.length === 5);
    link.goDown();
    for (let i = 5; i < 10; i++) revisions.push(rv(await store.create(`${PODS}ns/p${i}`, pod('ns', `p${i}`))));
    link.comeBack();
    for (let i = 10; i < 15; i++) revisions.push(rv(await store.create(`${PODS}ns/p${i}`, pod('ns', `p${i}`))));
    await waitFor('every event', () => rec.events.length >= 15);
    expect(rec.events.map((e) => e.revision)).toEqual(revisions);
    expect(rec.errors).toEqual([]);
    expect(link.watches()).toBe(1);
  });

  it('ends every watcher with Compacted when the store compacted past it during an outage, then carries on', async () => {
    const { store, link, cache } = await setup({ historyLimit: 5 });
    const rec = record(cache, PODS, cache.currentRevision());
    await store.create(`${PODS}ns/before`, pod('ns', 'before'));
    await waitFor('the first event', () => rec.events.length === 1);
    link.goDown();
    for (let i = 0; i < 20; i++) await store.create(`${PODS}ns/p${i}`, pod('ns', `p${i}`));
    link.comeBack();
    await waitFor('the watcher to end', () => rec.errors.length > 0);
    expect(rec.errors[0].code).toBe('Compacted');
    const now = await store.currentRevision();
    expect(await cache.waitForRevision(now, 30_000)).toBe(true);

    const relisted = record(cache, PODS, now);
    const after = await store.create(`${PODS}ns/after`, pod('ns', 'after'));
    await waitFor('the new watcher', () => relisted.events.length === 1);
    expect(relisted.events[0].revision).toBe(rv(after));
    expect(rec.events).toHaveLength(1);
  });

  it('cuts off a watcher that stopped taking events, without holding up the others', async () => {
    const { store, cache } = await setup({}, { maxPending: 20 });
    const from = cache.currentRevision();
    const stuck = record(cache, PODS, from, () => false);
    const healthy = record(cache, PODS, from);
    for (let i = 0; i < 50; i++) await store.create(`${PODS}ns/p${i}`, pod('ns', `p${i}`));
    await waitFor('the healthy watcher', () => healthy.events.length === 50);
    await waitFor('the stuck watcher to be cut off', () => stuck.errors.length > 0);
    expect(isSlowWatcherError(stuck.errors[0])).toBe(true);
    expect(stuck.events).toHaveLength(1);
    expect(healthy.errors).toEqual([]);
    expect(cache.watcherCount()).toBe(1);
  });

  it('holds events for a watcher that paused, and delivers them in order when it resumes', async () => {
    const { store, cache } = await setup({}, { maxPending: 100 });
    let paused = true;
    const rec = record(cache, PODS, cache.currentRevision(), () => !paused);
    const revisions: number[] = [];
    for (let i = 0; i < 30; i++) revisions.push(rv(await store.create(`${PODS}ns/p${i}`, pod('ns', `p${i}`))));
    expect(await cache.waitForRevision(revisions[29], 30_000)).toBe(true);
    expect(rec.events).toHaveLength(1);
    paused = false;
    rec.watch.resume();
    await waitFor('the rest', () => rec.events.length === 30);
    expect(rec.events.map((e) => e.revision)).toEqual(revisions);
    expect(rec.errors).toEqual([]);
  });

  it('shares events between watchers read-only: changing one throws instead of corrupting the others', async () => {
    const { store, cache } = await setup();
    const rec = record(cache, PODS, cache.currentRevision());
    await store.create(`${PODS}ns/a`, pod('ns', 'a'));
    await waitFor('the event', () => rec.events.length === 1);
    expect(() => {
      rec.events[0].object.metadata.name = 'changed';
    }).toThrow(TypeError);
  });

  it('ends its watchers when stopped, and refuses new ones', async () => {
    const { cache } = await setup();
    const rec = record(cache, PODS, cache.currentRevision());
    cache.stop();
    cache.stop();
    await waitFor('the watcher to end', () => rec.errors.length > 0);
    expect(rec.errors[0].code).toBe('Unavailable');
    const late = record(cache, PODS, cache.currentRevision());
    await waitFor('the late watcher to be refused', () => late.errors.length > 0);
    expect(await cache.waitForRevision(cache.currentRevision() + 1, 30_000)).toBe(false);
  });
});

// The Redis store against a real redis-server started for this file (append-only file on,
// synced on every write): the shared store conformance suite, then what only Redis has: keys
// under a per-cluster prefix (two clusters in one Redis never see each other), data a user can
// inspect with redis-cli, lists of tens of thousands of objects consistent under writes, and
// lists that stay right when the event stream is trimmed under them.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import { startLocalRedis, type LocalRedis } from '../../src/store/redis/local-server.js';
import { openRedisStore, redisKeys, type RedisStoreOptions } from '../../src/store/redis/index.js';
import { isStoreError, type Store, type StoreEvent, type StoreList } from '../../src/store/store.js';
import { describeStoreConformance, serverBackedHarness, type StoreHarness } from './conformance.js';

let server: LocalRedis | undefined;
let dataDir: string | undefined;
let prefixes = 0;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'loopkube-redis-'));
  server = await startLocalRedis({ dir: dataDir });
});

afterAll(async () => {
  await server?.stop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

function redis(): LocalRedis {
  if (!server) throw new Error('redis-server did not start');
  return server;
}

/** A fresh, empty store: a prefix no other test used. */
function freshPrefix(): string {
  return `loopkube/t${process.pid}-${++prefixes}`;
}

describeStoreConformance('redis', async ({ historyLimit }): Promise<StoreHarness> => {
  const opts: RedisStoreOptions = { prefix: freshPrefix(), ...(historyLimit ? { streamMaxLen: historyLimit } : {}) };
  return serverBackedHarness(redis, () => openRedisStore(redis().url, opts));
});

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
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs tasks with at most `width` in flight. */
async function inParallel(count: number, width: number, task: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < count) await task(next++);
    }),
  );
}

/** Replays watch events over a starting list: the state at `revision`. */
function stateAt(initial: KubeObject[], events: StoreEvent[], revision: number, keyOf: (o: KubeObject) => string): KubeObject[] {
  const state = new Map(initial.map((o) => [keyOf(o), o]));
  for (const e of events) {
    if (e.revision > revision) break;
    if (e.type === 'DELETED') state.delete(e.key);
    else state.set(e.key, e.object);
  }
  return [...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o);
}

describe('redis store', () => {
  const stores: Store[] = [];
  const clients: Redis[] = [];

  async function open(opts: Partial<RedisStoreOptions> = {}): Promise<Store> {
    const s = await openRedisStore(redis().url, { prefix: freshPrefix(), ...opts });
    stores.push(s);
    return s;
  }
  function rawClient(): Redis {
    const c = new Redis(redis().url, { lazyConnect: false, maxRetriesPerRequest: 1 });
    clients.push(c);
    return c;
  }

  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    for (const c of clients.splice(0)) c.disconnect();
  });

  it('keeps two clusters sharing one Redis apart: same keys, separate objects, revisions, lists and watches', async () => {
    const a = await open({ prefix: 'loopkube/iso-a' });
    const b = await open({ prefix: 'loopkube/iso-ab' }); // a prefix of the other's name, on purpose
    const watchB: StoreEvent[] = [];
    const w = b.watch(NS, 0, { onEvent: (e) => void watchB.push(e), onError: () => undefined });
    try {
      const inA = await a.create(`${NS}shared`, configMap('shared', 'from a'));
      await a.create(`${NS}only-a`, configMap('only-a', 'x'));
      const inB = await b.create(`${NS}shared`, configMap('shared', 'from b'));
      expect(rv(inA)).toBe(1);
      expect(rv(inB)).toBe(1); // each cluster counts its own revisions
      expect(valueOf(await a.get(`${NS}shared`))).toBe('from a');
      expect(valueOf(await b.get(`${NS}shared`))).toBe('from b');
      expect((await a.list(NS)).items.map((o) => o.metadata.name)).toEqual(['only-a', 'shared']);
      expect((await b.list(NS)).items.map((o) => o.metadata.name)).toEqual(['shared']);

      await a.delete(`${NS}shared`);
      expect(await a.get(`${NS}shared`)).toBeUndefined();
      expect(valueOf(await b.get(`${NS}shared`))).toBe('from b');
      expect(await a.currentRevision()).toBe(3);
      expect(await b.currentRevision()).toBe(1);
      await b.create(`${NS}second`, configMap('second', 'x'));
      await waitFor('b to see its own two writes', () => watchB.length >= 2);
      expect(watchB.map((e) => `${e.type} ${e.key} ${valueOf(e.object)}`)).toEqual([
        `ADDED ${NS}shared from b`,
        `ADDED ${NS}second x`,
      ]);
    } finally {
      w.stop();
    }
  });

  it('keeps every key under the cluster prefix, in a layout redis-cli can read', async () => {
    const prefix = freshPrefix();
    const store = await open({ prefix });
    const created = await store.create(`${NS}web`, configMap('web', 'v1'));
    await store.create(`${NS}gone`, configMap('gone', 'x'));
    await store.delete(`${NS}gone`);
    const raw = rawClient();
    const keys: string[] = [];
    for (let cursor = '0'; ; ) {
      const [next, batch] = await raw.scan(cursor, 'MATCH', `${prefix}/*`, 'COUNT', 1000);
      keys.push(...batch);
      cursor = next;
      if (cursor === '0') break;
    }
    expect(keys.sort()).toEqual([`${prefix}/events`, `${prefix}/keys`, `${prefix}/objects${NS}web`, `${prefix}/revision`]);
    expect(JSON.parse((await raw.hget(`${prefix}/objects${NS}web`, 'json')) as string)).toEqual(created);
    expect(await raw.get(`${prefix}/revision`)).toBe('3');
    const entries = await raw.xrange(`${prefix}/events`, '-', '+');
    expect(entries.map(([id, fields]) => [id, fields[1], fields[3]])).toEqual([
      ['1-0', 'ADDED', `${NS}web`],
      ['2-0', 'ADDED', `${NS}gone`],
      ['3-0', 'DELETED', `${NS}gone`],
    ]);
    expect(redisKeys(prefix).object(`${NS}web`)).toBe(`${prefix}/objects${NS}web`);
  });

  it('stores objects exactly: key order, unicode, large numbers, empty objects and arrays survive', async () => {
    const store = await open();
    const odd: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'odd', namespace: 'default', resourceVersion: '999', labels: { 'z-last': 'ü', 'a-first': '日本' } },
      data: { big: 9007199254740991, empty: {}, none: [], nested: [{ '"quoted"': 'back\\slash' }] } as unknown as Record<string, string>,
    };
    const created = await store.create(`${NS}odd`, odd);
    expect(created.metadata.resourceVersion).toBe('1');
    expect(Object.keys(created.metadata)).toEqual(['name', 'namespace', 'resourceVersion', 'labels']);
    expect({ ...created, metadata: { ...created.metadata, resourceVersion: '999' } }).toEqual(odd);
    expect(await store.get(`${NS}odd`)).toEqual(created);
    const deleted = await store.delete(`${NS}odd`);
    expect(deleted).toEqual({ ...created, metadata: { ...created.metadata, resourceVersion: '2' } });
  });

  it('lists 20000 objects consistently at one revision while writes go on', async () => {
    const store = await open({ listPageSize: 1000 });
    const total = 20_000;
    const nameOf = (i: number) => `obj-${String(i).padStart(5, '0')}`;
    await inParallel(total, 64, (i) => store.create(`${NS}${nameOf(i)}`, configMap(nameOf(i), '0')));
    const initial = await store.list(NS);
    expect(initial.items).toHaveLength(total);
    const events: StoreEvent[] = [];
    const w = store.watch(NS, initial.revision, { onEvent: (e) => void events.push(e), onError: () => undefined });
    let writing = true;
    let writer: Promise<void> | undefined;
    try {
      writer = (async () => {
        for (let i = 0; writing; i++) {
          const name = nameOf((i * 7919) % total);
          if (i % 3 === 2) {
            await store.delete(`${NS}${name}`).catch(() => undefined);
            await store.create(`${NS}${name}`, configMap(name, `again-${i}`)).catch(() => undefined);
          } else {
            const cur = await store.get(`${NS}${name}`);
            if (cur) await store.update(`${NS}${name}`, configMap(name, `updated-${i}`), rv(cur)).catch(() => undefined);
          }
        }
      })();
      const lists: StoreList[] = [];
      for (let i = 0; i < 3; i++) lists.push(await store.list(NS));
      writing = false;
      await writer;
      const end = await store.currentRevision();
      await waitFor('the watch to reach the end', () => events.at(-1)?.revision === end);
      expect(lists.some((l) => l.revision > initial.revision)).toBe(true);
      for (const list of lists) {
        const expected = stateAt(initial.items, events, list.revision, (o) => `${NS}${o.metadata.name}`);
        expect(list.items.length, `list at ${list.revision}`).toBe(expected.length);
        expect(list.items, `list at ${list.revision}`).toEqual(expected);
      }
    } finally {
      // a failed (or timed-out) test must not leave its writer running against a closed store
      writing = false;
      await writer?.catch(() => undefined);
      w.stop();
    }
  });

  it('lists correctly when the event stream is trimmed between its pages (starts over, then reads in one go)', async () => {
    // A stream of one write (stream nodes of one entry, so MAXLEN ~ trims exactly) and pages of
    // 2 keys: concurrent writes trim the stream past the list's first page nearly every time.
    const raw = rawClient();
    await raw.config('SET', 'stream-node-max-entries', '1');
    const store = await open({ streamMaxLen: 1, listPageSize: 2 });
    const names = Array.from({ length: 40 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    for (const n of names) await store.create(`${NS}${n}`, configMap(n, '0'));
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        const n = names[writes++ % names.length];
        const cur = await store.get(`${NS}${n}`);
        if (cur) await store.update(`${NS}${n}`, configMap(n, String(writes)), rv(cur));
      }
    })();
    try {
      for (let i = 0; i < 5; i++) {
        const list = await store.list(NS);
        expect(list.items.map((o) => o.metadata.name)).toEqual(names);
        for (const o of list.items) expect(rv(o)).toBeLessThanOrEqual(list.revision);
        // Every object is as it was at the list's revision: none is newer, and reading each key
        // at once shows a revision at least as new.
        for (const o of list.items) {
          const now = (await store.get(`${NS}${o.metadata.name}`)) as KubeObject;
          expect(rv(now)).toBeGreaterThanOrEqual(rv(o));
        }
      }
    } finally {
      writing = false;
      await writer;
      await raw.config('SET', 'stream-node-max-entries', '100');
    }
  });

  it('answers Compacted to a watch from before the trimmed stream, naming the oldest revision it can serve', async () => {
    const store = await open({ streamMaxLen: 5 });
    for (let i = 0; i < 400; i++) await store.create(`${NS}c${i}`, configMap(`c${i}`, 'x'));
    const oldest = await store.oldestWatchableRevision();
    expect(oldest).toBeGreaterThan(0);
    expect(oldest).toBeLessThan(400);
    const errors: unknown[] = [];
    const events: StoreEvent[] = [];
    const w = store.watch(NS, oldest - 1, { onEvent: (e) => void events.push(e), onError: (e) => void errors.push(e) });
    try {
      await waitFor('the error', () => errors.length > 0);
      expect(isStoreError(errors[0], 'Compacted')).toBe(true);
      expect((errors[0] as { oldestRevision: number }).oldestRevision).toBe(oldest);
      expect(events).toEqual([]);
    } finally {
      w.stop();
    }
  });

  it('ends watches with Compacted when the stream was trimmed past them while their reader was cut off', async () => {
    const prefix = freshPrefix();
    const raw = rawClient();
    await raw.config('SET', 'stream-node-max-entries', '1'); // MAXLEN ~ trims exactly
    let maxclients: string | undefined;
    try {
      const a = await open({ prefix, streamMaxLen: 5 });
      const b = await open({ prefix, streamMaxLen: 5 }); // a second API server on the same cluster data
      const events: StoreEvent[] = [];
      const errors: unknown[] = [];
      const w1 = a.watch(NS, await a.currentRevision(), { onEvent: (e) => void events.push(e), onError: (e) => void errors.push(e) });
      const first = await b.create(`${NS}first`, configMap('first', 'x'));
      await waitFor('the first event', () => events.length === 1);

      // Cut a's watch connection and keep it from reconnecting while b writes on.
      maxclients = ((await raw.config('GET', 'maxclients')) as string[])[1];
      const connected = Number(/connected_clients:(\d+)/.exec(await raw.info('clients'))?.[1]);
      await raw.config('SET', 'maxclients', String(connected - 1));
      const list = (await raw.client('LIST')) as string;
      const watchConn = list.split('\n').find((l) => l.includes(`name=loopkube:${prefix}:watch`));
      expect(watchConn).toBeDefined();
      await raw.client('KILL', 'ID', /id=(\d+)/.exec(watchConn as string)?.[1] as string);
      await waitFor('the watch to end', () => errors.length > 0);
      expect(isStoreError(errors[0], 'Unavailable')).toBe(true);
      for (let i = 0; i < 50; i++) await b.create(`${NS}while-cut-${i}`, configMap(`c${i}`, 'x'));
      await raw.config('SET', 'maxclients', maxclients);
      maxclients = undefined;

      // Watching again from the last revision seen: the writes after it are gone from the
      // stream, so the answer is Compacted (relist), never a silent jump over them.
      let outcome: unknown;
      const later: StoreEvent[] = [];
      for (let attempt = 0; outcome === undefined || isStoreError(outcome, 'Unavailable'); attempt++) {
        if (attempt > 1_000) throw new Error(`still ${String(outcome)}`);
        await new Promise((r) => setTimeout(r, 20));
        const errs: unknown[] = [];
        const w = a.watch(NS, rv(first), { onEvent: (e) => void later.push(e), onError: (e) => void errs.push(e) });
        await waitFor('the watch to end', () => errs.length > 0);
        w.stop();
        outcome = errs[0];
      }
      expect(isStoreError(outcome, 'Compacted')).toBe(true);
      expect(later).toEqual([]);
      w1.stop();
    } finally {
      if (maxclients) await raw.config('SET', 'maxclients', maxclients);
      await raw.config('SET', 'stream-node-max-entries', '100');
    }
  });

  it('fails to open with a clear error when nothing listens at the URL', async () => {
    const err = await openRedisStore('redis://127.0.0.1:1/0', { prefix: 'loopkube/nowhere', openTimeoutMs: 1_000 }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isStoreError(err, 'Unavailable')).toBe(true);
    expect((err as Error).message).toMatch(/cannot use Redis at 127\.0\.0\.1:1: connection refused/);
  });
});

// The contract every store backend keeps (embedded journal, Redis), as one vitest suite that a
// backend's test file runs with a way to open a fresh store:
//
//   describeStoreConformance('embedded', async ({ historyLimit }) => { ...; return harness });
//
// `open` gets a fresh, empty store for each test. Backend-neutral: only the Store interface is
// used. Tests that need `reopen` or `crash` are skipped when the harness does not offer them.
import { afterEach, describe, expect, it } from 'vitest';
import type { KubeObject } from '../../src/api/types.js';
import {
  isStoreError,
  StoreError,
  type Store,
  type StoreEvent,
  type StoreList,
  type StoreWatch,
} from '../../src/store/store.js';

export interface StoreHarness {
  /** A fresh, empty store. */
  store: Store;
  /**
   * Opens a new store over the same data. The suite first closes the current store (or
   * crashes it with `crash`); the harness must then close whatever store it opened last in
   * `cleanup`.
   */
  reopen?: () => Promise<Store>;
  /**
   * Makes the current store stop as a killed process would (kill the server, drop the
   * process's state): writes in flight may fail or never answer, acknowledged ones must survive.
   */
  crash?: () => Promise<void>;
  /** Closes every store opened and removes the data. Runs after every test, even a failed one. */
  cleanup: () => Promise<void>;
}

/** A store server a test can crash and start again (a local redis-server, a local etcd). */
export interface RestartableServer {
  kill(): Promise<void>;
  start(): Promise<void>;
}

/**
 * The harness of a backend whose data lives in a server: `open` makes a store on it (over the
 * same data each time); a crash kills the server and drops every store opened (the API server
 * process is gone too); reopening starts the server again on the same port and data.
 */
export async function serverBackedHarness(server: () => RestartableServer, open: () => Promise<Store>): Promise<StoreHarness> {
  const opened: Store[] = [];
  const openOne = async () => {
    const s = await open();
    opened.push(s);
    return s;
  };
  return {
    store: await openOne(),
    reopen: async () => {
      await server().start();
      return openOne();
    },
    crash: async () => {
      await server().kill();
      for (const s of opened) await s.close();
    },
    cleanup: async () => {
      for (const s of opened) await s.close();
      await server().start();
    },
  };
}

export interface ConformanceOpenOptions {
  /** When set, keep (about) this many recent writes for watches; tests of compaction ask for it. */
  historyLimit?: number;
}

/** Where the suites' objects live, and the objects they write (ConfigMap-shaped, one value). */
export const NS = '/registry/configmaps/default/';

export function configMap(name: string, value: string): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default' }, data: { value } };
}

export const rv = (o: KubeObject): number => Number(o.metadata.resourceVersion);
export const valueOf = (o: KubeObject | undefined): string | undefined => (o?.data as { value?: string } | undefined)?.value;

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected the promise to be rejected');
}

/** Waits (bounded, so a broken backend fails instead of hanging) until cond holds. */
async function waitFor(what: string, cond: () => boolean, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

interface Recorder {
  events: StoreEvent[];
  errors: StoreError[];
  watch: StoreWatch;
}

function recordWatch(store: Store, prefix: string, fromRevision: number): Recorder {
  const rec: Recorder = { events: [], errors: [], watch: { stop() {} } };
  rec.watch = store.watch(prefix, fromRevision, {
    onEvent: (e) => void rec.events.push(e),
    onError: (err) => void rec.errors.push(err),
  });
  return rec;
}

const summary = (e: StoreEvent) => ({ type: e.type, key: e.key, revision: e.revision, value: valueOf(e.object) });

export function describeStoreConformance(
  name: string,
  open: (options: ConformanceOpenOptions) => Promise<StoreHarness>,
): void {
  describe(`store conformance: ${name}`, () => {
    let harness: StoreHarness | undefined;
    const watches: StoreWatch[] = [];

    async function fresh(options: ConformanceOpenOptions = {}): Promise<StoreHarness> {
      harness = await open(options);
      return harness;
    }
    function watch(store: Store, prefix: string, from: number): Recorder {
      const rec = recordWatch(store, prefix, from);
      watches.push(rec.watch);
      return rec;
    }

    afterEach(async () => {
      for (const w of watches.splice(0)) w.stop();
      const h = harness;
      harness = undefined;
      await h?.cleanup();
    });

    it('creates, reads, updates and deletes an object, setting resourceVersion on each write', async () => {
      const { store } = await fresh();
      const created = await store.create(`${NS}a`, configMap('a', 'one'));
      expect(created.metadata.resourceVersion).toMatch(/^[1-9][0-9]*$/);
      expect(valueOf(created)).toBe('one');
      expect(await store.get(`${NS}a`)).toEqual(created);

      const updated = await store.update(`${NS}a`, configMap('a', 'two'), rv(created));
      expect(rv(updated)).toBeGreaterThan(rv(created));
      expect(await store.get(`${NS}a`)).toEqual(updated);

      const deleted = await store.delete(`${NS}a`);
      expect(valueOf(deleted)).toBe('two');
      expect(rv(deleted)).toBeGreaterThan(rv(updated));
      expect(rv(deleted)).toBe(await store.currentRevision());
      expect(await store.get(`${NS}a`)).toBeUndefined();
    });

    it('refuses to create a key that exists (KeyExists) and keeps the stored object', async () => {
      const { store } = await fresh();
      const first = await store.create(`${NS}a`, configMap('a', 'first'));
      const err = await rejection(store.create(`${NS}a`, configMap('a', 'second')));
      expect(isStoreError(err, 'KeyExists')).toBe(true);
      expect(await store.get(`${NS}a`)).toEqual(first);
      expect(await store.currentRevision()).toBe(rv(first));
    });

    it('answers KeyNotFound for update and delete of a missing key, and get returns nothing', async () => {
      const { store } = await fresh();
      expect(await store.get(`${NS}missing`)).toBeUndefined();
      const before = await store.currentRevision();
      const cases: [string, () => Promise<unknown>][] = [
        ['update', () => store.update(`${NS}missing`, configMap('missing', 'x'), 1)],
        ['delete', () => store.delete(`${NS}missing`)],
        ['delete at a revision', () => store.delete(`${NS}missing`, 1)],
      ];
      for (const [what, call] of cases) {
        const err = await rejection(call());
        expect(isStoreError(err, 'KeyNotFound'), what).toBe(true);
      }
      expect(await store.currentRevision()).toBe(before);
    });

    it('refuses an update or delete at a stale revision (Conflict) and changes nothing', async () => {
      const { store } = await fresh();
      const v1 = await store.create(`${NS}a`, configMap('a', 'v1'));
      const v2 = await store.update(`${NS}a`, configMap('a', 'v2'), rv(v1));
      const updateErr = await rejection(store.update(`${NS}a`, configMap('a', 'lost'), rv(v1)));
      expect(isStoreError(updateErr, 'Conflict')).toBe(true);
      const deleteErr = await rejection(store.delete(`${NS}a`, rv(v1)));
      expect(isStoreError(deleteErr, 'Conflict')).toBe(true);
      expect(await store.get(`${NS}a`)).toEqual(v2);
      const deleted = await store.delete(`${NS}a`, rv(v2));
      expect(valueOf(deleted)).toBe('v2');
    });

    it('counts every one of 20 concurrent read-modify-write increments (compare-and-swap with retry)', async () => {
      const { store } = await fresh();
      const key = `${NS}counter`;
      await store.create(key, configMap('counter', '0'));
      const increment = async (): Promise<void> => {
        for (;;) {
          const current = (await store.get(key)) as KubeObject;
          const next = String(Number(valueOf(current)) + 1);
          try {
            await store.update(key, configMap('counter', next), rv(current));
            return;
          } catch (err) {
            if (!isStoreError(err, 'Conflict')) throw err;
          }
        }
      };
      await Promise.all(Array.from({ length: 20 }, increment));
      expect(valueOf(await store.get(key))).toBe('20');
    });

    it('gives every write a higher revision than the one before, and currentRevision is the latest', async () => {
      const { store } = await fresh();
      const start = await store.currentRevision();
      const revisions: number[] = [];
      let obj = await store.create(`${NS}a`, configMap('a', '0'));
      revisions.push(rv(obj));
      for (let i = 1; i <= 5; i++) {
        obj = await store.update(`${NS}a`, configMap('a', String(i)), rv(obj));
        revisions.push(rv(obj));
      }
      const concurrent = await Promise.all(
        Array.from({ length: 10 }, (_, i) => store.create(`${NS}c${i}`, configMap(`c${i}`, 'x'))),
      );
      revisions.push(rv(await store.delete(`${NS}a`)));
      const concurrentRevisions = concurrent.map(rv);
      expect(new Set(concurrentRevisions).size).toBe(10);
      expect(Math.min(...concurrentRevisions)).toBeGreaterThan(revisions[5]);
      expect(revisions[0]).toBeGreaterThan(start);
      for (let i = 1; i < revisions.length; i++) expect(revisions[i]).toBeGreaterThan(revisions[i - 1]);
      expect(await store.currentRevision()).toBe(revisions[revisions.length - 1]);
    });

    it('hands out copies: changing a returned object or the written one does not change the store', async () => {
      const { store } = await fresh();
      const input = configMap('a', 'stored');
      const created = await store.create(`${NS}a`, input);
      (input.data as { value: string }).value = 'changed input';
      (created.data as { value: string }).value = 'changed result';
      const got = (await store.get(`${NS}a`)) as KubeObject;
      (got.data as { value: string }).value = 'changed get';
      const listed = await store.list(NS);
      (listed.items[0].data as { value: string }).value = 'changed list';
      expect(valueOf(await store.get(`${NS}a`))).toBe('stored');
      expect(input.metadata.resourceVersion).toBeUndefined();
    });

    it('lists the objects under a prefix, sorted by key, at a revision covering every item', async () => {
      const { store } = await fresh();
      const keys = ['/registry/configmaps/b/z', '/registry/configmaps/ab/x', '/registry/configmaps/a/y', '/registry/configmaps/a/b'];
      for (const k of keys) await store.create(k, configMap(k.split('/').pop() as string, k));
      await store.create('/registry/pods/a/y', configMap('y', 'pod'));
      const all = await store.list('/registry/configmaps/');
      expect(all.items.map((o) => valueOf(o))).toEqual([...keys].sort());
      expect(all.revision).toBeGreaterThanOrEqual(Math.max(...all.items.map(rv)));
      expect(all.revision).toBeLessThanOrEqual(await store.currentRevision());
      const inA = await store.list('/registry/configmaps/a/');
      expect(inA.items.map((o) => valueOf(o))).toEqual(['/registry/configmaps/a/b', '/registry/configmaps/a/y']);
      expect((await store.list('/registry/services/')).items).toEqual([]);
    });

    it('lists taken during concurrent writes each match the state at their revision', async () => {
      const { store } = await fresh();
      const names = Array.from({ length: 12 }, (_, i) => `k${i}`);
      for (const n of names.slice(0, 8)) await store.create(`${NS}${n}`, configMap(n, '0'));
      const initial = await store.list(NS);
      const rec = watch(store, NS, initial.revision);

      let writing = true;
      const writer = async (seed: number): Promise<void> => {
        for (let i = 0; i < 30; i++) {
          const n = names[(seed * 7 + i * 5) % names.length];
          const current = await store.get(`${NS}${n}`);
          try {
            if (!current) await store.create(`${NS}${n}`, configMap(n, `${seed}-${i}`));
            else if (i % 4 === 3) await store.delete(`${NS}${n}`, rv(current));
            else await store.update(`${NS}${n}`, configMap(n, `${seed}-${i}`), rv(current));
          } catch (err) {
            if (!isStoreError(err, 'Conflict') && !isStoreError(err, 'KeyExists') && !isStoreError(err, 'KeyNotFound')) throw err;
          }
        }
      };
      const lists: StoreList[] = [];
      const lister = async (): Promise<void> => {
        while (writing) {
          lists.push(await store.list(NS));
          await new Promise((r) => setImmediate(r));
        }
      };
      const listing = lister();
      await Promise.all([0, 1, 2, 3].map(writer));
      writing = false;
      await listing;
      const end = await store.currentRevision();
      await waitFor('the watch to reach the last write', () => rec.events.at(-1)?.revision === end || rec.errors.length > 0);
      expect(rec.errors).toEqual([]);
      expect(lists.length).toBeGreaterThan(0);

      for (const list of lists) {
        const state = new Map(initial.items.map((o) => [`${NS}${o.metadata.name}`, o]));
        for (const e of rec.events) {
          if (e.revision > list.revision) break;
          if (e.type === 'DELETED') state.delete(e.key);
          else state.set(e.key, e.object);
        }
        const expected = [...state.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([, o]) => o);
        expect(list.items, `list at revision ${list.revision}`).toEqual(expected);
      }
    });

    it('watches from a revision: replays later writes, then live ones, in order, each once', async () => {
      const { store } = await fresh();
      const a = await store.create(`${NS}a`, configMap('a', 'a1'));
      const b = await store.create(`${NS}b`, configMap('b', 'b1'));
      await store.create('/registry/pods/default/p', configMap('p', 'elsewhere'));
      const a2 = await store.update(`${NS}a`, configMap('a', 'a2'), rv(a));
      const rec = watch(store, NS, rv(a));
      await waitFor('the replay', () => rec.events.length >= 2);
      const a3 = await store.update(`${NS}a`, configMap('a', 'a3'), rv(a2));
      await store.create('/registry/pods/default/q', configMap('q', 'elsewhere'));
      const bGone = await store.delete(`${NS}b`);
      await waitFor('the live events', () => rec.events.length >= 4);
      const c = await store.create(`${NS}c`, configMap('c', 'c1'));
      await waitFor('the last event', () => rec.events.length >= 5);

      expect(rec.errors).toEqual([]);
      expect(rec.events.map(summary)).toEqual([
        { type: 'ADDED', key: `${NS}b`, revision: rv(b), value: 'b1' },
        { type: 'MODIFIED', key: `${NS}a`, revision: rv(a2), value: 'a2' },
        { type: 'MODIFIED', key: `${NS}a`, revision: rv(a3), value: 'a3' },
        { type: 'DELETED', key: `${NS}b`, revision: rv(bGone), value: 'b1' },
        { type: 'ADDED', key: `${NS}c`, revision: rv(c), value: 'c1' },
      ]);
      for (const e of rec.events) expect(rv(e.object)).toBe(e.revision);
    });

    it('watches from the current revision deliver only new writes', async () => {
      const { store } = await fresh();
      await store.create(`${NS}old1`, configMap('old1', 'x'));
      await store.create(`${NS}old2`, configMap('old2', 'x'));
      const rec = watch(store, NS, await store.currentRevision());
      await store.create(`${NS}new1`, configMap('new1', 'x'));
      await store.create(`${NS}new2`, configMap('new2', 'x'));
      await waitFor('two events', () => rec.events.length >= 2);
      expect(rec.events.map((e) => e.key)).toEqual([`${NS}new1`, `${NS}new2`]);
    });

    it('delivers nothing to a stopped watch; stopping twice is harmless', async () => {
      const { store } = await fresh();
      const from = await store.currentRevision();
      const stopped = watch(store, NS, from);
      const control = watch(store, NS, from);
      await store.create(`${NS}a`, configMap('a', 'x'));
      await waitFor('the first event', () => stopped.events.length === 1);
      stopped.watch.stop();
      stopped.watch.stop();
      await store.create(`${NS}b`, configMap('b', 'x'));
      await store.create(`${NS}c`, configMap('c', 'x'));
      await waitFor('the control watch', () => control.events.length === 3);
      expect(stopped.events.map((e) => e.key)).toEqual([`${NS}a`]);
      expect(stopped.errors).toEqual([]);
    });

    it('answers Compacted to a watch from before the retained history, and serves one from its edge', async () => {
      const { store } = await fresh({ historyLimit: 20 });
      const first = await store.create(`${NS}first`, configMap('first', 'x'));
      const written = [rv(first)];
      for (let round = 0; (await store.oldestWatchableRevision()) <= rv(first); round++) {
        if (round >= 100) throw new Error('the store never trimmed its history');
        const batch = await Promise.all(
          Array.from({ length: 25 }, (_, i) => store.create(`${NS}r${round}-${i}`, configMap('x', 'x'))),
        );
        written.push(...batch.map(rv));
      }
      const oldest = await store.oldestWatchableRevision();
      const gone = watch(store, NS, rv(first) - 1);
      await waitFor('the Compacted error', () => gone.errors.length > 0);
      expect(gone.errors[0].code).toBe('Compacted');
      expect(gone.errors[0].oldestRevision).toBeGreaterThanOrEqual(oldest);
      expect(gone.events).toEqual([]);

      const edge = watch(store, NS, oldest);
      const last = Math.max(...written);
      await waitFor('the replay from the edge', () => edge.events.at(-1)?.revision === last || edge.errors.length > 0);
      expect(edge.errors).toEqual([]);
      expect(edge.events.map((e) => e.revision)).toEqual(written.filter((r) => r > oldest).sort((x, y) => x - y));
    });

    it('ends its watches when the store is closed', async () => {
      const h = await fresh();
      const rec = watch(h.store, NS, await h.store.currentRevision());
      await h.store.close();
      await waitFor('the watch to end', () => rec.errors.length > 0);
      expect(rec.errors[0]).toBeInstanceOf(StoreError);
    });

    it('keeps every object, revision and resourceVersion across close and reopen', async (ctx) => {
      const h = await fresh();
      if (!h.reopen) throw new Error(`${name}: the harness must provide reopen()`);
      const { store } = h;
      const a = await store.create(`${NS}a`, configMap('a', 'a1'));
      await store.update(`${NS}a`, configMap('a', 'a2'), rv(a));
      await store.create(`${NS}b`, configMap('b', 'b1'));
      await store.delete(`${NS}b`);
      await Promise.all(Array.from({ length: 20 }, (_, i) => store.create(`${NS}n${i}`, configMap(`n${i}`, String(i)))));
      const before = await store.list(NS);
      const revision = await store.currentRevision();
      await store.close();

      const reopened = await h.reopen();
      expect(await reopened.list(NS)).toEqual(before);
      expect(await reopened.currentRevision()).toBe(revision);
      const next = await reopened.create(`${NS}b`, configMap('b', 'b2'));
      expect(rv(next)).toBeGreaterThan(revision);
    });

    it('keeps every acknowledged write when the store crashes in the middle of a burst', async (ctx) => {
      const h = await fresh();
      if (!h.reopen || !h.crash) throw new Error(`${name}: the harness must provide reopen() and crash()`);
      const { store } = h;
      const acked = new Map<string, { value: string; revision: number }>();
      let crashed = false;
      const worker = async (w: number): Promise<void> => {
        for (let i = 0; !crashed && i < 200; i++) {
          const name = `w${w}-${i}`;
          try {
            const o = await store.create(`${NS}${name}`, configMap(name, `value-${name}`));
            acked.set(`${NS}${name}`, { value: `value-${name}`, revision: rv(o) });
          } catch {
            return; // the crash: this write was not acknowledged
          }
        }
      };
      const workers = Array.from({ length: 16 }, (_, w) => worker(w));
      await waitFor('some acknowledged writes', () => acked.size >= 150);
      crashed = true;
      await h.crash();
      const ackedAtCrash = new Map(acked);

      const reopened = await h.reopen();
      for (const [key, { value, revision }] of ackedAtCrash) {
        const o = await reopened.get(key);
        expect(o, key).toBeDefined();
        expect(valueOf(o), key).toBe(value);
        expect(rv(o as KubeObject), key).toBe(revision);
      }
      const highest = Math.max(...[...ackedAtCrash.values()].map((a) => a.revision));
      expect(await reopened.currentRevision()).toBeGreaterThanOrEqual(highest);
      const after = await reopened.create(`${NS}after-crash`, configMap('after', 'x'));
      expect(rv(after)).toBeGreaterThan(highest);
      void Promise.allSettled(workers);
    });
  });
}

// The API server's watch cache, as in Kubernetes' cacher: ONE store watch on the registry
// prefix feeds a ring of recent events, and every client watch is served from the ring, so
// watchers never reach the backend. If the store watch fails it is resumed from the last
// revision seen, with backoff; if the store has compacted past that revision, every watcher is
// ended with Compacted (clients relist) and the cache restarts from the store's current
// revision. A watcher that stops taking events (onEvent returned false and it did not resume)
// is cut off once too many events, or too many bytes, wait for it; its client watches again.
// The ring is bounded by bytes as well as events (the oldest events go first).
//
// Events handed to watchers are shared by all of them and deep-frozen: copy before changing.
import { storeKey } from '../api/resources.js';
import { findResourceByKind } from '../kinds/catalog.js';
import type { KubeObject } from '../api/types.js';
import { silentLogger, type Logger } from '../log.js';
import { createEventHistory, HISTORY_MAX_BYTES } from './event-history.js';
import { StoreError, type Store, type StoreEvent, type StoreList, type StoreWatch } from './store.js';
import { createWatchFanout, type FanoutHandlers, type FanoutWatch, type FanoutWatchOptions } from './watch-fanout.js';

/** The default bound on the bytes waiting for one watcher. */
export const WATCHER_MAX_PENDING_BYTES = 16 * 1024 * 1024;

export interface WatchCacheOptions {
  /** Recent events kept for watches to resume from (default 10000). */
  capacity?: number;
  /** Live events that may wait for one paused watcher before it is cut off (default 2000). */
  maxPending?: number;
  /**
   * Bytes (the events' JSON, plus what the watcher's connection still buffers) that may wait
   * for one watcher before it is cut off (default 16 MiB).
   */
  maxPendingBytes?: number;
  /** What the ring may weigh, in bytes of the events' JSON (default 64 MiB). */
  historyBytes?: number;
  /** The store prefix the cache follows (default `/registry/`). */
  prefix?: string;
  logger?: Logger;
  /** First and longest wait between attempts to re-establish the store watch (100 ms, 5 s). */
  retryInitialMs?: number;
  retryMaxMs?: number;
  /** How long the start waits for the cache to catch up with the store (default 5 s). */
  startupTimeoutMs?: number;
}

/** onEvent may return false to pause delivery until the watch's resume() (backpressure). */
export type WatchCacheHandlers = FanoutHandlers;
export type WatchCacheWatch = FanoutWatch;

export interface WatchCache {
  /** Same contract as Store.watch: replay after fromRevision, then live; Compacted if too old. */
  watch(prefix: string, fromRevision: number, handlers: WatchCacheHandlers, options?: FanoutWatchOptions): WatchCacheWatch;
  /** The latest revision the cache has seen. */
  currentRevision(): number;
  /**
   * The objects under prefix, sorted by key, at a revision at least the store's current one
   * (a consistent read served from the cache, as upstream's watch cache serves it): the shared,
   * frozen objects, not copies, so many watchers starting at once cost one set of objects.
   * Undefined when the cache cannot answer now (still starting, or behind the store).
   */
  consistentList(prefix: string): Promise<StoreList | undefined>;
  /** The oldest revision a watch can start from. */
  oldestRevision(): number;
  /** Resolves true once the cache has seen revision, false after timeoutMs or on stop. */
  waitForRevision(revision: number, timeoutMs: number): Promise<boolean>;
  watcherCount(): number;
  /** Ends the store watch and every watcher (with Unavailable). Idempotent. */
  stop(): void;
}

interface RevisionWaiter {
  revision: number;
  resolve(seen: boolean): void;
  timer: NodeJS.Timeout;
}

export async function createWatchCache(store: Store, opts: WatchCacheOptions = {}): Promise<WatchCache> {
  const capacity = opts.capacity ?? 10_000;
  const rootPrefix = opts.prefix ?? '/registry/';
  const logger = opts.logger ?? silentLogger();
  const retryInitialMs = opts.retryInitialMs ?? 100;
  const retryMaxMs = opts.retryMaxMs ?? 5_000;

  const storeRevision = await store.currentRevision();
  // Start from as far back as the store and the ring allow, so clients can resume watches
  // they held before an API server restart.
  const start = Math.max(await store.oldestWatchableRevision(), storeRevision - capacity);
  // what each held event weighs: its object's JSON, measured once as it arrives
  const sizes = new WeakMap<StoreEvent, number>();
  const sizeOf = (e: StoreEvent): number => sizes.get(e) ?? 0;
  const history = createEventHistory<StoreEvent>(capacity, start, { maxBytes: opts.historyBytes ?? HISTORY_MAX_BYTES, sizeOf });
  const fanout = createWatchFanout<StoreEvent>({
    history,
    toStoreEvent: (e) => e,
    maxPending: opts.maxPending ?? 2_000,
    maxPendingBytes: opts.maxPendingBytes ?? WATCHER_MAX_PENDING_BYTES,
    sizeOf,
    backpressure: true,
    onHandlerError: (err) => logger.error({ err }, 'watch handler threw; watcher ended'),
  });

  // The latest object per key, from a list at `listedAt` and every later event: it gives each
  // live event its prevObject. Events at or before listedAt (replayed history) go without one.
  const latest = new Map<string, StoreEvent['object']>();
  let listedAt = Infinity;
  async function relistLatest(): Promise<void> {
    const list = await store.list(rootPrefix);
    latest.clear();
    for (const o of list.items) {
      const key = keyOfObject(o);
      if (key === undefined) continue;
      deepFreeze(o);
      latest.set(key, o);
    }
    listedAt = list.revision;
  }

  let seen = start;
  let stopped = false;
  let session: StoreWatch | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let retryDelay = retryInitialMs;
  const waiters = new Set<RevisionWaiter>();

  function notifyWaiters(): void {
    for (const w of waiters) {
      if (w.revision > seen) continue;
      waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(true);
    }
  }

  function follow(fromRevision: number): void {
    let active = true;
    const handlers = {
      onEvent(e: StoreEvent) {
        if (!active || stopped || e.revision <= seen) return;
        if (e.revision > listedAt) {
          const prev = latest.get(e.key);
          if (prev) e = { ...e, prevObject: prev };
          if (e.type === 'DELETED') latest.delete(e.key);
          else latest.set(e.key, e.object);
        }
        deepFreeze(e);
        sizes.set(e, JSON.stringify(e.object).length);
        history.append(e);
        seen = e.revision;
        retryDelay = retryInitialMs;
        fanout.publish(e);
        notifyWaiters();
      },
      onError(err: StoreError) {
        if (!active || stopped) return;
        active = false;
        session = undefined;
        if (err.code === 'Compacted') void restartAfterCompaction(err);
        else retryLater(() => follow(seen), err);
      },
    };
    try {
      session = store.watch(rootPrefix, fromRevision, handlers);
    } catch (err) {
      active = false;
      retryLater(() => follow(seen), err);
    }
  }

  function retryLater(attempt: () => void, err: unknown): void {
    if (stopped) return;
    logger.warn({ err, retryInMs: retryDelay, revision: seen }, 'store watch ended; re-establishing it');
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      if (!stopped) attempt();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, retryMaxMs);
  }

  async function restartAfterCompaction(err: StoreError): Promise<void> {
    let now: number;
    try {
      now = await store.currentRevision();
    } catch (e) {
      retryLater(() => void restartAfterCompaction(err), e);
      return;
    }
    if (stopped) return;
    logger.warn({ lastSeen: seen, restartAt: now }, 'store compacted past the watch cache; watchers must relist');
    fanout.endAll(
      (prefix) =>
        new StoreError(
          'Compacted',
          prefix,
          `the watch cache lost its place in the store's history (${err.message}); list again`,
          now,
        ),
    );
    history.reset(now);
    seen = now;
    listedAt = Infinity;
    await relistLatest().catch((e: unknown) => logger.warn({ err: e }, 'could not relist after compaction; prevObject off until then'));
    notifyWaiters();
    follow(now);
  }

  await relistLatest();
  follow(start);

  const cache: WatchCache = {
    watch(prefix, fromRevision, handlers, options) {
      if (stopped) {
        let ended = false;
        setImmediate(() => ended || handlers.onError(new StoreError('Unavailable', prefix, 'the watch cache is stopped')));
        return { stop: () => void (ended = true), resume: () => undefined };
      }
      return fanout.watch(prefix, fromRevision, handlers, options);
    },
    currentRevision: () => seen,
    async consistentList(prefix) {
      if (stopped || listedAt === Infinity) return undefined;
      const storeRevision = await store.currentRevision();
      if (!(await cache.waitForRevision(storeRevision, 3_000)) || listedAt === Infinity) return undefined;
      const keys: string[] = [];
      for (const key of latest.keys()) if (key.startsWith(prefix)) keys.push(key);
      keys.sort();
      return { items: keys.map((k) => latest.get(k)!), revision: seen };
    },
    oldestRevision: () => history.horizon(),
    waitForRevision(revision, timeoutMs) {
      if (seen >= revision) return Promise.resolve(true);
      if (stopped) return Promise.resolve(false);
      return new Promise((resolve) => {
        const w: RevisionWaiter = {
          revision,
          resolve,
          timer: setTimeout(() => {
            waiters.delete(w);
            resolve(false);
          }, timeoutMs),
        };
        waiters.add(w);
      });
    },
    watcherCount: () => fanout.size(),
    stop() {
      if (stopped) return;
      stopped = true;
      session?.stop();
      session = undefined;
      if (retryTimer) clearTimeout(retryTimer);
      fanout.endAll((prefix) => new StoreError('Unavailable', prefix, 'the watch cache is stopped'));
      for (const w of waiters) {
        clearTimeout(w.timer);
        w.resolve(false);
      }
      waiters.clear();
    },
  };

  const caughtUp = await cache.waitForRevision(storeRevision, opts.startupTimeoutMs ?? 5_000);
  if (!caughtUp && !stopped) {
    logger.warn({ seen, storeRevision }, 'watch cache started before catching up with the store');
  }
  return cache;
}

function deepFreeze(value: unknown): void {
  if (typeof value !== 'object' || value === null || Object.isFrozen(value)) return;
  Object.freeze(value);
  for (const v of Object.values(value)) deepFreeze(v);
}

/** The store key of a served object (`/registry/pods/default/web-1`); undefined for other data. */
function keyOfObject(o: KubeObject): string | undefined {
  const info = o.apiVersion && o.kind ? findResourceByKind(o.apiVersion, o.kind) : undefined;
  return info && o.metadata?.name ? storeKey(info, o.metadata.namespace, o.metadata.name) : undefined;
}

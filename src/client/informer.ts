// client-go's informer, in small: list, then watch from the list's resourceVersion; keep a
// local cache; on a dropped watch resume from the last seen resourceVersion; on 410 Gone,
// relist and tell handlers what changed. While the API server is down the cache keeps what it
// last knew (the data plane keeps serving) and the informer retries with back-off.
import type { KubeList, KubeObject } from '../api/types.js';
import type { ApiError } from '../api/errors.js';
import { objectKey } from '../api/paths.js';
import type { Logger } from '../log.js';
import type { ApiClient, ListOptions, Watch } from './client.js';

export interface InformerHandlers<T extends KubeObject> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export interface Informer<T extends KubeObject> {
  /** Resolves once the first list is in the cache. */
  synced(): Promise<void>;
  hasSynced(): boolean;
  list(): T[];
  get(key: string): T | undefined;
  addHandlers(handlers: InformerHandlers<T>): void;
  /** The resourceVersion the cache is at. */
  lastResourceVersion(): string;
  stop(): void;
}

export interface InformerOptions extends ListOptions {
  /** Collection path, e.g. /api/v1/pods or /api/v1/namespaces/default/services. */
  path: string;
  logger?: Logger;
}

export function createInformer<T extends KubeObject>(client: ApiClient, opts: InformerOptions): Informer<T> {
  const cache = new Map<string, T>();
  const handlers: InformerHandlers<T>[] = [];
  let rv = '';
  let stopped = false;
  let watch: Watch | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let backoffMs = 100;
  let isSynced = false;
  let resolveSynced: () => void = () => {};
  const syncedPromise = new Promise<void>((r) => (resolveSynced = r));

  const emit = (fn: (h: InformerHandlers<T>) => void): void => {
    for (const h of handlers) {
      try {
        fn(h);
      } catch (err) {
        opts.logger?.error({ err, path: opts.path }, 'informer handler failed');
      }
    }
  };

  const retry = (what: () => void): void => {
    if (stopped) return;
    clearTimeout(retryTimer);
    retryTimer = setTimeout(what, backoffMs);
    backoffMs = Math.min(backoffMs * 2, 2000);
  };

  async function relist(): Promise<void> {
    if (stopped) return;
    let list: KubeList<T>;
    try {
      list = await client.list<T>(opts.path, { labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector });
    } catch (err) {
      opts.logger?.debug({ err: (err as Error).message, path: opts.path }, 'list failed; retrying');
      retry(() => void relist());
      return;
    }
    if (stopped) return;
    const seen = new Set<string>();
    for (const item of list.items) {
      const key = objectKey(item.metadata);
      seen.add(key);
      const old = cache.get(key);
      cache.set(key, item);
      if (!old) emit((h) => h.add?.(item));
      else if (old.metadata.resourceVersion !== item.metadata.resourceVersion) emit((h) => h.update?.(old, item));
    }
    for (const [key, old] of [...cache]) {
      if (!seen.has(key)) {
        cache.delete(key);
        emit((h) => h.delete?.(old));
      }
    }
    rv = list.metadata.resourceVersion ?? '';
    if (!isSynced) {
      isSynced = true;
      resolveSynced();
    }
    startWatch();
  }

  function startWatch(): void {
    if (stopped) return;
    watch = client.watch<T>(
      opts.path,
      { resourceVersion: rv, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, allowWatchBookmarks: true },
      {
        onEvent(ev) {
          backoffMs = 100;
          const obj = ev.object;
          if (obj.metadata?.resourceVersion) rv = obj.metadata.resourceVersion;
          if (ev.type === 'BOOKMARK') return;
          const key = objectKey(obj.metadata);
          const old = cache.get(key);
          if (ev.type === 'DELETED') {
            cache.delete(key);
            emit((h) => h.delete?.(old ?? obj));
          } else {
            cache.set(key, obj);
            if (old) emit((h) => h.update?.(old, obj));
            else emit((h) => h.add?.(obj));
          }
        },
        onClose(err?: ApiError) {
          if (stopped) return;
          if (err && err.code === 410) {
            opts.logger?.info({ path: opts.path, rv }, 'watch expired (410); relisting');
            void relist();
          } else if (err && err.code !== 503 && err.code !== 0) {
            opts.logger?.warn({ path: opts.path, err: err.message }, 'watch failed; relisting');
            retry(() => void relist());
          } else {
            // Clean close or server unreachable: resume from the last resourceVersion.
            retry(startWatch);
          }
        },
      },
    );
  }

  void relist();

  return {
    synced: () => syncedPromise,
    hasSynced: () => isSynced,
    list: () => [...cache.values()],
    get: (key) => cache.get(key),
    addHandlers(h) {
      handlers.push(h);
      if (isSynced) for (const obj of cache.values()) h.add?.(obj);
    },
    lastResourceVersion: () => rv,
    stop() {
      stopped = true;
      clearTimeout(retryTimer);
      watch?.stop();
    },
  };
}

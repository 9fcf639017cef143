// Serving a watch: chunked JSON lines from the watch cache, starting with the current objects
// (resourceVersion "" or "0") or resuming after a given resourceVersion; selectors applied as
// upstream's watch cache does (an object leaving the selector is a DELETED); bookmarks and
// keepalive newlines; an ERROR event with 410 Expired when the revision is gone.
//
// Memory per watcher is bounded as kube-apiserver's cacher bounds it: the initial objects are
// written as the client reads them (never all at once into the connection's buffer), live
// events queue in the watch cache meanwhile, and a watcher whose queue plus unread buffer passes
// the cache's byte bound is closed (the stream just ends, as upstream's "Forcing watcher close
// due to unresponsiveness"; the client watches again) and counted in
// apiserver_terminated_watchers_total.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, tooOldResourceVersion, timeout as timeoutError } from '../api/errors.js';
import { matchesFields, type FieldRequirement } from '../api/fields.js';
import { matchesLabels, type Selector } from '../api/labels.js';
import { storePrefix, type ResourceInfo } from '../api/resources.js';
import type { KubeObject, WatchEvent, WatchEventType } from '../api/types.js';
import { kindOf } from '../kinds/catalog.js';
import type { Logger } from '../log.js';
import type { StoreError, StoreEvent } from '../store/store.js';
import type { WatchCache, WatchCacheWatch } from '../store/watch-cache.js';
import { isSlowWatcherError } from '../store/watch-fanout.js';
import type { Registry } from './registry.js';
import { goJsonWatchEvent } from '../wire/go-json.js';
import { INITIAL_EVENTS_END_ANNOTATION } from './query.js';

export interface WatchRequest {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  labels: Selector;
  fields: FieldRequirement[];
  resourceVersion: string;
  allowBookmarks: boolean;
  /**
   * Send the current objects first as ADDED (upstream: sendInitialEvents, defaulted for "" and
   * "0"), and then, with bookmarks allowed, a BOOKMARK annotated k8s.io/initial-events-end.
   * Default: the legacy rule (initial events from "" and "0", no end bookmark).
   */
  initialEvents?: boolean;
  initialEventsEndBookmark?: boolean;
  timeoutSeconds?: number;
  /** Turns each object into what is sent (a Table row for kubectl, the object otherwise). */
  render: (obj: KubeObject, first: boolean) => unknown;
}

export interface WatchServerOptions {
  bookmarkIntervalMs?: number;
  keepaliveIntervalMs?: number;
  /** Told of each watcher closed for falling behind (upstream's apiserver_terminated_watchers_total). */
  onWatcherTerminated?(info: ResourceInfo): void;
}

export async function serveWatch(
  req: IncomingMessage,
  res: ServerResponse,
  w: WatchRequest,
  cache: WatchCache,
  registry: Registry,
  logger: Logger,
  opts: WatchServerOptions = {},
): Promise<void> {
  const selectable = kindOf(w.info).fieldSelectors;
  const matches = (o: KubeObject): boolean =>
    (w.name === undefined || o.metadata.name === w.name) && matchesLabels(w.labels, o.metadata.labels) && matchesFields(selectable, w.fields, o);
  const prefix = storePrefix(w.info, w.namespace);
  const inScope = (key: string): boolean => key.startsWith(prefix);

  // (HTTP/1.1 frames it chunked by itself; HTTP/2 forbids the header)
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
  res.flushHeaders();

  let first = true;
  let closed = false;
  const known = new Set<string>();
  /** Writes one event; false when the socket's buffer is full (pause until 'drain'). */
  const send = (type: WatchEventType, obj: unknown): boolean => {
    if (closed) return true;
    const ev: WatchEvent<unknown> = { type, object: obj };
    return res.write(goJsonWatchEvent(ev));
  };
  const sendObject = (type: WatchEventType, obj: KubeObject): boolean => {
    const ok = send(type, w.render(obj, first));
    first = false;
    return ok;
  };
  const sendError = (err: ApiError): void => {
    send('ERROR', err.status);
  };

  let startRevision: number;
  /** The current objects to send first, written as the client takes them. */
  let initial: (KubeObject | undefined)[] = [];
  const rv = w.resourceVersion;
  const initialEvents = w.initialEvents ?? (rv === '' || rv === '0');
  const bookmarkOf = (revision: number, annotations?: Record<string, string>): unknown => ({
    kind: w.info.kind,
    apiVersion: w.info.group ? `${w.info.group}/${w.info.version}` : w.info.version,
    metadata: { resourceVersion: String(revision), ...(annotations ? { annotations } : {}) },
  });
  try {
    const requested = rv === '' || rv === '0' ? 0 : Number(rv);
    if (!Number.isInteger(requested) || requested < 0) {
      sendError(new ApiError({ apiVersion: 'v1', kind: 'Status', metadata: {}, status: 'Failure', code: 400, reason: 'BadRequest', message: `invalid resource version: ${rv}` }));
      res.end();
      return;
    }
    if (requested > cache.currentRevision()) {
      const ok = await cache.waitForRevision(requested, 3000);
      if (!ok) {
        sendError(timeoutError(`Too large resource version: ${requested}, current: ${cache.currentRevision()}`));
        res.end();
        return;
      }
    }
    if (initialEvents) {
      // the state at least as new as the requested revision, then what follows it
      // served from the watch cache's shared objects when it can (no per-watcher copy)
      const list = (await cache.consistentList(prefix)) ?? (await registry.list(w.info, w.namespace, w.labels, w.fields));
      const items = list.items.filter(matches);
      for (const o of items) known.add(keyOf(o));
      initial = items;
      startRevision = list.revision;
    } else if (requested === 0) {
      // sendInitialEvents=false from "": from now on
      startRevision = cache.currentRevision();
    } else {
      startRevision = requested;
      if (w.labels.length > 0 || w.fields.length > 0 || w.name !== undefined) {
        // Seed what this watcher is taken to know, so a change that moves an object out of
        // the selector is reported as DELETED after a resume too.
        const list = await registry.list(w.info, w.namespace, w.labels, w.fields);
        for (const o of list.items) if (matches(o)) known.add(keyOf(o));
      }
    }
  } catch (err) {
    if (err instanceof ApiError) sendError(err);
    res.end();
    return;
  }

  const filtered = w.labels.length > 0 || w.fields.length > 0 || w.name !== undefined;
  const onEvent = (ev: StoreEvent): boolean => {
    if (!inScope(ev.key)) return true;
    if (!filtered) return sendObject(ev.type, ev.object);
    const key = keyOf(ev.object);
    const now = matches(ev.object);
    if (ev.prevObject !== undefined) {
      // As upstream's cacher: what the watcher saw before is what the previous object matched.
      const was = matches(ev.prevObject) || known.has(key);
      if (now) known.add(key);
      else known.delete(key);
      if (ev.type === 'DELETED') return was || now ? sendObject('DELETED', ev.object) : true;
      if (was && now) return sendObject('MODIFIED', ev.object);
      if (now) return sendObject('ADDED', ev.object);
      // The object left the selector: to this watcher it is gone.
      return was ? sendObject('DELETED', ev.object) : true;
    }
    if (ev.type === 'DELETED') {
      const wasKnown = known.delete(key);
      return now || wasKnown ? sendObject('DELETED', ev.object) : true;
    }
    if (now) {
      const type = ev.type === 'MODIFIED' && known.has(key) ? 'MODIFIED' : 'ADDED';
      known.add(key);
      return sendObject(type, ev.object);
    }
    if (known.delete(key)) {
      // The object left the selector: to this watcher it is gone.
      return sendObject('DELETED', ev.object);
    }
    return true;
  };

  const timers: NodeJS.Timeout[] = [];
  const finish = (): void => {
    if (closed) return;
    closed = true;
    for (const t of timers) clearInterval(t);
    handle?.stop();
    res.end();
  };
  // Live events queue (paused) while the initial objects go out; they count against the bound.
  let handle: WatchCacheWatch | undefined;
  let live = false;
  handle = cache.watch(
    prefix,
    startRevision,
    {
      onEvent,
      onError(err: StoreError) {
        if (err.code === 'Compacted') sendError(tooOldResourceVersion(startRevision, err.oldestRevision ?? startRevision));
        else if (isSlowWatcherError(err)) {
          opts.onWatcherTerminated?.(w.info);
          logger.warn({ resource: w.info.resource, namespace: w.namespace, name: w.name, err: err.message }, 'forcing watcher close due to unresponsiveness');
        } else logger.info({ resource: w.info.resource, namespace: w.namespace, err: err.message }, 'watch ended by the store');
        finish();
      },
      bufferedBytes: () => res.writableLength,
    },
    { paused: true },
  );

  if (w.allowBookmarks) {
    timers.push(
      setInterval(() => {
        send('BOOKMARK', bookmarkOf(cache.currentRevision()));
      }, opts.bookmarkIntervalMs ?? 15_000),
    );
  }
  timers.push(
    setInterval(() => {
      if (!closed) res.write('\n');
    }, opts.keepaliveIntervalMs ?? 10_000),
  );
  // How long the watch runs (upstream's ListResource): timeoutSeconds as asked, else
  // min-request-timeout (1800 s) randomised up to twice that, so watches do not all end at once.
  // Node's timers take at most 2^31-1 ms (~24.8 days; more fires at once): longer is re-armed.
  const timeoutMs = (w.timeoutSeconds && w.timeoutSeconds > 0 ? w.timeoutSeconds : watchTimeoutSeconds()) * 1000;
  const endAt = Date.now() + timeoutMs;
  const arm = (): void => {
    const left = endAt - Date.now();
    if (left <= 0) return finish();
    const t = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    timers.push(t);
  };
  arm();
  // Backpressure: a slow client pauses its own stream; the cache cuts it off past a bound.
  res.on('drain', () => live && handle?.resume());
  req.on('close', finish);
  res.on('close', finish);
  res.on('error', finish);

  for (let i = 0; i < initial.length && !closed; i++) {
    const o = initial[i]!;
    initial[i] = undefined; // written: let it go
    if (!sendObject('ADDED', o)) await drained(res);
  }
  initial = [];
  if (closed) return;
  if (w.initialEventsEndBookmark) send('BOOKMARK', bookmarkOf(startRevision, { [INITIAL_EVENTS_END_ANNOTATION]: 'true' }));
  live = true;
  handle.resume();
}

/** Resolves when the response can take more, or is gone. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      res.off('drain', done).off('close', done).off('error', done);
      resolve();
    };
    res.on('drain', done).on('close', done).on('error', done);
  });
}

/** kube-apiserver's --min-request-timeout default. */
export const MIN_REQUEST_TIMEOUT_SECONDS = 1800;
/** The longest delay setTimeout takes. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A watch without timeoutSeconds: minRequestTimeout * (1 + rand), as upstream. */
export function watchTimeoutSeconds(random = Math.random): number {
  return MIN_REQUEST_TIMEOUT_SECONDS * (1 + random());
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

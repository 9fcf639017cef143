// Fan-out of one ordered event stream to many watchers, each with a key prefix and a start
// revision. A new watcher first replays what the history still holds after its start revision,
// then receives live events. Every handler call is made asynchronously (never inside the
// publisher's call stack), in revision order, each event once. Watchers are independent: one
// that is slow (it returned false from onEvent and has not resumed) is cut off with an error
// once more than maxPending live events, or more than maxPendingBytes, wait for it (the bytes
// of its queued events plus what its own sink still buffers), so it cannot hold memory without
// bound. This is kube-apiserver's cacher closing an unresponsive watcher: the client watches
// again from the last resourceVersion it saw (or relists).
import type { EventHistory, HistoryEvent } from './event-history.js';
import { StoreError, type StoreEvent, type StoreWatch } from './store.js';

export interface FanoutEvent extends HistoryEvent {
  key: string;
}

export interface FanoutHandlers {
  /** Return false to pause delivery (when backpressure is on) until the watch's resume(). */
  onEvent(event: StoreEvent): boolean | void;
  /** The watch has ended and delivers nothing more. */
  onError(err: StoreError): void;
  /** Bytes the watcher's sink holds that its reader has not taken yet (counted in maxPendingBytes). */
  bufferedBytes?(): number;
}

export interface FanoutWatchOptions {
  /** Start paused: events queue (and count against the bounds) until resume(). */
  paused?: boolean;
}

export interface FanoutWatch extends StoreWatch {
  /** Resumes delivery after onEvent returned false. */
  resume(): void;
}

export interface WatchFanoutOptions<E extends FanoutEvent> {
  history: EventHistory<E>;
  /** Turns a held event into what a watcher receives (e.g. a private copy). */
  toStoreEvent(event: E): StoreEvent;
  /** Live events that may wait for one watcher before it is cut off. Default: no limit. */
  maxPending?: number;
  /** Bytes (by sizeOf) that may wait for one watcher before it is cut off. Default: no limit. */
  maxPendingBytes?: number;
  /** What one event weighs, for maxPendingBytes. */
  sizeOf?(event: E): number;
  /** Honour onEvent returning false. Default false (the return value is ignored). */
  backpressure?: boolean;
  /** Events delivered to one watcher per event-loop turn before yielding. Default 500. */
  deliveryBatch?: number;
  /** Told when a handler throws (the watcher is then ended). */
  onHandlerError?(err: unknown): void;
}

export interface WatchFanout<E extends FanoutEvent> {
  watch(prefix: string, fromRevision: number, handlers: FanoutHandlers, options?: FanoutWatchOptions): FanoutWatch;
  /** Hands an event to every matching watcher; append it to the history first. */
  publish(event: E): void;
  /** Ends every watcher with the error made for its prefix. */
  endAll(makeError: (prefix: string) => StoreError): void;
  size(): number;
}

const SLOW_WATCHER_MESSAGE = 'watcher is too slow';

export function slowWatcherError(prefix: string, pending: string): StoreError {
  return new StoreError('Unavailable', prefix, `${SLOW_WATCHER_MESSAGE}: more than ${pending} pending; watch again from the last resourceVersion seen`);
}

/** True for the error that ends a watcher cut off for being too slow. */
export function isSlowWatcherError(err: unknown): boolean {
  return err instanceof StoreError && err.code === 'Unavailable' && err.message.startsWith(SLOW_WATCHER_MESSAGE);
}

export function compactedError(prefix: string, fromRevision: number, oldestRevision: number): StoreError {
  return new StoreError(
    'Compacted',
    prefix,
    `required revision ${fromRevision} has been compacted; the oldest revision a watch can start from is ${oldestRevision}`,
    oldestRevision,
  );
}

interface Watcher<E> {
  prefix: string;
  handlers: FanoutHandlers;
  replay: E[];
  replayNext: number;
  live: E[];
  liveNext: number;
  /** What the queued live events (live[liveNext..]) weigh. */
  liveBytes: number;
  lastQueued: number;
  paused: boolean;
  scheduled: boolean;
  state: 'active' | 'ending' | 'done';
}

export function createWatchFanout<E extends FanoutEvent>(opts: WatchFanoutOptions<E>): WatchFanout<E> {
  const { history, toStoreEvent } = opts;
  const maxPending = opts.maxPending ?? Infinity;
  const maxPendingBytes = opts.maxPendingBytes ?? Infinity;
  const sizeOf = maxPendingBytes === Infinity ? () => 0 : (opts.sizeOf ?? (() => 0));
  const backpressure = opts.backpressure ?? false;
  const deliveryBatch = opts.deliveryBatch ?? 500;
  const watchers = new Set<Watcher<E>>();

  function end(w: Watcher<E>, err: StoreError): void {
    if (w.state !== 'active') return;
    w.state = 'ending';
    w.replay = [];
    w.live = [];
    watchers.delete(w);
    setImmediate(() => {
      if (w.state !== 'ending') return;
      w.state = 'done';
      w.handlers.onError(err);
    });
  }

  function schedule(w: Watcher<E>): void {
    if (w.scheduled || w.paused || w.state !== 'active') return;
    w.scheduled = true;
    setImmediate(() => deliver(w));
  }

  function next(w: Watcher<E>): E | undefined {
    if (w.replayNext < w.replay.length) return w.replay[w.replayNext++];
    if (w.replay.length > 0) w.replay = [];
    if (w.liveNext < w.live.length) {
      const e = w.live[w.liveNext++];
      w.liveBytes -= sizeOf(e);
      if (w.liveNext > 1024 && w.liveNext * 2 > w.live.length) {
        w.live = w.live.slice(w.liveNext);
        w.liveNext = 0;
      }
      return e;
    }
    return undefined;
  }

  function deliver(w: Watcher<E>): void {
    w.scheduled = false;
    for (let n = 0; n < deliveryBatch; n++) {
      if (w.state !== 'active' || w.paused) return;
      const e = next(w);
      if (e === undefined) return;
      let wantsMore: boolean | void;
      try {
        wantsMore = w.handlers.onEvent(toStoreEvent(e));
      } catch (err) {
        opts.onHandlerError?.(err);
        end(w, new StoreError('Unavailable', w.prefix, `watch handler failed: ${(err as Error)?.message ?? String(err)}`));
        return;
      }
      if (backpressure && wantsMore === false) w.paused = true;
    }
    schedule(w);
  }

  return {
    watch(prefix, fromRevision, handlers, options = {}) {
      const w: Watcher<E> = {
        prefix,
        handlers,
        replay: [],
        replayNext: 0,
        live: [],
        liveNext: 0,
        liveBytes: 0,
        lastQueued: fromRevision,
        paused: options.paused ?? false,
        scheduled: false,
        state: 'active',
      };
      const handle: FanoutWatch = {
        stop() {
          if (w.state === 'done') return;
          w.state = 'done';
          w.replay = [];
          w.live = [];
          watchers.delete(w);
        },
        resume() {
          if (!w.paused) return;
          w.paused = false;
          schedule(w);
        },
      };
      if (fromRevision < history.horizon()) {
        end(w, compactedError(prefix, fromRevision, history.horizon()));
        return handle;
      }
      w.replay = history.since(fromRevision).filter((e) => e.key.startsWith(prefix));
      if (w.replay.length > 0) w.lastQueued = w.replay[w.replay.length - 1].revision;
      watchers.add(w);
      schedule(w);
      return handle;
    },
    publish(event) {
      for (const w of watchers) {
        if (event.revision <= w.lastQueued || !event.key.startsWith(w.prefix)) continue;
        w.lastQueued = event.revision;
        w.live.push(event);
        w.liveBytes += sizeOf(event);
        if (w.live.length - w.liveNext > maxPending) {
          end(w, slowWatcherError(w.prefix, `${maxPending} events`));
          continue;
        }
        if (w.liveBytes + (w.handlers.bufferedBytes?.() ?? 0) > maxPendingBytes) {
          end(w, slowWatcherError(w.prefix, `${maxPendingBytes} bytes`));
          continue;
        }
        schedule(w);
      }
    },
    endAll(makeError) {
      for (const w of [...watchers]) end(w, makeError(w.prefix));
    },
    size: () => watchers.size,
  };
}

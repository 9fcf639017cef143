// Store.watch for the Redis store. A watch from a revision the stream tail's ring still covers
// is served by the tail's fan-out straight away. A watch from further back first reads the
// writes it missed from the stream itself (XRANGE, in pages, checked for trimmed gaps: a watch
// from before the stream's history ends with Compacted, as etcd answers after a compaction),
// until it reaches what the ring covers, and then joins the fan-out there: every write after
// the start revision, in order, each once.
//
// Handlers are never called inside watch(); after stop() nothing more is delivered; onError is
// called at most once and ends the watch.
import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { StoreError, type StoreWatch, type StoreWatchHandlers } from '../store.js';
import { compactedError, type FanoutWatch } from '../watch-fanout.js';
import { toStoreError } from './errors.js';
import type { RedisKeys } from './keys.js';
import { redisAddress } from './reconnect.js';
import { HistoryGapError, readStreamRange } from './stream-history.js';
import { toStoreEvent } from './stream-events.js';
import type { StreamTail } from './stream-tail.js';

export interface WatchReaderOptions {
  keys: RedisKeys;
  commands: Redis;
  tail: StreamTail;
  logger: Logger;
}

export interface WatchReader {
  watch(prefix: string, fromRevision: number, handlers: StoreWatchHandlers): StoreWatch;
  /** Ends every watch (those still catching up too) with the error made for its prefix. */
  endAll(makeError: (prefix: string) => StoreError): void;
}

interface ActiveWatch {
  prefix: string;
  handlers: StoreWatchHandlers;
  state: 'catching-up' | 'joined' | 'done';
  joined?: FanoutWatch;
}

export function createWatchReader(opts: WatchReaderOptions): WatchReader {
  const { keys, commands, tail, logger } = opts;
  const active = new Set<ActiveWatch>();

  function finish(w: ActiveWatch): void {
    w.state = 'done';
    active.delete(w);
    w.joined?.stop();
  }

  function fail(w: ActiveWatch, err: StoreError): void {
    if (w.state === 'done') return;
    finish(w);
    setImmediate(() => w.handlers.onError(err));
  }

  function join(w: ActiveWatch, fromRevision: number): void {
    w.state = 'joined';
    w.joined = tail.fanout.watch(w.prefix, fromRevision, {
      onEvent: (e) => {
        if (w.state === 'joined') w.handlers.onEvent(e);
      },
      onError: (err) => {
        if (w.state !== 'joined') return;
        finish(w);
        w.handlers.onError(err);
      },
    });
  }

  /** Delivers the writes in (from, the ring's horizon] under the prefix; the revision reached. */
  function catchUp(w: ActiveWatch, from: number): Promise<number> {
    return readStreamRange(commands, keys, from, tail.history.horizon(), (events) => {
      for (const e of events) {
        if (w.state !== 'catching-up') return false;
        if (!e.key.startsWith(w.prefix)) continue;
        try {
          w.handlers.onEvent(toStoreEvent(e));
        } catch (err) {
          logger.error({ err }, 'store watch handler threw');
          fail(w, new StoreError('Unavailable', w.prefix, `watch handler failed: ${(err as Error)?.message ?? String(err)}`));
          return false;
        }
      }
      return true;
    });
  }

  async function start(w: ActiveWatch, fromRevision: number): Promise<void> {
    let reached = fromRevision;
    for (;;) {
      // The tail must be following the stream when the watch joins it, or its ring may miss
      // what came while it could not read.
      if (tail.state() !== 'running') await tail.ready(w.prefix);
      if (w.state !== 'catching-up') return;
      // Checked and joined in one go: the ring cannot move on in between.
      if (reached >= tail.history.horizon()) return join(w, reached);
      const next = await catchUp(w, reached);
      if (w.state !== 'catching-up') return;
      if (next === reached) return join(w, reached); // the stream holds nothing more: the fan-out decides
      reached = next;
    }
  }

  return {
    watch(prefix, fromRevision, handlers) {
      const w: ActiveWatch = { prefix, handlers, state: 'catching-up' };
      active.add(w);
      start(w, fromRevision).catch((err: unknown) => {
        if (err instanceof HistoryGapError) return fail(w, compactedError(prefix, fromRevision, err.oldest));
        const e = toStoreError(err, { key: prefix, address: redisAddress(commands) });
        if (!(e instanceof StoreError)) logger.error({ err: e, prefix }, 'store watch failed');
        fail(w, e instanceof StoreError ? e : new StoreError('Unavailable', prefix, `the watch failed: ${e.message}`));
      });
      return {
        stop() {
          if (w.state !== 'done') finish(w);
        },
      };
    },
    endAll(makeError) {
      for (const w of [...active]) fail(w, makeError(w.prefix));
    },
  };
}

// The one reader that follows a store's event stream, on a connection of its own that does
// nothing but blocking XREADs. What it reads goes into a ring of recent events and is fanned
// out to the store's watches (watch-fanout), so many watches cost one Redis connection and one
// read per batch of writes.
//
// It starts on the first watch, at the current revision, and then follows the stream until
// the store closes. If the connection drops, every watch it serves ends with Unavailable (the
// API server's watch cache re-establishes its watch from the last revision it saw, which this
// ring still holds); new watches are refused at once until the reader has reconnected, and it
// reads on from where it stopped, so no write is skipped. If the stream was trimmed past the
// reader while it could not read, its watches end with Compacted and the ring restarts at what
// the stream still holds.
import type { Redis } from 'ioredis';
import type { Logger } from '../../log.js';
import { createEventHistory, jsonEventBytes, type EventHistory } from '../event-history.js';
import { StoreError } from '../store.js';
import { compactedError, createWatchFanout, type WatchFanout } from '../watch-fanout.js';
import type { RedisKeys } from './keys.js';
import { linkFailure } from './errors.js';
import { reconnectDelay, redisAddress, waitForReady } from './reconnect.js';
import { checkContinuity, historyEdge, HistoryGapError } from './stream-history.js';
import { parseStreamEntry, toStoreEvent, type RawStreamEntry, type StreamEvent } from './stream-events.js';

export interface StreamTailOptions {
  keys: RedisKeys;
  /** For the short reads around the blocking ones (the revision, the stream's first entry). */
  commands: Redis;
  /** Makes the dedicated blocking connection (no command timeout). */
  connectWatch(): Redis;
  logger: Logger;
  /** Recent events kept in memory for watches to start from. */
  historyLimit: number;
  /** How long one XREAD blocks (default 5 s); a read that does not return within this plus
   * graceMs means a dead link, and the connection is dropped and made again. */
  blockMs?: number;
  graceMs?: number;
  /** How long to wait for a connection before reporting the link down (ms). */
  connectTimeoutMs: number;
  /** Entries per XREAD (default 1000). */
  readCount?: number;
}

export type TailState = 'idle' | 'syncing' | 'running' | 'down' | 'closed';

export interface StreamTail {
  history: EventHistory<StreamEvent>;
  fanout: WatchFanout<StreamEvent>;
  /**
   * Resolves once the tail follows the stream (starting it on first use); rejects with
   * Unavailable while its link is down, or once it is closed.
   */
  ready(prefix: string): Promise<void>;
  state(): TailState;
  /** Stops reading and ends every watch with the given error. */
  close(err: (prefix: string) => StoreError): void;
}

export function createStreamTail(opts: StreamTailOptions): StreamTail {
  const { keys, commands, logger } = opts;
  const blockMs = opts.blockMs ?? 5_000;
  const graceMs = opts.graceMs ?? 10_000;
  const readCount = opts.readCount ?? 1_000;
  const history = createEventHistory<StreamEvent>(opts.historyLimit, 0, jsonEventBytes());
  const fanout = createWatchFanout<StreamEvent>({
    history,
    toStoreEvent,
    onHandlerError: (err) => logger.error({ err }, 'store watch handler threw'),
  });

  let state: TailState = 'idle';
  let blocking: Redis | undefined;
  let last = 0; // the revision of the last write read
  let synced = false;
  let lastFailure = '';
  let syncWaiters: { resolve(): void; reject(err: Error): void; prefix: string }[] = [];

  const address = () => redisAddress(commands);
  const unavailable = (prefix: string, why: string) =>
    new StoreError('Unavailable', prefix, `Redis at ${address()} is unavailable: ${why}; watch again from the last resourceVersion seen`);

  function settleWaiters(err?: (prefix: string) => Error): void {
    const waiters = syncWaiters;
    syncWaiters = [];
    for (const w of waiters) {
      if (err) w.reject(err(w.prefix));
      else w.resolve();
    }
  }

  /** (Re)connects and finds where to read from; true once reading can go on. */
  async function sync(): Promise<boolean> {
    // The first time, watches wait for the outcome ('syncing'); after a failure the tail stays
    // 'down', refusing watches at once, until it reads again.
    try {
      await waitForReady(blocking as Redis, opts.connectTimeoutMs);
      await waitForReady(commands, opts.connectTimeoutMs);
      const edge = await historyEdge(commands, keys);
      if (!synced) {
        history.reset(edge.revision);
        last = edge.revision;
        synced = true;
      } else if (edge.revision < last) {
        // Redis came back with less than it had acknowledged (no append-only file, or a
        // FLUSHALL): nothing above can be trusted to line up with revisions any more.
        logger.error(
          { redis: address(), prefix: keys.prefix, lastRead: last, revisionNow: edge.revision },
          "Redis's revision counter went backwards: the store lost acknowledged writes (is its append-only file on?)",
        );
        fanout.endAll((prefix) => compactedError(prefix, last, edge.revision));
        history.reset(edge.revision);
        last = edge.revision;
      }
    } catch (err) {
      if (state === 'closed') return false;
      lastFailure = err instanceof Error ? linkFailure(err) : String(err);
      state = 'down';
      settleWaiters((prefix) => unavailable(prefix, lastFailure));
      return false;
    }
    if ((state as TailState) === 'closed') return false;
    state = 'running';
    settleWaiters();
    return true;
  }

  /** One blocking read, guarded: a read that outlives its block time by graceMs is abandoned. */
  function readOnce(conn: Redis): Promise<RawStreamEntry[]> {
    return new Promise((resolve, reject) => {
      const deadline = setTimeout(() => {
        logger.warn({ redis: address() }, 'a blocking stream read did not return in time; reconnecting its connection');
        conn.disconnect(true); // rejects the read
      }, blockMs + graceMs);
      conn
        .xread('COUNT', readCount, 'BLOCK', blockMs, 'STREAMS', keys.events, `${last}-0`)
        .then(
          (reply) => resolve(reply ? (reply[0][1] as RawStreamEntry[]) : []),
          (err: unknown) => reject(err),
        )
        .finally(() => clearTimeout(deadline));
    });
  }

  async function apply(entries: RawStreamEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const events = entries.map(parseStreamEntry);
    try {
      await checkContinuity(commands, keys, last, events[0].revision);
    } catch (err) {
      if (!(err instanceof HistoryGapError)) throw err;
      logger.warn(
        { prefix: keys.prefix, lastRead: last, oldest: err.oldest },
        'the event stream was trimmed past the store watch reader; its watches must start again',
      );
      const restartAt = events[0].revision - 1;
      fanout.endAll((prefix) => compactedError(prefix, last, restartAt));
      history.reset(restartAt);
    }
    if (state !== 'running') return;
    for (const e of events) {
      history.append(e);
      fanout.publish(e);
    }
    last = events[events.length - 1].revision;
  }

  async function run(): Promise<void> {
    let failures = 0;
    while ((state as TailState) !== 'closed') {
      if (state !== 'running') {
        if (!(await sync())) {
          if ((state as TailState) === 'closed') break;
          await sleep(reconnectDelay(++failures));
          continue;
        }
        failures = 0;
      }
      try {
        await apply(await readOnce(blocking as Redis));
      } catch (err) {
        if ((state as TailState) === 'closed') break;
        lastFailure = err instanceof Error ? linkFailure(err) : String(err);
        logger.warn({ redis: address(), prefix: keys.prefix, err: lastFailure, lastRead: last }, 'store watch reader lost Redis; its watches end');
        state = 'down';
        fanout.endAll((prefix) => unavailable(prefix, lastFailure));
        await sleep(reconnectDelay(++failures));
      }
    }
  }

  return {
    history,
    fanout,
    state: () => state,
    ready(prefix) {
      switch (state) {
        case 'running':
          return Promise.resolve();
        case 'closed':
          return Promise.reject(new StoreError('Unavailable', prefix, 'the store is closed'));
        case 'down':
          return Promise.reject(unavailable(prefix, lastFailure));
        case 'idle':
          blocking = opts.connectWatch();
          state = 'syncing';
          void run().catch((err: unknown) => {
            logger.error({ err }, 'store watch reader failed');
            state = 'down';
          });
          break;
        case 'syncing':
          break;
      }
      return new Promise((resolve, reject) => syncWaiters.push({ resolve, reject, prefix }));
    },
    close(err) {
      if (state === 'closed') return;
      state = 'closed';
      settleWaiters(err);
      fanout.endAll(err);
      blocking?.disconnect();
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

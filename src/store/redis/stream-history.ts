// The event stream as the store's retained history, as etcd's revisions are: how far back it
// reaches, and reading a range of it without ever skipping a write silently. Every write adds
// the entry of its revision, so the stream holds every revision from its first entry on; once
// trimming (XADD MAXLEN ~) has removed the entries right after a revision R, a read from R
// must fail (Compacted) instead of jumping over the missing writes.
import type { Redis } from 'ioredis';
import type { RedisKeys } from './keys.js';
import { HISTORY_EDGE, runScript } from './scripts.js';
import { parseStreamEntry, revisionOfId, type RawStreamEntry, type StreamEvent } from './stream-events.js';

export interface HistoryEdge {
  /** The current (latest) revision. */
  revision: number;
  /** The oldest revision a watch can start from: every write after it is in the stream. */
  oldest: number;
}

export async function historyEdge(redis: Redis, keys: RedisKeys): Promise<HistoryEdge> {
  const [rev, firstId] = (await runScript(redis, HISTORY_EDGE, [keys.revision, keys.events], [])) as [string, string];
  const revision = Number(rev);
  return { revision, oldest: firstId === '' ? revision : revisionOfId(firstId) - 1 };
}

/** The writes right after `after` have been trimmed from the stream. */
export class HistoryGapError extends Error {
  readonly after: number;
  readonly oldest: number;
  constructor(after: number, oldest: number) {
    super(`required revision ${after} has been compacted; the oldest revision a watch can start from is ${oldest}`);
    this.name = 'HistoryGapError';
    this.after = after;
    this.oldest = oldest;
  }
}

/**
 * Checks that a read of the entries after `after` whose first entry is `first` skipped nothing:
 * either first is after + 1, or the revisions in between never had entries (the stream still
 * reaches back past them). Throws HistoryGapError otherwise.
 */
export async function checkContinuity(redis: Redis, keys: RedisKeys, after: number, first: number | undefined): Promise<void> {
  if (first === after + 1) return;
  // The stream's first entry only ever moves forward, so if it is at or before after + 1 now,
  // it was when the entries were read.
  const edge = await historyEdge(redis, keys);
  if (edge.oldest > after) throw new HistoryGapError(after, edge.oldest);
}

/**
 * Reads the writes with revision in (after, until] (until omitted: to the end of the stream),
 * oldest first, in pages of pageSize, handing each page to onPage; stops early when onPage
 * returns false. Returns the revision of the last write read (after, if none). Throws
 * HistoryGapError when part of the range has been trimmed away.
 */
export async function readStreamRange(
  redis: Redis,
  keys: RedisKeys,
  after: number,
  until: number | undefined,
  onPage: (events: StreamEvent[]) => boolean | void,
  pageSize = 1000,
): Promise<number> {
  let cursor = after;
  for (;;) {
    if (until !== undefined && cursor >= until) return cursor;
    const raw = (await redis.xrange(
      keys.events,
      `${cursor + 1}-0`,
      until === undefined ? '+' : `${until}-0`,
      'COUNT',
      pageSize,
    )) as RawStreamEntry[];
    const events = raw.map(parseStreamEntry);
    await checkContinuity(redis, keys, cursor, events[0]?.revision);
    if (events.length === 0) return cursor;
    cursor = events[events.length - 1].revision;
    if (onPage(events) === false) return cursor;
    if (events.length < pageSize) return cursor;
  }
}

// A list under a prefix, consistent at one revision, without stopping Redis for the whole
// list: the keys are read in pages (one short script each, which reports the revision it ran
// at), so tens of thousands of objects never hold Redis in one long script. When writes landed
// between the first and the last page, the writes in between are replayed from the event
// stream over what the pages read: a key a write touched ends as that write left it, any other
// key was not written in between and is as every page saw it, so the result is the state at
// the last page's revision. If the stream no longer holds those writes (trimmed under a heavy
// load), the list starts over, and after a few tries is read in one script.
import type { Redis } from 'ioredis';
import type { KubeObject } from '../../api/types.js';
import type { StoreList } from '../store.js';
import type { RedisKeys } from './keys.js';
import { LIST_PAGE, runScript } from './scripts.js';
import { HistoryGapError, readStreamRange } from './stream-history.js';

export interface ListOptions {
  /** Keys per page (default 1000). */
  pageSize?: number;
  /** Paged attempts before reading the list in one script (default 3). */
  attempts?: number;
}

interface Snapshot {
  /** Key -> object JSON. */
  objects: Map<string, string>;
  revision: number;
}

export async function readList(redis: Redis, keys: RedisKeys, prefix: string, opts: ListOptions = {}): Promise<StoreList> {
  const pageSize = opts.pageSize ?? 1000;
  const attempts = opts.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    try {
      const snapshot = await readPaged(redis, keys, prefix, attempt <= attempts ? pageSize : -1);
      return toList(snapshot);
    } catch (err) {
      if (!(err instanceof HistoryGapError)) throw err;
    }
  }
}

async function readPage(redis: Redis, keys: RedisKeys, prefix: string, after: string, count: number) {
  const reply = (await runScript(redis, LIST_PAGE, [keys.revision, keys.index], [keys.objectPrefix, prefix, after, count])) as [
    string,
    number,
    string,
    ...string[],
  ];
  return { revision: Number(reply[0]), keysRead: reply[1], lastKey: reply[2], pairs: reply.slice(3) as string[] };
}

async function readPaged(redis: Redis, keys: RedisKeys, prefix: string, pageSize: number): Promise<Snapshot> {
  const objects = new Map<string, string>();
  let first: number | undefined;
  let last = 0;
  let after = '';
  for (;;) {
    const page = await readPage(redis, keys, prefix, after, pageSize);
    first ??= page.revision;
    last = page.revision;
    const { pairs } = page;
    for (let i = 0; i + 1 < pairs.length; i += 2) objects.set(pairs[i], pairs[i + 1]);
    if (pageSize < 0 || page.keysRead < pageSize) break;
    after = page.lastKey;
  }
  if (last !== first) {
    await readStreamRange(redis, keys, first, last, (events) => {
      for (const e of events) {
        if (!e.key.startsWith(prefix)) continue;
        if (e.type === 'DELETED') objects.delete(e.key);
        else objects.set(e.key, e.json);
      }
    });
  }
  return { objects, revision: last };
}

function toList({ objects, revision }: Snapshot): StoreList {
  const keys = [...objects.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { items: keys.map((k) => JSON.parse(objects.get(k) as string) as KubeObject), revision };
}

// The Redis store: the same contract as the embedded journal, kept in Redis through ioredis, so
// the cluster's state can be inspected with redis-cli, outlives the cluster's folder, and could
// be shared by several API servers. Each write is one Lua script (scripts.ts); reads are plain
// commands; lists are paged but consistent at one revision (list-reader.ts); watches read the
// event stream (stream-tail.ts, watch-reader.ts). Durability is Redis's: run it with
// `--appendonly yes --appendfsync always` so an acknowledged write survives a crash.
import type { Redis } from 'ioredis';
import type { KubeObject } from '../../api/types.js';
import { silentLogger, type Logger } from '../../log.js';
import { StoreError, type Store, type StoreWatch } from '../store.js';
import { toStoreError } from './errors.js';
import { redisKeys } from './keys.js';
import { readList } from './list-reader.js';
import { joinAtRevision, splitAtResourceVersion } from './object-json.js';
import { createConnection, describeConnectionError, redisAddress, waitForReady } from './reconnect.js';
import { CREATE, DELETE, runScript, UPDATE } from './scripts.js';
import { historyEdge } from './stream-history.js';
import { createStreamTail } from './stream-tail.js';
import { createWatchReader } from './watch-reader.js';

export interface RedisStoreOptions {
  /** Every key this store writes starts with it: `loopkube/<cluster>`. */
  prefix: string;
  logger?: Logger;
  /** Writes kept in the event stream for watches to start from (XADD MAXLEN ~; default 10000). */
  streamMaxLen?: number;
  /** Longest wait for any one command before it fails with Unavailable (default 5 s). */
  commandTimeoutMs?: number;
  /** Longest wait for one connection attempt (default 3 s). */
  connectTimeoutMs?: number;
  /** How long opening waits for Redis to answer (default 10 s). */
  openTimeoutMs?: number;
  /** Keys read per list page (default 1000). */
  listPageSize?: number;
}

type WriteReply = [status: 'ok', revision: number, deletedJson?: string] | [status: 'KeyExists' | 'KeyNotFound' | 'Conflict', current: string | null];

const MIN_REDIS_VERSION = [5, 0];

export async function openRedisStore(url: string, opts: RedisStoreOptions): Promise<Store> {
  const logger = opts.logger ?? silentLogger();
  const keys = redisKeys(opts.prefix);
  const streamMaxLen = opts.streamMaxLen ?? 10_000;
  if (!Number.isSafeInteger(streamMaxLen) || streamMaxLen < 1) {
    throw new RangeError(`streamMaxLen must be a positive integer, got ${streamMaxLen}`);
  }
  const commandTimeoutMs = opts.commandTimeoutMs ?? 5_000;
  const connectTimeoutMs = opts.connectTimeoutMs ?? 3_000;
  const connect = (role: 'commands' | 'watch') =>
    createConnection(url, { role, name: `loopkube:${keys.prefix}:${role}`, commandTimeoutMs, connectTimeoutMs, logger });

  const commands = connect('commands');
  const address = redisAddress(commands);
  try {
    await waitForReady(commands, opts.openTimeoutMs ?? 10_000);
    await checkVersion(commands);
    await warnIfNotDurable(commands, logger);
  } catch (err) {
    commands.disconnect();
    const why = err instanceof Error ? describeConnectionError(err) : String(err);
    throw new StoreError('Unavailable', keys.prefix, `cannot use Redis at ${address}: ${why}`);
  }

  const tail = createStreamTail({
    keys,
    commands,
    connectWatch: () => connect('watch'),
    logger,
    historyLimit: streamMaxLen,
    connectTimeoutMs,
  });
  const watches = createWatchReader({ keys, commands, tail, logger });

  let closing: Promise<void> | undefined;
  const closedError = (key: string) => new StoreError('Unavailable', key, 'the store is closed');

  /** Runs a command, turning connection trouble into Unavailable. */
  async function call<T>(key: string, write: boolean, run: () => Promise<T>): Promise<T> {
    if (closing) throw closedError(key);
    try {
      return await run();
    } catch (err) {
      throw toStoreError(err, { key, address, write });
    }
  }

  function writeScriptKeys(key: string): string[] {
    return [keys.revision, keys.events, keys.index, keys.object(key)];
  }

  function refused(key: string, reply: WriteReply, expectedRevision?: number): StoreError {
    switch (reply[0]) {
      case 'KeyExists':
        return new StoreError('KeyExists', key, `key already exists: ${key}`);
      case 'KeyNotFound':
        return new StoreError('KeyNotFound', key, `key not found: ${key}`);
      case 'Conflict':
        return new StoreError('Conflict', key, `revision mismatch for ${key}: expected ${expectedRevision}, current ${reply[1]}`);
      default:
        return new StoreError('Unavailable', key, `unexpected answer from the store's write script: ${JSON.stringify(reply)}`);
    }
  }

  async function put(kind: 'create' | 'update', key: string, object: KubeObject, expectedRevision?: number): Promise<KubeObject> {
    const split = splitAtResourceVersion(object);
    const args: (string | number)[] = [key, split.head, split.tail, streamMaxLen];
    if (kind === 'update') args.push(String(expectedRevision));
    const reply = (await call(key, true, () =>
      runScript(commands, kind === 'create' ? CREATE : UPDATE, writeScriptKeys(key), args),
    )) as WriteReply;
    if (reply[0] !== 'ok') throw refused(key, reply, expectedRevision);
    return JSON.parse(joinAtRevision(split, reply[1])) as KubeObject;
  }

  const store: Store = {
    backend: 'redis',
    async get(key) {
      const json = await call(key, false, () => commands.hget(keys.object(key), 'json'));
      return json === null ? undefined : (JSON.parse(json) as KubeObject);
    },
    list: (prefix) =>
      call(prefix, false, () => readList(commands, keys, prefix, { ...(opts.listPageSize ? { pageSize: opts.listPageSize } : {}) })),
    create: (key, object) => put('create', key, object),
    update: (key, object, expectedRevision) => put('update', key, object, expectedRevision),
    async delete(key, expectedRevision) {
      const args = [key, streamMaxLen, expectedRevision === undefined ? '' : String(expectedRevision)];
      const reply = (await call(key, true, () => runScript(commands, DELETE, writeScriptKeys(key), args))) as WriteReply;
      if (reply[0] !== 'ok') throw refused(key, reply, expectedRevision);
      return JSON.parse(reply[2] as string) as KubeObject;
    },
    watch(prefix, fromRevision, handlers): StoreWatch {
      if (closing) {
        let stopped = false;
        setImmediate(() => stopped || handlers.onError(closedError(prefix)));
        return { stop: () => void (stopped = true) };
      }
      return watches.watch(prefix, fromRevision, handlers);
    },
    async currentRevision() {
      const rev = await call('', false, () => commands.get(keys.revision));
      return rev === null ? 0 : Number(rev);
    },
    async oldestWatchableRevision() {
      return (await call('', false, () => historyEdge(commands, keys))).oldest;
    },
    close() {
      closing ??= shutdown();
      return closing;
    },
  };

  async function shutdown(): Promise<void> {
    tail.close(closedError);
    watches.endAll(closedError);
    // QUIT is answered after every command sent before it, so writes in flight get their answers.
    const quit = commands.quit().catch(() => undefined);
    const timer = new Promise((r) => setTimeout(r, commandTimeoutMs).unref());
    await Promise.race([quit, timer]);
    commands.disconnect();
  }

  logger.info({ redis: address, prefix: keys.prefix, streamMaxLen }, 'redis store open');
  return store;
}

async function checkVersion(redis: Redis): Promise<void> {
  const info = await redis.info('server');
  const version = /redis_version:([0-9.]+)/.exec(info)?.[1];
  if (!version) return;
  const [major, minor] = version.split('.').map(Number);
  if (major < MIN_REDIS_VERSION[0] || (major === MIN_REDIS_VERSION[0] && minor < MIN_REDIS_VERSION[1])) {
    throw new Error(`loopkube needs Redis ${MIN_REDIS_VERSION.join('.')} or later (for streams); this server runs ${version}`);
  }
}

/** Logs a warning when Redis would lose acknowledged writes in a crash (no append-only file). */
async function warnIfNotDurable(redis: Redis, logger: Logger): Promise<void> {
  let settings: string[];
  try {
    settings = (await redis.config('GET', 'append*')) as string[];
  } catch {
    return; // CONFIG may be disabled (managed Redis): nothing to check
  }
  const get = (name: string): string | undefined => {
    const i = settings.indexOf(name);
    return i < 0 ? undefined : settings[i + 1];
  };
  if (get('appendonly') !== 'yes') {
    logger.warn({ redis: redisAddress(redis) }, 'Redis runs without its append-only file (appendonly no): acknowledged writes can be lost if it crashes');
  } else if (get('appendfsync') !== 'always') {
    logger.warn(
      { redis: redisAddress(redis), appendfsync: get('appendfsync') },
      'Redis syncs its append-only file lazily: the last writes before a crash of the machine can be lost (appendfsync always keeps them)',
    );
  }
}

// The two kinds of ioredis connection the Redis store opens, and how they behave when Redis
// restarts or the link drops.
//
// - The command connection (reads, writes, short reads of the stream) fails fast: nothing is
//   queued while it is down (enableOfflineQueue false), a command in flight when the link drops
//   is rejected at once and never re-sent (maxRetriesPerRequest 0, no auto-resend: a re-sent
//   write could be applied twice and then answer KeyExists or Conflict for a write that was in
//   fact applied), and every command has a timeout, so no caller ever hangs.
// - The watch connection only ever runs blocking XREADs. It has no command timeout (a blocking
//   read legitimately waits); the stream tail guards each read with a deadline of its own.
//
// Both reconnect by themselves, with a back-off, for as long as the store is open.
import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from '../../log.js';

export type ConnectionRole = 'commands' | 'watch';

export interface ConnectionOptions {
  role: ConnectionRole;
  /** Shown by CLIENT LIST: which cluster's store and which role. */
  name: string;
  /** Command timeout of the command connection (ms). */
  commandTimeoutMs: number;
  /** How long one connection attempt may take (ms). */
  connectTimeoutMs: number;
  logger: Logger;
}

/** Waits between reconnection attempts: 50 ms doubling up to 1 s. */
export function reconnectDelay(attempt: number): number {
  return Math.min(50 * 2 ** Math.min(attempt - 1, 10), 1_000);
}

export function createConnection(url: string, opts: ConnectionOptions): Redis {
  const options: RedisOptions = {
    lazyConnect: true,
    connectionName: opts.name,
    connectTimeout: opts.connectTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    autoResendUnfulfilledCommands: false,
    enableReadyCheck: true, // waits out LOADING while Redis replays its append-only file
    retryStrategy: reconnectDelay,
    noDelay: true,
    keepAlive: 10_000,
    ...(opts.role === 'commands' ? { commandTimeout: opts.commandTimeoutMs } : {}),
  };
  const redis = new Redis(url, options);
  logConnectionState(redis, opts);
  return redis;
}

/** Where a connection points, for messages: `127.0.0.1:6379`. */
export function redisAddress(redis: Redis): string {
  const { host, port, path } = redis.options;
  return path ? path : `${host ?? '127.0.0.1'}:${port ?? 6379}`;
}

/**
 * Resolves once the connection is ready for commands (starting it if it was never started);
 * rejects after timeoutMs, or at once if the connection has been closed for good.
 */
export function waitForReady(redis: Redis, timeoutMs: number): Promise<void> {
  if (redis.status === 'ready') return Promise.resolve();
  if (redis.status === 'end') return Promise.reject(new Error('the connection is closed'));
  return new Promise((resolve, reject) => {
    let lastError: Error | undefined;
    const cleanup = () => {
      clearTimeout(timer);
      redis.off('ready', onReady);
      redis.off('error', onError);
      redis.off('end', onEnd);
    };
    const onReady = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => void (lastError = err);
    const onEnd = () => {
      cleanup();
      reject(new Error('the connection is closed'));
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(lastError ? describeConnectionError(lastError) : `no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    redis.on('ready', onReady);
    redis.on('error', onError);
    redis.on('end', onEnd);
    if (redis.status === 'wait') redis.connect().catch(() => undefined); // the events above report the outcome
  });
}

/** Short words for a connection failure: `connection refused` rather than a stack of errno fields. */
export function describeConnectionError(err: Error): string {
  const code = (err as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
      return 'connection reset';
    case 'ETIMEDOUT':
      return 'connection timed out';
    case 'EHOSTUNREACH':
      return 'host unreachable';
    case 'ENOTFOUND':
      return 'host not found';
    default:
      return err.message;
  }
}

/** One warning when a connection is lost, one info line when it is back; retries stay quiet. */
function logConnectionState(redis: Redis, opts: ConnectionOptions): void {
  const address = redisAddress(redis);
  let lost = false;
  let lastError: string | undefined;
  redis.on('error', (err: Error) => {
    lastError = describeConnectionError(err);
    opts.logger.debug({ redis: address, role: opts.role, err: lastError }, 'Redis connection error');
  });
  redis.on('reconnecting', () => {
    if (lost) return;
    lost = true;
    opts.logger.warn({ redis: address, role: opts.role, err: lastError }, 'lost the connection to Redis; reconnecting');
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    opts.logger.info({ redis: address, role: opts.role }, 'reconnected to Redis');
  });
}

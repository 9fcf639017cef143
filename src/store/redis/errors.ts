// Turns what ioredis throws into the store's errors. A lost or refused connection, a command
// timeout, and Redis answering that it cannot serve now (loading its data, out of memory, unable
// to persist, read-only replica, busy script) are all Unavailable, which the API server answers
// with 503. Anything else (Redis rejecting a command, data under our prefix the store did not
// write) is a bug or foreign data, and is thrown as it is.
import { StoreError } from '../store.js';
import { describeConnectionError } from './reconnect.js';

/** Redis error replies that mean "not now" rather than "wrong request". */
const TRANSIENT_REPLIES = ['LOADING', 'BUSY', 'MISCONF', 'READONLY', 'OOM', 'MASTERDOWN', 'TRYAGAIN', 'CLUSTERDOWN', 'NOREPLICAS', 'NOAUTH'];

/** ioredis refused to send the command at all: it certainly was not applied. */
const NOT_SENT = "Stream isn't writeable";
const CONNECTION_CLOSED = 'Connection is closed.';
const TIMED_OUT = 'Command timed out';

export interface ErrorContext {
  /** The store key (or prefix) the call was about. */
  key: string;
  /** `127.0.0.1:6379`. */
  address: string;
  /** A write, whose outcome is unknown when the link fails while it is in flight. */
  write?: boolean;
}

export function isReplyError(err: unknown): boolean {
  return err instanceof Error && err.name === 'ReplyError';
}

/** The link (not Redis's answer) failed: refused, dropped, timed out, not connected. */
function isLinkError(e: Error): boolean {
  return (
    typeof (e as NodeJS.ErrnoException).code === 'string' ||
    e.name === 'AbortError' ||
    e.name === 'MaxRetriesPerRequestError' ||
    e.message.startsWith(NOT_SENT) ||
    e.message === CONNECTION_CLOSED ||
    e.message === TIMED_OUT ||
    e.message === 'the connection is closed'
  );
}

export function toStoreError(err: unknown, ctx: ErrorContext): Error {
  if (err instanceof StoreError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  const transientReply = isReplyError(e) && TRANSIENT_REPLIES.some((w) => e.message.startsWith(w));
  if (!transientReply && !isLinkError(e)) return e;
  const reason = transientReply ? e.message : linkFailure(e);
  let message = `Redis at ${ctx.address} is unavailable: ${reason}`;
  if (ctx.write && !transientReply && !e.message.startsWith(NOT_SENT)) {
    message += ' (the write may or may not have been applied)';
  }
  return new StoreError('Unavailable', ctx.key, message);
}

/** Short words for why the link failed: `connection refused`, `the connection was lost`, ... */
export function linkFailure(e: Error): string {
  if (e.message.startsWith(NOT_SENT)) return 'not connected';
  if (e.name === 'MaxRetriesPerRequestError' || e.message === CONNECTION_CLOSED) return 'the connection was lost';
  if (e.message === TIMED_OUT) return 'no answer in time';
  return describeConnectionError(e);
}

// The connection splice: an accepted client connection, a connection dialled to the chosen pod,
// and bytes moved between the two until both sides are done.
//
// The hot path is written for the CPU it costs (see uv.ts for why raw handles):
// - reads land in a per-direction 16 KiB buffer (useUserBuffer) and are written straight to the
//   other socket; libuv writes synchronously when the socket has room, which is the common case;
// - only when a write cannot complete at once does the reading side stop reading until it has
//   (backpressure), so a buffer is never overwritten while the kernel still needs it;
// - no logging, no closures, no events per connection or per read: state lives on two small
//   objects and the handlers are shared module-level functions;
// - Nagle off on both sides (setNoDelay; accepted sockets inherit it from their listener), as
//   kube-proxy's kernel path adds no delay either;
// - the pod's socket is armed for reading as it is dialled (one epoll registration per socket);
// - when both directions have ended, the last side closes at once instead of a second
//   shutdown round trip.
//
// Half-close is forwarded (EOF on one side becomes a FIN on the other) and the connection ends
// when both directions have ended; a reset on one side resets the other. A dial that fails is
// retried on another endpoint (up to MAX_DIAL_ATTEMPTS) before the client is reset.
import { BULK_BUFFER_SIZE, giveBackReadBuffer, takeBulkBuffer, takeReadBuffer } from './buffer-pool.js';
import { routeConnection, type ActiveFrontend, type Dial } from '../../router.js';
import type { TrafficCounters } from '../../stats.js';
import { MAX_DIAL_ATTEMPTS } from '../transport.js';
import {
  LAST_WRITE_WAS_ASYNC,
  READ_BYTES_OR_ERROR,
  UV_EOF,
  newConnectRequest,
  newShutdownRequest,
  newSocketHandle,
  newWriteRequest,
  streamState,
  type UvConnectRequest,
  type UvStatus,
  type UvTcp,
  type UvWriteRequest,
} from './uv.js';

const SIDE = Symbol('loopkube.proxy.side');
const CONN = Symbol('loopkube.proxy.connection');

interface Side {
  handle: UvTcp;
  buf: Buffer;
  peer: Side | null;
  conn: Connection;
  /** Reads on this side are client -> pod (bytesIn); otherwise pod -> client (bytesOut). */
  fromClient: boolean;
  /** The peer has a write of ours pending: this side stopped reading until it completes. */
  blocked: boolean;
  eof: boolean;
  shutdownSent: boolean;
  closed: boolean;
}

interface Connection {
  client: Side;
  upstream: Side | null;
  frontend: ActiveFrontend;
  fe: TrafficCounters;
  dial: Dial;
  clientIP: string;
  tried: string[] | null;
  /** Handles still open (client, and upstream once connected). */
  open: number;
  finished: boolean;
}

type HandleWithSide = UvTcp & { [SIDE]?: Side };
type ConnectRequest = UvConnectRequest & { [CONN]?: Connection };
type WriteRequest = UvWriteRequest & { [SIDE]?: Side | null };

/** Live connections (for shutdown and tests). */
let liveConnections = 0;
export function activeConnectionCount(): number {
  return liveConnections;
}

/** Writes that could not complete at once, so their reader paused (backpressure). */
let backpressureWaits = 0;
export function backpressureWaitCount(): number {
  return backpressureWaits;
}

// A write request object is only held by libuv when the write could not complete at once; until
// then the same object serves every write.
let spareWrite: WriteRequest | null = null;

function takeWriteRequest(): WriteRequest {
  let req = spareWrite;
  if (req === null) {
    req = newWriteRequest() as WriteRequest;
    req.oncomplete = afterWrite;
    spareWrite = req;
  }
  return req;
}

function newSide(handle: UvTcp, conn: Connection, fromClient: boolean): Side {
  return { handle, buf: EMPTY, peer: null, conn, fromClient, blocked: false, eof: false, shutdownSent: false, closed: false };
}

const EMPTY = Buffer.alloc(0);

/**
 * Takes over an accepted client handle whose destination was decided (`dial`): counts it on the
 * frontend and the endpoint, dials the pod, and splices the two.
 */
export function forwardConnection(client: UvTcp, frontend: ActiveFrontend, dial: Dial, clientIP: string): void {
  const fe = frontend.stats;
  fe.connectionsTotal++;
  fe.connectionsActive++;
  liveConnections++;
  const conn: Connection = {
    client: null as unknown as Side,
    upstream: null,
    frontend,
    fe,
    dial,
    clientIP,
    tried: null,
    open: 1,
    finished: false,
  };
  conn.client = newSide(client, conn, true);
  (client as HandleWithSide)[SIDE] = conn.client;
  dialUpstream(conn);
}

/**
 * Dials the chosen pod from the chosen address. The upstream socket reads from the start: libuv
 * holds reads back until the connect completes, and arming read interest now costs one epoll
 * registration instead of the three (add for write, add again, modify) it costs after.
 */
function dialUpstream(conn: Connection): void {
  const d = conn.dial;
  d.stats.connectionsActive++;
  d.flow.connectionsActive++;
  const h = newSocketHandle();
  let err = h.bind(d.localAddress, 0);
  if (err === 0) {
    const req = newConnectRequest() as ConnectRequest;
    req.oncomplete = afterConnect;
    req.address = d.endpoint.ip;
    req.port = d.endpoint.port;
    req[CONN] = conn;
    err = h.connect(req, d.endpoint.ip, d.endpoint.port);
  }
  if (err !== 0) {
    h.close();
    dialFailed(conn);
    return;
  }
  const upstream = newSide(h, conn, false);
  upstream.buf = takeReadBuffer();
  (h as HandleWithSide)[SIDE] = upstream;
  // Nagle off, as kube-proxy's kernel path adds no delay either (the client socket inherited it
  // from its listener).
  h.setNoDelay(true);
  startReading(upstream);
}

/** A dial that did not become a connection: its socket and buffer go. */
function dropDial(handle: UvTcp): void {
  const side = (handle as HandleWithSide)[SIDE];
  (handle as HandleWithSide)[SIDE] = undefined;
  handle.close();
  if (side) giveBackReadBuffer(side.buf);
}

function afterConnect(status: UvStatus, handle: UvTcp, req: UvConnectRequest): void {
  const conn = (req as ConnectRequest)[CONN]!;
  (req as ConnectRequest)[CONN] = undefined;
  if (status !== 0) {
    dropDial(handle);
    dialFailed(conn);
    return;
  }
  const client = conn.client;
  if (client.closed) {
    dropDial(handle);
    conn.dial.stats.connectionsActive--;
    conn.dial.flow.connectionsActive--;
    return;
  }
  conn.dial.stats.connectionsTotal++;
  conn.dial.flow.connectionsTotal++;
  const upstream = (handle as HandleWithSide)[SIDE]!;
  conn.upstream = upstream;
  conn.open = 2;
  client.peer = upstream;
  upstream.peer = client;
  client.buf = takeReadBuffer();
  startReading(client);
}

function startReading(side: Side): void {
  const h = side.handle;
  h.useUserBuffer(side.buf);
  h.onread = onRead;
  h.readStart();
}

function dialFailed(conn: Connection): void {
  const d = conn.dial;
  d.stats.connectionsActive--;
  d.flow.connectionsActive--;
  d.stats.connectFailures++;
  conn.fe.connectFailures++;
  if (conn.client.closed) return;
  const tried = conn.tried ?? (conn.tried = []);
  tried.push(d.endpoint.key);
  if (tried.length < MAX_DIAL_ATTEMPTS) {
    const next = routeConnection(conn.frontend, conn.clientIP, tried);
    if (next !== null) {
      conn.dial = next;
      dialUpstream(conn);
      return;
    }
  }
  closeSide(conn.client, true);
}

/**
 * Called by Node for every read on a spliced socket. Returning a buffer makes it the socket's
 * read buffer from the next read on (Node's onread contract for user buffers).
 */
function onRead(this: UvTcp): Buffer | undefined {
  const side = (this as HandleWithSide)[SIDE];
  if (side === undefined) {
    // Not ours any more (closed): never let a stray read take the process down.
    this.readStop();
    return;
  }
  const n = streamState[READ_BYTES_OR_ERROR]!;
  if (n > 0) {
    const conn = side.conn;
    conn.dial.flow.bytes += n;
    if (side.fromClient) {
      conn.fe.bytesIn += n;
      conn.dial.stats.bytesIn += n;
    } else {
      conn.fe.bytesOut += n;
      conn.dial.stats.bytesOut += n;
    }
    const peer = side.peer!;
    if (peer.closed) return;
    const req = takeWriteRequest();
    req.handle = peer.handle;
    req[SIDE] = side;
    const err = peer.handle.writeBuffer(req, side.buf.subarray(0, n));
    if (err !== 0) {
      req[SIDE] = null;
      abort(conn);
      return;
    }
    if (streamState[LAST_WRITE_WAS_ASYNC] !== 0) {
      // libuv keeps this request (and our buffer) until the kernel took everything: stop reading.
      spareWrite = null;
      side.blocked = true;
      backpressureWaits++;
      this.readStop();
      return;
    }
    req[SIDE] = null;
    if (n === side.buf.length && n < BULK_BUFFER_SIZE) {
      // A full buffer: bulk data. The write is done, so the small buffer is free to go back.
      const bulk = takeBulkBuffer();
      giveBackReadBuffer(side.buf);
      side.buf = bulk;
      return bulk;
    }
    return;
  }
  if (n === 0) return;
  if (n === UV_EOF) {
    // libuv stops reading a side by itself at EOF. A side that reads is never blocked, and a
    // side that saw EOF has no write of ours pending: so once both have ended nothing is in
    // flight, and a plain close sends what the kernel still holds, then the FIN.
    side.eof = true;
    const peer = side.peer!;
    if (peer.eof) {
      closeSide(side, false);
      closeSide(peer, false);
    } else {
      shutdownPeer(side);
    }
    return;
  }
  // ECONNRESET and friends: the other side gets a reset too.
  abort(side.conn);
}

function afterWrite(this: WriteRequest, status: UvStatus): void {
  const side = this[SIDE];
  this[SIDE] = null;
  this.handle = null;
  if (!side || side.closed) return;
  if (status < 0) {
    abort(side.conn);
    return;
  }
  side.blocked = false;
  side.handle.readStart();
}

/**
 * `side` reached EOF: half-close its peer (a FIN once what we wrote there is flushed). Nothing
 * waits for the result (the request has no oncomplete, so Node does not call back): an error
 * shows on the peer's next read.
 */
function shutdownPeer(side: Side): void {
  const peer = side.peer!;
  if (peer.closed || peer.shutdownSent) return;
  peer.shutdownSent = true;
  const req = newShutdownRequest();
  req.handle = peer.handle;
  if (peer.handle.shutdown(req) !== 0) abort(side.conn);
}

function abort(conn: Connection): void {
  closeSide(conn.client, true);
  if (conn.upstream) closeSide(conn.upstream, true);
}

/**
 * Closes one side (with a RST when `reset`). libuv closes the socket at once, so nothing reads
 * into or writes from its buffers after this; no close callback is needed (none is asked for,
 * which spares a call into JavaScript per socket).
 */
function closeSide(side: Side, reset: boolean): void {
  if (side.closed) return;
  side.closed = true;
  const h = side.handle;
  (h as HandleWithSide)[SIDE] = undefined;
  // A reset is refused while a shutdown is pending (libuv), and Node then considers the handle
  // closing though it is not, so close() would do nothing: such a side gets a plain close.
  if (reset && !side.shutdownSent) h.reset();
  else h.close();
  const conn = side.conn;
  if (--conn.open > 0 || conn.finished) return;
  conn.finished = true;
  liveConnections--;
  conn.fe.connectionsActive--;
  if (conn.upstream) {
    conn.dial.stats.connectionsActive--;
    conn.dial.flow.connectionsActive--;
    giveBackReadBuffer(conn.client.buf);
    giveBackReadBuffer(conn.upstream.buf);
  }
}

/** Turns an accepted connection away at once: the client sees a reset. */
export function refuseConnection(client: UvTcp): void {
  client.reset();
}

// The net.Socket splice: the fallback data path, on Node's public socket API only, so it works on
// any Node whatever its internals. Same behaviour as the libuv splice (splice/forward.ts): bytes
// move both ways with backpressure (a side whose peer cannot take more is paused until it
// drains), half-close is forwarded (EOF on one side becomes a FIN on the other), a reset on one
// side resets the other, and a dial that fails is retried on another endpoint before the client
// is reset. Handlers are shared module-level functions (state lives on the socket), so a
// connection costs no closures.
import net from 'node:net';
import { routeConnection, type ActiveFrontend, type Dial } from '../../router.js';
import type { TrafficCounters } from '../../stats.js';
import { MAX_DIAL_ATTEMPTS } from '../transport.js';

const SIDE = Symbol('loopkube.proxy.side');

interface Side {
  socket: net.Socket;
  peer: Side | null;
  conn: Connection;
  fromClient: boolean;
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
  open: number;
  finished: boolean;
}

type Tagged = net.Socket & { [SIDE]?: Side };

let liveConnections = 0;
export function activeConnectionCount(): number {
  return liveConnections;
}

let backpressureWaits = 0;
export function backpressureWaitCount(): number {
  return backpressureWaits;
}

/** Takes over an accepted (paused) client socket whose destination was decided. */
export function forwardSocket(socket: net.Socket, frontend: ActiveFrontend, dial: Dial, clientIP: string): void {
  const fe = frontend.stats;
  fe.connectionsTotal++;
  fe.connectionsActive++;
  liveConnections++;
  const conn: Connection = { client: null as unknown as Side, upstream: null, frontend, fe, dial, clientIP, tried: null, open: 1, finished: false };
  const client: Side = { socket, peer: null, conn, fromClient: true, closed: false };
  conn.client = client;
  (socket as Tagged)[SIDE] = client;
  socket.on('error', onError);
  socket.on('close', onClose);
  dialUpstream(conn);
}

function dialUpstream(conn: Connection): void {
  const d = conn.dial;
  d.stats.connectionsActive++;
  d.flow.connectionsActive++;
  const up = net.connect({ host: d.endpoint.ip, port: d.endpoint.port, localAddress: d.localAddress, allowHalfOpen: true, noDelay: true });
  (up as Tagged)[SIDE] = { socket: up, peer: null, conn, fromClient: false, closed: false };
  up.once('connect', onConnect);
  up.once('error', onDialError);
}

function onDialError(this: Tagged): void {
  const conn = this[SIDE]!.conn;
  this[SIDE] = undefined;
  this.destroy();
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
  conn.client.socket.resetAndDestroy();
}

function onConnect(this: Tagged): void {
  const upstream = this[SIDE]!;
  const conn = upstream.conn;
  this.off('error', onDialError);
  if (conn.client.closed) {
    this[SIDE] = undefined;
    this.destroy();
    conn.dial.stats.connectionsActive--;
    conn.dial.flow.connectionsActive--;
    return;
  }
  conn.dial.stats.connectionsTotal++;
  conn.dial.flow.connectionsTotal++;
  conn.upstream = upstream;
  conn.open = 2;
  const client = conn.client;
  client.peer = upstream;
  upstream.peer = client;
  this.on('error', onError);
  this.on('close', onClose);
  for (const side of [client, upstream]) {
    const s = side.socket;
    s.on('data', onData);
    s.on('end', onEnd);
    s.on('drain', onDrain);
  }
  client.socket.resume();
}

function onData(this: Tagged, chunk: Buffer): void {
  const side = this[SIDE];
  if (side === undefined) return;
  const conn = side.conn;
  const n = chunk.length;
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
  if (!peer.socket.write(chunk)) {
    backpressureWaits++;
    this.pause();
  }
}

/** `this` took everything written to it: its peer may read again. */
function onDrain(this: Tagged): void {
  const peer = this[SIDE]?.peer;
  if (peer && !peer.closed) peer.socket.resume();
}

/** EOF from one side: a FIN to the other once what was written there is flushed. */
function onEnd(this: Tagged): void {
  const peer = this[SIDE]?.peer;
  if (peer && !peer.closed) peer.socket.end();
}

/** A reset (or any error) on one side resets the other. */
function onError(this: Tagged): void {
  const side = this[SIDE];
  if (side === undefined) return;
  const peer = side.peer;
  if (peer && !peer.closed) peer.socket.resetAndDestroy();
  if (!side.closed) this.destroy();
}

function onClose(this: Tagged): void {
  const side = this[SIDE];
  if (side === undefined || side.closed) return;
  side.closed = true;
  const conn = side.conn;
  // A client gone before its pod answered the dial: the dial's outcome finds it closed.
  if (--conn.open > 0 || conn.finished) return;
  conn.finished = true;
  liveConnections--;
  conn.fe.connectionsActive--;
  if (conn.upstream) {
    conn.dial.stats.connectionsActive--;
    conn.dial.flow.connectionsActive--;
  }
}

/** Turns an accepted connection away at once: the client sees a reset. */
export function refuseSocket(socket: net.Socket): void {
  socket.on('error', () => {});
  socket.resetAndDestroy();
}

// The proxy's data plane talks to libuv's TCP handles directly (Node's own `tcp_wrap` and
// `stream_wrap` bindings, the layer net.Socket is built on) instead of going through net.Socket.
//
// Why: a TCP proxy does nothing but move bytes between two sockets, and net.Socket's stream
// machinery (Duplex state, events, nextTicks, per-read Buffer allocation) is most of what it costs
// per connection. Measured here with wrk against HAProxy (tcp mode), a net.Socket proxy spent
// ~50 us of user CPU per new connection against HAProxy's ~10 us; on raw handles it spends ~15 us,
// and reads land in a per-connection buffer instead of a fresh allocation per read.
//
// This is the only file that knows these bindings. They are internal to Node, so their shape is
// checked once at start (`uvTcpProblem`): where it does not match (a future Node, or process.binding
// denied by the permission model) the proxy uses the net.Socket data plane instead and says why.
import { getSystemErrorName } from 'node:util';

/** Result of a connect / write / shutdown: 0 or a negative libuv error code. */
export type UvStatus = number;

export interface UvConnectRequest {
  oncomplete: (status: UvStatus, handle: UvTcp, req: UvConnectRequest, readable: boolean, writable: boolean) => void;
  address: string;
  port: number;
  [field: string]: unknown;
}

export interface UvWriteRequest {
  handle: UvTcp | null;
  oncomplete: (this: UvWriteRequest, status: UvStatus) => void;
  [field: string]: unknown;
}

export interface UvShutdownRequest {
  handle: UvTcp | null;
  /** Left unset, Node does not call back into JavaScript when the shutdown is done. */
  oncomplete?: (this: UvShutdownRequest, status: UvStatus) => void;
  [field: string]: unknown;
}

export interface UvAddress {
  address?: string;
  port?: number;
  family?: string;
}

/** A libuv TCP handle (listening or connected). Methods return 0 or a negative libuv error code. */
export interface UvTcp {
  bind(address: string, port: number): UvStatus;
  listen(backlog: number): UvStatus;
  connect(req: UvConnectRequest, address: string, port: number): UvStatus;
  readStart(): UvStatus;
  readStop(): UvStatus;
  writeBuffer(req: UvWriteRequest, data: Uint8Array): UvStatus;
  shutdown(req: UvShutdownRequest): UvStatus;
  /** Reads land in this buffer (at offset 0) instead of a fresh allocation per read. */
  useUserBuffer(buf: Uint8Array): void;
  setNoDelay(enable: boolean): UvStatus;
  getpeername(out: UvAddress): UvStatus;
  getsockname(out: UvAddress): UvStatus;
  /** Closes the socket at once; `callback` (optional: without it Node does not call back) once the handle is gone. */
  close(callback?: () => void): void;
  /** Closes with SO_LINGER 0: the peer gets a RST. */
  reset(callback?: () => void): UvStatus;
  ref(): void;
  unref(): void;
  /**
   * Called with `this` = the handle; the byte count (or error / EOF) is in `streamState`. Must be
   * a function (Node asserts it). With a user buffer, a buffer it returns replaces that buffer.
   */
  onread: (this: UvTcp, arrayBuffer: ArrayBuffer | undefined) => Uint8Array | undefined | void;
  onconnection: (this: UvTcp, status: UvStatus, client?: UvTcp) => void;
  [field: string]: unknown;
}

interface TcpWrapBinding {
  TCP: new (type: number) => UvTcp;
  TCPConnectWrap: new () => UvConnectRequest;
  constants: { SOCKET: number; SERVER: number };
}

interface StreamWrapBinding {
  WriteWrap: new () => UvWriteRequest;
  ShutdownWrap: new () => UvShutdownRequest;
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
  kBytesWritten: number;
}

type BindingLoader = (name: string) => unknown;

type Loaded = { tcp: TcpWrapBinding; stream: StreamWrapBinding; problem: null } | { tcp?: undefined; stream?: undefined; problem: string };

const TCP_METHODS = ['useUserBuffer', 'writeBuffer', 'readStart', 'readStop', 'shutdown', 'reset', 'bind', 'listen', 'connect', 'setNoDelay', 'getpeername'];

/** The bindings, or what about them is not as this file expects. */
function loadBindings(): Loaded {
  let tcp: TcpWrapBinding;
  let stream: StreamWrapBinding;
  try {
    const binding = (process as unknown as { binding?: BindingLoader }).binding;
    if (typeof binding !== 'function') return { problem: 'process.binding() is not available' };
    tcp = binding('tcp_wrap') as TcpWrapBinding;
    stream = binding('stream_wrap') as StreamWrapBinding;
  } catch (err) {
    return { problem: `process.binding('tcp_wrap' / 'stream_wrap') failed: ${(err as Error).message}` };
  }
  if (typeof tcp?.TCP !== 'function') return { problem: "tcp_wrap has no TCP constructor" };
  if (typeof tcp.TCPConnectWrap !== 'function') return { problem: 'tcp_wrap has no TCPConnectWrap constructor' };
  if (typeof tcp.constants?.SERVER !== 'number' || typeof tcp.constants?.SOCKET !== 'number') return { problem: 'tcp_wrap.constants has no SERVER/SOCKET' };
  if (typeof stream?.WriteWrap !== 'function' || typeof stream.ShutdownWrap !== 'function') return { problem: 'stream_wrap has no WriteWrap/ShutdownWrap' };
  if (!(stream.streamBaseState instanceof Int32Array)) return { problem: 'stream_wrap.streamBaseState is not an Int32Array' };
  if (typeof stream.kReadBytesOrError !== 'number' || typeof stream.kLastWriteWasAsync !== 'number') {
    return { problem: 'stream_wrap has no kReadBytesOrError/kLastWriteWasAsync' };
  }
  const proto = tcp.TCP.prototype as unknown as Record<string, unknown>;
  const missing = TCP_METHODS.filter((m) => typeof proto[m] !== 'function');
  if (missing.length) return { problem: `tcp_wrap.TCP lacks ${missing.join(', ')}` };
  return { tcp, stream, problem: null };
}

const bindings = loadBindings();

/** Why this Node's TCP bindings cannot carry the splice data plane, or null when they can. */
export function uvTcpProblem(): string | null {
  return bindings.problem;
}

/** False when this Node does not expose the TCP bindings the data plane needs. */
export function uvTcpAvailable(): boolean {
  return bindings.problem === null;
}

function required<T>(value: T | undefined): T {
  if (value === undefined) {
    throw new Error(`Node ${process.version} does not expose libuv's TCP bindings (tcp_wrap/stream_wrap) as loopkube's splice data plane expects (${bindings.problem}); use proxy.dataPlane: socket`);
  }
  return value;
}

const tcp = bindings.tcp;
const stream = bindings.stream;

/** Shared with libuv: after a read, [kReadBytesOrError]; after a write, [kLastWriteWasAsync]. */
export const streamState: Int32Array = stream?.streamBaseState ?? new Int32Array(8);
export const READ_BYTES_OR_ERROR: number = stream?.kReadBytesOrError ?? 0;
export const LAST_WRITE_WAS_ASYNC: number = stream?.kLastWriteWasAsync ?? 0;

/** libuv's UV_EOF. */
export const UV_EOF = -4095;

export function newServerHandle(): UvTcp {
  const t = required(tcp);
  return new t.TCP(t.constants.SERVER);
}

export function newSocketHandle(): UvTcp {
  const t = required(tcp);
  return new t.TCP(t.constants.SOCKET);
}

export function newConnectRequest(): UvConnectRequest {
  return new (required(tcp).TCPConnectWrap)();
}

export function newWriteRequest(): UvWriteRequest {
  return new (required(stream).WriteWrap)();
}

export function newShutdownRequest(): UvShutdownRequest {
  return new (required(stream).ShutdownWrap)();
}

/** `EADDRINUSE` for a libuv error code. */
export function errorName(status: UvStatus): string {
  try {
    return getSystemErrorName(status);
  } catch {
    return `E${-status}`;
  }
}

export type ListenResult = { ok: true; handle: UvTcp } | { ok: false; code: string; syscall: 'bind' | 'listen' };

/**
 * Binds and listens on address:port (SO_REUSEADDR, as libuv always sets it, so a restarted proxy
 * gets its ports back at once despite TIME_WAIT). libuv may report EADDRINUSE at listen() rather
 * than bind(): both are checked.
 */
export function listenTcp(address: string, port: number, backlog: number): ListenResult {
  const handle = newServerHandle();
  let err = handle.bind(address, port);
  if (err !== 0) {
    handle.close();
    return { ok: false, code: errorName(err), syscall: 'bind' };
  }
  err = handle.listen(backlog);
  if (err !== 0) {
    handle.close();
    return { ok: false, code: errorName(err), syscall: 'listen' };
  }
  return { ok: true, handle };
}

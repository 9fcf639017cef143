// How the load generator's connections reach the network, behind one small interface so the
// engine (runner.ts) does not care: libuv TCP handles driven directly (transport-uv.ts, the fast
// path: no net.Socket stream machinery per read and write, as the proxy's data plane does), or
// net.Socket (transport-net.ts), chosen automatically when this Node does not expose the TCP
// bindings the first needs, and selectable with LOOPKUBE_LOAD_TRANSPORT=net.
import { uvTcpAvailable } from '../../proxy/data-plane/splice/uv.js';
import { netTransport } from './transport-net.js';
import { uvTransport } from './transport-uv.js';

/** What a transport tells the engine about one connection `c` (the engine's own object). */
export interface LinkEvents<C> {
  /** The TCP connection is up. */
  connected(c: C): void;
  /** `buf[0, n)` was read; the buffer is shared and valid during the call only. */
  data(c: C, buf: Buffer, n: number): void;
  /** The peer closed its side (FIN). */
  ended(c: C): void;
  /** Connect or I/O failed: `code` is the errno name (ECONNREFUSED, ECONNRESET, ...). */
  failed(c: C, code: string): void;
}

export interface Link {
  /** Queues `data`; false when the socket is already gone (a failure follows or came already). */
  write(data: Buffer): boolean;
  /** Closes at once; no event comes for this link afterwards. */
  close(): void;
}

export interface Transport<C> {
  readonly name: 'uv' | 'net';
  /** Dials host:port (from `localAddress` when given); events for `c` follow, never synchronously. */
  open(c: C, host: string, port: number, localAddress: string | undefined): Link;
}

export type TransportName = 'uv' | 'net';

/** The transport to use: `wanted` if given and available, else libuv handles where Node has them. */
export function pickTransport<C>(events: LinkEvents<C>, wanted?: TransportName): Transport<C> {
  const name = wanted ?? (process.env.LOOPKUBE_LOAD_TRANSPORT === 'net' ? 'net' : 'uv');
  if (name === 'uv' && uvTcpAvailable()) return uvTransport(events);
  return netTransport(events);
}

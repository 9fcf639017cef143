// Connections on libuv TCP handles (Node's tcp_wrap, see proxy/uv.ts): every read of every
// connection lands in one shared buffer and is handed to the engine at once; writes that the
// kernel takes whole (all of them, for a request of a few hundred bytes) reuse one write request.
import {
  LAST_WRITE_WAS_ASYNC,
  READ_BYTES_OR_ERROR,
  UV_EOF,
  errorName,
  newConnectRequest,
  newSocketHandle,
  newWriteRequest,
  streamState,
  type UvConnectRequest,
  type UvStatus,
  type UvTcp,
  type UvWriteRequest,
} from '../../proxy/data-plane/splice/uv.js';
import type { Link, LinkEvents, Transport } from './transport.js';

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);
const LINK = Symbol('link');

interface UvLink<C> extends Link {
  handle: UvTcp;
  c: C;
  closed: boolean;
}

type Tagged<C> = { [LINK]?: UvLink<C> | undefined };

export function uvTransport<C>(events: LinkEvents<C>): Transport<C> {
  /** A write request the kernel finished with synchronously, ready for the next write. */
  let spare: UvWriteRequest | null = null;

  function afterWrite(this: UvWriteRequest, status: UvStatus): void {
    const link = (this as Tagged<C>)[LINK];
    (this as Tagged<C>)[LINK] = undefined;
    this.handle = null;
    if (link && !link.closed && status < 0) fail(link, status);
  }

  function fail(link: UvLink<C>, status: UvStatus): void {
    if (link.closed) return;
    link.close();
    events.failed(link.c, errorName(status));
  }

  function onRead(this: UvTcp): void {
    const link = (this as Tagged<C>)[LINK];
    if (link === undefined || link.closed) {
      this.readStop();
      return;
    }
    const n = streamState[READ_BYTES_OR_ERROR]!;
    if (n > 0) events.data(link.c, READ_BUFFER, n);
    else if (n === UV_EOF) {
      link.close();
      events.ended(link.c);
    } else if (n < 0) fail(link, n);
  }

  function afterConnect(status: UvStatus, handle: UvTcp, req: UvConnectRequest): void {
    const link = (req as Tagged<C>)[LINK];
    (req as Tagged<C>)[LINK] = undefined;
    if (!link || link.closed) return;
    if (status !== 0) return fail(link, status);
    handle.setNoDelay(true);
    handle.useUserBuffer(READ_BUFFER);
    handle.onread = onRead;
    const err = handle.readStart();
    if (err !== 0) return fail(link, err);
    events.connected(link.c);
  }

  function write(this: UvLink<C>, data: Buffer): boolean {
    if (this.closed) return false;
    const req = spare ?? newWriteRequest();
    spare = null;
    req.handle = this.handle;
    req.oncomplete = afterWrite;
    (req as Tagged<C>)[LINK] = this;
    const err = this.handle.writeBuffer(req, data);
    if (err !== 0) {
      (req as Tagged<C>)[LINK] = undefined;
      req.handle = null;
      spare = req;
      // Reported from the event loop, as every other failure is.
      setImmediate(fail, this, err);
      return false;
    }
    if (streamState[LAST_WRITE_WAS_ASYNC] === 0) {
      (req as Tagged<C>)[LINK] = undefined;
      req.handle = null;
      spare = req;
    }
    return true;
  }

  function close(this: UvLink<C>): void {
    if (this.closed) return;
    this.closed = true;
    (this.handle as Tagged<C>)[LINK] = undefined;
    this.handle.close();
  }

  return {
    name: 'uv',
    open(c, host, port, localAddress) {
      const handle = newSocketHandle();
      const link: UvLink<C> = { handle, c, closed: false, write, close };
      (handle as Tagged<C>)[LINK] = link;
      let err = localAddress ? handle.bind(localAddress, 0) : 0;
      if (err === 0) {
        const req = newConnectRequest();
        req.oncomplete = afterConnect;
        (req as Tagged<C>)[LINK] = link;
        err = handle.connect(req, host, port);
      }
      if (err !== 0) setImmediate(fail, link, err);
      return link;
    },
  };
}

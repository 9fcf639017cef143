// Connections on net.Socket: the portable path, used where Node does not expose the libuv
// bindings transport-uv.ts needs. Reads land in one shared buffer (net's `onread` option).
import net from 'node:net';
import type { Link, LinkEvents, Transport } from './transport.js';

const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

export function netTransport<C>(events: LinkEvents<C>): Transport<C> {
  return {
    name: 'net',
    open(c, host, port, localAddress) {
      let closed = false;
      const socket = net.connect({
        host,
        port,
        ...(localAddress ? { localAddress } : {}),
        noDelay: true,
        onread: {
          buffer: READ_BUFFER,
          callback: (n: number, buf: Uint8Array): boolean => {
            if (!closed) events.data(c, buf as Buffer, n);
            return true;
          },
        },
      });
      const link: Link = {
        write(data) {
          if (closed || socket.destroyed) return false;
          socket.write(data);
          return true;
        },
        close() {
          if (closed) return;
          closed = true;
          socket.destroy();
        },
      };
      socket.on('connect', () => {
        if (!closed) events.connected(c);
      });
      socket.on('error', (err: NodeJS.ErrnoException) => {
        if (closed) return;
        link.close();
        events.failed(c, err.code ?? 'EIO');
      });
      socket.on('end', () => {
        if (closed) return;
        link.close();
        events.ended(c);
      });
      socket.on('close', () => {
        if (closed) return;
        link.close();
        events.ended(c);
      });
      return link;
    },
  };
}

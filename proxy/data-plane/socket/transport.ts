// The socket transport: net.Server listeners (paused on connect, so nothing is read before the
// pod is dialled) whose connections forward.ts splices over net.Socket. Binding is asynchronous:
// the outcome of a listen arrives with the 'listening' or 'error' event.
import net from 'node:net';
import { routeConnection } from '../../router.js';
import { LISTEN_BACKLOG, type ListenerSlot, type NativeHandle, type Transport } from '../transport.js';
import { activeConnectionCount, backpressureWaitCount, forwardSocket, refuseSocket } from './forward.js';

const SLOT = Symbol('loopkube.proxy.listener');
type Server = net.Server & { [SLOT]?: ListenerSlot };

/**
 * The server's libuv handle, to pass to the supervisor. Node's handle passing of a net.Server
 * would make the receiver listen and accept on it ('net.Server'); the raw handle ('net.Native')
 * is held as it is. Opaque here: nothing of the tcp_wrap binding's shape is used.
 */
const nativeOf = (server: net.Server): NativeHandle | null => (server as unknown as { _handle: NativeHandle | null })._handle ?? null;

function onConnection(this: Server, socket: net.Socket): void {
  const slot = this[SLOT];
  if (slot === undefined) {
    refuseSocket(socket);
    return;
  }
  const fe = slot.active;
  // Always read: routing may depend on it (fe.needsClientIP), and the flow counters behind the
  // service map record who the client was.
  const clientIP = socket.remoteAddress ?? '';
  const dial = routeConnection(fe, clientIP, null);
  if (dial === null) {
    fe.stats.refused++;
    refuseSocket(socket);
    return;
  }
  forwardSocket(socket, fe, dial, clientIP);
}

export const socketTransport: Transport = {
  name: 'socket',
  listen(address, port, slot, outcome, inherited) {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }) as Server;
    server[SLOT] = slot;
    server.on('connection', onConnection);
    server.once('listening', () => {
      const native = nativeOf(server);
      if (native) outcome.listening(native);
    });
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (server[SLOT] === undefined) return;
      server[SLOT] = undefined;
      outcome.failed(err.code ?? 'EUNKNOWN', err.syscall === 'bind' ? 'bind' : 'listen');
    });
    // net.Server.listen(handle): an object whose _handle is a listening socket another process held
    if (inherited) server.listen({ _handle: inherited }, LISTEN_BACKLOG);
    else server.listen({ host: address, port, backlog: LISTEN_BACKLOG, exclusive: true });
    return {
      close() {
        server[SLOT] = undefined;
        server.close();
      },
      detach() {
        server[SLOT] = undefined;
      },
      reattach(next) {
        server[SLOT] = next;
      },
      native: () => nativeOf(server),
    };
  },
  activeConnections: activeConnectionCount,
  backpressureWaits: backpressureWaitCount,
};

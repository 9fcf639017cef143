// The socket transport: net.Server listeners (paused on connect, so nothing is read before the
// pod is dialled) whose connections forward.ts splices over net.Socket. Binding is asynchronous:
// the outcome of a listen arrives with the 'listening' or 'error' event.
import net from 'node:net';
import { routeConnection } from '../../router.js';
import { LISTEN_BACKLOG, type ListenerSlot, type Transport } from '../transport.js';
import { activeConnectionCount, backpressureWaitCount, forwardSocket, refuseSocket } from './forward.js';

const SLOT = Symbol('loopkube.proxy.listener');
type Server = net.Server & { [SLOT]?: ListenerSlot };

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
  listen(address, port, slot, outcome) {
    const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }) as Server;
    server[SLOT] = slot;
    server.on('connection', onConnection);
    server.once('listening', () => outcome.listening());
    server.on('error', (err: NodeJS.ErrnoException) => {
      if (server[SLOT] === undefined) return;
      server[SLOT] = undefined;
      outcome.failed(err.code ?? 'EUNKNOWN', err.syscall === 'bind' ? 'bind' : 'listen');
    });
    server.listen({ host: address, port, backlog: LISTEN_BACKLOG, exclusive: true });
    return {
      close() {
        server[SLOT] = undefined;
        server.close();
      },
    };
  },
  activeConnections: activeConnectionCount,
  backpressureWaits: backpressureWaitCount,
};

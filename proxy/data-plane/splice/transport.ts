// The splice transport: listeners on raw libuv TCP handles (uv.ts) whose accepted connections
// are spliced to their pod by forward.ts. Binding is synchronous, so the outcome of a listen is
// known at once.
import { routeConnection } from '../../router.js';
import { LISTEN_BACKLOG, type ListenerSlot, type Transport } from '../transport.js';
import { activeConnectionCount, backpressureWaitCount, forwardConnection, refuseConnection } from './forward.js';
import { errorName, listenTcp, type ListenResult, type UvAddress, type UvStatus, type UvTcp } from './uv.js';

const SLOT = Symbol('loopkube.proxy.listener');
type ServerHandle = UvTcp & { [SLOT]?: ListenerSlot };

const peer: UvAddress = {};

function onConnection(this: ServerHandle, status: UvStatus, client?: UvTcp): void {
  if (status !== 0 || client === undefined) return;
  const slot = this[SLOT];
  if (slot === undefined) {
    refuseConnection(client);
    return;
  }
  const fe = slot.active;
  // Always asked (one getpeername): routing may depend on it (fe.needsClientIP), and the flow
  // counters behind the service map record who the client was.
  client.getpeername(peer);
  const clientIP = peer.address ?? '';
  const dial = routeConnection(fe, clientIP, null);
  if (dial === null) {
    fe.stats.refused++;
    refuseConnection(client);
    return;
  }
  forwardConnection(client, fe, dial, clientIP);
}

/** A socket another process listened on (listen again: it takes our backlog and callback). */
function listenInherited(handle: UvTcp): ListenResult {
  const err = handle.listen(LISTEN_BACKLOG);
  if (err === 0) return { ok: true, handle };
  handle.close();
  return { ok: false, code: errorName(err), syscall: 'listen' };
}

export const spliceTransport: Transport = {
  name: 'splice',
  listen(address, port, slot, outcome, inherited) {
    const r = inherited ? listenInherited(inherited as unknown as UvTcp) : listenTcp(address, port, LISTEN_BACKLOG);
    if (!r.ok) {
      outcome.failed(r.code, r.syscall);
      return null;
    }
    const handle = r.handle as ServerHandle;
    // Accepted sockets inherit TCP_NODELAY from the listener (Linux): one syscall per listener
    // instead of one per connection.
    handle.setNoDelay(true);
    handle[SLOT] = slot;
    handle.onconnection = onConnection;
    outcome.listening(handle);
    return {
      close() {
        handle[SLOT] = undefined;
        handle.close();
      },
      detach() {
        handle[SLOT] = undefined;
      },
      reattach(next) {
        handle[SLOT] = next;
      },
      native: () => handle,
    };
  },
  activeConnections: activeConnectionCount,
  backpressureWaits: backpressureWaitCount,
};

// Listeners reconciled against the compiled snapshot: open what is new, close what is gone, and
// for the rest only swap the frontend they consult (an open socket is never re-bound, so a
// snapshot swap costs established and arriving connections nothing). Closing a listener frees its
// port at once; connections it accepted earlier keep running.
import { forwardConnection, refuseConnection } from './forward.js';
import { closeListener, openListener } from './held-listeners.js';
import { routeConnection, type ActiveFrontend } from './router.js';
import type { UvAddress, UvStatus, UvTcp } from './uv.js';

/** Pending connections the kernel queues per listener before accept. */
export const LISTEN_BACKLOG = 1024;

export interface BindFailure {
  /** `ip:port`. */
  key: string;
  code: string;
  syscall: 'bind' | 'listen';
  frontend: ActiveFrontend;
}

export interface ListenerSet {
  /** Makes the open listeners match `desired` (listener address -> frontend). Returns new bind failures. */
  reconcile(desired: ReadonlyMap<string, ActiveFrontend>): BindFailure[];
  /** Addresses that are listening now. */
  listening(): string[];
  /** Addresses that wanted a listener but could not bind (retried on every reconcile). */
  failed(): ReadonlyMap<string, BindFailure>;
  closeAll(): void;
}

interface Listener {
  key: string;
  handle: UvTcp;
  /** Swapped on every reconcile; read on every accept. */
  active: ActiveFrontend;
}

const LISTENER = Symbol('loopkube.proxy.listener');
type ServerHandle = UvTcp & { [LISTENER]?: Listener };

const peer: UvAddress = {};

function onConnection(this: ServerHandle, status: UvStatus, client?: UvTcp): void {
  if (status !== 0 || client === undefined) return;
  const listener = this[LISTENER];
  if (listener === undefined) {
    refuseConnection(client);
    return;
  }
  const fe = listener.active;
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

function splitKey(key: string): { address: string; port: number } {
  const i = key.lastIndexOf(':');
  return { address: key.slice(0, i), port: Number(key.slice(i + 1)) };
}

export function createListenerSet(): ListenerSet {
  const open = new Map<string, Listener>();
  const failures = new Map<string, BindFailure>();

  return {
    reconcile(desired) {
      for (const [key, l] of open) {
        if (desired.has(key)) continue;
        (l.handle as ServerHandle)[LISTENER] = undefined;
        closeListener(key, l.handle);
        open.delete(key);
      }
      for (const key of failures.keys()) if (!desired.has(key)) failures.delete(key);

      const fresh: BindFailure[] = [];
      for (const [key, active] of desired) {
        const l = open.get(key);
        if (l) {
          l.active = active;
          continue;
        }
        const { address, port } = splitKey(key);
        const r = openListener(key, address, port, LISTEN_BACKLOG);
        if (!r.ok) {
          const before = failures.get(key);
          const failure: BindFailure = { key, code: r.code, syscall: r.syscall, frontend: active };
          failures.set(key, failure);
          if (!before || before.code !== r.code || before.frontend.frontend.service.uid !== active.frontend.service.uid) fresh.push(failure);
          continue;
        }
        failures.delete(key);
        const handle = r.handle as ServerHandle;
        // Accepted sockets inherit TCP_NODELAY from the listener (Linux): one syscall per
        // listener instead of one per connection.
        handle.setNoDelay(true);
        const listener: Listener = { key, handle, active };
        handle[LISTENER] = listener;
        handle.onconnection = onConnection;
        open.set(key, listener);
      }
      return fresh;
    },
    listening: () => [...open.keys()],
    failed: () => failures,
    closeAll() {
      for (const l of open.values()) {
        (l.handle as ServerHandle)[LISTENER] = undefined;
        closeListener(l.key, l.handle, true);
      }
      open.clear();
      failures.clear();
    },
  };
}

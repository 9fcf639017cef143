// Listeners reconciled against the compiled snapshot: open what is new, close what is gone, and
// for the rest only swap the frontend they consult (an open socket is never re-bound, so a
// snapshot swap costs established and arriving connections nothing). Closing a listener frees its
// port at once; connections it accepted earlier keep running. Shared by both userspace planes;
// the transport does the socket work.
import type { ActiveFrontend } from '../router.js';
import type { ServeFailure } from './types.js';
import type { ListenerSlot, OpenListener, Transport } from './transport.js';

export interface ListenerSet {
  /** Makes the open listeners match `desired` (listener address -> frontend). */
  reconcile(desired: ReadonlyMap<string, ActiveFrontend>): void;
  /** Addresses listening now (bound; a transport that binds asynchronously adds them once bound). */
  listening(): string[];
  /** Addresses that wanted a listener but could not bind (retried on every reconcile). */
  failed(): ReadonlyMap<string, ServeFailure>;
  closeAll(): void;
}

interface Listener extends ListenerSlot {
  handle: OpenListener | null;
  bound: boolean;
}

function splitKey(key: string): { address: string; port: number } {
  const i = key.lastIndexOf(':');
  return { address: key.slice(0, i), port: Number(key.slice(i + 1)) };
}

/** `onFailure` hears of each new failure once (again only when its cause or its service changes). */
export function createListenerSet(transport: Transport, onFailure: (f: ServeFailure) => void = () => {}): ListenerSet {
  const open = new Map<string, Listener>();
  const failures = new Map<string, ServeFailure>();

  const failed = (key: string, listener: Listener, code: string, syscall: string): void => {
    if (open.get(key) !== listener) return;
    open.delete(key);
    const fe = listener.active.frontend;
    const before = failures.get(key);
    const failure: ServeFailure = { key, code, syscall, service: fe.service, kind: fe.kind, node: fe.node };
    failures.set(key, failure);
    if (!before || before.code !== code || before.service.uid !== fe.service.uid) onFailure(failure);
  };

  return {
    reconcile(desired) {
      for (const [key, l] of open) {
        if (desired.has(key)) continue;
        open.delete(key);
        l.handle?.close();
      }
      for (const key of failures.keys()) if (!desired.has(key)) failures.delete(key);

      for (const [key, active] of desired) {
        const l = open.get(key);
        if (l) {
          l.active = active;
          continue;
        }
        const { address, port } = splitKey(key);
        const listener: Listener = { active, handle: null, bound: false };
        open.set(key, listener);
        listener.handle = transport.listen(address, port, listener, {
          listening: () => {
            listener.bound = true;
            if (open.get(key) === listener) failures.delete(key);
          },
          failed: (code, syscall) => failed(key, listener, code, syscall),
        });
      }
    },
    listening: () => [...open].filter(([, l]) => l.bound).map(([k]) => k),
    failed: () => failures,
    closeAll() {
      for (const l of open.values()) l.handle?.close();
      open.clear();
      failures.clear();
    },
  };
}

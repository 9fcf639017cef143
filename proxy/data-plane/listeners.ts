// Listeners reconciled against the compiled snapshot: open what is new, close what is gone, and
// for the rest only swap the frontend they consult (an open socket is never re-bound, so a
// snapshot swap costs established and arriving connections nothing). Closing a listener frees its
// port at once; connections it accepted earlier keep running. Shared by both userspace planes;
// the transport does the socket work.
import type { ActiveFrontend } from '../router.js';
import type { ServeFailure } from './types.js';
import type { ListenerSlot, OpenListener, Transport } from './transport.js';

export interface ListenerSet {
  /**
   * Makes the open listeners match `desired` (listener address -> frontend). With `changed`, only
   * those addresses (and the ones that failed to bind) are looked at: the rest is as it was.
   */
  reconcile(desired: ReadonlyMap<string, ActiveFrontend>, changed?: ReadonlySet<string> | null): void;
  /** Addresses listening now (bound; a transport that binds asynchronously adds them once bound). */
  listening(): string[];
  listeningCount(): number;
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
    reconcile(desired, changed) {
      const ensure = (key: string, active: ActiveFrontend): void => {
        const l = open.get(key);
        if (l) {
          l.active = active;
          return;
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
      };
      const drop = (key: string): void => {
        const l = open.get(key);
        if (l) {
          open.delete(key);
          l.handle?.close();
        }
        failures.delete(key);
      };

      if (changed) {
        for (const key of [...changed, ...failures.keys()]) {
          const active = desired.get(key);
          if (active) ensure(key, active);
          else drop(key);
        }
        return;
      }
      for (const key of [...open.keys(), ...failures.keys()]) if (!desired.has(key)) drop(key);
      for (const [key, active] of desired) ensure(key, active);
    },
    listening: () => [...open].filter(([, l]) => l.bound).map(([k]) => k),
    listeningCount: () => {
      let n = 0;
      for (const l of open.values()) if (l.bound) n++;
      return n;
    },
    failed: () => failures,
    closeAll() {
      for (const l of open.values()) l.handle?.close(true);
      open.clear();
      failures.clear();
    },
  };
}

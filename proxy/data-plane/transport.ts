// How a userspace data plane takes connections in and moves their bytes: the one thing the
// splice and socket planes do differently. Everything around it (listeners reconciled against
// the snapshot, routing, balancing, counters) is shared.
import type { PassedHandle } from '../../src/supervisor/socket-keeper.js';
import type { ActiveFrontend } from '../router.js';

/** A listening socket's libuv handle, as Node passes it to another process (held-listeners.ts). */
export type NativeHandle = PassedHandle;

/** What a listener consults on each accept; the listener set swaps `active` on every snapshot. */
export interface ListenerSlot {
  active: ActiveFrontend;
}

export interface OpenListener {
  /**
   * Stops accepting at once and frees the port; connections accepted earlier keep running.
   * `final`: the proxy is stopping (held-listeners.ts closes at once rather than once the
   * supervisor dropped its copy).
   */
  close(final?: boolean): void;
  /** Keeps the socket listening but refuses every connection (until reattach or close). */
  detach(): void;
  /** Routes by `slot` again (a detached listener wanted back). */
  reattach(slot: ListenerSlot): void;
  /** The listening socket's handle, to pass to the supervisor; null before it listens. */
  native(): NativeHandle | null;
}

export interface ListenOutcome {
  /** Bound and listening, on this handle. */
  listening(native: NativeHandle): void;
  /** Could not bind or listen; the listener is gone. */
  failed(code: string, syscall: 'bind' | 'listen'): void;
}

export interface Transport {
  readonly name: 'splice' | 'socket';
  /**
   * Listens on address:port and forwards every accepted connection as `slot.active` routes it.
   * The outcome is reported through `outcome`, at once or later; null when it failed at once.
   * With `inherited` (a listening socket the supervisor held for address:port), it listens on
   * that one instead of binding.
   */
  listen(address: string, port: number, slot: ListenerSlot, outcome: ListenOutcome, inherited?: NativeHandle): OpenListener | null;
  activeConnections(): number;
  backpressureWaits(): number;
}

/** Pending connections the kernel queues per listener before accept. */
export const LISTEN_BACKLOG = 1024;

/** Endpoints tried for one connection before the client is told no (kube-proxy's userspace mode retried too). */
export const MAX_DIAL_ATTEMPTS = 3;

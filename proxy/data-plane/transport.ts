// How a userspace data plane takes connections in and moves their bytes: the one thing the
// splice and socket planes do differently. Everything around it (listeners reconciled against
// the snapshot, routing, balancing, counters) is shared.
import type { ActiveFrontend } from '../router.js';

/** What a listener consults on each accept; the listener set swaps `active` on every snapshot. */
export interface ListenerSlot {
  active: ActiveFrontend;
}

export interface OpenListener {
  /** Stops accepting at once and frees the port; connections accepted earlier keep running. */
  close(): void;
}

export interface ListenOutcome {
  /** Bound and listening. */
  listening(): void;
  /** Could not bind or listen; the listener is gone. */
  failed(code: string, syscall: 'bind' | 'listen'): void;
}

export interface Transport {
  readonly name: 'splice' | 'socket';
  /**
   * Listens on address:port and forwards every accepted connection as `slot.active` routes it.
   * The outcome is reported through `outcome`, at once or later; null when it failed at once.
   */
  listen(address: string, port: number, slot: ListenerSlot, outcome: ListenOutcome): OpenListener | null;
  activeConnections(): number;
  backpressureWaits(): number;
}

/** Pending connections the kernel queues per listener before accept. */
export const LISTEN_BACKLOG = 1024;

/** Endpoints tried for one connection before the client is told no (kube-proxy's userspace mode retried too). */
export const MAX_DIAL_ATTEMPTS = 3;

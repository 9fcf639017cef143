// A userspace data plane: the router compiles each snapshot into the frontends listeners consult
// (with the balancing state and counters that outlive a swap), and the listener set, over a
// transport, opens and closes sockets to match.
import type { BalancingMode } from '../../src/cluster/config.js';
import { createRouter } from '../router.js';
import type { StatsRegistry } from '../stats.js';
import { createListenerSet } from './listeners.js';
import type { Transport } from './transport.js';
import type { DataPlane, DataPlaneHooks } from './types.js';

export function createUserspacePlane(transport: Transport, opts: { mode: BalancingMode; stats: StatsRegistry; hooks?: DataPlaneHooks }): DataPlane {
  const router = createRouter(opts.mode, opts.stats);
  const listeners = createListenerSet(transport, opts.hooks?.onFailure);
  return {
    name: transport.name,
    apply(snapshot) {
      const compiled = router.compile(snapshot);
      listeners.reconcile(compiled, router.changed());
    },
    servingCount: () => listeners.listeningCount(),
    failed: () => listeners.failed(),
    activeConnections: () => transport.activeConnections(),
    backpressureWaits: () => transport.backpressureWaits(),
    sweep: (nowMs) => router.sweep(nowMs),
    async close() {
      listeners.closeAll();
    },
  };
}

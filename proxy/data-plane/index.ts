// Picks and builds the data plane a proxy runs: the one the cluster asks for (proxy.dataPlane),
// except that the splice plane falls back to the socket plane, with one log line saying why,
// where this Node's internal TCP bindings are not as splice/uv.ts expects (a Node upgrade must
// not leave a cluster without a proxy).
import type { BalancingMode, ClusterConfig } from '../../src/cluster/config.js';
import { nftablesTableName } from '../../src/cluster/nftables.js';
import type { Logger } from '../../src/log.js';
import type { StatsRegistry } from '../stats.js';
import { holdListeners } from './held-listeners.js';
import { createNftablesPlane } from './nftables/plane.js';
import { socketTransport } from './socket/transport.js';
import { spliceTransport } from './splice/transport.js';
import { uvTcpProblem } from './splice/uv.js';
import type { DataPlane, DataPlaneHooks, DataPlaneName } from './types.js';
import { createUserspacePlane } from './userspace.js';

export type { DataPlane, DataPlaneHooks, DataPlaneName, ServeFailure } from './types.js';
export { DATA_PLANES, DEFAULT_DATA_PLANE } from './types.js';

/** The plane to run for `requested` on this Node (logs once when it is not the one asked for). */
export function chooseDataPlane(requested: DataPlaneName, logger: Logger): DataPlaneName {
  if (requested !== 'splice') return requested;
  const problem = uvTcpProblem();
  if (problem === null) return 'splice';
  logger.warn(
    { requested, using: 'socket', node: process.version, reason: problem },
    `this Node's internal TCP bindings are not as the splice data plane expects (${problem}); using the net.Socket data plane instead (same behaviour, more CPU per connection)`,
  );
  return 'socket';
}

export interface DataPlaneOptions {
  mode: BalancingMode;
  stats: StatsRegistry;
  hooks: DataPlaneHooks;
  logger: Logger;
  /** The cluster (its nftables table is named for it). */
  cluster: Pick<ClusterConfig, 'name' | 'home'>;
}

/** Whether the plane listens on sockets (the userspace ones), which the supervisor can hold across a restart. */
export const listensOnSockets = (name: DataPlaneName): boolean => name !== 'nftables';

/** The userspace planes' listeners are held by the supervisor when one keeps them (held-listeners.ts). */
export function createDataPlane(name: DataPlaneName, opts: DataPlaneOptions): DataPlane {
  switch (name) {
    case 'splice':
      return createUserspacePlane(holdListeners(spliceTransport), opts);
    case 'socket':
      return createUserspacePlane(holdListeners(socketTransport), opts);
    case 'nftables':
      return createNftablesPlane({
        table: nftablesTableName(opts.cluster),
        comment: `loopkube cluster ${opts.cluster.name} (${opts.cluster.home}): its Services; removed by loopkube down`,
        mode: opts.mode,
        stats: opts.stats,
        logger: opts.logger,
      });
  }
}

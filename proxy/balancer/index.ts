// The balancing mode of the cluster (cluster.json proxy.mode) -> a balancer per frontend.
import type { BalancingMode } from '../../src/cluster/config.js';
import { createLeastConnections } from './least-connections.js';
import { createRandom } from './random.js';
import { createRoundRobin } from './round-robin.js';
import type { Balancer, EndpointLoad } from './types.js';

export type { Balancer, EndpointLoad } from './types.js';
export { createAffinityTable, type AffinityTable } from './affinity.js';

export function createBalancer(mode: BalancingMode, load: EndpointLoad): Balancer {
  switch (mode) {
    case 'random':
      return createRandom();
    case 'least-connections':
      return createLeastConnections(load);
    case 'round-robin':
    default:
      return createRoundRobin();
  }
}

// The registry an API server writes through: admission over the store, and the shared ranges
// (ClusterIPs and NodePorts) reserved in the store, so that several API servers on it never hand
// out one value twice (upstream's RangeAllocation objects; the caller runs their repair pass).
import { createAdmission } from '../admission/index.js';
import { storeKey, storePrefix } from '../api/resources.js';
import type { Service } from '../api/types.js';
import { createRangeReservations, type RangeReservations } from '../apiserver/range-reservations.js';
import { createRegistry, type Registry } from '../apiserver/registry.js';
import type { NodePortRange } from '../kinds/service/node-port-allocator.js';
import { serviceClusterIPRange, serviceNodePortRange, type SharedRange } from '../kinds/service/shared-ranges.js';
import type { Logger } from '../log.js';
import type { Store } from '../store/store.js';

export interface ApiRegistry {
  registry: Registry;
  reservations: RangeReservations;
  ranges: SharedRange[];
  /** Every stored Service (what holds values in the ranges). */
  listServices(): Promise<Service[]>;
}

export function createApiRegistry(opts: { store: Store; serviceCIDR: string; nodePortRange: NodePortRange; logger: Logger }): ApiRegistry {
  const { store, logger } = opts;
  const ranges = [serviceClusterIPRange(opts.serviceCIDR), serviceNodePortRange(opts.nodePortRange)];
  const listServices = async (): Promise<Service[]> => (await store.list('/registry/services/')).items as Service[];
  const reservations = createRangeReservations(store, ranges, logger.child({ part: 'ranges' }));
  const admission = createAdmission({
    serviceCIDR: opts.serviceCIDR,
    nodePortRange: opts.nodePortRange,
    listServices,
    rangeValues: (key) => reservations.values(key),
    getObject: (info, namespace, name) => store.get(storeKey(info, namespace, name)),
    listObjects: async (info, namespace) => (await store.list(storePrefix(info, namespace))).items,
  });
  const registry = createRegistry({ store, admission, reservations, logger: logger.child({ part: 'registry' }) });
  return { registry, reservations, ranges, listServices };
}

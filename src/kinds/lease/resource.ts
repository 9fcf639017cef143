import { describeResource } from '../../api/resources.js';

export const LEASES = describeResource({
  resource: 'leases', singular: 'lease', kind: 'Lease', group: 'coordination.k8s.io', version: 'v1', namespaced: true,
});

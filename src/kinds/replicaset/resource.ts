import { describeResource } from '../../api/resources.js';

export const REPLICA_SETS = describeResource({
  resource: 'replicasets', singular: 'replicaset', kind: 'ReplicaSet', group: 'apps', version: 'v1', namespaced: true,
  shortNames: ['rs'], categories: ['all'], subresources: ['status', 'scale'],
});

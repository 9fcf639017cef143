import { describeResource } from '../../api/resources.js';

export const REPLICATION_CONTROLLERS = describeResource({
  resource: 'replicationcontrollers', singular: 'replicationcontroller', kind: 'ReplicationController', group: '', version: 'v1',
  namespaced: true, shortNames: ['rc'], categories: ['all'], subresources: ['status', 'scale'],
});

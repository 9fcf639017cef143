import { describeResource } from '../../api/resources.js';

export const PERSISTENT_VOLUMES = describeResource({
  resource: 'persistentvolumes', singular: 'persistentvolume', kind: 'PersistentVolume', group: '', version: 'v1', namespaced: false,
  shortNames: ['pv'], subresources: ['status'],
});

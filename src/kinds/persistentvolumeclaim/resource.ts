import { describeResource } from '../../api/resources.js';

export const PERSISTENT_VOLUME_CLAIMS = describeResource({
  resource: 'persistentvolumeclaims', singular: 'persistentvolumeclaim', kind: 'PersistentVolumeClaim', group: '', version: 'v1', namespaced: true,
  shortNames: ['pvc'], subresources: ['status'],
});

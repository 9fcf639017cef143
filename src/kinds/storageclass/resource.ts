import { describeResource } from '../../api/resources.js';

export const STORAGE_CLASSES = describeResource({
  resource: 'storageclasses', singular: 'storageclass', kind: 'StorageClass', group: 'storage.k8s.io', version: 'v1', namespaced: false,
  shortNames: ['sc'],
});

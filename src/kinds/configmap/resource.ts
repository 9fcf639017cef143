import { describeResource } from '../../api/resources.js';

export const CONFIG_MAPS = describeResource({
  resource: 'configmaps', singular: 'configmap', kind: 'ConfigMap', group: '', version: 'v1', namespaced: true, shortNames: ['cm'],
});

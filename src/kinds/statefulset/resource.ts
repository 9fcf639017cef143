import { describeResource } from '../../api/resources.js';

export const STATEFUL_SETS = describeResource({
  resource: 'statefulsets', singular: 'statefulset', kind: 'StatefulSet', group: 'apps', version: 'v1', namespaced: true,
  shortNames: ['sts'], categories: ['all'], subresources: ['status', 'scale'],
});

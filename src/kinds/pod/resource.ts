import { describeResource } from '../../api/resources.js';

export const PODS = describeResource({
  resource: 'pods', singular: 'pod', kind: 'Pod', group: '', version: 'v1', namespaced: true,
  shortNames: ['po'], categories: ['all'], subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward'],
});

import { describeResource } from '../../api/resources.js';

export const NODES = describeResource({
  resource: 'nodes', singular: 'node', kind: 'Node', group: '', version: 'v1', namespaced: false,
  shortNames: ['no'], subresources: ['status'],
});

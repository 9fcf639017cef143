import { describeResource } from '../../api/resources.js';

export const NAMESPACES = describeResource({
  resource: 'namespaces', singular: 'namespace', kind: 'Namespace', group: '', version: 'v1', namespaced: false,
  shortNames: ['ns'], subresources: ['status', 'finalize'],
});

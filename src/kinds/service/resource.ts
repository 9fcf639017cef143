import { describeResource } from '../../api/resources.js';

export const SERVICES = describeResource({
  resource: 'services', singular: 'service', kind: 'Service', group: '', version: 'v1', namespaced: true,
  shortNames: ['svc'], categories: ['all'], subresources: ['status'],
});

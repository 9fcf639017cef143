import { describeResource } from '../../api/resources.js';

export const DEPLOYMENTS = describeResource({
  resource: 'deployments', singular: 'deployment', kind: 'Deployment', group: 'apps', version: 'v1', namespaced: true,
  shortNames: ['deploy'], categories: ['all'], subresources: ['status', 'scale'],
});

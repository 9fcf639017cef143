import { describeResource } from '../../api/resources.js';

export const JOBS = describeResource({
  resource: 'jobs', singular: 'job', kind: 'Job', group: 'batch', version: 'v1', namespaced: true,
  categories: ['all'], subresources: ['status'],
});

import { describeResource } from '../../api/resources.js';

export const CRONJOBS = describeResource({
  resource: 'cronjobs', singular: 'cronjob', kind: 'CronJob', group: 'batch', version: 'v1', namespaced: true,
  shortNames: ['cj'], categories: ['all'], subresources: ['status'],
});

import { describeResource } from '../../api/resources.js';

export const SERVICE_ACCOUNTS = describeResource({
  resource: 'serviceaccounts', singular: 'serviceaccount', kind: 'ServiceAccount', group: '', version: 'v1', namespaced: true, shortNames: ['sa'],
});

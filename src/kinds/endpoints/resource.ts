import { describeResource } from '../../api/resources.js';

export const ENDPOINTS = describeResource({
  resource: 'endpoints', singular: 'endpoints', kind: 'Endpoints', group: '', version: 'v1', namespaced: true,
  shortNames: ['ep'],
});

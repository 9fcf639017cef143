import { describeResource } from '../../api/resources.js';

export const INGRESSES = describeResource({
  resource: 'ingresses', singular: 'ingress', kind: 'Ingress', group: 'networking.k8s.io', version: 'v1', namespaced: true,
  shortNames: ['ing'], subresources: ['status'],
});

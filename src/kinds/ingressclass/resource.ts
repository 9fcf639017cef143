import { describeResource } from '../../api/resources.js';

export const INGRESS_CLASSES = describeResource({
  resource: 'ingressclasses', singular: 'ingressclass', kind: 'IngressClass', group: 'networking.k8s.io', version: 'v1', namespaced: false,
});

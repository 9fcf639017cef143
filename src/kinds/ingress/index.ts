// networking.k8s.io/v1 Ingress: HTTP routes by host and path to Services, served by the ingress
// controller whose IngressClass it names (src/ingress/); the class defaults to the cluster's
// default IngressClass on create. Its status (the load balancer's address) is a subresource.
import type { KindDefinition } from '../kind.js';
import { admitIngress } from './admission.js';
import { ingressPrinter } from './printer.js';
import { INGRESSES } from './resource.js';

export const ingressKind: KindDefinition = {
  resource: INGRESSES,
  printer: ingressPrinter,
  protobufMessage: 'networking.v1.Ingress',
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({ loadBalancer: {} }),
    admit: admitIngress,
  },
};

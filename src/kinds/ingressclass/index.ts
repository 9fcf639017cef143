// networking.k8s.io/v1 IngressClass: which controller serves the Ingresses of a class; the one
// annotated ingressclass.kubernetes.io/is-default-class is given to Ingresses that name none.
// loopkube's own, `loopkube`, is created with the cluster (src/apiserver/bootstrap.ts).
import type { KindDefinition } from '../kind.js';
import { admitIngressClass } from './admission.js';
import { ingressClassPrinter } from './printer.js';
import { INGRESS_CLASSES } from './resource.js';

export const ingressClassKind: KindDefinition = {
  resource: INGRESS_CLASSES,
  printer: ingressClassPrinter,
  protobufMessage: 'networking.v1.IngressClass',
  strategy: { tracksGeneration: true, admit: admitIngressClass },
};

// The IngressClass of loopkube's built-in ingress controller, marked as the cluster's default
// (as an ingress-nginx install creates its `nginx` class), created with the cluster.
import { DEFAULT_INGRESS_CLASS_ANNOTATION, type IngressClass } from '../api/networking.js';

export const INGRESS_CLASS_NAME = 'loopkube';
export const INGRESS_CONTROLLER_NAME = 'loopkube.dev/ingress-controller';

export const LOOPKUBE_INGRESS_CLASS: IngressClass = {
  apiVersion: 'networking.k8s.io/v1',
  kind: 'IngressClass',
  metadata: {
    name: INGRESS_CLASS_NAME,
    labels: { 'app.kubernetes.io/name': 'loopkube-ingress' },
    annotations: { [DEFAULT_INGRESS_CLASS_ANNOTATION]: 'true' },
  },
  spec: { controller: INGRESS_CONTROLLER_NAME },
};

// networking.k8s.io/v1 Ingress and IngressClass (k8s.io/api/networking/v1): only what loopkube
// reads or writes is typed; every object may carry more.
import type { KubeObject } from './types.js';

/** The legacy class annotation (deprecated, still honoured: networking/v1beta1 AnnotationIngressClass). */
export const INGRESS_CLASS_ANNOTATION = 'kubernetes.io/ingress.class';
/** An IngressClass with this annotation set to "true" is the default (AnnotationIsDefaultIngressClass). */
export const DEFAULT_INGRESS_CLASS_ANNOTATION = 'ingressclass.kubernetes.io/is-default-class';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';
export const PATH_TYPES: readonly PathType[] = ['Exact', 'ImplementationSpecific', 'Prefix'];

export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

export interface IngressServiceBackend {
  name: string;
  port?: ServiceBackendPort;
}

export interface TypedLocalObjectReference {
  apiGroup?: string | null;
  kind: string;
  name: string;
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPath {
  path?: string;
  pathType?: PathType | string;
  backend: IngressBackend;
}

export interface IngressRule {
  host?: string;
  http?: { paths?: HTTPIngressPath[] };
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: Array<{ port: number; protocol: string; error?: string }>;
}

export interface Ingress extends KubeObject {
  spec: {
    ingressClassName?: string | null;
    defaultBackend?: IngressBackend;
    tls?: IngressTLS[];
    rules?: IngressRule[];
  };
  status?: { loadBalancer?: { ingress?: IngressLoadBalancerIngress[] } };
}

export interface IngressClassParametersReference {
  apiGroup?: string | null;
  kind: string;
  name: string;
  scope?: string | null;
  namespace?: string | null;
}

export interface IngressClass extends KubeObject {
  spec: { controller?: string; parameters?: IngressClassParametersReference };
}

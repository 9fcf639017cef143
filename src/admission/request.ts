// The admission contract (re-exported by index.ts).
import type { ResourceInfo } from '../api/resources.js';
import type { KubeObject, Service } from '../api/types.js';

export type AdmissionOperation = 'CREATE' | 'UPDATE';

export interface AdmissionRequest {
  info: ResourceInfo;
  operation: AdmissionOperation;
  subresource: '' | 'status' | 'scale' | 'binding';
  /** Incoming; metadata.name/namespace resolved, uid/creationTimestamp set by the API server. */
  object: KubeObject;
  /** The stored object, on UPDATE. */
  oldObject?: KubeObject;
}

export interface AdmissionDeps {
  /** e.g. '127.96.0.0/12' */
  serviceCIDR: string;
  nodePortRange: { min: number; max: number };
  /** All services currently stored (any namespace), to know allocated ClusterIPs/NodePorts. */
  listServices(): Promise<Service[]>;
}

export interface Admission {
  /** Returns the defaulted object; throws ApiError. */
  admit(req: AdmissionRequest): Promise<KubeObject>;
}

// coordination.k8s.io/v1 Lease: node heartbeats in kube-node-lease (and leader election).
import type { KindDefinition } from '../kind.js';
import { LEASES } from './resource.js';

export const leaseKind: KindDefinition = {
  resource: LEASES,
  strategy: {},
};

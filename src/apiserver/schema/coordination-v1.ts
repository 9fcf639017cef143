// coordination.k8s.io/v1 Lease (k8s.io/api/coordination/v1): the node heartbeat leases in
// kube-node-lease that kubelets renew (and `kubectl describe node` shows).
import { gvk, int32, listOf, obj, ref, str, typeMetaFields, type OpenAPISchema } from './openapi-schema.js';

const COORDINATION = 'io.k8s.api.coordination.v1';
const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
const c = (name: string): string => `${COORDINATION}.${name}`;

export const COORDINATION_V1_SCHEMAS: Record<string, OpenAPISchema> = {
  [c('Lease')]: obj(
    'Lease defines a lease concept.',
    {
      ...typeMetaFields(),
      spec: ref(c('LeaseSpec'), 'spec contains the specification of the Lease.'),
    },
    { gvk: [gvk('coordination.k8s.io', 'v1', 'Lease')] },
  ),
  [c('LeaseList')]: listOf(c('Lease'), 'LeaseList is a list of Lease objects.', gvk('coordination.k8s.io', 'v1', 'LeaseList')),
  [c('LeaseSpec')]: obj('LeaseSpec is a specification of a Lease.', {
    acquireTime: ref(MICRO_TIME, 'acquireTime is a time when the current lease was acquired.'),
    holderIdentity: str('holderIdentity contains the identity of the holder of a current lease.'),
    leaseDurationSeconds: int32('leaseDurationSeconds is a duration that candidates for a lease need to wait to force acquire it.'),
    leaseTransitions: int32('leaseTransitions is the number of transitions of a lease between holders.'),
    preferredHolder: str('PreferredHolder signals to a lease holder that the lease has a more optimal holder.'),
    renewTime: ref(MICRO_TIME, 'renewTime is a time when the current holder of a lease has last updated the lease.'),
    strategy: str('Strategy indicates the strategy for picking the leader for coordinated leader election.'),
  }),
};

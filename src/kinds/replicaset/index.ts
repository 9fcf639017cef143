// apps/v1 ReplicaSet: the pods of one revision of a Deployment (or of its own), kept at
// spec.replicas by the replica-set controller; generation tracking and the scale subresource.
import type { ReplicaSet } from '../../api/apps.js';
import { fieldOr } from '../../api/fields.js';
import { formatLabelSelector } from '../../api/label-selector.js';
import type { KindDefinition } from '../kind.js';
import { scaleSubresource } from '../shared/scale.js';
import { admitReplicaSet } from './admission.js';
import { replicaSetPrinter } from './printer.js';
import { REPLICA_SETS } from './resource.js';

export const replicaSetKind: KindDefinition = {
  resource: REPLICA_SETS,
  printer: replicaSetPrinter,
  fieldSelectors: { 'status.replicas': fieldOr('status.replicas', 0) },
  protobufMessage: 'apps.v1.ReplicaSet',
  subresources: {
    scale: scaleSubresource<ReplicaSet>({
      specReplicas: (rs) => rs.spec.replicas ?? 1,
      setSpecReplicas: (rs, n) => {
        rs.spec.replicas = n;
      },
      statusReplicas: (rs) => rs.status?.replicas ?? 0,
      selector: (rs) => formatLabelSelector(rs.spec.selector).replace(/^<none>$/, ''),
    }),
  },
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({ replicas: 0 }),
    admit: admitReplicaSet,
  },
};

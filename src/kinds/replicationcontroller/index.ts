// core/v1 ReplicationController: defaulting and validation (admission.ts), generation tracking,
// the scale subresource, and the orphaning default of core/v1's delete.
import { fieldOr } from '../../api/fields.js';
import type { ReplicationController } from '../../api/types.js';
import type { KindDefinition } from '../kind.js';
import { scaleSubresource } from '../shared/scale.js';
import { admitReplicationController } from './admission.js';
import { replicationControllerPrinter } from './printer.js';
import { REPLICATION_CONTROLLERS } from './resource.js';

export const replicationControllerKind: KindDefinition = {
  resource: REPLICATION_CONTROLLERS,
  printer: replicationControllerPrinter,
  fieldSelectors: { 'status.replicas': fieldOr('status.replicas', 0) },
  protobufMessage: 'core.v1.ReplicationController',
  subresources: {
    scale: scaleSubresource<ReplicationController>({
      specReplicas: (rc) => rc.spec.replicas ?? 0,
      setSpecReplicas: (rc, n) => {
        rc.spec.replicas = n;
      },
      statusReplicas: (rc) => rc.status?.replicas ?? 0,
      selector: (rc) => Object.entries(rc.spec.selector ?? {}).map(([k, v]) => `${k}=${v}`).join(','),
    }),
  },
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({ replicas: 0 }),
    admit: admitReplicationController,
    // upstream's DefaultGarbageCollectionPolicy orphans an RC's pods "for back compatibility"
    defaultPropagation: 'Orphan',
  },
};

// core/v1 PersistentVolumeClaim: a pod's request for storage, bound to a PersistentVolume by the
// binder (src/controllers/persistentvolume-binder.ts), provisioned by the local-path provisioner.
import type { KindDefinition } from '../kind.js';
import { admitPersistentVolumeClaimObject } from './admission.js';
import { persistentVolumeClaimPrinter } from './printer.js';
import { PERSISTENT_VOLUME_CLAIMS } from './resource.js';

export const persistentVolumeClaimKind: KindDefinition = {
  resource: PERSISTENT_VOLUME_CLAIMS,
  printer: persistentVolumeClaimPrinter,
  protobufMessage: 'core.v1.PersistentVolumeClaim',
  strategy: {
    initialStatus: () => ({ phase: 'Pending' }),
    admit: admitPersistentVolumeClaimObject,
  },
};

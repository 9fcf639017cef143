// core/v1 PersistentVolume: a piece of storage, bound to one claim (src/controllers/
// persistentvolume-binder.ts); the local-path provisioner makes them for claims of its classes.
import type { KindDefinition } from '../kind.js';
import { admitPersistentVolume } from './admission.js';
import { persistentVolumePrinter } from './printer.js';
import { PERSISTENT_VOLUMES } from './resource.js';

export const persistentVolumeKind: KindDefinition = {
  resource: PERSISTENT_VOLUMES,
  printer: persistentVolumePrinter,
  protobufMessage: 'core.v1.PersistentVolume',
  strategy: {
    initialStatus: () => ({ phase: 'Pending' }),
    admit: admitPersistentVolume,
  },
};

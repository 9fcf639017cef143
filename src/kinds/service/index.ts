// core/v1 Service: defaulting, ClusterIP / NodePort / health-check port allocation and
// validation (admission.ts and its neighbours). Writes are serialized: allocation reads the
// state derived from every stored Service.
import { fieldAt } from '../../api/fields.js';
import type { KindDefinition } from '../kind.js';
import { admitService } from './admission.js';
import { servicePrinter } from './printer.js';
import { SERVICES } from './resource.js';

export const serviceKind: KindDefinition = {
  resource: SERVICES,
  printer: servicePrinter,
  fieldSelectors: { 'spec.clusterIP': fieldAt('spec.clusterIP'), 'spec.type': fieldAt('spec.type') },
  protobufMessage: 'core.v1.Service',
  strategy: {
    returnDeletedObject: true,
    initialStatus: () => ({ loadBalancer: {} }),
    admit: admitService,
    serializeWrites: true,
  },
};

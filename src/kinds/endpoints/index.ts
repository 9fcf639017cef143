// core/v1 Endpoints, written by the endpoints controller (and by users for selector-less Services).
import type { KindDefinition } from '../kind.js';
import { admitEndpoints } from './admission.js';
import { endpointsPrinter } from './printer.js';
import { ENDPOINTS } from './resource.js';

export const endpointsKind: KindDefinition = {
  resource: ENDPOINTS,
  printer: endpointsPrinter,
  protobufMessage: 'core.v1.Endpoints',
  strategy: { admit: admitEndpoints },
};

// discovery.k8s.io/v1 EndpointSlice, written by the EndpointSlice controller; what the proxy routes by.
import type { KindDefinition } from '../kind.js';
import { admitEndpointSlice } from './admission.js';
import { endpointSlicePrinter } from './printer.js';
import { ENDPOINT_SLICES } from './resource.js';

export const endpointSliceKind: KindDefinition = {
  resource: ENDPOINT_SLICES,
  printer: endpointSlicePrinter,
  protobufMessage: 'discovery.v1.EndpointSlice',
  strategy: { admit: admitEndpointSlice },
};

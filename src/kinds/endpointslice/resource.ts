import { describeResource } from '../../api/resources.js';

export const ENDPOINT_SLICES = describeResource({
  resource: 'endpointslices', singular: 'endpointslice', kind: 'EndpointSlice', group: 'discovery.k8s.io', version: 'v1', namespaced: true,
});

import { describeResource } from '../../api/resources.js';

/** metrics.k8s.io/v1beta1 nodes (metrics-server's NodeMetrics): get and list only. */
export const NODE_METRICS = describeResource({
  resource: 'nodes', singular: '', kind: 'NodeMetrics', group: 'metrics.k8s.io', version: 'v1beta1', namespaced: false, verbs: ['get', 'list'],
});

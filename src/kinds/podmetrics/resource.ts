import { describeResource } from '../../api/resources.js';

/** metrics.k8s.io/v1beta1 pods (metrics-server's PodMetrics): get and list only. */
export const POD_METRICS = describeResource({
  resource: 'pods', singular: '', kind: 'PodMetrics', group: 'metrics.k8s.io', version: 'v1beta1', namespaced: true, verbs: ['get', 'list'],
});

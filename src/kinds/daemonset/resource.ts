import { describeResource } from '../../api/resources.js';

export const DAEMON_SETS = describeResource({
  resource: 'daemonsets', singular: 'daemonset', kind: 'DaemonSet', group: 'apps', version: 'v1', namespaced: true,
  shortNames: ['ds'], categories: ['all'], subresources: ['status'],
});

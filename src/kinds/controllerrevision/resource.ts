import { describeResource } from '../../api/resources.js';

export const CONTROLLER_REVISIONS = describeResource({
  resource: 'controllerrevisions', singular: 'controllerrevision', kind: 'ControllerRevision', group: 'apps', version: 'v1', namespaced: true,
  shortNames: [], categories: [], subresources: [],
});

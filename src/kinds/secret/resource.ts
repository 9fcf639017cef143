import { describeResource } from '../../api/resources.js';

export const SECRETS = describeResource({
  resource: 'secrets', singular: 'secret', kind: 'Secret', group: '', version: 'v1', namespaced: true,
});

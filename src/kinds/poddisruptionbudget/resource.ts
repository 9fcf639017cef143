import { describeResource } from '../../api/resources.js';

export const POD_DISRUPTION_BUDGETS = describeResource({
  resource: 'poddisruptionbudgets', singular: 'poddisruptionbudget', kind: 'PodDisruptionBudget', group: 'policy', version: 'v1',
  namespaced: true, shortNames: ['pdb'], subresources: ['status'],
});

// policy/v1 PodDisruptionBudget: how many of a set of pods may be down by choice (evictions,
// drains). The disruption controller keeps its status; pods/eviction (src/kinds/pod/eviction.ts)
// honours it.
import type { KindDefinition } from '../kind.js';
import { admitPodDisruptionBudget } from './admission.js';
import { podDisruptionBudgetPrinter } from './printer.js';
import { POD_DISRUPTION_BUDGETS } from './resource.js';

export const podDisruptionBudgetKind: KindDefinition = {
  resource: POD_DISRUPTION_BUDGETS,
  printer: podDisruptionBudgetPrinter,
  protobufMessage: 'policy.v1.PodDisruptionBudget',
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({ disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }),
    admit: admitPodDisruptionBudget,
  },
};

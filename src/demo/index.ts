// Every scenario `loopkube demo` knows, in the order of examples/.
import { clusterIPInsideOnly } from './clusterip-inside-only.js';
import { drainWithBudget } from './drain-with-budget.js';
import { externalTrafficPolicyLocal } from './external-traffic-policy-local.js';
import { keepaliveAfterScale } from './keepalive-after-scale.js';
import { ingressHostsAndPaths } from './ingress-hosts-and-paths.js';
import { hostProcesses } from './host-processes.js';
import { labelsAndSelectors } from './labels-and-selectors.js';
import { loadBalancer } from './loadbalancer.js';
import { multiContainerPod } from './multi-container-pod.js';
import { nodePortEveryNode } from './nodeport-every-node.js';
import { rcRecreatesPods } from './rc-recreates-pods.js';
import { rolloutNaive } from './rollout-naive.js';
import { rolloutSafe } from './rollout-safe.js';
import { scheduling } from './scheduling.js';
import { exampleFolder, type Scenario } from './types.js';

export const SCENARIOS: ReadonlyArray<Scenario<unknown>> = [
  multiContainerPod,
  labelsAndSelectors,
  rcRecreatesPods,
  scheduling,
  clusterIPInsideOnly,
  nodePortEveryNode,
  externalTrafficPolicyLocal,
  loadBalancer,
  rolloutNaive,
  rolloutSafe,
  keepaliveAfterScale,
  ingressHostsAndPaths,
  drainWithBudget,
  hostProcesses,
] as ReadonlyArray<Scenario<unknown>>;

/** By name (`nodeport-every-node`), number (`06`, `6`) or folder (`06-nodeport-every-node`). */
export function findScenario(query: string): Scenario<unknown> | undefined {
  const q = query.trim().toLowerCase().replace(/\/$/, '').replace(/^examples\//, '');
  return SCENARIOS.find((s) => s.name === q || s.number === q || String(Number(s.number)) === q || exampleFolder(s) === q);
}

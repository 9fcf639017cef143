// 13: `kubectl drain` under load, without and with a PodDisruptionBudget. A drain evicts every
// pod of the node at once: the Deployment's rolling-update settings do not apply, and when all of
// a Service's pods were on that node, no endpoint is left until their replacements are Ready
// elsewhere. With a budget (minAvailable 2 of 3) the eviction API turns away what would break it
// (429 "Cannot evict pod as it would violate the pod's disruption budget."), kubectl drain
// retries every 5 s, and the pods leave one at a time, each once its replacement is Ready.
import type { Node, Pod } from '../api/types.js';
import type { PodDisruptionBudget } from '../api/policy.js';
import { resourcePath } from '../api/paths.js';
import { NODES } from '../kinds/node/resource.js';
import { POD_DISRUPTION_BUDGETS } from '../kinds/poddisruptionbudget/resource.js';
import { applyFile } from './manifests.js';
import { settledPods } from './rollout-naive.js';
import { failedRequests, runLoad, tellLoad, type LoadResult } from './rollout-load.js';
import type { DemoContext, Scenario } from './types.js';
import { waitUntil } from './wait.js';

/** kubectl drain's words when an eviction is turned away (pkg/drain), and the eviction API's. */
export const BUDGET_REFUSAL = "Cannot evict pod as it would violate the pod's disruption budget.";

export interface DrainRun {
  /** The node drained, and the pods on it before. */
  node: string;
  drainedPods: string[];
  failed: number;
  attempts: number;
  causes: Record<string, number>;
  /** How often kubectl drain was turned away by the budget and retried. */
  refusals: number;
  /** kubectl drain's exit code (null: it did not end). */
  drainExit: number | null;
  /** The drain's duration in seconds, as the load's timeline marked it. */
  drainSeconds: number | null;
  /** Where web's pods run afterwards. */
  podsAfter: Record<string, string>;
}

export interface DrainFindings {
  withoutBudget: DrainRun;
  withBudget: DrainRun;
}

const setUnschedulable = (ctx: DemoContext, node: string, unschedulable: boolean): Promise<Node> =>
  ctx.client.patch<Node>(resourcePath(NODES, undefined, node), { spec: { unschedulable: unschedulable || null } }, 'merge');

const nodeOf = (pods: Pod[]): Record<string, string> => Object.fromEntries(pods.map((p) => [p.metadata.name ?? '', p.spec.nodeName ?? '']));

/** Drains `node` under keep-alive load; uncordons it afterwards (the drain leaves it cordoned). */
async function drainUnderLoad(ctx: DemoContext, node: string, duration: string): Promise<DrainRun> {
  const before = await settledPods(ctx, 3);
  const drained = before.filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name ?? '');
  // --pod-selector: on a cluster the demo shares with other work, only this scenario's pods move.
  const drain = `kubectl drain ${node} --ignore-daemonsets --pod-selector app=web --timeout=90s`;
  let r: LoadResult;
  try {
    r = await runLoad(ctx, { service: 'web', duration, connections: 8, during: drain });
  } finally {
    await setUnschedulable(ctx, node, false);
  }
  tellLoad(ctx, r);
  const after = await settledPods(ctx, 3);
  const d = r.during;
  return {
    node,
    drainedPods: drained,
    failed: failedRequests(r),
    attempts: r.attempts,
    causes: Object.fromEntries(Object.entries(r.verdict?.causes ?? {}).filter(([, n]) => n > 0)),
    refusals: (d?.output ?? '').split(BUDGET_REFUSAL).length - 1,
    drainExit: d?.exitCode ?? null,
    drainSeconds: d && d.endedAt !== null ? Math.round((d.endedAt - d.startedAt) * 10) / 10 : null,
    podsAfter: nodeOf(after),
  };
}

export const drainWithBudget: Scenario<DrainFindings> = {
  name: 'drain-with-budget',
  number: '13',
  title: 'kubectl drain under load: every pod of the node at once without a PodDisruptionBudget, one at a time with one',
  claim:
    'a drain evicts the pods of a node without regard to the Deployment\'s rolling-update settings: when they are all there, the Service is left ' +
    'with no endpoint until their replacements are Ready. A PodDisruptionBudget makes the eviction API refuse what would break it; kubectl drain retries, and nothing fails.',
  cluster: { nodes: 2, clusterFile: '13-drain-with-budget/cluster.yaml' },
  async run(ctx) {
    const { out, namespace } = ctx;
    out.step('Cordon node-2, create the Deployment web (3 replicas, as in 10, an app that takes 3 s to start) and its Service (web.yaml), uncordon node-2');
    out.say('All three pods land on node-1, as on a cluster where node-2 joined (or came back) after they were placed: Kubernetes does not move running pods.');
    await setUnschedulable(ctx, 'node-2', true);
    let pods: Pod[];
    try {
      await applyFile(ctx, 'web.yaml');
      pods = await settledPods(ctx, 3);
    } finally {
      await setUnschedulable(ctx, 'node-2', false);
    }
    out.table(['POD', 'IP', 'NODE'], pods.map((p) => [p.metadata.name, p.status?.podIP, p.spec.nodeName]));

    out.step('Drain node-1 under keep-alive load, with no PodDisruptionBudget');
    const withoutBudget = await drainUnderLoad(ctx, 'node-1', '16s');
    ctx.check('the drain completes', withoutBudget.drainExit === 0, `kubectl drain exited ${withoutBudget.drainExit ?? 'not at all'}`);
    ctx.check(
      'without a budget requests fail: every pod went at once and the Service had no endpoint until the replacements were Ready',
      withoutBudget.failed > 0 && (withoutBudget.causes['no endpoint'] ?? 0) > 0,
      `${withoutBudget.failed} of ${withoutBudget.attempts} failed (${Object.entries(withoutBudget.causes).map(([k, n]) => `${k} ${n}`).join(', ') || 'no cause named'})`,
    );

    out.step('Create the PodDisruptionBudget web, minAvailable 2 (pdb.yaml)');
    await applyFile(ctx, 'pdb.yaml');
    const pdb = await waitUntil('the budget to allow one disruption', async () => {
      const b = await ctx.client.get<PodDisruptionBudget>(resourcePath(POD_DISRUPTION_BUDGETS, namespace, 'web'));
      return b.status?.disruptionsAllowed === 1 && b.status.observedGeneration === b.metadata.generation && b;
    });
    out.say(`kubectl get pdb web: MIN AVAILABLE ${pdb.spec?.minAvailable}, ALLOWED DISRUPTIONS ${pdb.status?.disruptionsAllowed}`);

    out.step('Drain node-2 (where the pods are now) under the same load');
    const withBudget = await drainUnderLoad(ctx, 'node-2', '30s');
    ctx.check('the drain completes', withBudget.drainExit === 0, `kubectl drain exited ${withBudget.drainExit ?? 'not at all'} after ${withBudget.drainSeconds ?? '?'}s`);
    ctx.check(
      'the budget held the drain back: kubectl retried evictions it refused',
      withBudget.refusals > 0,
      `${withBudget.refusals} eviction(s) refused: "${BUDGET_REFUSAL}"; the drain took ${withBudget.drainSeconds ?? '?'}s`,
    );
    ctx.check(
      'with the budget no request fails',
      withBudget.failed === 0 && withBudget.attempts > 0,
      `${withBudget.failed} of ${withBudget.attempts} failed`,
    );
    const stayed = Object.entries(withBudget.podsAfter).filter(([, n]) => n === 'node-2');
    ctx.check('node-2 is emptied of web\'s pods', stayed.length === 0, Object.entries(withBudget.podsAfter).map(([p, n]) => `${p} on ${n}`).join(', '));
    return { withoutBudget, withBudget };
  },
};

// pods/eviction (upstream's EvictionREST): a delete that honours PodDisruptionBudgets, what
// `kubectl drain` posts. A pod that is already not running (pending, finished, terminating) is
// deleted at once; otherwise the one budget that selects it must allow a disruption: it is then
// counted down (status.disruptionsAllowed, status.disruptedPods) before the pod is deleted, and
// when it does not allow one the answer is 429 in upstream's words, which drain retries.
import { badRequest, methodNotSupported, statusFailure, statusSuccess, tooManyRequests, ApiError } from '../../api/errors.js';
import { isPlainObject } from '../../api/json.js';
import { labelSelectorMatches } from '../../api/label-selector.js';
import type { Eviction, PodDisruptionBudget } from '../../api/policy.js';
import type { DeleteOptions, KubeObject, Pod } from '../../api/types.js';
import { writeJson } from '../../apiserver/respond.js';
import type { SubresourceDefinition, SubresourceRequest } from '../kind.js';
import { POD_DISRUPTION_BUDGETS } from '../poddisruptionbudget/resource.js';

/** Upstream's MaxDisruptedPodSize: evictions the disruption controller has not yet confirmed. */
const MAX_DISRUPTED_PODS = 2000;

const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

function canIgnoreBudget(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

function isReady(pod: Pod): boolean {
  return (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** checkAndDecrement, on the budget as it is stored now (called again on a compare-and-swap retry). */
function takeDisruption(pdb: PodDisruptionBudget, podName: string, dryRun: boolean): PodDisruptionBudget {
  const s = pdb.status ?? { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  const name = pdb.metadata.name ?? '';
  if ((s.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw tooManyRequests(VIOLATION, 10, [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} is still being processed by the server.` }]);
  }
  const forbidden = (why: string): ApiError =>
    new ApiError(statusFailure(403, 'Forbidden', `poddisruptionbudgets.policy "${name}" is forbidden: ${why}`, { name, group: 'policy', kind: 'poddisruptionbudgets' }));
  if (s.disruptionsAllowed < 0) throw forbidden('pdb disruptions allowed is negative');
  if (Object.keys(s.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw forbidden('DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (s.disruptionsAllowed === 0) {
    throw tooManyRequests(VIOLATION, 0, [{ reason: 'DisruptionBudget', message: `The disruption budget ${name} needs ${s.desiredHealthy} healthy pods and has ${s.currentHealthy} currently` }]);
  }
  const next: PodDisruptionBudget = { ...pdb, status: { ...s, disruptionsAllowed: s.disruptionsAllowed - 1 } };
  if (!dryRun) next.status = { ...next.status!, disruptedPods: { ...(s.disruptedPods ?? {}), [podName]: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z') } };
  return next;
}

async function evict(r: SubresourceRequest, eviction: Eviction): Promise<void> {
  const options: DeleteOptions = isPlainObject(eviction.deleteOptions) ? (eviction.deleteOptions as DeleteOptions) : {};
  const dryRun = (options.dryRun ?? []).includes('All') || r.url.searchParams.getAll('dryRun').includes('All');
  const pod = (await r.registry.get(r.info, r.namespace, r.name)) as Pod;
  const done = (): void => writeJson(r.res, 201, { ...statusSuccess(), code: 201 });
  if (canIgnoreBudget(pod)) {
    await r.registry.delete(r.info, r.namespace, r.name, { ...options, ...(dryRun ? { dryRun: ['All'] } : {}) });
    done();
    return;
  }
  const budgets = ((await r.registry.list(POD_DISRUPTION_BUDGETS, r.namespace)) as PodDisruptionBudget[]).filter(
    (pdb) => labelSelectorMatches(pdb.spec?.selector, pod.metadata.labels),
  );
  if (budgets.length > 1) {
    writeJson(r.res, 500, statusFailure(500, '', 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
    return;
  }
  const pdb = budgets[0];
  const deleteOptions: DeleteOptions = { ...options, ...(dryRun ? { dryRun: ['All'] } : {}) };
  if (pdb) {
    const s = pdb.status;
    const unhealthyGoes =
      !isReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow' || (s !== undefined && s.currentHealthy >= s.desiredHealthy && s.desiredHealthy > 0));
    if (unhealthyGoes) {
      // an unready pod does not count towards the budget: delete it, if it is still the pod we saw
      deleteOptions.preconditions = { ...(deleteOptions.preconditions ?? {}), resourceVersion: pod.metadata.resourceVersion };
    } else if (dryRun) {
      takeDisruption(pdb, r.name, true);
    } else {
      await r.registry.mutate(POD_DISRUPTION_BUDGETS, r.namespace, pdb.metadata.name ?? '', 'status', (cur) => takeDisruption(cur as PodDisruptionBudget, r.name, false) as KubeObject);
    }
  }
  await r.registry.delete(r.info, r.namespace, r.name, deleteOptions);
  done();
}

export const evictionSubresource: SubresourceDefinition = {
  verbs: ['create'],
  kind: { group: 'policy', version: 'v1', kind: 'Eviction' },
  protobufRequests: { 'policy/v1/Eviction': 'policy.v1.Eviction' },
  async serve(r) {
    if (r.verb !== 'create') throw methodNotSupported('pods/eviction', r.verb);
    const body = await r.body();
    if (!isPlainObject(body)) throw badRequest('not a Eviction object');
    const eviction = body as Eviction;
    if (eviction.metadata?.name !== r.name) throw badRequest('name in URL does not match name in Eviction object');
    await evict(r, eviction);
  },
};

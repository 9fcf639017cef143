// The disruption controller (upstream's pkg/controller/disruption): keeps each
// PodDisruptionBudget's status — the pods it expects, how many must stay healthy, how many are,
// and so how many may be disrupted now. pods/eviction reads that count and takes one per eviction
// (recording the pod in status.disruptedPods); this controller forgets a recorded pod once it is
// gone, or after two minutes if it never went.
import { labelSelectorMatches } from '../api/label-selector.js';
import { objectKey, resourcePath } from '../api/paths.js';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from '../api/policy.js';
import { semanticEqual } from '../api/semantic-equal.js';
import type { KubeObject, OwnerReference, Pod, ReplicationController } from '../api/types.js';
import { scaledValue } from '../admission/int-or-percent.js';
import { createWorkQueue } from '../client/workqueue.js';
import { POD_DISRUPTION_BUDGETS } from '../kinds/poddisruptionbudget/resource.js';
import { PODS } from '../kinds/pod/resource.js';
import { REPLICATION_CONTROLLERS } from '../kinds/replicationcontroller/resource.js';
import { REPLICA_SETS } from '../kinds/replicaset/resource.js';
import { DEPLOYMENTS } from '../kinds/deployment/resource.js';
import type { Deployment, ReplicaSet } from '../api/apps.js';
import { createEventRecorder } from './events.js';
import { controllerRefOf, isConflict, isNotFound, isPodReady, nowRfc3339, timeOf } from './pods.js';
import type { Controller, ControllerContext } from './types.js';

/** Upstream's DeletionTimeout: an eviction the pod never followed is forgotten after this. */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

/** The scale a pod's controller wants, found through its owner reference (upstream's finders). */
export type ScaleFinder = (ref: OwnerReference, namespace: string) => { uid: string; scale: number } | undefined;

export interface BudgetInputs {
  pdb: PodDisruptionBudget;
  pods: Pod[];
  findScale: ScaleFinder;
  now: number;
}

/** getExpectedPodCount: expected pods and how many must be healthy; unmanaged pods are named. */
export function expectedPods(pdb: PodDisruptionBudget, pods: Pod[], findScale: ScaleFinder): { expected: number; desiredHealthy: number; unmanaged: string[] } {
  const spec = pdb.spec ?? {};
  const expectedScale = (): { expected: number; unmanaged: string[] } => {
    const scales = new Map<string, number>();
    const unmanaged: string[] = [];
    for (const pod of pods) {
      const ref = controllerRefOf(pod);
      if (!ref) {
        unmanaged.push(pod.metadata.name ?? '');
        continue;
      }
      if (scales.has(ref.uid)) continue;
      const found = findScale(ref, pod.metadata.namespace ?? '');
      if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
      scales.set(found.uid, found.scale);
    }
    return { expected: [...scales.values()].reduce((a, b) => a + b, 0), unmanaged };
  };
  if (spec.maxUnavailable !== undefined) {
    const { expected, unmanaged } = expectedScale();
    const maxUnavailable = scaledValue(spec.maxUnavailable, expected, true);
    return { expected, desiredHealthy: Math.max(0, expected - maxUnavailable), unmanaged };
  }
  if (typeof spec.minAvailable === 'number') return { expected: pods.length, desiredHealthy: spec.minAvailable, unmanaged: [] };
  if (typeof spec.minAvailable === 'string') {
    const { expected, unmanaged } = expectedScale();
    return { expected, desiredHealthy: scaledValue(spec.minAvailable, expected, true), unmanaged };
  }
  return { expected: 0, desiredHealthy: 0, unmanaged: [] };
}

/** The budget's status as upstream's trySync computes it, and when to look again (a pending eviction expiring). */
export function budgetStatus(inputs: BudgetInputs): { status: PodDisruptionBudgetStatus; recheckInMs?: number; unmanaged: string[] } {
  const { pdb, pods, now } = inputs;
  const { expected, desiredHealthy, unmanaged } = expectedPods(pdb, pods, inputs.findScale);
  const byName = new Map(pods.map((p) => [p.metadata.name ?? '', p]));
  const disrupted: Record<string, string> = {};
  let recheckInMs: number | undefined;
  for (const [name, at] of Object.entries(pdb.status?.disruptedPods ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata.deletionTimestamp) continue;
    const due = (timeOf(at) ?? 0) + DELETION_TIMEOUT_MS;
    if (due < now) continue;
    disrupted[name] = at;
    recheckInMs = Math.min(recheckInMs ?? Infinity, due - now);
  }
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp || disrupted[pod.metadata.name ?? ''] !== undefined) continue;
    if (isPodReady(pod)) healthy++;
  }
  const allowed = expected <= 0 ? 0 : Math.max(0, healthy - desiredHealthy);
  const generation = pdb.metadata.generation ?? 0;
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    disruptionsAllowed: allowed,
    currentHealthy: healthy,
    desiredHealthy,
    expectedPods: expected,
  };
  if (Object.keys(disrupted).length) status.disruptedPods = disrupted;
  const previous = (pdb.status?.conditions ?? []).find((c) => c.type === 'DisruptionAllowed');
  const cond = allowed > 0 ? { status: 'True' as const, reason: 'SufficientPods' } : { status: 'False' as const, reason: 'InsufficientPods' };
  status.conditions = [
    ...(pdb.status?.conditions ?? []).filter((c) => c.type !== 'DisruptionAllowed'),
    {
      type: 'DisruptionAllowed',
      status: cond.status,
      reason: cond.reason,
      message: '',
      lastTransitionTime: previous && previous.status === cond.status ? (previous.lastTransitionTime ?? nowRfc3339()) : nowRfc3339(),
      observedGeneration: generation,
    },
  ];
  return { status, ...(recheckInMs !== undefined ? { recheckInMs } : {}), unmanaged };
}

export function startDisruptionController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'disruption' });
  const events = createEventRecorder(client, 'controllermanager', log);
  const budgets = ctx.informers.forResource<PodDisruptionBudget>(POD_DISRUPTION_BUDGETS);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const rcs = ctx.informers.forResource<ReplicationController>(REPLICATION_CONTROLLERS);
  const replicaSets = ctx.informers.forResource<ReplicaSet>(REPLICA_SETS);
  const deployments = ctx.informers.forResource<Deployment>(DEPLOYMENTS);

  /** Each kind of controller whose scale a budget may count, by its owner-reference kind. */
  const finders: Record<string, ScaleFinder> = {
    ReplicationController: (ref, ns) => {
      const rc = rcs.get(`${ns}/${ref.name}`);
      return rc && rc.metadata.uid === ref.uid ? { uid: ref.uid, scale: rc.spec.replicas ?? 1 } : undefined;
    },
    // a ReplicaSet of a Deployment counts as its Deployment (getPodDeployment); others as themselves
    ReplicaSet: (ref, ns) => {
      const rs = replicaSets.get(`${ns}/${ref.name}`);
      if (!rs || rs.metadata.uid !== ref.uid) return undefined;
      const owner = controllerRefOf(rs);
      if (owner?.kind === 'Deployment') {
        const d = deployments.get(`${ns}/${owner.name}`);
        return d && d.metadata.uid === owner.uid ? { uid: owner.uid, scale: d.spec.replicas ?? 1 } : undefined;
      }
      return { uid: ref.uid, scale: rs.spec.replicas ?? 1 };
    },
  };
  const findScale: ScaleFinder = (ref, ns) => finders[ref.kind]?.(ref, ns);

  const queue = createWorkQueue(
    'disruption',
    async (key) => {
      await Promise.all([budgets.synced(), pods.synced(), rcs.synced(), replicaSets.synced(), deployments.synced()]);
      const pdb = budgets.get(key);
      if (!pdb || pdb.metadata.deletionTimestamp) return;
      const ns = pdb.metadata.namespace;
      const selected = pods.list().filter((p) => p.metadata.namespace === ns && labelSelectorMatches(pdb.spec?.selector, p.metadata.labels));
      if (selected.length === 0) events.normal(pdb, 'NoPods', 'No matching pods found');
      let computed;
      try {
        computed = budgetStatus({ pdb, pods: selected, findScale, now: Date.now() });
      } catch (err) {
        events.warning(pdb, 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(err as Error).message}`);
        throw err;
      }
      if (computed.unmanaged.length) {
        events.warning(
          pdb,
          'UnmanagedPods',
          'Pods selected by this PodDisruptionBudget (selector: ' + JSON.stringify(pdb.spec?.selector ?? {}) + ') were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.',
        );
      }
      if (!semanticEqual(withoutTimes(pdb.status), withoutTimes(computed.status))) {
        try {
          await client.update(resourcePath(POD_DISRUPTION_BUDGETS, ns, pdb.metadata.name, 'status'), { ...pdb, status: computed.status });
        } catch (err) {
          if (isNotFound(err)) return;
          if (isConflict(err)) {
            queue.addAfter(key, 50);
            return;
          }
          throw err;
        }
      }
      if (computed.recheckInMs !== undefined) queue.addAfter(key, computed.recheckInMs + 10);
    },
    { logger: log },
  );

  const enqueue = (pdb: KubeObject): void => queue.add(objectKey(pdb.metadata));
  const enqueueFor = (pod: Pod): void => {
    for (const pdb of budgets.list()) {
      if (pdb.metadata.namespace === pod.metadata.namespace && labelSelectorMatches(pdb.spec?.selector, pod.metadata.labels)) enqueue(pdb);
    }
  };
  budgets.addHandlers({ add: enqueue, update: (_o, n) => enqueue(n) });
  pods.addHandlers({
    add: enqueueFor,
    update: (old, pod) => {
      enqueueFor(pod);
      if (JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(pod.metadata.labels ?? {})) enqueueFor(old);
    },
    delete: enqueueFor,
  });
  // a controller's scale is the denominator of percentage budgets
  const scaleChanged = (owner: KubeObject): void => {
    for (const pod of pods.list()) {
      const ref = controllerRefOf(pod);
      if (!ref) continue;
      if (ref.uid === owner.metadata.uid) enqueueFor(pod);
      else if (ref.kind === 'ReplicaSet' && controllerRefOf(replicaSets.get(`${pod.metadata.namespace}/${ref.name}`) ?? { metadata: {} })?.uid === owner.metadata.uid) enqueueFor(pod);
    }
  };
  const onScale = <T extends KubeObject & { spec: { replicas?: number } }>(old: T, obj: T): void => {
    if (old.spec.replicas !== obj.spec.replicas) scaleChanged(obj);
  };
  rcs.addHandlers({ update: onScale });
  replicaSets.addHandlers({ update: onScale });
  deployments.addHandlers({ update: onScale });
  return { name: 'disruption', stop: () => queue.stop() };
}

/** A status without its conditions' transition times (they change only with the condition). */
function withoutTimes(status: PodDisruptionBudgetStatus | undefined): unknown {
  if (!status) return undefined;
  return { ...status, conditions: (status.conditions ?? []).map((c) => ({ ...c, lastTransitionTime: undefined })) };
}

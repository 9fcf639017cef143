// A Deployment's status (upstream's calculateStatus and syncRolloutStatus): the counts summed
// over its ReplicaSets, the Available condition, and the Progressing condition that tells a
// rollout in progress from one that is done or stuck past progressDeadlineSeconds.
import type { Deployment, DeploymentStatus, ReplicaSet, WorkloadCondition } from '../../api/apps.js';
import { nowRfc3339 } from '../../api/time.js';
import { actualSum, availableSum, maxUnavailable, readySum, replicasOf, specSum } from './rollout-math.js';

export const REASON = {
  replicaSetUpdated: 'ReplicaSetUpdated',
  failedRSCreate: 'ReplicaSetCreateError',
  newReplicaSet: 'NewReplicaSetCreated',
  foundNewRS: 'FoundNewReplicaSet',
  newRSAvailable: 'NewReplicaSetAvailable',
  timedOut: 'ProgressDeadlineExceeded',
  paused: 'DeploymentPaused',
  resumed: 'DeploymentResumed',
  minimumAvailable: 'MinimumReplicasAvailable',
  minimumUnavailable: 'MinimumReplicasUnavailable',
} as const;

export function condition(status: DeploymentStatus, type: string): WorkloadCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

export function newCondition(type: string, status: WorkloadCondition['status'], reason: string, message: string): WorkloadCondition {
  const now = nowRfc3339();
  return { type, status, lastUpdateTime: now, lastTransitionTime: now, reason, message };
}

/** SetDeploymentCondition: same status and reason is no change; same status keeps its transition time. */
export function setCondition(status: DeploymentStatus, c: WorkloadCondition): void {
  const current = condition(status, c.type);
  if (current && current.status === c.status && current.reason === c.reason) return;
  const next = current && current.status === c.status ? { ...c, lastTransitionTime: current.lastTransitionTime } : c;
  status.conditions = [...(status.conditions ?? []).filter((x) => x.type !== c.type), next];
}

export function removeCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
  if (status.conditions.length === 0) delete status.conditions;
}

export function calculateStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): DeploymentStatus {
  const available = availableSum(all);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation ?? 0,
    replicas: actualSum(all),
    updatedReplicas: actualSum([newRS]),
    readyReplicas: readySum(all),
    availableReplicas: available,
    unavailableReplicas: Math.max(0, specSum(all) - available),
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (d.status?.conditions?.length) status.conditions = d.status.conditions.map((c) => ({ ...c }));
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setCondition(status, newCondition('Available', 'True', REASON.minimumAvailable, 'Deployment has minimum availability.'));
  } else {
    setCondition(status, newCondition('Available', 'False', REASON.minimumUnavailable, 'Deployment does not have minimum availability.'));
  }
  return status;
}

/** DeploymentComplete: every desired replica updated and available, no old pods, generation observed. */
export function isComplete(d: Deployment, s: DeploymentStatus): boolean {
  const want = replicasOf(d);
  return (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want && (s.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: new pods updated, ready or available, or old pods gone, since the last status. */
export function isProgressing(d: Deployment, s: DeploymentStatus): boolean {
  const old = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

const hasDeadline = (d: Deployment): boolean => d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== 2147483647;

/** DeploymentTimedOut: the last progress (or start) is older than progressDeadlineSeconds. */
export function hasTimedOut(d: Deployment, s: DeploymentStatus, now = Date.now()): boolean {
  if (!hasDeadline(d)) return false;
  const c = condition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === REASON.newRSAvailable) return false;
  if (c.reason === REASON.timedOut) return true;
  const from = Date.parse(c.lastUpdateTime ?? '');
  return Number.isFinite(from) && from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 < now;
}

/** syncRolloutStatus's status: calculateStatus plus the Progressing condition a rollout earns. */
export function rolloutStatus(all: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment, now = Date.now()): DeploymentStatus {
  const s = calculateStatus(all, newRS, d);
  if (!hasDeadline(d)) removeCondition(s, 'Progressing');
  const current = d.status ? condition(d.status, 'Progressing') : undefined;
  const completeBefore = s.replicas === s.updatedReplicas && current?.reason === REASON.newRSAvailable;
  if (hasDeadline(d) && !completeBefore) {
    const of = newRS ? `ReplicaSet "${newRS.metadata.name}"` : `Deployment "${d.metadata.name}"`;
    if (isComplete(d, s)) {
      setCondition(s, newCondition('Progressing', 'True', REASON.newRSAvailable, `${of} has successfully progressed.`));
    } else if (isProgressing(d, s)) {
      const c = newCondition('Progressing', 'True', REASON.replicaSetUpdated, `${of} is progressing.`);
      // progress updates lastUpdateTime even when the reason stays the same
      if (current) {
        if (current.status === 'True') c.lastTransitionTime = current.lastTransitionTime ?? c.lastTransitionTime;
        removeCondition(s, 'Progressing');
      }
      setCondition(s, c);
    } else if (hasTimedOut(d, s, now)) {
      setCondition(s, newCondition('Progressing', 'False', REASON.timedOut, `${of} has timed out progressing.`));
    }
  }
  const failure = [newRS, ...all].flatMap((rs) => rs?.status?.conditions ?? []).find((c) => c.type === 'ReplicaFailure' && c.status === 'True');
  if (failure) {
    setCondition(s, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason ?? '', message: failure.message ?? '', lastTransitionTime: failure.lastTransitionTime ?? nowRfc3339(), lastUpdateTime: failure.lastTransitionTime ?? nowRfc3339() });
  } else {
    removeCondition(s, 'ReplicaFailure');
  }
  return s;
}

/** How long until a rollout in progress would pass its deadline (requeueStuckDeployment), or undefined. */
export function msUntilDeadline(d: Deployment, s: DeploymentStatus, now = Date.now()): number | undefined {
  const c = condition(s, 'Progressing');
  if (!hasDeadline(d) || !c || c.reason === REASON.newRSAvailable || c.reason === REASON.timedOut || isComplete(d, s)) return undefined;
  const from = Date.parse(c.lastUpdateTime ?? '');
  if (!Number.isFinite(from)) return undefined;
  return Math.max(0, from + (d.spec.progressDeadlineSeconds ?? 0) * 1000 - now) + 100;
}

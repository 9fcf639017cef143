// The Job controller's back-off between pod recreations after failures (upstream's
// pkg/controller/job/backoff_utils.go): per Job, the failures since the last success and when
// the last one happened; the next pod waits 10 s after one failure, doubling per further
// failure up to 10 minutes, counted from the last failure's finish time.
import type { Pod } from '../../api/types.js';
import { podCondition, timeOf } from '../pods.js';

/** DefaultJobPodFailureBackOff and MaxJobPodFailureBackOff. */
export const POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;

export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  /** ms since the epoch */
  lastFailureTime?: number;
}

/**
 * When a pod finished (getFinishedTime): its containers' latest finish, else when its Ready
 * condition turned False, else its deletion time less its grace period, else its creation.
 */
export function finishedTime(p: Pod): number {
  const statuses = p.status?.containerStatuses ?? [];
  let latest: number | undefined;
  let allFinished = statuses.length > 0;
  for (const cs of statuses) {
    const t = timeOf(cs.state?.terminated?.finishedAt);
    if (t === undefined) {
      allFinished = false;
      break;
    }
    latest = Math.max(latest ?? t, t);
  }
  if (allFinished && latest !== undefined) return latest;
  const ready = podCondition(p, 'Ready');
  const readyFalse = ready?.status === 'False' ? timeOf(ready.lastTransitionTime) : undefined;
  if (readyFalse !== undefined) return readyFalse;
  const deleted = timeOf(p.metadata.deletionTimestamp);
  if (deleted !== undefined) return deleted - (p.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return timeOf(p.metadata.creationTimestamp) ?? 0;
}

/** newBackoffRecord: the record once the newly counted pods are taken in. */
export function nextBackoffRecord(old: BackoffRecord | undefined, newSucceeded: Pod[], newFailed: Pod[]): BackoffRecord {
  const record: BackoffRecord = { failuresAfterLastSuccess: old?.failuresAfterLastSuccess ?? 0, ...(old?.lastFailureTime !== undefined ? { lastFailureTime: old.lastFailureTime } : {}) };
  const failedTimes = newFailed.map(finishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return record;
    return { failuresAfterLastSuccess: record.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes[failedTimes.length - 1]! };
  }
  const lastSuccess = Math.max(...newSucceeded.map(finishedTime));
  const after = failedTimes.filter((t) => t > lastSuccess);
  if (after.length === 0) return { failuresAfterLastSuccess: 0 };
  return { failuresAfterLastSuccess: after.length, lastFailureTime: after[after.length - 1]! };
}

/** getRemainingTimeForFailuresCount: how long the next pod must still wait (0: create it now). */
export function remainingBackoffMs(record: BackoffRecord, now: number, baseMs = POD_FAILURE_BACKOFF_MS, maxMs = MAX_POD_FAILURE_BACKOFF_MS): number {
  if (record.failuresAfterLastSuccess === 0 || record.lastFailureTime === undefined) return 0;
  let backoff = baseMs;
  for (let i = 1; i < record.failuresAfterLastSuccess; i++) {
    backoff *= 2;
    if (backoff >= maxMs) {
      backoff = maxMs;
      break;
    }
  }
  const elapsed = now - record.lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}

// The Job controller (upstream's pkg/controller/job, as 1.32 runs it): keeps up to `parallelism`
// pods of a Job running until `completions` of them succeeded, and tracks every pod it counts
// with the batch.kubernetes.io/job-tracking finalizer:
//   - a finished pod is first listed in status.uncountedTerminatedPods, then its finalizer is
//     removed, then it is counted in status.succeeded / status.failed (so no pod is counted
//     twice or lost, whatever crashes in between);
//   - failed pods are replaced with exponential back-off (backoff.ts); more than backoffLimit
//     failures (or, with restartPolicy OnFailure, that many container restarts) fail the Job,
//     as does running longer than activeDeadlineSeconds;
//   - the interim SuccessCriteriaMet / FailureTarget condition comes first, the terminal
//     Complete / Failed only once no pod of the Job is left terminating;
//   - suspend deletes the active pods; Indexed Jobs give each pod its completion index.
// Events as upstream: SuccessfulCreate, SuccessfulDelete, Completed, BackoffLimitExceeded,
// DeadlineExceeded, Suspended, Resumed.
import {
  isJobFinished,
  JOB_COMPLETION_INDEX,
  JOB_COMPLETION_INDEX_ENV,
  JOB_TRACKING_FINALIZER,
  type Job,
  type JobCondition,
  type JobStatus,
} from '../../api/batch.js';
import { labelSelectorMatches } from '../../api/label-selector.js';
import { objectKey, resourcePath } from '../../api/paths.js';
import type { Container, ContainerStatus, EnvVar, OwnerReference, Pod } from '../../api/types.js';
import { createWorkQueue } from '../../client/workqueue.js';
import { JOBS } from '../../kinds/job/resource.js';
import { PODS } from '../../kinds/pod/resource.js';
import { podsToDelete } from '../active-pods.js';
import { createDelayedEnqueue } from '../delayed-enqueue.js';
import { createEventRecorder } from '../events.js';
import { createExpectations } from '../expectations.js';
import { controllerRefOf, isConflict, isNotFound, isPodReady, nowRfc3339, timeOf } from '../pods.js';
import type { Controller, ControllerContext } from '../types.js';
import { createWrittenObjects } from '../written-objects.js';
import { nextBackoffRecord, remainingBackoffMs, type BackoffRecord } from './backoff.js';
import { completionIndexOf, firstPendingIndexes, formatIndexes, succeededIndexes } from './indexes.js';

/** syncJobBatchPeriod: pod events are batched, a Job's own changes are handled at once. */
const SYNC_BATCH_MS = 1000;
/** MaxPodCreateDeletePerSync and MaxUncountedPods. */
const MAX_CREATE_DELETE_PER_SYNC = 500;
const MAX_UNCOUNTED_PODS = 500;

const hasFinalizer = (p: Pod): boolean => (p.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
const isTerminal = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';
/** FilterActivePods: not finished and not being deleted. */
const isActive = (p: Pod): boolean => !isTerminal(p) && !p.metadata.deletionTimestamp;
/** CountTerminatingPods: being deleted and not finished. */
const isTerminatingPod = (p: Pod): boolean => Boolean(p.metadata.deletionTimestamp) && !isTerminal(p);

function condition(type: string, reason: string, message: string, status: 'True' | 'False' = 'True'): JobCondition {
  const now = nowRfc3339();
  return { type, status, lastProbeTime: now, lastTransitionTime: now, reason, message };
}

function trueConditionOf(job: Job, type: string): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c) => c.type === type && c.status === 'True');
}

/** ensureJobConditionStatus: set a condition; a False one is never added where none was. */
function ensureCondition(conditions: JobCondition[], c: JobCondition): { conditions: JobCondition[]; changed: boolean } {
  const i = conditions.findIndex((x) => x.type === c.type);
  if (i >= 0) {
    const x = conditions[i]!;
    if (x.status === c.status && x.reason === c.reason && x.message === c.message) return { conditions, changed: false };
    const next = [...conditions];
    next[i] = c;
    return { conditions: next, changed: true };
  }
  if (c.status === 'False') return { conditions, changed: false };
  return { conditions: [...conditions, c], changed: true };
}

/** onlyReplaceFailedPods: podReplacementPolicy Failed (or a pod failure policy) waits for terminating pods. */
function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec.podReplacementPolicy === 'Failed' || (job.spec.podFailurePolicy !== undefined && job.spec.podFailurePolicy !== null);
}

/** isPodFailed: Failed, or (unless only failed pods are replaced) deleted before it succeeded. */
function isPodFailed(p: Pod, job: Job): boolean {
  if (p.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(p.metadata.deletionTimestamp) && p.status?.phase !== 'Succeeded';
}

/** pastBackoffLimitOnFailure: with restartPolicy OnFailure, container restarts count as failures. */
function pastBackoffLimitOnFailure(job: Job, pods: Pod[]): boolean {
  if (job.spec.template.spec.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    const init = (p.status as { initContainerStatuses?: ContainerStatus[] } | undefined)?.initContainerStatuses ?? [];
    for (const cs of [...init, ...(p.status?.containerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

function ownerRefFor(job: Job): OwnerReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: job.metadata.name ?? '', uid: job.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

/** addCompletionIndexEnvVariables: JOB_COMPLETION_INDEX from the pod's annotation, unless set. */
function withIndexEnv(containers: Container[] | undefined): void {
  for (const c of containers ?? []) {
    if ((c.env ?? []).some((e) => e.name === JOB_COMPLETION_INDEX_ENV)) continue;
    const fromAnnotation: EnvVar & { valueFrom: unknown } = { name: JOB_COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.annotations['${JOB_COMPLETION_INDEX}']` } } };
    c.env = [...(c.env ?? []), fromAnnotation];
  }
}

/** A pod of the Job (GetPodFromTemplate, with the tracking finalizer and, for Indexed Jobs, its index). */
export function podForJob(job: Job, index: number | undefined): Pod {
  const t = structuredClone(job.spec.template);
  const meta = t.metadata ?? {};
  const name = job.metadata.name ?? '';
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: index === undefined ? `${name}-` : `${name}-${index}-`,
      namespace: job.metadata.namespace,
      labels: { ...(meta.labels ?? {}) },
      annotations: { ...(meta.annotations ?? {}) },
      finalizers: [...new Set([...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER])],
      ownerReferences: [ownerRefFor(job)],
    },
    spec: t.spec,
  };
  if (index !== undefined) {
    pod.metadata.annotations![JOB_COMPLETION_INDEX] = String(index);
    pod.metadata.labels![JOB_COMPLETION_INDEX] = String(index);
    pod.spec.hostname = `${name}-${index}`;
    withIndexEnv(pod.spec.containers);
    withIndexEnv(pod.spec.initContainers);
  }
  if (Object.keys(pod.metadata.annotations!).length === 0) delete pod.metadata.annotations;
  return pod;
}

export function startJobController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'job' });
  const events = createEventRecorder(client, 'job-controller', log);
  const jobs = ctx.informers.forResource<Job>(JOBS);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const expectations = createExpectations();
  const written = createWrittenObjects<Job>();
  /** Pods whose finalizer we removed, by Job key, until the cache shows it gone (uidTrackingExpectations). */
  const finalizerRemovals = new Map<string, Set<string>>();
  const backoffs = new Map<string, BackoffRecord>();

  const jobKeyOf = (ns: string | undefined, name: string): string => objectKey({ namespace: ns, name });

  function ownerOf(pod: Pod): Job | undefined {
    const ref = controllerRefOf(pod);
    if (!ref || ref.kind !== 'Job') return undefined;
    const job = jobs.get(jobKeyOf(pod.metadata.namespace, ref.name));
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  async function patchPod(pod: Pod, patch: unknown): Promise<void> {
    try {
      await client.patch(resourcePath(PODS, pod.metadata.namespace, pod.metadata.name), patch, 'strategic');
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  /** removeTrackingFinalizerPatch. */
  const removeFinalizer = (pod: Pod): Promise<void> => patchPod(pod, { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } });

  /** getPodsForJob: owned pods that match, orphans adopted (with the finalizer), owned non-matching ones released. */
  async function claimPods(job: Job): Promise<Pod[]> {
    const ns = job.metadata.namespace;
    const claimed: Pod[] = [];
    let canAdopt: boolean | undefined;
    for (const pod of pods.list()) {
      if (pod.metadata.namespace !== ns) continue;
      const ref = controllerRefOf(pod);
      const matches = labelSelectorMatches(job.spec.selector, pod.metadata.labels);
      if (ref) {
        if (ref.uid !== job.metadata.uid) continue;
        if (matches) {
          claimed.push(pod);
          continue;
        }
        if (job.metadata.deletionTimestamp) continue;
        await patchPod(pod, {
          metadata: {
            ownerReferences: [{ $patch: 'delete', uid: job.metadata.uid }],
            [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER],
            uid: pod.metadata.uid,
          },
        });
        continue;
      }
      if (!matches || job.metadata.deletionTimestamp || pod.metadata.deletionTimestamp) continue;
      if (canAdopt === undefined) {
        try {
          const fresh = await client.get<Job>(resourcePath(JOBS, ns, job.metadata.name));
          canAdopt = fresh.metadata.uid === job.metadata.uid && !fresh.metadata.deletionTimestamp;
        } catch (err) {
          if (!isNotFound(err)) throw err;
          canAdopt = false;
        }
      }
      if (!canAdopt) continue;
      await patchPod(pod, { metadata: { ownerReferences: [ownerRefFor(job)], finalizers: [JOB_TRACKING_FINALIZER], uid: pod.metadata.uid } });
      const adopted = structuredClone(pod);
      adopted.metadata.ownerReferences = [...(pod.metadata.ownerReferences ?? []), ownerRefFor(job)];
      if (!hasFinalizer(adopted)) adopted.metadata.finalizers = [...(adopted.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER];
      claimed.push(adopted);
    }
    return claimed;
  }

  async function writeStatus(job: Job): Promise<Job> {
    const path = resourcePath(JOBS, job.metadata.namespace, job.metadata.name, 'status');
    const updated = await client.update<Job>(path, job);
    written.wrote(updated);
    return updated;
  }

  /** Deletes pods; with `dropFinalizer` they are not counted (scale down, suspend: deleteJobPods). */
  async function deletePods(job: Job, key: string, victims: Pod[], dropFinalizer: boolean): Promise<{ deleted: number; deletedReady: number }> {
    if (dropFinalizer) expectations.expectDeletions(key, victims.map((p) => objectKey(p.metadata)));
    let deleted = 0;
    let deletedReady = 0;
    let firstError: unknown;
    await Promise.all(
      victims.map(async (p) => {
        try {
          if (dropFinalizer && hasFinalizer(p)) await removeFinalizer(p);
          await client.delete(resourcePath(PODS, p.metadata.namespace, p.metadata.name), { preconditions: { uid: p.metadata.uid } });
          events.normal(job, 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
          deleted++;
          if (isPodReady(p)) deletedReady++;
        } catch (err) {
          if (dropFinalizer) expectations.deletionObserved(key, objectKey(p.metadata));
          if (isNotFound(err)) {
            deleted++;
            return;
          }
          events.warning(job, 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          firstError ??= err;
        }
      }),
    );
    if (firstError) throw firstError;
    return { deleted, deletedReady };
  }

  /** Creates `n` pods in slow-start batches of 1, 2, 4, ...; returns how many were created. */
  async function createPods(job: Job, key: string, n: number, indexes: number[] | undefined): Promise<number> {
    expectations.expectCreations(key, n);
    let created = 0;
    let remaining = n;
    let batch = 1;
    let failed = false;
    let next = 0;
    while (remaining > 0 && !failed) {
      const size = Math.min(batch, remaining);
      const results = await Promise.allSettled(
        Array.from({ length: size }, () => {
          const ix = indexes ? indexes[next++] : undefined;
          return client.create<Pod>(resourcePath(PODS, job.metadata.namespace), podForJob(job, ix));
        }),
      );
      for (const r of results) {
        if (r.status === 'fulfilled') {
          created++;
          events.normal(job, 'SuccessfulCreate', `Created pod: ${r.value.metadata.name}`);
          continue;
        }
        expectations.lowerCreations(key, 1);
        if ((r.reason as { code?: number }).code === 403 && /being terminated/.test((r.reason as Error).message)) continue;
        failed = true;
        events.warning(job, 'FailedCreate', `Error creating: ${(r.reason as Error).message}`);
      }
      remaining -= size;
      batch *= 2;
    }
    if (remaining > 0) expectations.lowerCreations(key, remaining);
    return created;
  }

  interface SyncState {
    job: Job;
    key: string;
    pods: Pod[];
    active: Pod[];
    succeeded: number;
    terminating: number;
    ready: number;
    finished: JobCondition | undefined;
    expectedRemovals: Set<string>;
    uncounted: { succeeded: Set<string>; failed: Set<string> };
    succeededIx?: { previous: Set<number>; all: Set<number> };
    backoff: BackoffRecord;
  }

  /** manageJob: create or delete pods toward the number wanted; returns the active count. */
  async function manageJob(s: SyncState): Promise<{ active: number; suspendChanged: boolean }> {
    const { job, key } = s;
    let active = s.active.length;
    const parallelism = job.spec.parallelism ?? 1;
    if (job.spec.suspend === true) {
      const { deleted, deletedReady } = await deletePods(job, key, s.active, true);
      s.terminating += deleted;
      s.ready -= deletedReady;
      return { active: active - deleted, suspendChanged: false };
    }
    let want: number;
    if (job.spec.completions === undefined || job.spec.completions === null) want = s.succeeded > 0 ? active : parallelism;
    else want = Math.max(0, Math.min(job.spec.completions - s.succeeded, parallelism));

    const indexed = job.spec.completionMode === 'Indexed';
    // Indexed Jobs first drop pods with a bad, repeated or already succeeded index.
    let victims: Pod[] = [];
    let left = s.active;
    if (indexed) {
      const completions = job.spec.completions ?? 0;
      const byIndex = new Map<number, Pod[]>();
      left = [];
      for (const p of s.active) {
        const ix = completionIndexOf(p);
        if (ix < 0 || ix >= completions || s.succeededIx?.all.has(ix)) victims.push(p);
        else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
      }
      for (const group of byIndex.values()) {
        const extra = podsToDelete(group, group.length - 1);
        victims.push(...extra);
        left.push(...group.filter((p) => !extra.includes(p)));
      }
    }
    const rmAtLeast = Math.max(0, active - want);
    if (victims.length < rmAtLeast) victims = [...victims, ...podsToDelete(left, rmAtLeast - victims.length)];
    victims = victims.slice(0, MAX_CREATE_DELETE_PER_SYNC);
    if (victims.length > 0) {
      log.info({ namespace: job.metadata.namespace, name: job.metadata.name, deleting: victims.length, want }, 'too many pods running for job');
      const { deleted, deletedReady } = await deletePods(job, key, victims, true);
      s.terminating += deleted;
      s.ready -= deletedReady;
      return { active: active - deleted, suspendChanged: false };
    }
    const terminating = onlyReplaceFailedPods(job) ? s.terminating : 0;
    let diff = want - terminating - active;
    if (diff > 0) {
      const wait = remainingBackoffMs(s.backoff, Date.now());
      if (wait > 0) {
        delayed.after(key, Math.max(wait, SYNC_BATCH_MS));
        return { active, suspendChanged: false };
      }
      diff = Math.min(diff, MAX_CREATE_DELETE_PER_SYNC);
      let indexes: number[] | undefined;
      if (indexed) {
        indexes = firstPendingIndexes(job.spec.completions ?? 0, s.succeededIx?.all ?? new Set(), s.active, diff);
        diff = indexes.length;
      }
      if (diff > 0) {
        log.info({ namespace: job.metadata.namespace, name: job.metadata.name, want, creating: diff }, 'too few pods running for job');
        active += await createPods(job, key, diff, indexes);
      }
    }
    return { active, suspendChanged: false };
  }

  /** The Suspended condition and its events, and the start time a resumed Job starts over from. */
  function syncSuspended(job: Job, status: JobStatus): boolean {
    const conditions = status.conditions ?? [];
    if (job.spec.suspend === true) {
      const r = ensureCondition(conditions, condition('Suspended', 'JobSuspended', 'Job suspended'));
      if (r.changed) {
        status.conditions = r.conditions;
        events.normal(job, 'Suspended', 'Job suspended');
      }
      return r.changed;
    }
    const r = ensureCondition(conditions, condition('Suspended', 'JobResumed', 'Job resumed', 'False'));
    if (r.changed) {
      status.conditions = r.conditions;
      events.normal(job, 'Resumed', 'Job resumed');
      status.startTime = nowRfc3339();
    }
    return r.changed;
  }

  async function sync(key: string): Promise<void> {
    await Promise.all([jobs.synced(), pods.synced()]);
    const cached = jobs.get(key);
    const current = cached && written.get(key, cached);
    if (!current) {
      expectations.forget(key);
      finalizerRemovals.delete(key);
      backoffs.delete(key);
      return;
    }
    if (isJobFinished(current)) {
      backoffs.delete(key);
      return;
    }
    const job = structuredClone(current);
    const status: JobStatus = (job.status ??= {});
    status.uncountedTerminatedPods ??= {};
    const uncountedStatus = status.uncountedTerminatedPods;
    const satisfied = expectations.satisfied(key);
    const owned = await claimPods(job);
    const expectedRemovals = finalizerRemovals.get(key) ?? new Set<string>();
    const uncounted = { succeeded: new Set(uncountedStatus.succeeded ?? []), failed: new Set(uncountedStatus.failed ?? []) };
    const activePods = owned.filter(isActive);
    const notYetCounted = (p: Pod): boolean => hasFinalizer(p) && !expectedRemovals.has(p.metadata.uid ?? '');
    const fresh = (p: Pod, set: Set<string>): boolean => notYetCounted(p) && !set.has(p.metadata.uid ?? '');
    const indexed = job.spec.completionMode === 'Indexed';
    const validIndex = (p: Pod): boolean => !indexed || (completionIndexOf(p) >= 0 && completionIndexOf(p) < (job.spec.completions ?? 0));
    const newSucceeded = owned.filter((p) => fresh(p, uncounted.succeeded) && validIndex(p) && p.status?.phase === 'Succeeded');
    const newFailed = owned.filter((p) => fresh(p, uncounted.failed) && validIndex(p) && isPodFailed(p, job));
    const s: SyncState = {
      job,
      key,
      pods: owned,
      active: activePods,
      succeeded: (status.succeeded ?? 0) + newSucceeded.length + uncounted.succeeded.size,
      terminating: owned.filter(isTerminatingPod).length,
      ready: activePods.filter(isPodReady).length,
      finished: undefined,
      expectedRemovals,
      uncounted,
      backoff: nextBackoffRecord(backoffs.get(key), newSucceeded, newFailed),
    };
    const failed = (status.failed ?? 0) + newFailed.length + uncounted.failed.size;
    if (!status.startTime && job.spec.suspend !== true) status.startTime = nowRfc3339();

    const now = Date.now();
    const criteriaMet = trueConditionOf(job, 'SuccessCriteriaMet');
    if (criteriaMet) s.finished = criteriaMet;
    else {
      const target = trueConditionOf(job, 'FailureTarget');
      if (target) s.finished = condition('Failed', target.reason ?? '', target.message ?? '');
    }
    const deadlineMs = typeof job.spec.activeDeadlineSeconds === 'number' ? job.spec.activeDeadlineSeconds * 1000 : undefined;
    const started = timeOf(status.startTime);
    if (!s.finished) {
      if (failed > (job.spec.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, owned)) {
        s.finished = condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit');
      } else if (deadlineMs !== undefined && started !== undefined && job.spec.suspend !== true && now - started >= deadlineMs) {
        s.finished = condition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline');
      } else if (deadlineMs !== undefined && started !== undefined && job.spec.suspend !== true) {
        delayed.after(key, deadlineMs - (now - started));
      }
    }
    if (indexed) {
      s.succeededIx = succeededIndexes(job, owned, (p) => !notYetCounted(p));
      s.succeeded = s.succeededIx.all.size;
    }

    let active = activePods.length;
    let suspendChanged = false;
    if (s.finished) {
      // Failed: the active pods go (their finalizers stay, so they are counted as failed).
      const { deleted, deletedReady } = await deletePods(job, key, activePods, false);
      if (deleted !== active || !satisfied) s.finished = undefined;
      active -= deleted;
      s.terminating += deleted;
      s.ready -= deletedReady;
    } else {
      let managed = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        ({ active } = await manageJob(s));
        managed = true;
      }
      const complete = job.spec.completions === undefined || job.spec.completions === null ? s.succeeded > 0 && active === 0 : s.succeeded >= job.spec.completions && active === 0;
      if (complete) s.finished = condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods');
      else if (managed) suspendChanged = syncSuspended(job, status);
    }

    const needsUpdate = suspendChanged || active !== (status.active ?? 0) || s.ready !== status.ready || s.terminating !== status.terminating;
    status.active = active;
    status.ready = s.ready;
    status.terminating = s.terminating;
    await trackStatusAndRemoveFinalizers(s, needsUpdate);
  }

  /** cleanUncountedPodsWithoutFinalizers: uncounted pods whose finalizer is gone are counted. */
  function countRemoved(status: JobStatus, withFinalizer: Set<string>): boolean {
    const u = status.uncountedTerminatedPods ?? {};
    let changed = false;
    for (const list of ['succeeded', 'failed'] as const) {
      const before = u[list] ?? [];
      const kept = before.filter((uid) => withFinalizer.has(uid));
      if (kept.length !== before.length) {
        changed = true;
        status[list] = (status[list] ?? 0) + before.length - kept.length;
        if (kept.length) u[list] = kept;
        else delete u[list];
      }
    }
    return changed;
  }

  /**
   * trackJobStatusAndRemoveFinalizers: finished pods are recorded as uncounted, their finalizers
   * removed, then they are counted; the terminal condition is added once nothing is left to count
   * and no pod terminates.
   */
  async function trackStatusAndRemoveFinalizers(s: SyncState, needsUpdate: boolean): Promise<void> {
    let job = s.job;
    let flush = needsUpdate;
    const status = job.status!;
    const u = status.uncountedTerminatedPods!;
    const withFinalizer = new Set(s.pods.filter((p) => hasFinalizer(p) && !s.expectedRemovals.has(p.metadata.uid ?? '')).map((p) => p.metadata.uid ?? ''));
    if (countRemoved(status, withFinalizer)) flush = true;
    const indexed = job.spec.completionMode === 'Indexed';
    const completions = job.spec.completions ?? 0;
    const toRemove: Pod[] = [];
    const newIndexes: number[] = [];
    let capped = false;
    for (const pod of s.pods) {
      const uid = pod.metadata.uid ?? '';
      if (!hasFinalizer(pod) || s.expectedRemovals.has(uid)) continue;
      const failed = isPodFailed(pod, job);
      // canRemoveFinalizer
      if (!(job.metadata.deletionTimestamp || s.finished || pod.status?.phase === 'Succeeded' || failed)) continue;
      toRemove.push(pod);
      if (pod.status?.phase === 'Succeeded' && !s.uncounted.failed.has(uid)) {
        if (indexed) {
          const ix = completionIndexOf(pod);
          if (ix >= 0 && ix < completions && !s.succeededIx?.previous.has(ix)) {
            newIndexes.push(ix);
            flush = true;
          }
        } else if (!s.uncounted.succeeded.has(uid)) {
          u.succeeded = [...(u.succeeded ?? []), uid];
          flush = true;
        }
      } else if (failed || (s.finished && s.finished.type !== 'SuccessCriteriaMet')) {
        const ix = completionIndexOf(pod);
        if (!s.uncounted.failed.has(uid) && (!indexed || (ix >= 0 && ix < completions))) {
          u.failed = [...(u.failed ?? []), uid];
          flush = true;
        }
      }
      if (newIndexes.length + (u.succeeded?.length ?? 0) + (u.failed?.length ?? 0) >= MAX_UNCOUNTED_PODS) {
        capped = true;
        break;
      }
    }
    if (indexed && s.succeededIx) {
      const all = new Set([...s.succeededIx.previous, ...newIndexes]);
      const text = formatIndexes(all);
      if (text !== (status.completedIndexes ?? '')) flush = true;
      status.completedIndexes = text;
      status.succeeded = all.size;
    }
    // The interim condition is written before any finalizer goes; the terminal one follows.
    let finished = s.finished;
    if (finished?.type === 'FailureTarget') {
      status.conditions = [...(status.conditions ?? []), finished];
      flush = true;
      finished = condition('Failed', finished.reason ?? '', finished.message ?? '');
    } else if (finished?.type === 'SuccessCriteriaMet') {
      if (!trueConditionOf(job, 'SuccessCriteriaMet')) {
        status.conditions = [...(status.conditions ?? []), finished];
        flush = true;
      }
      finished = condition('Complete', finished.reason ?? '', finished.message ?? '');
    }

    if (flush) {
      job = await writeStatus(job);
      backoffs.set(s.key, s.backoff);
      flush = false;
    }
    const jobStatus = job.status!;
    jobStatus.uncountedTerminatedPods ??= {};
    if (toRemove.length > 0) {
      const removals = finalizerRemovals.get(s.key) ?? new Set<string>();
      finalizerRemovals.set(s.key, removals);
      const results = await Promise.allSettled(
        toRemove.map(async (p) => {
          removals.add(p.metadata.uid ?? '');
          try {
            await removeFinalizer(p);
          } catch (err) {
            removals.delete(p.metadata.uid ?? '');
            throw err;
          }
        }),
      );
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') withFinalizer.delete(toRemove[i]!.metadata.uid ?? '');
      });
      if (countRemoved(jobStatus, withFinalizer)) flush = true;
      const failedRemoval = results.find((r) => r.status === 'rejected');
      if (failedRemoval) {
        if (flush) await writeStatus(job);
        throw (failedRemoval as PromiseRejectedResult).reason;
      }
    }
    // enactJobFinished
    let jobFinished = false;
    const leftUncounted = (jobStatus.uncountedTerminatedPods.succeeded?.length ?? 0) + (jobStatus.uncountedTerminatedPods.failed?.length ?? 0);
    if (finished && !capped && leftUncounted === 0 && s.terminating === 0) {
      jobStatus.conditions = ensureCondition(jobStatus.conditions ?? [], finished).conditions;
      if (finished.type === 'Complete') jobStatus.completionTime = finished.lastTransitionTime;
      jobFinished = true;
      flush = true;
    }
    if (flush) {
      job = await writeStatus(job);
      if (jobFinished) {
        if (finished!.type === 'Complete') {
          if (typeof job.spec.completions === 'number' && (job.status?.succeeded ?? 0) > job.spec.completions) {
            events.warning(job, 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
          }
          events.normal(job, 'Completed', 'Job completed');
        } else {
          events.warning(job, finished!.reason ?? 'Failed', finished!.message ?? '');
        }
        log.info({ namespace: job.metadata.namespace, name: job.metadata.name, condition: finished!.type, reason: finished!.reason }, 'job finished');
      }
    }
  }

  const queue = createWorkQueue(
    'job',
    async (key) => {
      try {
        await sync(key);
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) {
          delayed.after(key, 50);
          return;
        }
        throw err;
      }
    },
    { logger: log, maxBackoffMs: 60_000 },
  );
  const delayed = createDelayedEnqueue(queue);
  const enqueueNow = (job: Job): void => delayed.after(objectKey(job.metadata), 0);
  const enqueueBatched = (job: Job): void => delayed.after(objectKey(job.metadata), SYNC_BATCH_MS);

  /** Orphan pods (no Job, a Job gone or finished) must not keep the tracking finalizer. */
  const orphanQueue = createWorkQueue(
    'job-orphan-pods',
    async (podKey) => {
      await Promise.all([jobs.synced(), pods.synced()]);
      const pod = pods.get(podKey);
      if (!pod || !hasFinalizer(pod)) return;
      const ref = controllerRefOf(pod);
      if (ref) {
        if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
        const job = ownerOf(pod);
        if (job && !isJobFinished(job)) return;
      }
      await removeFinalizer(pod);
    },
    { logger: log },
  );
  const enqueueOrphan = (pod: Pod): void => orphanQueue.add(objectKey(pod.metadata));

  function observeFinalizer(job: Job, pod: Pod, gone: boolean): void {
    if (!gone && hasFinalizer(pod)) return;
    finalizerRemovals.get(objectKey(job.metadata))?.delete(pod.metadata.uid ?? '');
  }

  function onPodDeleted(pod: Pod, final: boolean): void {
    const ref = controllerRefOf(pod);
    if (!ref) {
      if (hasFinalizer(pod) && !final) enqueueOrphan(pod);
      return;
    }
    const job = ownerOf(pod);
    if (!job || isJobFinished(job)) {
      if (hasFinalizer(pod) && !final) enqueueOrphan(pod);
      return;
    }
    expectations.deletionObserved(objectKey(job.metadata), objectKey(pod.metadata));
    observeFinalizer(job, pod, final);
    enqueueBatched(job);
  }

  pods.addHandlers({
    add(pod) {
      if (pod.metadata.deletionTimestamp) {
        onPodDeleted(pod, false);
        return;
      }
      const job = ownerOf(pod);
      if (job) {
        expectations.creationObserved(objectKey(job.metadata));
        enqueueBatched(job);
        return;
      }
      if (controllerRefOf(pod)) return;
      if (hasFinalizer(pod)) enqueueOrphan(pod);
      for (const j of jobs.list()) if (j.metadata.namespace === pod.metadata.namespace && labelSelectorMatches(j.spec.selector, pod.metadata.labels)) enqueueBatched(j);
    },
    update(old, pod) {
      if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return;
      if (pod.metadata.deletionTimestamp) {
        onPodDeleted(pod, false);
        const job = ownerOf(pod);
        if (job) observeFinalizer(job, pod, false);
        return;
      }
      const oldJob = ownerOf(old);
      const job = ownerOf(pod);
      if (oldJob && oldJob.metadata.uid !== job?.metadata.uid) {
        observeFinalizer(oldJob, pod, false);
        enqueueBatched(oldJob);
      }
      if (job) {
        observeFinalizer(job, pod, false);
        enqueueBatched(job);
        return;
      }
      if (controllerRefOf(pod)) {
        if (hasFinalizer(pod)) enqueueOrphan(pod);
        return;
      }
      if (hasFinalizer(pod)) enqueueOrphan(pod);
      for (const j of jobs.list()) if (j.metadata.namespace === pod.metadata.namespace && labelSelectorMatches(j.spec.selector, pod.metadata.labels)) enqueueBatched(j);
    },
    delete: (pod) => onPodDeleted(pod, true),
  });

  /** enqueueLabelSelector: a finished or deleted Job's pods lose their finalizers. */
  const releasePodsOf = (job: Job): void => {
    for (const p of pods.list()) {
      if (p.metadata.namespace === job.metadata.namespace && hasFinalizer(p) && labelSelectorMatches(job.spec.selector, p.metadata.labels)) enqueueOrphan(p);
    }
  };

  jobs.addHandlers({
    add: enqueueNow,
    update(old, job) {
      if (isJobFinished(job)) {
        releasePodsOf(job);
        return;
      }
      if ((old.metadata.generation ?? 0) === (job.metadata.generation ?? 0)) enqueueBatched(job);
      else enqueueNow(job);
    },
    delete(job) {
      enqueueNow(job);
      written.observedDeletion(job);
      releasePodsOf(job);
    },
  });

  return {
    name: 'job',
    stop() {
      delayed.stop();
      queue.stop();
      orphanQueue.stop();
    },
  };
}

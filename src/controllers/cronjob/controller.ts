// The CronJob controller (upstream's pkg/controller/cronjob/cronjob_controllerv2.go): at each
// activation of a CronJob's schedule (in its timeZone) it creates a Job named
// <cronjob>-<scheduled minutes since the epoch> from the job template, keeps status.active,
// lastScheduleTime and lastSuccessfulTime, applies concurrencyPolicy (Allow, Forbid: skip while
// one runs, Replace: delete the running ones first), startingDeadlineSeconds (a start missed by
// more than that is skipped), suspend, and deletes finished Jobs beyond the successful / failed
// history limits (oldest first). It requeues a CronJob for its next activation. Events as
// upstream: SuccessfulCreate, SawCompletedJob, SuccessfulDelete, JobAlreadyActive,
// MissSchedule, TooManyMissedTimes, UnparseableSchedule, UnknownTimeZone.
import { CRONJOB_SCHEDULED_TIMESTAMP, finishedConditionType, type CronJob, type Job } from '../../api/batch.js';
import { objectKey, resourcePath } from '../../api/paths.js';
import type { ObjectReference } from '../../api/types.js';
import { createWorkQueue } from '../../client/workqueue.js';
import { isKnownTimeZone, parseSchedule, type Schedule } from '../../kinds/cronjob/schedule.js';
import { CRONJOBS } from '../../kinds/cronjob/resource.js';
import { JOBS } from '../../kinds/job/resource.js';
import { createDelayedEnqueue } from '../delayed-enqueue.js';
import { createEventRecorder } from '../events.js';
import { controllerRefOf, isConflict, isNotFound, timeOf } from '../pods.js';
import type { Controller, ControllerContext } from '../types.js';

/** More missed start times than this: a TooManyMissedTimes warning (the controller still starts the latest). */
const MAX_MISSED_TIMES = 100;
/** nextScheduleTimeDuration adds this, so the sync runs after the activation, not just before. */
const NEXT_SCHEDULE_DELTA_MS = 100;

const rfc3339 = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/** The scheduled time as RFC 3339 with the zone's offset (time.Time.In(loc).Format(time.RFC3339)). */
function rfc3339In(ms: number, timeZone: string): string {
  const parts: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const p of fmt.formatToParts(new Date(ms))) parts[p.type] = p.value;
  const wall = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24, Number(parts.minute), Number(parts.second));
  const offsetMin = Math.round((wall - Math.floor(ms / 1000) * 1000) / 60_000);
  const text = `${parts.year}-${parts.month}-${parts.day}T${String(Number(parts.hour) % 24).padStart(2, '0')}:${parts.minute}:${parts.second}`;
  if (offsetMin === 0) return `${text}Z`;
  const sign = offsetMin < 0 ? '-' : '+';
  const abs = Math.abs(offsetMin);
  return `${text}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** getJobName: the CronJob's name and the scheduled time in minutes since the epoch. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledMs / 60_000)}`;
}

/**
 * mostRecentScheduleTime: the latest activation in (earliest, now], with how many were missed;
 * earliest is the last schedule time (else the creation), no earlier than now - startingDeadlineSeconds.
 */
export function mostRecentScheduleTime(cj: CronJob, now: number, sched: Schedule): { latest?: number; missed: number } {
  let earliest = timeOf(cj.status?.lastScheduleTime) ?? timeOf(cj.metadata.creationTimestamp) ?? now;
  const sds = cj.spec.startingDeadlineSeconds;
  if (typeof sds === 'number') earliest = Math.max(earliest, now - sds * 1000);
  let latest: number | undefined;
  let missed = 0;
  for (let t = sched.next(earliest); t <= now; t = sched.next(t)) {
    latest = t;
    missed += 1;
    if (missed > MAX_MISSED_TIMES) {
      // Too many to walk: the latest is found from ever earlier points before now.
      for (const back of [60 * 60_000, 86_400_000, 31 * 86_400_000, 400 * 86_400_000]) {
        const from = Math.max(t, now - back);
        if (sched.next(from) > now) continue;
        for (let u = sched.next(from); u <= now; u = sched.next(u)) latest = u;
        break;
      }
      break;
    }
  }
  return { latest, missed };
}

function referenceTo(job: Job): ObjectReference {
  return { kind: 'Job', namespace: job.metadata.namespace, name: job.metadata.name, uid: job.metadata.uid, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion };
}

/** getJobFromTemplate2. */
function jobFor(cj: CronJob, scheduledMs: number, timeZone: string): Job {
  const t = structuredClone(cj.spec.jobTemplate);
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata.namespace,
      labels: t.metadata?.labels,
      annotations: { ...(t.metadata?.annotations ?? {}), [CRONJOB_SCHEDULED_TIMESTAMP]: rfc3339In(scheduledMs, timeZone) },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: cj.metadata.name ?? '', uid: cj.metadata.uid ?? '', controller: true, blockOwnerDeletion: true }],
    },
    spec: t.spec,
  };
}

/** byJobStartTime: oldest start first (no start time last), then by name. */
function byStartTime(a: Job, b: Job): number {
  const sa = timeOf(a.status?.startTime);
  const sb = timeOf(b.status?.startTime);
  if (sa === undefined && sb !== undefined) return 1;
  if (sa !== undefined && sb === undefined) return -1;
  if (sa !== undefined && sb !== undefined && sa !== sb) return sa - sb;
  return (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '');
}

export function startCronJobController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'cronjob' });
  const events = createEventRecorder(client, 'cronjob-controller', log);
  const cronJobs = ctx.informers.forResource<CronJob>(CRONJOBS);
  const jobs = ctx.informers.forResource<Job>(JOBS);

  const ownedJobs = (cj: CronJob): Job[] =>
    jobs.list().filter((j) => j.metadata.namespace === cj.metadata.namespace && controllerRefOf(j)?.kind === 'CronJob' && controllerRefOf(j)?.uid === cj.metadata.uid);

  async function deleteJob(cj: CronJob, job: Job): Promise<void> {
    try {
      await client.delete(resourcePath(JOBS, job.metadata.namespace, job.metadata.name), { propagationPolicy: 'Background' });
    } catch (err) {
      if (!isNotFound(err)) {
        events.warning(cj, 'FailedDelete', `Deleted job: ${(err as Error).message}`);
        throw err;
      }
    }
    events.normal(cj, 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
  }

  /** cleanupFinishedJobs / removeOldestJobs. */
  async function cleanupFinished(cj: CronJob, owned: Job[]): Promise<void> {
    const limits = { Complete: cj.spec.successfulJobsHistoryLimit, Failed: cj.spec.failedJobsHistoryLimit } as const;
    for (const type of ['Complete', 'Failed'] as const) {
      const limit = limits[type];
      if (typeof limit !== 'number') continue;
      const finished = owned.filter((j) => finishedConditionType(j) === type && !j.metadata.deletionTimestamp).sort(byStartTime);
      for (const j of finished.slice(0, Math.max(0, finished.length - limit))) await deleteJob(cj, j);
    }
  }

  /** syncCronJob: returns the delay until the next activation, if there is one to wait for. */
  async function sync(cj: CronJob, owned: Job[], now: number): Promise<{ status: NonNullable<CronJob['status']>; requeueMs?: number }> {
    const status = structuredClone(cj.status ?? {});
    const ownedByUid = new Map(owned.map((j) => [j.metadata.uid, j]));
    // Forget active Jobs that are gone; take finished ones out of active.
    const active: ObjectReference[] = [];
    for (const ref of status.active ?? []) {
      const j = ownedByUid.get(ref.uid);
      if (!j) continue;
      const done = finishedConditionType(j);
      if (!done) {
        active.push(ref);
        continue;
      }
      events.normal(cj, 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${done}`);
      if (done === 'Complete' && j.status?.completionTime) {
        const t = timeOf(j.status.completionTime)!;
        if (timeOf(status.lastSuccessfulTime) === undefined || t > timeOf(status.lastSuccessfulTime)!) status.lastSuccessfulTime = j.status.completionTime;
      }
    }
    // A running Job of ours the status does not list (its status write was lost): list it again.
    for (const j of owned) {
      if (!finishedConditionType(j) && !active.some((r) => r.uid === j.metadata.uid) && j.metadata.name?.startsWith(`${cj.metadata.name}-`) && j.metadata.annotations?.[CRONJOB_SCHEDULED_TIMESTAMP]) {
        active.push(referenceTo(j));
      }
    }
    status.active = active;
    if (cj.metadata.deletionTimestamp) return { status };

    const timeZone = cj.spec.timeZone ?? 'UTC';
    if (cj.spec.timeZone !== undefined && !isKnownTimeZone(timeZone)) {
      events.warning(cj, 'UnknownTimeZone', `invalid timeZone: "${timeZone}": unknown time zone ${timeZone}`);
      return { status };
    }
    if (cj.spec.suspend) return { status };
    let sched: Schedule;
    try {
      sched = parseSchedule(cj.spec.schedule, timeZone);
    } catch (err) {
      events.warning(cj, 'UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${(err as Error).message}`);
      return { status };
    }
    const requeueMs = Math.max(0, sched.next(now) - now) + NEXT_SCHEDULE_DELTA_MS;
    const { latest, missed } = mostRecentScheduleTime(cj, now, sched);
    if (missed > MAX_MISSED_TIMES) {
      events.warning(cj, 'TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew');
    }
    if (latest === undefined) return { status, requeueMs };
    const sds = cj.spec.startingDeadlineSeconds;
    if (typeof sds === 'number' && latest + sds * 1000 < now) {
      events.warning(cj, 'MissSchedule', `Missed scheduled time to start a job: ${rfc3339In(latest, timeZone)}`);
      return { status, requeueMs };
    }
    const name = jobNameFor(cj, latest);
    if (active.some((r) => r.name === name) || owned.some((j) => j.metadata.name === name)) return { status, requeueMs };
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      events.normal(cj, 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return { status, requeueMs };
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const ref of active) {
        const j = ownedByUid.get(ref.uid);
        if (j) await deleteJob(cj, j);
      }
      status.active = [];
    }
    let created: Job;
    try {
      created = await client.create<Job>(resourcePath(JOBS, cj.metadata.namespace), jobFor(cj, latest, timeZone));
      events.normal(cj, 'SuccessfulCreate', `Created job ${created.metadata.name}`);
      log.info({ namespace: cj.metadata.namespace, name: cj.metadata.name, job: created.metadata.name }, 'created job');
    } catch (err) {
      if (!isConflict(err)) {
        events.warning(cj, 'FailedCreate', `Error creating job: ${(err as Error).message}`);
        throw err;
      }
      // Created before, by an earlier sync whose status write was lost: the cache will show it.
      return { status, requeueMs };
    }
    status.active = [...(status.active ?? []), referenceTo(created)];
    status.lastScheduleTime = rfc3339(latest);
    return { status, requeueMs };
  }

  const queue = createWorkQueue(
    'cronjob',
    async (key) => {
      await Promise.all([cronJobs.synced(), jobs.synced()]);
      const cj = cronJobs.get(key);
      if (!cj) return;
      const owned = ownedJobs(cj);
      const { status, requeueMs } = await sync(cj, owned, Date.now());
      if (JSON.stringify(status) !== JSON.stringify(cj.status ?? {})) {
        try {
          await client.update(resourcePath(CRONJOBS, cj.metadata.namespace, cj.metadata.name, 'status'), { ...cj, status });
        } catch (err) {
          if (isNotFound(err)) return;
          throw err;
        }
      }
      await cleanupFinished(cj, ownedJobs(cj));
      if (requeueMs !== undefined) delayed.after(key, requeueMs);
    },
    { logger: log },
  );
  const delayed = createDelayedEnqueue(queue);
  const enqueue = (cj: CronJob): void => delayed.after(objectKey(cj.metadata), 0);
  const enqueueOwner = (job: Job): void => {
    const ref = controllerRefOf(job);
    if (ref?.kind === 'CronJob') delayed.after(objectKey({ namespace: job.metadata.namespace, name: ref.name }), 0);
  };
  cronJobs.addHandlers({ add: enqueue, update: (_old, cj) => enqueue(cj) });
  jobs.addHandlers({ add: enqueueOwner, update: (_old, j) => enqueueOwner(j), delete: enqueueOwner });
  return {
    name: 'cronjob',
    stop() {
      delayed.stop();
      queue.stop();
    },
  };
}

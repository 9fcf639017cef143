// The TTL-after-finished controller (upstream's pkg/controller/ttlafterfinished): a Job with
// ttlSecondsAfterFinished is deleted that long after it finished (the transition time of its
// Complete or Failed condition), with Foreground propagation so its pods go first. The Job is
// read again from the API server before the delete, and the delete carries its resourceVersion
// as a precondition: a Job whose TTL was changed meanwhile is not deleted on the old one.
import { isJobFinished, trueCondition, type Job } from '../api/batch.js';
import { objectKey, resourcePath } from '../api/paths.js';
import { createWorkQueue } from '../client/workqueue.js';
import { JOBS } from '../kinds/job/resource.js';
import { createDelayedEnqueue } from './delayed-enqueue.js';
import { isConflict, isNotFound, timeOf } from './pods.js';
import type { Controller, ControllerContext } from './types.js';

/** When the Job expires (ms since the epoch), or undefined when it never does (no TTL, not finished). */
export function expiresAt(job: Job): number | undefined {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (typeof ttl !== 'number' || job.metadata.deletionTimestamp || !isJobFinished(job)) return undefined;
  const finished = trueCondition(job, 'Complete') ?? trueCondition(job, 'Failed');
  const at = timeOf(finished?.lastTransitionTime);
  return at === undefined ? undefined : at + ttl * 1000;
}

export function startTTLAfterFinishedController(ctx: ControllerContext): Controller {
  const { client, logger } = ctx;
  const log = logger.child({ controller: 'ttl-after-finished' });
  const jobs = ctx.informers.forResource<Job>(JOBS);

  const queue = createWorkQueue(
    'ttl-after-finished',
    async (key) => {
      await jobs.synced();
      const cached = jobs.get(key);
      if (!cached) return;
      const due = expiresAt(cached);
      if (due === undefined) return;
      if (due > Date.now()) {
        delayed.after(key, due - Date.now());
        return;
      }
      // The cache may be stale: decide on the live object.
      let fresh: Job;
      try {
        fresh = await client.get<Job>(resourcePath(JOBS, cached.metadata.namespace, cached.metadata.name));
      } catch (err) {
        if (isNotFound(err)) return;
        throw err;
      }
      const freshDue = expiresAt(fresh);
      if (freshDue === undefined) return;
      if (freshDue > Date.now()) {
        delayed.after(key, freshDue - Date.now());
        return;
      }
      log.info({ namespace: fresh.metadata.namespace, name: fresh.metadata.name }, 'cleaning up job: its ttlSecondsAfterFinished has passed');
      try {
        await client.delete(resourcePath(JOBS, fresh.metadata.namespace, fresh.metadata.name), {
          propagationPolicy: 'Foreground',
          preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion },
        });
      } catch (err) {
        if (isNotFound(err)) return;
        if (isConflict(err)) {
          delayed.after(key, 100);
          return;
        }
        throw err;
      }
    },
    { logger: log },
  );
  const delayed = createDelayedEnqueue(queue);
  const enqueue = (job: Job): void => {
    if (expiresAt(job) !== undefined) delayed.after(objectKey(job.metadata), 0);
  };
  jobs.addHandlers({ add: enqueue, update: (_old, job) => enqueue(job) });
  return {
    name: 'ttl-after-finished',
    stop() {
      delayed.stop();
      queue.stop();
    },
  };
}

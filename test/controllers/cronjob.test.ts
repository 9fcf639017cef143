// CronJobs on a real cluster, firing on the minute as upstream's controller does (this file waits
// for two minute boundaries; it has a file of its own so it runs beside the others): the Job named
// <cronjob>-<scheduled minutes since the epoch>, status.active / lastScheduleTime /
// lastSuccessfulTime, the history limits, concurrencyPolicy Forbid and Replace, suspend, and
// kubectl get / create job --from=cronjob.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CronJob, Job } from '../../src/api/batch.js';
import type { Event } from '../../src/api/types.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'cron';

const k = async (args: string[], input?: string): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const cronJob = (name: string): Promise<CronJob> => c.client.get<CronJob>(`/apis/batch/v1/namespaces/${NS}/cronjobs/${name}`);
const jobsOf = async (name: string): Promise<Job[]> =>
  (await c.client.list<Job>(`/apis/batch/v1/namespaces/${NS}/jobs`)).items.filter((j) => j.metadata.ownerReferences?.some((r) => r.kind === 'CronJob' && r.name === name));
const eventsOnce = (name: string, reason: string): Promise<Event[]> =>
  waitFor(`event ${reason} of cronjob ${name}`, async () => {
    const evs = (await c.client.list<Event>(`/api/v1/namespaces/${NS}/events`)).items.filter((e) => e.involvedObject.kind === 'CronJob' && e.involvedObject.name === name);
    return evs.some((e) => e.reason === reason) ? evs : undefined;
  }, 150_000);
const isFinished = (j: Job, type: string): boolean => (j.status?.conditions ?? []).some((x) => x.type === type && x.status === 'True');

function manifest(name: string, spec: Record<string, unknown>, env: Record<string, string>, jobSpec: Record<string, unknown> = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name, namespace: NS },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: {
        spec: {
          backoffLimit: 0,
          template: { spec: { restartPolicy: 'Never', containers: [{ name: 'task', image: 'busybox:1.36', env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }] } },
          ...jobSpec,
        },
      },
      ...spec,
    },
  });
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 1 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
});
afterAll(async () => {
  await c?.down();
});

describe('CronJobs', () => {
  it('fire every minute; keep one successful and no failed Job; Forbid skips while one runs; Replace replaces it', async () => {
    await k(['apply', '-f', '-'], manifest('tick', { successfulJobsHistoryLimit: 1 }, { RUN_SECONDS: '0.5' }));
    await k(['apply', '-f', '-'], manifest('broken', { failedJobsHistoryLimit: 0 }, { RUN_SECONDS: '0.2', EXIT_CODE: '1' }));
    await k(['apply', '-f', '-'], manifest('single', { concurrencyPolicy: 'Forbid' }, { RUN_SECONDS: '600' }));
    await k(['apply', '-f', '-'], manifest('fresh', { concurrencyPolicy: 'Replace' }, { RUN_SECONDS: '600' }));
    await k(['apply', '-f', '-'], manifest('paused', { suspend: true }, { RUN_SECONDS: '0.5' }));

    // The first activation: a Job named by the scheduled minute, listed as active.
    const [first] = await waitFor('first job of tick', async () => {
      const js = await jobsOf('tick');
      return js.length > 0 ? js : undefined;
    }, 75_000);
    const scheduled = await waitFor('lastScheduleTime', async () => (await cronJob('tick')).status?.lastScheduleTime);
    expect(Date.parse(scheduled) % 60_000).toBe(0);
    expect(first!.metadata.name).toBe(`tick-${Date.parse(scheduled) / 60_000}`);
    expect(first!.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toBe(scheduled);
    expect(first!.metadata.ownerReferences?.[0]).toMatchObject({ apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', controller: true });
    const sawCompleted = await eventsOnce('tick', 'SawCompletedJob');
    expect(sawCompleted.find((e) => e.reason === 'SuccessfulCreate')?.message).toBe(`Created job ${first!.metadata.name}`);
    expect(sawCompleted.find((e) => e.reason === 'SawCompletedJob')?.message).toBe(`Saw completed job: ${first!.metadata.name}, condition: Complete`);
    const afterFirst = await waitFor('tick has no active job and a lastSuccessfulTime', async () => {
      const x = await cronJob('tick');
      return (x.status?.active ?? []).length === 0 && x.status?.lastSuccessfulTime ? x : undefined;
    });
    expect(Date.parse(afterFirst.status!.lastSuccessfulTime!)).toBeGreaterThanOrEqual(Date.parse(scheduled));

    // failedJobsHistoryLimit 0: the failed Job is deleted once it failed.
    const brokenDeleted = await eventsOnce('broken', 'SuccessfulDelete');
    expect(brokenDeleted.find((e) => e.reason === 'SawCompletedJob')?.message).toMatch(/^Saw completed job: broken-\d+, condition: Failed$/);

    // The second activation: tick's first Job is deleted (history limit 1), single skips, fresh replaces.
    const [second] = await waitFor('second job of tick, first deleted', async () => {
      const js = (await jobsOf('tick')).filter((j) => !j.metadata.deletionTimestamp);
      return js.length === 1 && js[0]!.metadata.name !== first!.metadata.name && isFinished(js[0]!, 'Complete') ? js : undefined;
    }, 120_000);
    expect(Number(second!.metadata.name!.split('-')[1])).toBe(Date.parse(scheduled) / 60_000 + 1);
    const forbid = await eventsOnce('single', 'JobAlreadyActive');
    expect(forbid.find((e) => e.reason === 'JobAlreadyActive')?.message).toBe('Not starting job because prior execution is running and concurrency policy is Forbid');
    expect((await jobsOf('single')).length).toBe(1);
    expect((await cronJob('single')).status?.active).toHaveLength(1);
    const replaced = await eventsOnce('fresh', 'SuccessfulDelete');
    expect(replaced.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(2);
    const fresh = await waitFor('fresh lists only its new job', async () => {
      const x = await cronJob('fresh');
      return x.status?.active?.length === 1 && x.status.active[0]!.name === `fresh-${Date.parse(scheduled) / 60_000 + 1}` ? x : undefined;
    });
    expect(fresh.status?.active?.[0]?.kind).toBe('Job');

    // Suspended: never fired.
    expect(await jobsOf('paused')).toHaveLength(0);
    expect((await cronJob('paused')).status?.lastScheduleTime).toBeUndefined();

    const table = (await k(['get', 'cronjobs'])).split('\n');
    expect(table[0]).toMatch(/^NAME\s+SCHEDULE\s+TIMEZONE\s+SUSPEND\s+ACTIVE\s+LAST SCHEDULE\s+AGE$/);
    // AGE as kubectl words it: 119s, then 2m5s (the test runs past two minutes)
    expect(table.find((l) => l.startsWith('paused '))).toMatch(/^paused\s+\*\/1 \* \* \* \*\s+<none>\s+True\s+0\s+<none>\s+(\d+s|\d+m(\d+s)?)$/);
    expect(table.find((l) => l.startsWith('single '))).toMatch(/^single\s+\*\/1 \* \* \* \*\s+<none>\s+False\s+1\s+\d+s\s+\d+(s|m\d*s?)$/);
  }, 200_000);

  it('kubectl create job --from=cronjob/x runs the template now', async () => {
    await k(['apply', '-f', '-'], manifest('manual', { suspend: true }, { RUN_SECONDS: '0.5' }));
    expect(await k(['create', 'job', 'manual-now', '--from=cronjob/manual'])).toBe('job.batch/manual-now created\n');
    await k(['wait', '--for=condition=complete', 'job/manual-now', '--timeout=60s']);
    const j = await c.client.get<Job>(`/apis/batch/v1/namespaces/${NS}/jobs/manual-now`);
    expect(j.metadata.annotations?.['cronjob.kubernetes.io/instantiate']).toBe('manual');
    expect(j.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'CronJob', name: 'manual' });
  }, 90_000);
});

// Jobs on a real cluster with the real kubectl, as a user drives them: completions 3 with
// parallelism 2 (never more than 2 pods running, counted at every step of the watch), a Job whose
// pods fail backing off to Failed with BackoffLimitExceeded, activeDeadlineSeconds, the TTL after
// finished, suspend and resume, Indexed completion mode, and kubectl's get/describe/wait/logs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../src/api/batch.js';
import type { Event, Pod } from '../../src/api/types.js';
import type { Watch } from '../../src/client/client.js';
import { startTestCluster, waitFor, type TestCluster } from '../support/cluster.js';

let c: TestCluster;
const NS = 'jobs';

const k = async (args: string[], input?: string, timeoutMs = 90_000): Promise<string> => {
  const r = await c.kubectl([...args, '-n', NS], { ...(input ? { input } : {}), timeoutMs });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
};
const job = (name: string): Promise<Job> => c.client.get<Job>(`/apis/batch/v1/namespaces/${NS}/jobs/${name}`);
const podsOf = async (name: string): Promise<Pod[]> =>
  (await c.client.list<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: `batch.kubernetes.io/job-name=${name}` })).items;
const eventsOf = async (name: string): Promise<Event[]> =>
  (await c.client.list<Event>(`/api/v1/namespaces/${NS}/events`)).items.filter((e) => e.involvedObject.kind === 'Job' && e.involvedObject.name === name);
/** The Job's events once one has `reason` (an event is recorded just after the status it tells of). */
const eventsOnce = (name: string, reason: string): Promise<Event[]> =>
  waitFor(`event ${reason} of job ${name}`, async () => {
    const evs = await eventsOf(name);
    return evs.some((e) => e.reason === reason) ? evs : undefined;
  });
const conditionTypes = (j: Job): string[] => (j.status?.conditions ?? []).filter((x) => x.status === 'True').map((x) => x.type);

function manifest(name: string, spec: Record<string, unknown>, env: Record<string, string> = {}): string {
  return JSON.stringify({
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      template: {
        spec: {
          restartPolicy: 'Never',
          containers: [{ name: 'task', image: 'busybox:1.36', ports: [{ containerPort: 8080 }], env: Object.entries(env).map(([n, value]) => ({ name: n, value })) }],
        },
      },
      ...spec,
    },
  });
}

/** Records, at every pod event of the Job, how many of its pods run (not finished, not deleted). */
function recordRunning(name: string): { samples: number[]; stop: () => void } {
  const phases = new Map<string, boolean>();
  const samples: number[] = [];
  const watch: Watch = c.client.watch<Pod>(`/api/v1/namespaces/${NS}/pods`, { labelSelector: `batch.kubernetes.io/job-name=${name}` }, {
    onEvent(ev) {
      const p = ev.object as Pod;
      const running = ev.type !== 'DELETED' && !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
      phases.set(p.metadata.uid!, running);
      samples.push([...phases.values()].filter(Boolean).length);
    },
    onClose() {},
  });
  return { samples, stop: () => watch.stop() };
}

beforeAll(async () => {
  c = await startTestCluster({ nodes: 2 });
  expect((await c.kubectl(['create', 'namespace', NS])).code).toBe(0);
});
afterAll(async () => {
  await c?.down();
});

describe('Jobs', () => {
  it('completions 3, parallelism 2: at most 2 pods at a time, Complete after 3 successes, with kubectl wait/get/describe', async () => {
    const rec = recordRunning('count');
    try {
      expect(await k(['apply', '-f', '-'], manifest('count', { completions: 3, parallelism: 2 }, { RUN_SECONDS: '1' }))).toBe('job.batch/count created\n');
      expect(await k(['wait', '--for=condition=complete', 'job/count', '--timeout=60s'])).toBe('job.batch/count condition met\n');
    } finally {
      rec.stop();
    }
    expect(Math.max(...rec.samples)).toBe(2);
    const j = await job('count');
    expect(j.status?.succeeded).toBe(3);
    expect(j.status?.active ?? 0).toBe(0);
    expect(j.status?.failed ?? 0).toBe(0);
    expect(j.status?.ready ?? 0).toBe(0);
    expect(j.status?.startTime).toBeTruthy();
    expect(j.status?.completionTime).toBeTruthy();
    expect(Date.parse(j.status!.completionTime!)).toBeGreaterThanOrEqual(Date.parse(j.status!.startTime!));
    expect(conditionTypes(j)).toEqual(['SuccessCriteriaMet', 'Complete']);
    const pods = await podsOf('count');
    expect(pods.filter((p) => p.status?.phase === 'Succeeded')).toHaveLength(3);
    // Each counted pod lost its tracking finalizer.
    await waitFor('finalizers removed', async () => (await podsOf('count')).every((p) => !(p.metadata.finalizers ?? []).includes('batch.kubernetes.io/job-tracking')));
    // The Completed event is recorded right after the status that kubectl wait saw.
    const evs = await eventsOnce('count', 'Completed');
    expect(evs.filter((e) => e.reason === 'SuccessfulCreate')).toHaveLength(3);

    const table = await k(['get', 'job', 'count']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+STATUS\s+COMPLETIONS\s+DURATION\s+AGE$/);
    expect(table.split('\n')[1]).toMatch(/^count\s+Complete\s+3\/3\s+\d+s\s+\d+s$/);
    const described = await k(['describe', 'job', 'count']);
    expect(described).toMatch(/Parallelism:\s+2/);
    expect(described).toMatch(/Completions:\s+3/);
    expect(described).toMatch(/Pods Statuses:\s+0 Active \(0 Ready\) \/ 3 Succeeded \/ 0 Failed/);
    expect(described).toContain('SuccessfulCreate');
  }, 120_000);

  it('pods that fail back off and, past backoffLimit, fail the Job with BackoffLimitExceeded', async () => {
    await k(['apply', '-f', '-'], manifest('fails', { backoffLimit: 1 }, { RUN_SECONDS: '0.2', EXIT_CODE: '3' }));
    const j = await waitFor('job fails Failed', async () => {
      const x = await job('fails');
      return conditionTypes(x).includes('Failed') ? x : undefined;
    }, 60_000);
    expect(conditionTypes(j)).toEqual(['FailureTarget', 'Failed']);
    expect(j.status?.conditions?.find((x) => x.type === 'Failed')).toMatchObject({ reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(j.status?.failed).toBe(2);
    expect(j.status?.succeeded ?? 0).toBe(0);
    const pods = (await podsOf('fails')).sort((a, b) => Date.parse(a.metadata.creationTimestamp!) - Date.parse(b.metadata.creationTimestamp!));
    expect(pods).toHaveLength(2);
    // The second pod waited out the 10 s back-off after the first one's failure.
    const firstFinished = Date.parse(pods[0]!.status!.containerStatuses![0]!.state!.terminated!.finishedAt!);
    expect(Date.parse(pods[1]!.metadata.creationTimestamp!) - firstFinished).toBeGreaterThanOrEqual(9_000);
    expect(pods.every((p) => p.status?.containerStatuses?.[0]?.state?.terminated?.exitCode === 3)).toBe(true);
    expect((await eventsOnce('fails', 'BackoffLimitExceeded')).find((e) => e.reason === 'BackoffLimitExceeded')).toMatchObject({ type: 'Warning', message: 'Job has reached the specified backoff limit' });
    expect((await k(['get', 'job', 'fails'])).split('\n')[1]).toMatch(/^fails\s+Failed\s+0\/1\s+\d+s\s+\d+s$/);
  }, 90_000);

  it('activeDeadlineSeconds: the running pod is deleted and the Job Failed with DeadlineExceeded', async () => {
    await k(['apply', '-f', '-'], manifest('deadline', { activeDeadlineSeconds: 2 }, { RUN_SECONDS: '600' }));
    const j = await waitFor('job deadline Failed', async () => {
      const x = await job('deadline');
      return conditionTypes(x).includes('Failed') ? x : undefined;
    }, 30_000);
    expect(j.status?.conditions?.find((x) => x.type === 'Failed')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    expect(j.status?.active ?? 0).toBe(0);
    // Its pod was deleted (upstream deletes the active pods of a Job past its deadline).
    await waitFor('deadline pods deleted', async () => (await podsOf('deadline')).every((p) => p.metadata.deletionTimestamp !== undefined) || undefined, 30_000);
    expect((await eventsOnce('deadline', 'DeadlineExceeded')).find((e) => e.reason === 'DeadlineExceeded')).toMatchObject({ type: 'Warning', message: 'Job was active longer than specified deadline' });
  }, 60_000);

  it('ttlSecondsAfterFinished: the finished Job and its pods are deleted', async () => {
    await k(['apply', '-f', '-'], manifest('ttl', { ttlSecondsAfterFinished: 1 }, { RUN_SECONDS: '0.5' }));
    await k(['wait', '--for=condition=complete', 'job/ttl', '--timeout=60s']);
    await waitFor('job ttl deleted', async () => {
      const r = await c.kubectl(['get', 'job', 'ttl', '-n', NS]);
      return r.code !== 0 && r.stderr.includes('jobs.batch "ttl" not found');
    }, 30_000);
    await waitFor('pods of ttl deleted', async () => (await podsOf('ttl')).length === 0, 30_000);
  }, 90_000);

  it('suspend: no pods while suspended, Suspended condition; resume runs it to completion', async () => {
    await k(['apply', '-f', '-'], manifest('later', { suspend: true }, { RUN_SECONDS: '0.5' }));
    const s = await waitFor('Suspended', async () => {
      const x = await job('later');
      return conditionTypes(x).includes('Suspended') ? x : undefined;
    });
    expect(s.status?.conditions?.find((x) => x.type === 'Suspended')).toMatchObject({ reason: 'JobSuspended' });
    expect(s.status?.startTime).toBeUndefined();
    expect(await podsOf('later')).toHaveLength(0);
    expect((await k(['get', 'job', 'later'])).split('\n')[1]).toMatch(/^later\s+Suspended\s+0\/1\s+\s+\d+s$/);
    await k(['patch', 'job', 'later', '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await k(['wait', '--for=condition=complete', 'job/later', '--timeout=60s']);
    const reasons = (await eventsOnce('later', 'Completed')).map((e) => e.reason);
    expect(reasons).toEqual(expect.arrayContaining(['Suspended', 'Resumed', 'SuccessfulCreate']));
  }, 90_000);

  it('Indexed: one pod per index with JOB_COMPLETION_INDEX and hostname <job>-<index>, completedIndexes 0-2', async () => {
    await k(['apply', '-f', '-'], manifest('indexed', { completions: 3, parallelism: 3, completionMode: 'Indexed' }, { RUN_SECONDS: '1' }));
    await k(['wait', '--for=condition=complete', 'job/indexed', '--timeout=60s']);
    const j = await job('indexed');
    expect(j.status?.completedIndexes).toBe('0-2');
    const pods = await podsOf('indexed');
    const byIndex = pods.map((p) => [p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], p.spec.hostname, p.metadata.labels?.['batch.kubernetes.io/job-completion-index']]).sort();
    expect(byIndex).toEqual([['0', 'indexed-0', '0'], ['1', 'indexed-1', '1'], ['2', 'indexed-2', '2']]);
    expect(pods.every((p) => p.metadata.name!.startsWith(`indexed-${p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']}-`))).toBe(true);
    expect(pods[0]!.spec.containers[0]!.env).toEqual(expect.arrayContaining([
      { name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } },
    ]));
  }, 90_000);
});

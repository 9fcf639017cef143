// The CronJob controller's choice of what to start (mostRecentScheduleTime, getJobName), table-driven
// as upstream's cronjob utils tests: the latest activation since the last one (or the creation),
// no earlier than startingDeadlineSeconds ago, and how many were missed.
import { describe, expect, it } from 'vitest';
import type { CronJob } from '../../src/api/batch.js';
import { jobNameFor, mostRecentScheduleTime } from '../../src/controllers/cronjob/controller.js';
import { parseSchedule } from '../../src/kinds/cronjob/schedule.js';

const T = (s: string): number => Date.parse(s);

function cj(spec: Partial<CronJob['spec']>, created: string, lastSchedule?: string): CronJob {
  return {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'tick', namespace: 'default', creationTimestamp: created },
    spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [] } } } }, ...spec } as CronJob['spec'],
    status: lastSchedule ? { lastScheduleTime: lastSchedule } : {},
  };
}

describe('mostRecentScheduleTime', () => {
  it.each([
    { rule: 'nothing due yet: created this minute', c: cj({}, '2026-12-03T14:43:10Z'), now: '2026-12-03T14:43:50Z', latest: undefined, missed: 0 },
    { rule: 'the minute just passed', c: cj({}, '2026-12-03T14:43:10Z'), now: '2026-12-03T14:44:01Z', latest: '2026-12-03T14:44:00Z', missed: 1 },
    { rule: 'counted from the last schedule, not the creation', c: cj({}, '2026-12-03T10:00:00Z', '2026-12-03T14:40:00Z'), now: '2026-12-03T14:43:30Z', latest: '2026-12-03T14:43:00Z', missed: 3 },
    { rule: 'startingDeadlineSeconds bounds how far back it looks', c: cj({ startingDeadlineSeconds: 90 }, '2026-12-03T10:00:00Z', '2026-12-03T14:00:00Z'), now: '2026-12-03T14:43:30Z', latest: '2026-12-03T14:43:00Z', missed: 1 },
    { rule: 'more than 100 missed: still the latest', c: cj({}, '2026-12-01T00:00:30Z'), now: '2026-12-03T14:43:30Z', latest: '2026-12-03T14:43:00Z', missed: 101 },
    { rule: 'hourly in a zone', c: cj({ schedule: '@hourly', timeZone: 'Asia/Kolkata' }, '2026-12-03T13:00:00Z'), now: '2026-12-03T14:43:30Z', latest: '2026-12-03T14:30:00Z', missed: 2 },
  ])('$rule', ({ c, now, latest, missed }) => {
    const got = mostRecentScheduleTime(c, T(now), parseSchedule(c.spec.schedule, c.spec.timeZone ?? 'UTC'));
    expect(got.latest === undefined ? undefined : new Date(got.latest).toISOString().replace('.000', '')).toBe(latest);
    expect(Math.min(got.missed, 101)).toBe(missed);
  });

  it('names the Job by the scheduled minute since the epoch', () => {
    expect(jobNameFor(cj({}, '2026-12-03T14:43:10Z'), T('2026-12-03T14:44:00Z'))).toBe(`tick-${T('2026-12-03T14:44:00Z') / 60_000}`);
  });
});

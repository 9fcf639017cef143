// batch/v1 CronJob defaulting and validation in upstream's words (1.32), one row per rule; and
// the schedule as robfig/cron's ParseStandard reads it (next activations, the day-of-month /
// day-of-week OR rule, descriptors, time zones).
import { describe, expect, it } from 'vitest';
import type { CronJob } from '../../src/api/batch.js';
import type { KubeObject } from '../../src/api/types.js';
import { parseSchedule } from '../../src/kinds/cronjob/schedule.js';
import { cluster, expectRefused } from './helpers.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Edit = (j: any) => void;

function cronJob(edit?: Edit): KubeObject {
  const j = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'default' },
    spec: {
      schedule: '*/5 * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'hello', image: 'busybox:1.36' }] } } } },
    },
  };
  edit?.(j);
  return j as KubeObject;
}

const HELLO = 'CronJob.batch "hello" is invalid: ';

describe('CronJob defaults', () => {
  it('concurrencyPolicy Allow, suspend false, history limits 3 and 1', async () => {
    const created = (await cluster().create(cronJob())) as CronJob;
    expect(created.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(created.spec.timeZone).toBeUndefined();
    expect(created.status).toEqual({});
  });

  it.each([
    ['@hourly'],
    ['@every 1h30m'],
    ['0 9 * * MON-FRI'],
    ['*/15 9-17 1,15 jan-jun ?'],
  ])('schedule %s is accepted', async (schedule) => {
    const created = (await cluster().create(cronJob((j) => (j.spec.schedule = schedule)))) as CronJob;
    expect(created.spec.schedule).toBe(schedule);
  });

  it('an IANA time zone is accepted', async () => {
    const created = (await cluster().create(cronJob((j) => (j.spec.timeZone = 'America/New_York')))) as CronJob;
    expect(created.spec.timeZone).toBe('America/New_York');
  });
});

const REFUSED: Array<{ rule: string; edit: Edit; message: string; fields: string[] }> = [
  { rule: 'a schedule is required', edit: (j) => (j.spec.schedule = ''), message: `${HELLO}spec.schedule: Required value`, fields: ['spec.schedule'] },
  {
    rule: 'five fields',
    edit: (j) => (j.spec.schedule = '* * * *'),
    message: `${HELLO}spec.schedule: Invalid value: "* * * *": expected exactly 5 fields, found 4: [* * * *]`,
    fields: ['spec.schedule'],
  },
  {
    rule: 'a minute above 59',
    edit: (j) => (j.spec.schedule = '60 * * * *'),
    message: `${HELLO}spec.schedule: Invalid value: "60 * * * *": end of range (60) above maximum (59): 60`,
    fields: ['spec.schedule'],
  },
  {
    rule: 'day of week 7 (robfig counts 0-6)',
    edit: (j) => (j.spec.schedule = '0 0 * * 7'),
    message: `${HELLO}spec.schedule: Invalid value: "0 0 * * 7": end of range (7) above maximum (6): 7`,
    fields: ['spec.schedule'],
  },
  {
    rule: 'an unknown descriptor',
    edit: (j) => (j.spec.schedule = '@fortnightly'),
    message: `${HELLO}spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly`,
    fields: ['spec.schedule'],
  },
  {
    rule: 'TZ in the schedule',
    edit: (j) => (j.spec.schedule = 'CRON_TZ=UTC 0 * * * *'),
    message: `${HELLO}spec.schedule: Invalid value: "CRON_TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead`,
    fields: ['spec.schedule'],
  },
  {
    rule: 'an unknown time zone',
    edit: (j) => (j.spec.timeZone = 'Mars/Olympus_Mons'),
    message: `${HELLO}spec.timeZone: Invalid value: "Mars/Olympus_Mons": unknown time zone Mars/Olympus_Mons`,
    fields: ['spec.timeZone'],
  },
  {
    rule: 'Local is not an explicit time zone',
    edit: (j) => (j.spec.timeZone = 'Local'),
    message: `${HELLO}spec.timeZone: Invalid value: "Local": timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones`,
    fields: ['spec.timeZone'],
  },
  {
    rule: 'an empty time zone',
    edit: (j) => (j.spec.timeZone = ''),
    message: `${HELLO}spec.timeZone: Invalid value: "": timeZone must be nil or non-empty string`,
    fields: ['spec.timeZone'],
  },
  {
    rule: 'concurrencyPolicy is Allow, Forbid or Replace',
    edit: (j) => (j.spec.concurrencyPolicy = 'Sometimes'),
    message: `${HELLO}spec.concurrencyPolicy: Unsupported value: "Sometimes": supported values: "Allow", "Forbid", "Replace"`,
    fields: ['spec.concurrencyPolicy'],
  },
  ...(['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit'] as const).map((f) => ({
    rule: `${f} is not negative`,
    edit: (j: { spec: Record<string, unknown> }) => {
      j.spec[f] = -1;
    },
    message: `${HELLO}spec.${f}: Invalid value: -1: must be greater than or equal to 0`,
    fields: [`spec.${f}`],
  })),
  {
    rule: "the job template's restartPolicy is OnFailure or Never",
    edit: (j) => (j.spec.jobTemplate.spec.template.spec.restartPolicy = 'Always'),
    message: `${HELLO}spec.jobTemplate.spec.template.spec.restartPolicy: Required value: valid values: "OnFailure", "Never"`,
    fields: ['spec.jobTemplate.spec.template.spec.restartPolicy'],
  },
  {
    rule: "the job template's selector is generated, never given",
    edit: (j) => (j.spec.jobTemplate.spec.selector = { matchLabels: { app: 'x' } }),
    message: `${HELLO}spec.jobTemplate.spec.selector: Invalid value: &v1.LabelSelector{MatchLabels:map[string]string{"app":"x"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: \`selector\` will be auto-generated`,
    fields: ['spec.jobTemplate.spec.selector'],
  },
  {
    rule: 'a name longer than 52 characters',
    edit: (j) => (j.metadata.name = 'h'.repeat(53)),
    message: `CronJob.batch "${'h'.repeat(53)}" is invalid: metadata.name: Invalid value: "${'h'.repeat(53)}": must be no more than 52 characters`,
    fields: ['metadata.name'],
  },
];

describe('CronJob validation', () => {
  it.each(REFUSED)('$rule', async ({ edit, message, fields }) => {
    await expectRefused(cluster().create(cronJob(edit)), { message, fields });
  });
});

describe('CronJob schedules (robfig/cron ParseStandard)', () => {
  const AT = Date.parse('2026-12-03T14:43:20Z'); // a Thursday
  it.each([
    ['*/1 * * * *', 'UTC', '2026-12-03T14:44:00.000Z'],
    ['@hourly', 'UTC', '2026-12-03T15:00:00.000Z'],
    ['@daily', 'UTC', '2026-12-04T00:00:00.000Z'],
    ['@weekly', 'UTC', '2026-12-06T00:00:00.000Z'],
    ['@monthly', 'UTC', '2027-01-01T00:00:00.000Z'],
    ['@yearly', 'UTC', '2027-01-01T00:00:00.000Z'],
    ['0 9 * * 1-5', 'America/New_York', '2026-12-04T14:00:00.000Z'],
    ['30 2 * * *', 'Asia/Kolkata', '2026-12-03T21:00:00.000Z'],
    // Both day fields restricted: either matches (the 13th, or a Friday: Friday the 4th comes first).
    ['0 0 13 * 5', 'UTC', '2026-12-04T00:00:00.000Z'],
    // Day of week `*`: the day of month alone decides.
    ['0 0 13 * *', 'UTC', '2026-12-13T00:00:00.000Z'],
    ['0 0 29 2 *', 'UTC', '2028-02-29T00:00:00.000Z'],
    ['*/15 9-17 * jan,dec MON-fri', 'Europe/Berlin', '2026-12-03T14:45:00.000Z'],
    // New York in December is UTC-5.
    ['30 1 * * *', 'America/New_York', '2026-12-04T06:30:00.000Z'],
  ])('%s in %s: next is %s', (schedule, zone, want) => {
    expect(new Date(parseSchedule(schedule, zone).next(AT)).toISOString()).toBe(want);
  });
});

// batch/v1 CronJob: Jobs on a schedule. The CronJob controller (src/controllers/cronjob/) creates
// a Job named <cronjob>-<scheduled minutes since the epoch> at each activation, follows its Jobs
// in status.active / lastScheduleTime / lastSuccessfulTime, and deletes finished ones beyond the
// history limits. Unlike a Job, a CronJob deleted through batch/v1 takes its Jobs with it
// (upstream orphans only through batch/v1beta1).
import type { KindDefinition } from '../kind.js';
import { admitCronJob } from './admission.js';
import { cronJobPrinter } from './printer.js';
import { CRONJOBS } from './resource.js';

export const cronJobKind: KindDefinition = {
  resource: CRONJOBS,
  printer: cronJobPrinter,
  protobufMessage: 'batch.v1.CronJob',
  strategy: {
    tracksGeneration: true,
    initialStatus: () => ({}),
    admit: admitCronJob,
  },
};

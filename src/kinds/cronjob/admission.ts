// batch/v1 CronJob: SetDefaults_CronJob and ValidateCronJobCreate / ValidateCronJobUpdate in
// upstream's words (pkg/apis/batch/validation): the schedule as robfig/cron's ParseStandard reads
// it, no TZ in it, the timeZone an IANA name, concurrencyPolicy, the history limits, and a job
// template that is a valid Job spec without a selector of its own.
import type { CronJob } from '../../api/batch.js';
import { invalid, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { child } from '../../admission/field-path.js';
import { goStringMap, GoSyntax } from '../../admission/go-syntax.js';
import { validateAnnotations, validateLabels } from '../../admission/labels.js';
import { IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { defaultPodSpec } from '../../admission/pod-spec.js';
import { validateJobSpecFields } from '../job/admission.js';
import { specStatusAdmission } from '../shared/admission.js';
import { isKnownTimeZone, parseSchedule } from './schedule.js';

const CONCURRENCY_POLICIES = ['Allow', 'Forbid', 'Replace'];
/** DNS1035LabelMaxLength - 11: room for the Job's "-<minutes>" and the pod's suffix. */
const MAX_NAME_LENGTH = 52;
const VALID_TIME_ZONE_CHARACTERS = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** SetDefaults_CronJob. */
function defaultCronJob(cj: CronJob): void {
  const s = cj.spec;
  s.concurrencyPolicy ??= 'Allow';
  s.suspend ??= false;
  s.successfulJobsHistoryLimit ??= 3;
  s.failedJobsHistoryLimit ??= 1;
  const podSpec = s.jobTemplate?.spec?.template?.spec;
  if (podSpec) defaultPodSpec(podSpec, 'CronJob');
}

/** validateScheduleFormat. */
function validateSchedule(schedule: string, field: string): FieldError[] {
  const errs: FieldError[] = [];
  try {
    parseSchedule(schedule);
  } catch (err) {
    errs.push(invalid(field, schedule, (err as Error).message));
  }
  // Upstream allows TZ only in CronJobs that already had it, which a new one never has.
  if (schedule.includes('TZ')) errs.push(invalid(field, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
  return errs;
}

/** validateTimeZone. */
export function validateTimeZone(timeZone: string | undefined | null, field: string): FieldError[] {
  if (timeZone === undefined || timeZone === null) return [];
  if (timeZone === '') return [invalid(field, timeZone, 'timeZone must be nil or non-empty string')];
  for (const part of timeZone.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !VALID_TIME_ZONE_CHARACTERS.test(part)) {
      return [invalid(field, timeZone, `unknown time zone ${timeZone}`)];
    }
  }
  if (timeZone.toLowerCase() === 'local') return [invalid(field, timeZone, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  if (!isKnownTimeZone(timeZone)) return [invalid(field, timeZone, `unknown time zone ${timeZone}`)];
  return [];
}

const nonNegative = (v: unknown, field: string): FieldError[] => (typeof v === 'number' && v < 0 ? [invalid(field, v, IS_NEGATIVE_ERROR)] : []);

/** ValidateCronJobCreate's spec rules (validateCronJobSpec, ValidateJobTemplateSpec). */
function validateCronJob(cj: CronJob): FieldError[] {
  const errs: FieldError[] = [];
  if ((cj.metadata.name ?? '').length > MAX_NAME_LENGTH) errs.push(invalid('metadata.name', cj.metadata.name, `must be no more than ${MAX_NAME_LENGTH} characters`));
  const s = cj.spec;
  if (!s.schedule) errs.push(required('spec.schedule', ''));
  else errs.push(...validateSchedule(s.schedule, 'spec.schedule'));
  errs.push(...nonNegative(s.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!s.concurrencyPolicy) errs.push(required('spec.concurrencyPolicy', ''));
  else if (!CONCURRENCY_POLICIES.includes(s.concurrencyPolicy)) errs.push(notSupported('spec.concurrencyPolicy', s.concurrencyPolicy, CONCURRENCY_POLICIES));
  errs.push(...validateTimeZone(s.timeZone, 'spec.timeZone'));
  errs.push(...nonNegative(s.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errs.push(...nonNegative(s.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  const t = s.jobTemplate;
  errs.push(...validateLabels(t?.metadata?.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateAnnotations(t?.metadata?.annotations, 'spec.jobTemplate.metadata.annotations'));
  const jobSpec = t?.spec;
  if (!jobSpec) {
    errs.push(required('spec.jobTemplate.spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'));
    return errs;
  }
  errs.push(...validateJobSpecFields(jobSpec, 'spec.jobTemplate.spec'));
  if (jobSpec.selector) {
    errs.push(invalid('spec.jobTemplate.spec.selector', new GoSyntax(`&v1.LabelSelector{MatchLabels:${goStringMap(jobSpec.selector.matchLabels ?? {}).text}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}`), '`selector` will be auto-generated'));
  }
  if (jobSpec.manualSelector === true) errs.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  return errs;
}

export const admitCronJob = specStatusAdmission<CronJob>({
  kind: 'CronJob',
  group: 'batch',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: defaultCronJob,
  validate: validateCronJob,
  initialStatus: () => ({}),
});

// batch/v1 Job: SetDefaults_Job, the strategy's generated selector (PrepareForCreate) and
// ValidateJob / ValidateJobUpdate / ValidateJobUpdateStatus, in upstream's words (1.32: the
// JobPodReplacementPolicy, JobSuccessPolicy and JobBackoffLimitPerIndex gates on).
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
  type Job,
  type JobSpec,
  type JobStatus,
} from '../../api/batch.js';
import { labelSelectorAsSelector, labelSelectorMatches } from '../../api/label-selector.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import type { ObjectMeta, PodTemplateSpec } from '../../api/types.js';
import { duplicate, invalid, notSupported, required, tooLong, type FieldError } from '../../admission/field-errors.js';
import { child, key } from '../../admission/field-path.js';
import { goQuote, goStringMap, GoSyntax } from '../../admission/go-syntax.js';
import { validateLabelSelector } from '../../admission/label-selector.js';
import { validateAnnotations, validateLabels } from '../../admission/labels.js';
import { FIELD_IMMUTABLE_ERROR, IS_NEGATIVE_ERROR, isDNS1123Label, nameIsDNSSubdomain } from '../../admission/names.js';
import { defaultPodSpec, validatePodSpec } from '../../admission/pod-spec.js';
import { goLabelSelector } from '../../admission/workload.js';
import { specStatusAdmission } from '../shared/admission.js';

const MAX_INT32 = 2147483647;
/** maxParallelismForIndexedJob, maxFailedIndexesForIndexedJob. */
const MAX_INDEXED_PARALLELISM = 100_000;
const MAX_MANAGED_BY_LENGTH = 63;
const COMPLETION_MODES = ['NonIndexed', 'Indexed'];
const POD_REPLACEMENT_POLICIES = ['Failed', 'TerminatingOrFailed'];

/** SetDefaults_Job and the template's pod defaults. */
export function defaultJob(job: Job): void {
  job.spec ??= { template: { spec: { containers: [] } } };
  const spec = job.spec;
  const unset = (v: unknown): boolean => v === undefined || v === null;
  if (unset(spec.completions) && unset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (unset(spec.parallelism)) spec.parallelism = 1;
  if (unset(spec.backoffLimit)) spec.backoffLimit = unset(spec.backoffLimitPerIndex) ? 6 : MAX_INT32;
  if (unset(spec.completionMode)) spec.completionMode = 'NonIndexed';
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.podReplacementPolicy)) spec.podReplacementPolicy = unset(spec.podFailurePolicy) ? 'TerminatingOrFailed' : 'Failed';
  if (unset(spec.manualSelector)) spec.manualSelector = false;
  spec.template ??= { spec: { containers: [] } };
  spec.template.spec ??= { containers: [] };
  defaultPodSpec(spec.template.spec, 'Job');
}

/**
 * generateSelector: the template gets the job-name and controller-uid labels (both spellings),
 * and the selector selects batch.kubernetes.io/controller-uid. Labels the user set are kept:
 * a conflict is refused by validation.
 */
export function generateSelector(job: Job): void {
  const t = job.spec.template;
  t.metadata ??= {};
  const labels = (t.metadata.labels ??= {});
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) labels[k] ??= job.metadata.name ?? '';
  for (const k of [LEGACY_CONTROLLER_UID_LABEL, CONTROLLER_UID_LABEL]) labels[k] ??= job.metadata.uid ?? '';
  job.spec.selector ??= {};
  const match = (job.spec.selector.matchLabels ??= {});
  match[CONTROLLER_UID_LABEL] ??= job.metadata.uid ?? '';
}

/** A Job's own labels default to its template's (SetDefaults_Job, seen once the object is read back). */
function defaultJobLabels(job: Job): void {
  const labels = job.spec.template?.metadata?.labels;
  if (labels && Object.keys(job.metadata.labels ?? {}).length === 0) job.metadata.labels = { ...labels };
}

const nonNegative = (v: unknown, field: string): FieldError[] => (typeof v === 'number' && v < 0 ? [invalid(field, v, IS_NEGATIVE_ERROR)] : []);

/** ValidateHasLabel: the generated label is there, with the expected value. */
function hasLabel(meta: ObjectMeta | undefined, field: string, name: string, expected: string): FieldError[] {
  const labels = meta?.labels;
  const actual = labels?.[name];
  if (actual === undefined) return [required(key(child(field, 'labels'), name), expected)];
  if (actual !== expected) return [invalid(key(child(field, 'labels'), name), goStringMap(labels), `must be '${expected}'`)];
  return [];
}

/** validateGeneratedSelector: the generated labels and selector are as generated. */
function validateGeneratedSelector(job: Job, prefixedLabels: boolean): FieldError[] {
  if (job.spec.manualSelector === true || !job.spec.selector) return [];
  const errs: FieldError[] = [];
  const uid = job.metadata.uid ?? '';
  const name = job.metadata.name ?? '';
  if (!uid) errs.push(required('metadata.uid', ''));
  const meta = job.spec.template?.metadata;
  errs.push(...hasLabel(meta, 'spec.template.metadata', LEGACY_CONTROLLER_UID_LABEL, uid));
  errs.push(...hasLabel(meta, 'spec.template.metadata', LEGACY_JOB_NAME_LABEL, name));
  const expected: Record<string, string> = {};
  if (prefixedLabels) {
    errs.push(...hasLabel(meta, 'spec.template.metadata', CONTROLLER_UID_LABEL, uid));
    errs.push(...hasLabel(meta, 'spec.template.metadata', JOB_NAME_LABEL, name));
    expected[CONTROLLER_UID_LABEL] = uid;
    expected[JOB_NAME_LABEL] = name;
  }
  expected[LEGACY_CONTROLLER_UID_LABEL] = uid;
  expected[LEGACY_JOB_NAME_LABEL] = name;
  if (validSelector(job.spec.selector) && !labelSelectorMatches(job.spec.selector, expected)) {
    errs.push(invalid('spec.selector', goLabelSelector(job.spec.selector), '`selector` not auto-generated'));
  }
  return errs;
}

/** LabelSelectorAsSelector succeeds (a known operator everywhere). */
function validSelector(selector: JobSpec['selector']): boolean {
  return (selector?.matchExpressions ?? []).every((e) => ['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) && labelSelectorAsSelector(selector) !== undefined;
}

/** ValidatePodTemplateSpec: the template's labels, annotations and pod spec. */
function validatePodTemplate(template: PodTemplateSpec | undefined, field: string): FieldError[] {
  return [
    ...validateLabels(template?.metadata?.labels, child(field, 'labels')),
    ...validateAnnotations(template?.metadata?.annotations, child(field, 'annotations')),
    ...validatePodSpec(template?.spec, child(field, 'spec')),
  ];
}

/** validateJobSpec: what a Job's spec and a CronJob's job template share. */
export function validateJobSpecFields(spec: JobSpec, field: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'] as const) {
    errs.push(...nonNegative(spec[f], child(field, f)));
  }
  if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null && (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null)) {
    errs.push(required(child(field, 'backoffLimitPerIndex'), 'when maxFailedIndexes is specified'));
  }
  if (typeof spec.managedBy === 'string') {
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/[-._~%!$&'()*+,;=:@a-zA-Z0-9/]+$/.test(spec.managedBy)) {
      errs.push(invalid(child(field, 'managedBy'), spec.managedBy, 'must be a domain-prefixed path (such as "acme.io/foo")'));
    }
    if (spec.managedBy.length > MAX_MANAGED_BY_LENGTH) errs.push(tooLong(child(field, 'managedBy'), MAX_MANAGED_BY_LENGTH));
  }
  const mode = spec.completionMode;
  if (mode !== undefined && mode !== null) {
    if (!COMPLETION_MODES.includes(mode)) errs.push(notSupported(child(field, 'completionMode'), mode, COMPLETION_MODES));
    if (mode === 'Indexed') {
      if (spec.completions === undefined || spec.completions === null) errs.push(required(child(field, 'completions'), 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_INDEXED_PARALLELISM) {
        errs.push(invalid(child(field, 'parallelism'), spec.parallelism, `must be less than or equal to ${MAX_INDEXED_PARALLELISM} when completion mode is Indexed`));
      }
      if (typeof spec.completions === 'number' && typeof spec.maxFailedIndexes === 'number' && spec.maxFailedIndexes > spec.completions) {
        errs.push(invalid(child(field, 'maxFailedIndexes'), spec.maxFailedIndexes, 'must be less than or equal to completions'));
      }
    }
  }
  if (mode === undefined || mode === null || mode === 'NonIndexed') {
    if (typeof spec.backoffLimitPerIndex === 'number') errs.push(invalid(child(field, 'backoffLimitPerIndex'), spec.backoffLimitPerIndex, 'requires indexed completion mode'));
    if (typeof spec.maxFailedIndexes === 'number') errs.push(invalid(child(field, 'maxFailedIndexes'), spec.maxFailedIndexes, 'requires indexed completion mode'));
  }
  if (spec.successPolicy !== undefined && spec.successPolicy !== null && mode !== 'Indexed') {
    errs.push(invalid(child(field, 'successPolicy'), new GoSyntax('batch.SuccessPolicy{...}'), 'requires indexed completion mode'));
  }
  const replacement = spec.podReplacementPolicy;
  if (replacement !== undefined && replacement !== null) {
    if (spec.podFailurePolicy !== undefined && spec.podFailurePolicy !== null) {
      if (replacement !== 'Failed') errs.push(notSupported(child(field, 'podReplacementPolicy'), replacement, ['Failed']));
    } else if (!POD_REPLACEMENT_POLICIES.includes(replacement)) {
      errs.push(notSupported(child(field, 'podReplacementPolicy'), replacement, POD_REPLACEMENT_POLICIES));
    }
  }
  errs.push(...validatePodTemplate(spec.template, child(field, 'template')));
  // restartPolicy is defaulted to Always when left out, so both are told the same.
  const restart = spec.template?.spec?.restartPolicy ?? '';
  const restartField = child(field, 'template', 'spec', 'restartPolicy');
  if (restart === 'Always' || restart === '') errs.push(required(restartField, 'valid values: "OnFailure", "Never"'));
  else if (restart !== 'OnFailure' && restart !== 'Never') errs.push(notSupported(restartField, restart, ['OnFailure', 'Never']));
  else if (spec.podFailurePolicy !== undefined && spec.podFailurePolicy !== null && restart !== 'Never') {
    errs.push(invalid(restartField, restart, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

/** ValidateJobSpec: the fields, a valid selector, and a template it selects. */
function validateJobSpec(spec: JobSpec): FieldError[] {
  const errs = validateJobSpecFields(spec, 'spec');
  if (!spec.selector) errs.push(required('spec.selector', ''));
  else errs.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (validSelector(spec.selector) && spec.selector && !labelSelectorMatches(spec.selector, spec.template?.metadata?.labels ?? {})) {
    errs.push(invalid('spec.template.metadata.labels', goStringMap(spec.template?.metadata?.labels), '`selector` does not match template `labels`'));
  }
  return errs;
}

/** ValidateJob. On update, the prefixed labels are required only of Jobs that had them. */
function validateJob(job: Job, prefixedLabels: boolean): FieldError[] {
  const errs = [...validateGeneratedSelector(job, prefixedLabels), ...validateJobSpec(job.spec)];
  const completions = job.spec.completions;
  if (job.spec.completionMode === 'Indexed' && typeof completions === 'number' && completions > 0) {
    const hostname = `${job.metadata.name}-${completions - 1}`;
    if (isDNS1123Label(hostname).length > 0) {
      errs.push(invalid('metadata.name', job.metadata.name, `will not able to create pod with invalid DNS label: ${hostname}`));
    }
  }
  return errs;
}

/**
 * The Go rendering of a pod template in an "immutable" error. Upstream prints the whole internal
 * struct (with pointer addresses); this prints its ObjectMeta as Go does and abbreviates the spec.
 */
function goPodTemplateSpec(t: PodTemplateSpec | undefined): GoSyntax {
  const m = t?.metadata ?? {};
  const labels = m.labels === undefined ? 'map[string]string(nil)' : goStringMap(m.labels).text;
  const annotations = m.annotations === undefined ? 'map[string]string(nil)' : goStringMap(m.annotations).text;
  return new GoSyntax(
    `core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{Name:${goQuote(m.name ?? '')}, GenerateName:${goQuote(m.generateName ?? '')}, Namespace:${goQuote(m.namespace ?? '')}, ` +
      'SelfLink:"", UID:"", ResourceVersion:"", Generation:0, CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, ' +
      `DeletionGracePeriodSeconds:(*int64)(nil), Labels:${labels}, Annotations:${annotations}, OwnerReferences:[]v1.OwnerReference(nil), Finalizers:[]string(nil), ` +
      'ManagedFields:[]v1.ManagedFieldsEntry(nil)}, Spec:core.PodSpec{...}}',
  );
}

function immutable(field: string, value: unknown): FieldError {
  return invalid(field, value, FIELD_IMMUTABLE_ERROR);
}

/** ValidateJobSpecUpdate beyond the spec's own rules: what may not change. */
function validateJobUpdate(job: Job, old: Job): FieldError[] {
  const spec = job.spec;
  const was = old.spec;
  const errs: FieldError[] = [];
  const same = (a: unknown, b: unknown): boolean => semanticEqual(a ?? null, b ?? null);
  if (spec.completionMode !== 'Indexed') {
    if (!same(spec.completions, was.completions)) errs.push(immutable('spec.completions', spec.completions ?? new GoSyntax('<nil>')));
  } else if (!same(spec.completions, was.completions) && typeof spec.completions === 'number' && spec.completions !== spec.parallelism) {
    errs.push(invalid('spec.completions', spec.completions, 'can only be modified in tandem with spec.parallelism'));
  }
  if (!same(spec.selector, was.selector)) errs.push(immutable('spec.selector', goLabelSelector(spec.selector)));
  // A suspended Job that never started may have its scheduling directives changed.
  let oldTemplate = was.template;
  if (was.suspend === true && !old.status?.startTime) {
    oldTemplate = structuredClone(was.template);
    oldTemplate.metadata = { ...oldTemplate.metadata, labels: spec.template?.metadata?.labels, annotations: spec.template?.metadata?.annotations };
    const ts = oldTemplate.spec as unknown as Record<string, unknown>;
    const ns = (spec.template?.spec ?? {}) as unknown as Record<string, unknown>;
    for (const f of ['nodeSelector', 'tolerations', 'schedulingGates', 'affinity']) ts[f] = ns[f];
  }
  if (!same(spec.template, oldTemplate)) errs.push(immutable('spec.template', goPodTemplateSpec(spec.template)));
  for (const f of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy'] as const) {
    if (!same(spec[f], was[f])) errs.push(immutable(child('spec', f), typeof spec[f] === 'object' ? new GoSyntax(`(*batch.${f[0]!.toUpperCase()}${f.slice(1)})`) : spec[f]));
  }
  return errs;
}

/** validateJobStatus, with the checks upstream runs whatever the feature gates. */
function validateJobStatus(job: Job, old: Job): FieldError[] {
  const s: JobStatus = job.status ?? {};
  const errs: FieldError[] = [];
  for (const f of ['active', 'succeeded', 'failed', 'ready', 'terminating'] as const) errs.push(...nonNegative(s[f], child('status', f)));
  const seen = new Set<string>();
  for (const list of ['succeeded', 'failed'] as const) {
    (s.uncountedTerminatedPods?.[list] ?? []).forEach((uid, i) => {
      const f = `status.uncountedTerminatedPods.${list}[${i}]`;
      if (uid === '') errs.push(invalid(f, uid, 'must not be empty'));
      else if (seen.has(uid)) errs.push(duplicate(f, uid));
      else seen.add(uid);
    });
  }
  const isTrue = (j: Job, type: string): boolean => (j.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
  if (isTrue(job, 'SuccessCriteriaMet') && isTrue(job, 'Failed')) {
    errs.push(invalid('status.conditions', new GoSyntax('field.OmitValueType{}'), 'cannot set SuccessCriteriaMet=True and Failed=true conditions'));
  }
  if (isTrue(job, 'SuccessCriteriaMet') && isTrue(job, 'FailureTarget')) {
    errs.push(invalid('status.conditions', new GoSyntax('field.OmitValueType{}'), 'cannot set SuccessCriteriaMet=True and FailureTarget=true conditions'));
  }
  if (isTrue(old, 'SuccessCriteriaMet') && !isTrue(job, 'SuccessCriteriaMet')) {
    errs.push(invalid('status.conditions', new GoSyntax('field.OmitValueType{}'), 'cannot disable the SuccessCriteriaMet=True condition'));
  }
  if (isTrue(old, 'Complete') && !isTrue(old, 'SuccessCriteriaMet') && isTrue(job, 'SuccessCriteriaMet')) {
    errs.push(invalid('status.conditions', new GoSyntax('field.OmitValueType{}'), 'cannot set SuccessCriteriaMet=True for Job already has Complete=true conditions'));
  }
  return errs;
}

/** Whether a Job's template carries both prefixed labels (always, once generated; upstream requires them of Jobs that had them). */
function hadPrefixedLabels(job: Job): boolean {
  const labels = job.spec?.template?.metadata?.labels ?? {};
  return labels[JOB_NAME_LABEL] !== undefined && labels[CONTROLLER_UID_LABEL] !== undefined;
}

export const admitJob = specStatusAdmission<Job>({
  kind: 'Job',
  group: 'batch',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults(job) {
    defaultJob(job);
    if (job.spec.manualSelector !== true) generateSelector(job);
    defaultJobLabels(job);
  },
  validate: (job) => validateJob(job, hadPrefixedLabels(job)),
  validateUpdate: validateJobUpdate,
  validateStatus: validateJobStatus,
  initialStatus: () => ({}),
});

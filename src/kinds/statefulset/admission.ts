// apps/v1 StatefulSet: SetDefaults_StatefulSet (one replica, OrderedReady, RollingUpdate with
// partition 0, ten revisions kept, claims retained when deleted and when scaled) and
// ValidateStatefulSet / ValidateStatefulSetUpdate (only replicas, ordinals, template,
// updateStrategy, revisionHistoryLimit, persistentVolumeClaimRetentionPolicy and minReadySeconds
// may change) and the status.
import type { StatefulSet, StatefulSetUpdateStrategy } from '../../api/apps.js';
import { forbidden, invalid, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { GoSyntax, goQuote } from '../../admission/go-syntax.js';
import { IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { defaultWorkloadTemplate, nonNegative, validateWorkloadSelector, validateWorkloadTemplate } from '../../admission/workload.js';
import { semanticEqual } from '../../api/semantic-equal.js';
import { specStatusAdmission } from '../shared/admission.js';

const RETENTION = ['Retain', 'Delete'];

export function defaultStatefulSet(sts: StatefulSet): void {
  sts.spec ??= {} as StatefulSet['spec'];
  const spec = sts.spec;
  if (!spec.podManagementPolicy) spec.podManagementPolicy = 'OrderedReady';
  spec.updateStrategy ??= {};
  if (!spec.updateStrategy.type) spec.updateStrategy.type = 'RollingUpdate';
  if (spec.updateStrategy.type === 'RollingUpdate') {
    spec.updateStrategy.rollingUpdate ??= {};
    spec.updateStrategy.rollingUpdate.partition ??= 0;
  }
  spec.persistentVolumeClaimRetentionPolicy ??= {};
  spec.persistentVolumeClaimRetentionPolicy.whenDeleted ||= 'Retain';
  spec.persistentVolumeClaimRetentionPolicy.whenScaled ||= 'Retain';
  if (spec.replicas === undefined || spec.replicas === null) spec.replicas = 1;
  if (spec.revisionHistoryLimit === undefined || spec.revisionHistoryLimit === null) spec.revisionHistoryLimit = 10;
  defaultWorkloadTemplate(spec.template, 'StatefulSet');
}

function goStrategy(s: StatefulSetUpdateStrategy): GoSyntax {
  return new GoSyntax(
    `apps.StatefulSetUpdateStrategy{Type:${goQuote(s.type ?? '')}, RollingUpdate:${s.rollingUpdate ? '(*apps.RollingUpdateStatefulSetStrategy)(…)' : '(*apps.RollingUpdateStatefulSetStrategy)(nil)'}}`,
  );
}

function validateUpdateStrategy(s: StatefulSetUpdateStrategy | undefined): FieldError[] {
  const strategy = s ?? {};
  switch (strategy.type as string | undefined) {
    case undefined:
    case '':
      return [required('spec.updateStrategy', '')];
    case 'OnDelete':
      return strategy.rollingUpdate ? [invalid('spec.updateStrategy.rollingUpdate', new GoSyntax('(*apps.RollingUpdateStatefulSetStrategy)(…)'), "only allowed for updateStrategy 'RollingUpdate'")] : [];
    case 'RollingUpdate': {
      const p = strategy.rollingUpdate?.partition;
      return typeof p === 'number' && p < 0 ? [invalid('spec.updateStrategy.rollingUpdate.partition', p, IS_NEGATIVE_ERROR)] : [];
    }
    default:
      return [invalid('spec.updateStrategy', goStrategy(strategy), "must be 'RollingUpdate' or 'OnDelete'")];
  }
}

function validateSpec(sts: StatefulSet): FieldError[] {
  const spec = sts.spec ?? ({} as StatefulSet['spec']);
  const errs: FieldError[] = [];
  switch (spec.podManagementPolicy) {
    case undefined:
    case '' as never:
      errs.push(required('spec.podManagementPolicy', ''));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      errs.push(invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const policy = spec.persistentVolumeClaimRetentionPolicy ?? {};
  for (const f of ['whenDeleted', 'whenScaled'] as const) {
    const v = policy[f] ?? '';
    if (!RETENTION.includes(v)) errs.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${f}`, v, RETENTION));
  }
  errs.push(...validateUpdateStrategy(spec.updateStrategy));
  if (typeof spec.replicas === 'number' && spec.replicas < 0) errs.push(invalid('spec.replicas', spec.replicas, IS_NEGATIVE_ERROR));
  if (typeof spec.ordinals?.start === 'number' && spec.ordinals.start < 0) errs.push(invalid('spec.ordinals.start', spec.ordinals.start, IS_NEGATIVE_ERROR));
  if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) errs.push(invalid('spec.minReadySeconds', spec.minReadySeconds, IS_NEGATIVE_ERROR));
  if (typeof spec.revisionHistoryLimit === 'number' && spec.revisionHistoryLimit < 0) errs.push(invalid('spec.revisionHistoryLimit', spec.revisionHistoryLimit, IS_NEGATIVE_ERROR));
  errs.push(...validateWorkloadSelector(spec.selector, 'spec.selector', 'statefulset'));
  // the pods mount a claim per volumeClaimTemplate: their mounts name those as volumes
  const claimVolumes = (spec.volumeClaimTemplates ?? []).map((t) => ({ name: (t as { metadata?: { name?: string } }).metadata?.name ?? '', persistentVolumeClaim: { claimName: 'template' } }));
  const template = spec.template && claimVolumes.length ? { ...spec.template, spec: { ...spec.template.spec, volumes: [...(spec.template.spec?.volumes ?? []), ...claimVolumes] } } : spec.template;
  errs.push(...validateWorkloadTemplate(template as typeof spec.template, spec.selector, 'spec.template', { kind: 'StatefulSet', restartPolicies: ['Always'] }));
  return errs;
}

/** The spec fields an update may change (ValidateStatefulSetUpdate). */
const MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'] as const;
const FORBIDDEN_UPDATE =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

function validateUpdate(sts: StatefulSet, old: StatefulSet): FieldError[] {
  const strip = (s: StatefulSet): Record<string, unknown> => {
    const copy: Record<string, unknown> = { ...(s.spec ?? {}) };
    for (const f of MUTABLE) delete copy[f];
    return copy;
  };
  return semanticEqual(strip(sts), strip(old)) ? [] : [forbidden('spec', FORBIDDEN_UPDATE)];
}

function validateStatus(sts: StatefulSet): FieldError[] {
  const s = sts.status ?? { replicas: 0 };
  const errs = nonNegative(s as unknown as Record<string, unknown>, ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'], 'status');
  const over = 'cannot be greater than status.replicas';
  for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas'] as const) {
    if ((s[f] ?? 0) > s.replicas) errs.push(invalid(`status.${f}`, s[f], over));
  }
  if ((s.availableReplicas ?? 0) > s.replicas) errs.push(invalid('status.availableReplicas', s.availableReplicas, over));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than status.readyReplicas'));
  return errs;
}

export const admitStatefulSet = specStatusAdmission<StatefulSet>({
  kind: 'StatefulSet',
  group: 'apps',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: defaultStatefulSet,
  validate: validateSpec,
  validateUpdate,
  validateStatus,
  initialStatus: () => ({ replicas: 0, availableReplicas: 0 }),
});

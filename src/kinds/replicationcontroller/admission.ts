// ReplicationControllers: upstream's SetDefaults_ReplicationController (selector and labels from
// the template, one replica) and ValidateReplicationController / its update, status and scale.
import type { KubeObject, PodTemplateSpec, ReplicationController, ReplicationControllerStatus } from '../../api/types.js';
import type { FieldError } from '../../admission/field-errors.js';
import { forbidden, invalid, invalidObject, notSupported, required } from '../../admission/field-errors.js';
import { child } from '../../admission/field-path.js';
import { goStringMap } from '../../admission/go-syntax.js';
import { validateAnnotations, validateLabels } from '../../admission/labels.js';
import { IS_NEGATIVE_ERROR, nameIsDNSSubdomain } from '../../admission/names.js';
import { carrySystemMeta, validateObjectMeta, validateObjectMetaUpdate } from '../../admission/object-meta.js';
import { defaultPodSpec, validatePodSpec } from '../../admission/pod-spec.js';
import type { AdmissionRequest } from '../kind.js';

type TemplateShape = PodTemplateSpec & { spec: PodTemplateSpec['spec'] & { activeDeadlineSeconds?: number } };

export function defaultReplicationController(rc: ReplicationController): void {
  rc.spec ??= {};
  const labels = rc.spec.template?.metadata?.labels;
  if (labels) {
    if (Object.keys(rc.spec.selector ?? {}).length === 0) rc.spec.selector = { ...labels };
    if (Object.keys(rc.metadata.labels ?? {}).length === 0) rc.metadata.labels = { ...labels };
  }
  if (rc.spec.replicas === undefined || rc.spec.replicas === null) rc.spec.replicas = 1;
  if (rc.spec.template) {
    rc.spec.template.spec ??= { containers: [] };
    defaultPodSpec(rc.spec.template.spec, 'ReplicationController');
  }
}

function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

function validateTemplate(template: TemplateShape | undefined, selector: Record<string, string>, field: string): FieldError[] {
  if (!template) return [required(field, '')];
  const errs: FieldError[] = [];
  const labels = template.metadata?.labels;
  if (Object.keys(selector).length > 0 && !selectorMatches(selector, labels)) {
    errs.push(invalid(child(field, 'metadata', 'labels'), goStringMap(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validateLabels(labels, child(field, 'labels')));
  errs.push(...validateAnnotations(template.metadata?.annotations, child(field, 'annotations')));
  errs.push(...validatePodSpec(template.spec, child(field, 'spec')));
  const restart = template.spec?.restartPolicy;
  if (restart !== 'Always') errs.push(notSupported(child(field, 'spec', 'restartPolicy'), restart ?? '', ['Always']));
  if (template.spec?.activeDeadlineSeconds !== undefined && template.spec.activeDeadlineSeconds !== null) {
    errs.push(forbidden(child(field, 'spec', 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return errs;
}

function validateSpec(rc: ReplicationController): FieldError[] {
  const spec = rc.spec ?? {};
  const errs: FieldError[] = [];
  if (typeof spec.minReadySeconds === 'number' && spec.minReadySeconds < 0) errs.push(invalid('spec.minReadySeconds', spec.minReadySeconds, IS_NEGATIVE_ERROR));
  const selector = spec.selector ?? {};
  if (Object.keys(selector).length === 0) errs.push(required('spec.selector', ''));
  if (typeof spec.replicas === 'number' && spec.replicas < 0) errs.push(invalid('spec.replicas', spec.replicas, IS_NEGATIVE_ERROR));
  errs.push(...validateTemplate(spec.template as TemplateShape | undefined, selector, 'spec.template'));
  return errs;
}

function validateStatus(status: ReplicationControllerStatus | undefined): FieldError[] {
  const s = status ?? { replicas: 0 };
  const errs: FieldError[] = [];
  for (const name of ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'] as const) {
    const v = s[name];
    if (typeof v === 'number' && v < 0) errs.push(invalid(child('status', name), v, IS_NEGATIVE_ERROR));
  }
  const replicas = s.replicas ?? 0;
  const msg = 'cannot be greater than status.replicas';
  if ((s.fullyLabeledReplicas ?? 0) > replicas) errs.push(invalid('status.fullyLabeledReplicas', s.fullyLabeledReplicas, msg));
  if ((s.readyReplicas ?? 0) > replicas) errs.push(invalid('status.readyReplicas', s.readyReplicas, msg));
  if ((s.availableReplicas ?? 0) > replicas) errs.push(invalid('status.availableReplicas', s.availableReplicas, msg));
  if ((s.availableReplicas ?? 0) > (s.readyReplicas ?? 0)) {
    errs.push(invalid('status.availableReplicas', s.availableReplicas, 'cannot be greater than readyReplicas'));
  }
  return errs;
}

function fail(rc: KubeObject, errs: FieldError[]): void {
  if (errs.length) throw invalidObject('ReplicationController', '', rc.metadata.name ?? '', errs);
}

export function admitReplicationController(req: AdmissionRequest): KubeObject {
  const rc = structuredClone(req.object) as ReplicationController;
  const old = req.oldObject as ReplicationController | undefined;
  if (req.operation === 'CREATE') {
    defaultReplicationController(rc);
    rc.status = { replicas: 0 };
    fail(rc, [...validateObjectMeta(rc.metadata, true, nameIsDNSSubdomain), ...validateSpec(rc)]);
    return rc;
  }
  if (!old) throw new Error('UPDATE without oldObject');
  carrySystemMeta(rc.metadata, old.metadata);
  if (req.subresource === 'status') {
    rc.spec = structuredClone(old.spec);
    fail(rc, [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateStatus(rc.status)]);
    return rc;
  }
  if (req.subresource === 'scale' && typeof rc.spec?.replicas === 'number' && rc.spec.replicas < 0) {
    throw invalidObject('Scale', 'autoscaling', rc.metadata.name ?? '', [invalid('spec.replicas', rc.spec.replicas, IS_NEGATIVE_ERROR)]);
  }
  defaultReplicationController(rc);
  rc.status = structuredClone(old.status);
  fail(rc, [...validateObjectMetaUpdate(rc.metadata, old.metadata), ...validateSpec(rc)]);
  return rc;
}

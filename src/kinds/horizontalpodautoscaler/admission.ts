// autoscaling/v2 HorizontalPodAutoscaler: SetDefaults_HorizontalPodAutoscaler (minReplicas 1, a
// cpu target of 80% when no metric is given, the behavior's missing rules filled in when a
// behavior is given) and ValidateHorizontalPodAutoscaler (pkg/apis/autoscaling/validation), in
// its words. autoscaling/v1 objects are converted to v2 before (what is stored is v2, as upstream).
import { invalid, notSupported, required, type FieldError } from '../../admission/field-errors.js';
import { nameIsDNSSubdomain } from '../../admission/names.js';
import type { AdmissionRequest } from '../kind.js';
import type { KubeObject } from '../../api/types.js';
import { specStatusAdmission } from '../shared/admission.js';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerV1, HPAScalingRules, MetricSpec, MetricTarget } from './types.js';

export const DEFAULT_CPU_UTILIZATION = 80;
export const MAX_STABILIZATION_WINDOW_SECONDS = 3600;
export const MAX_PERIOD_SECONDS = 1800;

/** GenerateHPAScaleUpRules: no stabilisation, the faster of 4 pods or 100% per 15 s. */
export function scaleUpRules(r: HPAScalingRules | undefined): Required<HPAScalingRules> {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? 0,
    selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies ?? [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  };
}

/** GenerateHPAScaleDownRules: a 300 s stabilisation window, then up to 100% per 15 s. */
export function scaleDownRules(r: HPAScalingRules | undefined): Required<HPAScalingRules> {
  return {
    stabilizationWindowSeconds: r?.stabilizationWindowSeconds ?? 300,
    selectPolicy: r?.selectPolicy ?? 'Max',
    policies: r?.policies ?? [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  };
}

export function defaultHPA(h: HorizontalPodAutoscaler): void {
  h.spec ??= {} as HorizontalPodAutoscaler['spec'];
  if (h.spec.minReplicas === undefined || h.spec.minReplicas === null) h.spec.minReplicas = 1;
  if (!h.spec.metrics || h.spec.metrics.length === 0) {
    h.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } } }];
  }
  if (h.spec.behavior) {
    h.spec.behavior.scaleUp = scaleUpRules(h.spec.behavior.scaleUp);
    h.spec.behavior.scaleDown = scaleDownRules(h.spec.behavior.scaleDown);
  }
}

function validateTarget(t: MetricTarget | undefined, field: string): FieldError[] {
  if (!t || !t.type) return [required(`${field}.type`, 'must specify a metric target type')];
  const errs: FieldError[] = [];
  if (!['Utilization', 'Value', 'AverageValue'].includes(t.type)) errs.push(invalid(`${field}.type`, t.type, 'must be either Utilization, Value, or AverageValue'));
  if (t.averageUtilization !== undefined && t.averageUtilization !== null && t.averageUtilization < 1) errs.push(invalid(`${field}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  if (t.type === 'Utilization' && (t.averageUtilization === undefined || t.averageUtilization === null)) errs.push(required(`${field}.averageUtilization`, 'must set averageUtilization when type is Utilization'));
  if (t.type === 'Value' && !t.value) errs.push(required(`${field}.value`, 'must set value when type is Value'));
  if (t.type === 'AverageValue' && !t.averageValue) errs.push(required(`${field}.averageValue`, 'must set averageValue when type is AverageValue'));
  return errs;
}

const METRIC_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];

function validateMetric(m: MetricSpec, field: string): FieldError[] {
  if (!m.type) return [required(`${field}.type`, 'must specify a metric source type')];
  if (!METRIC_TYPES.includes(m.type)) return [notSupported(`${field}.type`, m.type, METRIC_TYPES)];
  const source = m.type === 'Resource' ? m.resource : m.type === 'ContainerResource' ? m.containerResource : undefined;
  const key = m.type.charAt(0).toLowerCase() + m.type.slice(1);
  if (m.type !== 'Resource' && m.type !== 'ContainerResource') {
    if (!(m as unknown as Record<string, unknown>)[key]) return [required(`${field}.${key}`, `must populate information for the given metric source`)];
    return [];
  }
  if (!source) return [required(`${field}.${key}`, 'must populate information for the given metric source')];
  const errs: FieldError[] = [];
  if (!source.name) errs.push(required(`${field}.${key}.name`, 'must specify a resource name'));
  if (m.type === 'ContainerResource' && !m.containerResource?.container) errs.push(required(`${field}.${key}.container`, 'must specify a container'));
  errs.push(...validateTarget(source.target, `${field}.${key}.target`));
  return errs;
}

function validateRules(r: HPAScalingRules | undefined, field: string): FieldError[] {
  if (!r) return [];
  const errs: FieldError[] = [];
  const w = r.stabilizationWindowSeconds;
  if (typeof w === 'number') {
    if (w < 0) errs.push(invalid(`${field}.stabilizationWindowSeconds`, w, 'must be greater than or equal to zero'));
    if (w > MAX_STABILIZATION_WINDOW_SECONDS) errs.push(invalid(`${field}.stabilizationWindowSeconds`, w, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  }
  if (r.selectPolicy !== undefined && !['Disabled', 'Max', 'Min'].includes(r.selectPolicy)) errs.push(notSupported(`${field}.selectPolicy`, r.selectPolicy, ['Disabled', 'Max', 'Min']));
  if (!r.policies || r.policies.length === 0) errs.push(required(`${field}.policies`, 'must specify at least one Policy'));
  (r.policies ?? []).forEach((p, i) => {
    const pf = `${field}.policies[${i}]`;
    if (p.type !== 'Pods' && p.type !== 'Percent') errs.push(notSupported(`${pf}.type`, p.type, ['Percent', 'Pods']));
    if (!(p.value > 0)) errs.push(invalid(`${pf}.value`, p.value, 'must be greater than zero'));
    if (!(p.periodSeconds > 0)) errs.push(invalid(`${pf}.periodSeconds`, p.periodSeconds, 'must be greater than zero'));
    if (p.periodSeconds > MAX_PERIOD_SECONDS) errs.push(invalid(`${pf}.periodSeconds`, p.periodSeconds, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

export function validateHPASpec(h: HorizontalPodAutoscaler): FieldError[] {
  const spec = h.spec ?? ({} as HorizontalPodAutoscaler['spec']);
  const errs: FieldError[] = [];
  const ref = spec.scaleTargetRef ?? ({} as HorizontalPodAutoscaler['spec']['scaleTargetRef']);
  if (!ref.kind) errs.push(required('spec.scaleTargetRef.kind', ''));
  else if (ref.kind.includes('/') || ref.kind.includes('%')) errs.push(invalid('spec.scaleTargetRef.kind', ref.kind, `may not contain '/'`));
  if (!ref.name) errs.push(required('spec.scaleTargetRef.name', ''));
  else if (ref.name === '.' || ref.name === '..' || ref.name.includes('/') || ref.name.includes('%')) errs.push(invalid('spec.scaleTargetRef.name', ref.name, `may not contain '/'`));
  const min = spec.minReplicas;
  if (typeof min === 'number' && min < 1) errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (typeof spec.maxReplicas !== 'number' || spec.maxReplicas < 1) errs.push(invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (typeof min === 'number' && spec.maxReplicas < min) errs.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  (spec.metrics ?? []).forEach((m, i) => errs.push(...validateMetric(m, `spec.metrics[${i}]`)));
  if (spec.behavior) {
    errs.push(...validateRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    errs.push(...validateRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return errs;
}

export const admitHPA = specStatusAdmission<HorizontalPodAutoscaler>({
  kind: 'HorizontalPodAutoscaler',
  group: 'autoscaling',
  namespaced: true,
  name: nameIsDNSSubdomain,
  defaults: defaultHPA,
  validate: validateHPASpec,
  initialStatus: () => ({}),
});

/**
 * autoscaling/v1 into v2 (upstream's conversion): targetCPUUtilizationPercentage is the cpu
 * Utilization metric; what v1 cannot say (other metrics, behavior) is kept from the stored object.
 */
export function hpaV1ToV2(v1: HorizontalPodAutoscalerV1, stored?: HorizontalPodAutoscaler): HorizontalPodAutoscaler {
  const spec = v1.spec ?? ({} as HorizontalPodAutoscalerV1['spec']);
  const others = (stored?.spec.metrics ?? []).filter((m) => !(m.type === 'Resource' && m.resource?.name === 'cpu'));
  const metrics: MetricSpec[] =
    typeof spec.targetCPUUtilizationPercentage === 'number'
      ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }, ...others]
      : others;
  const out: HorizontalPodAutoscaler = {
    ...v1,
    apiVersion: 'autoscaling/v2',
    spec: {
      scaleTargetRef: spec.scaleTargetRef,
      ...(spec.minReplicas !== undefined ? { minReplicas: spec.minReplicas } : {}),
      maxReplicas: spec.maxReplicas,
      ...(metrics.length ? { metrics } : {}),
      ...(stored?.spec.behavior ? { behavior: stored.spec.behavior } : {}),
    },
  };
  if (stored?.status) out.status = stored.status;
  else delete out.status;
  return out;
}

export function admitHPAV1(req: AdmissionRequest): KubeObject {
  const stored = req.oldObject as HorizontalPodAutoscaler | undefined;
  const object = hpaV1ToV2(req.object as HorizontalPodAutoscalerV1, stored);
  return admitHPA({ ...req, object });
}

/**
 * A stored (v2) object as autoscaling/v1 presents it (upstream's conversion): the cpu
 * Utilization metric is targetCPUUtilizationPercentage, its current value
 * currentCPUUtilizationPercentage; the conditions go to the annotation upstream keeps them in.
 */
export function hpaV2ToV1(obj: KubeObject): KubeObject {
  const h = obj as HorizontalPodAutoscaler;
  if (h.apiVersion !== 'autoscaling/v2') return obj;
  const cpu = (h.spec?.metrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target.type === 'Utilization');
  const current = (h.status?.currentMetrics ?? []).find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
  const s = h.status ?? {};
  const out: HorizontalPodAutoscalerV1 = {
    ...h,
    apiVersion: 'autoscaling/v1',
    metadata: { ...h.metadata },
    spec: {
      scaleTargetRef: h.spec.scaleTargetRef,
      ...(h.spec.minReplicas !== undefined ? { minReplicas: h.spec.minReplicas } : {}),
      maxReplicas: h.spec.maxReplicas,
      ...(typeof cpu?.resource?.target.averageUtilization === 'number' ? { targetCPUUtilizationPercentage: cpu.resource.target.averageUtilization } : {}),
    },
    status: {
      ...(s.observedGeneration !== undefined ? { observedGeneration: s.observedGeneration } : {}),
      ...(s.lastScaleTime ? { lastScaleTime: s.lastScaleTime } : {}),
      currentReplicas: s.currentReplicas ?? 0,
      desiredReplicas: s.desiredReplicas ?? 0,
      ...(typeof current?.resource?.current.averageUtilization === 'number' ? { currentCPUUtilizationPercentage: current.resource.current.averageUtilization } : {}),
    },
  };
  if (s.conditions?.length) out.metadata.annotations = { ...out.metadata.annotations, 'autoscaling.alpha.kubernetes.io/conditions': JSON.stringify(s.conditions) };
  return out;
}

// The horizontal pod autoscaler (upstream's pkg/controller/podautoscaler/horizontal.go): every
// sync period (15 s, LOOPKUBE_HPA_SYNC_PERIOD), and when an HPA changes, read the target's scale
// subresource, compute the replicas each metric asks for from metrics.k8s.io (the replica
// calculator), take the highest, normalize it (stabilisation windows, scaling policies, min and
// max), and write the new count through the scale subresource; then the HPA's status with its
// conditions (AbleToScale, ScalingActive, ScalingLimited) and current metrics, and events in
// upstream's words (SuccessfulRescale "New size: N; reason: ...", FailedGetResourceMetric, ...).
import { parseLabelSelector, matchesLabels } from '../../api/labels.js';
import { objectKey, resourcePath } from '../../api/paths.js';
import { parseQuantity } from '../../api/quantity.js';
import type { KubeObject, Pod } from '../../api/types.js';
import { createWorkQueue } from '../../client/workqueue.js';
import { findResourceByKind } from '../../kinds/catalog.js';
import { HORIZONTAL_POD_AUTOSCALERS } from '../../kinds/horizontalpodautoscaler/resource.js';
import type { HorizontalPodAutoscaler, HPACondition, MetricSpec, MetricStatus } from '../../kinds/horizontalpodautoscaler/types.js';
import { PODS } from '../../kinds/pod/resource.js';
import { isConflict, isNotFound } from '../pods.js';
import type { Controller, ControllerContext } from '../types.js';
import { normalize, recordScaleEvent, type BehaviorState } from './behavior.js';
import { MetricsError, resourceReplicas, type PodMetric } from './replica-calculator.js';

/** kube-controller-manager's --horizontal-pod-autoscaler-sync-period default. */
export const DEFAULT_HPA_SYNC_PERIOD_MS = 15_000;
export const HPA_SYNC_PERIOD_ENV = 'LOOPKUBE_HPA_SYNC_PERIOD';

interface Scale extends KubeObject {
  spec: { replicas?: number };
  status?: { replicas?: number; selector?: string };
}

interface PodMetricsObject extends KubeObject {
  timestamp: string;
  window: string;
  containers: Array<{ name: string; usage: Record<string, string> }>;
}

function windowMs(w: string): number {
  let ms = 0;
  for (const m of w.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|µs|us|ns)/g)) ms += Number(m[1]) * ({ h: 3_600_000, m: 60_000, s: 1000, ms: 1, µs: 1e-3, us: 1e-3, ns: 1e-6 } as Record<string, number>)[m[2]!]!;
  return ms;
}

export function syncPeriodFromEnv(): number {
  const raw = process.env[HPA_SYNC_PERIOD_ENV];
  const m = raw ? /^(\d+(?:\.\d+)?)(ms|s)$/.exec(raw.trim()) : null;
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  return ms >= 100 && ms <= 600_000 ? ms : DEFAULT_HPA_SYNC_PERIOD_MS;
}

/** The metric's name in reasons and messages, as upstream's metric names them. */
function metricName(m: MetricSpec): string {
  if (m.type === 'Resource' && m.resource) return m.resource.target.type === 'Utilization' ? `${m.resource.name} resource utilization (percentage of request)` : `${m.resource.name} resource`;
  return `${m.type} metric`;
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function setCondition(conds: HPACondition[], type: string, status: HPACondition['status'], reason: string, message: string, now: number): HPACondition[] {
  const old = conds.find((c) => c.type === type);
  const next: HPACondition = { type, status, lastTransitionTime: old && old.status === status ? old.lastTransitionTime! : rfc3339(now), reason, message };
  const order = ['AbleToScale', 'ScalingActive', 'ScalingLimited'];
  return [...conds.filter((c) => c.type !== type), next].sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
}

export function startHorizontalPodAutoscalerController(ctx: ControllerContext): Controller {
  const { client, logger, events } = ctx;
  const log = logger.child({ controller: 'horizontal-pod-autoscaler' });
  const hpas = ctx.informers.forResource<HorizontalPodAutoscaler>(HORIZONTAL_POD_AUTOSCALERS);
  const pods = ctx.informers.forResource<Pod>(PODS);
  const syncPeriodMs = syncPeriodFromEnv();
  const states = new Map<string, BehaviorState>();

  async function podMetrics(namespace: string, selector: string): Promise<Map<string, Map<string, PodMetric>>> {
    const list = await client.list<PodMetricsObject>(`/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods`, { labelSelector: selector });
    const byResource = new Map<string, Map<string, PodMetric>>();
    for (const pm of list.items) {
      for (const resource of ['cpu', 'memory']) {
        let sum = 0;
        let complete = pm.containers.length > 0;
        for (const c of pm.containers) {
          const q = c.usage[resource];
          if (q === undefined) complete = false;
          else sum += parseQuantity(q) * 1000;
        }
        if (!complete) continue;
        let m = byResource.get(resource);
        if (!m) byResource.set(resource, (m = new Map()));
        m.set(pm.metadata.name!, { milliValue: sum, timestampMs: Date.parse(pm.timestamp), windowMs: windowMs(pm.window) });
      }
    }
    return byResource;
  }

  async function reconcile(key: string): Promise<void> {
    await hpas.synced();
    await pods.synced();
    const cached = hpas.get(key);
    if (!cached) {
      states.delete(key);
      return;
    }
    const hpa = structuredClone(cached);
    const ns = hpa.metadata.namespace ?? 'default';
    const now = Date.now();
    let conds = hpa.status?.conditions ?? [];
    const ref = hpa.spec.scaleTargetRef;
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    const state = states.get(key) ?? { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
    states.set(key, state);
    const status: NonNullable<HorizontalPodAutoscaler['status']> = { ...hpa.status };
    const write = async (): Promise<void> => {
      status.conditions = conds;
      status.observedGeneration = hpa.metadata.generation ?? 1;
      // onto the live object: a cached copy a write behind would lose this status (its lastScaleTime) to a conflict
      const path = resourcePath(HORIZONTAL_POD_AUTOSCALERS, ns, hpa.metadata.name);
      for (let attempt = 0; ; attempt++) {
        try {
          const live = attempt === 0 ? hpa : await client.get<HorizontalPodAutoscaler>(path);
          await client.update(`${path}/status`, { ...live, status });
          return;
        } catch (err) {
          if (isNotFound(err)) return;
          if (!isConflict(err) || attempt >= 3) throw err;
        }
      }
    };

    const info = findResourceByKind(ref.apiVersion ?? '', ref.kind);
    const scalePath = info?.subresources.includes('scale') ? `${resourcePath(info, ns, ref.name)}/scale` : undefined;
    let scale: Scale;
    try {
      if (!scalePath) throw new Error(`the server could not find the requested resource (${ref.apiVersion}, Kind=${ref.kind})`);
      scale = await client.get<Scale>(scalePath);
    } catch (err) {
      const message = `the HPA controller was unable to get the target's current scale: ${(err as Error).message}`;
      conds = setCondition(conds, 'AbleToScale', 'False', 'FailedGetScale', message, now);
      events.warning(hpa, 'FailedGetScale', (err as Error).message);
      await write();
      return;
    }
    conds = setCondition(conds, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale", now);
    const current = scale.spec.replicas ?? 0;
    let desired = current;
    let reason = '';
    let stabilized: string | undefined;

    if (current === 0 && minReplicas !== 0) {
      desired = 0;
      conds = setCondition(conds, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', now);
    } else if (current > maxReplicas) {
      desired = maxReplicas;
      reason = 'Current number of replicas above Spec.MaxReplicas';
    } else if (current < minReplicas) {
      desired = minReplicas;
      reason = 'Current number of replicas below Spec.MinReplicas';
    } else {
      const selector = parseLabelSelector(scale.status?.selector ?? '');
      const targetPods = pods.list().filter((p) => p.metadata.namespace === ns && matchesLabels(selector, p.metadata.labels));
      let proposal = 0;
      let proposalMetric = '';
      const currentMetrics: MetricStatus[] = [];
      const errors: string[] = [];
      let byResource: Map<string, Map<string, PodMetric>> | undefined;
      for (const m of hpa.spec.metrics ?? []) {
        try {
          if (m.type !== 'Resource' || !m.resource) throw new MetricsError(`${m.type} metrics are not supported by loopkube`);
          const r = m.resource;
          byResource ??= await podMetrics(ns, scale.status?.selector ?? '');
          const metrics = byResource.get(r.name) ?? new Map<string, PodMetric>();
          if (r.target.type !== 'Utilization' || typeof r.target.averageUtilization !== 'number') throw new MetricsError(`only Utilization targets of resource metrics are supported by loopkube`);
          if (metrics.size === 0) throw new MetricsError(`unable to get metrics for resource ${r.name}: no metrics returned from resource metrics API`);
          const got = resourceReplicas(current, r.target.averageUtilization, r.name, targetPods, metrics, now);
          currentMetrics.push({ type: 'Resource', resource: { name: r.name, current: { averageValue: r.name === 'cpu' ? `${Math.round(got.averageMilliValue)}m` : String(Math.round(got.averageMilliValue / 1000)), averageUtilization: got.utilization } } });
          if (got.replicas > proposal || proposalMetric === '') {
            proposal = got.replicas;
            proposalMetric = metricName(m);
          }
        } catch (err) {
          const message = (err as Error).message;
          errors.push(message);
          events.warning(hpa, 'FailedGetResourceMetric', message);
          currentMetrics.push({ type: m.type });
        }
      }
      status.currentMetrics = currentMetrics;
      if (proposalMetric === '') {
        const first = errors[0] ?? 'no metrics';
        events.warning(hpa, 'FailedComputeMetricsReplicas', `invalid metrics (${errors.length} invalid out of ${(hpa.spec.metrics ?? []).length}), first error is: failed to get cpu resource metric value: ${first}`);
        conds = setCondition(conds, 'ScalingActive', 'False', 'FailedGetResourceMetric', `the HPA was unable to compute the replica count: ${first}`, now);
        status.currentReplicas = current;
        status.desiredReplicas = current;
        await write();
        return;
      }
      conds = setCondition(conds, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${proposalMetric}`, now);
      const n = normalize(current, proposal, minReplicas, maxReplicas, hpa.spec.behavior, state, now);
      desired = n.replicas;
      stabilized = n.stabilized;
      conds = setCondition(conds, 'ScalingLimited', n.limited.status ? 'True' : 'False', n.limited.reason, n.limited.message, now);
      reason = desired > current ? `${proposalMetric} above target` : 'All metrics below target';
    }

    status.currentReplicas = current;
    status.desiredReplicas = desired;
    if (desired !== current && scalePath) {
      try {
        await client.update(scalePath, { ...scale, spec: { ...scale.spec, replicas: desired } } as Scale);
      } catch (err) {
        const message = (err as Error).message;
        conds = setCondition(conds, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${message}`, now);
        events.warning(hpa, 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${message}`);
        await write();
        return;
      }
      conds = setCondition(conds, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desired}`, now);
      events.normal(hpa, 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      log.info({ namespace: ns, name: hpa.metadata.name, from: current, to: desired, reason }, 'rescaled');
      recordScaleEvent(state, hpa.spec.behavior, current, desired, now);
      status.lastScaleTime = rfc3339(now);
    } else if (stabilized === 'ScaleDownStabilized') {
      conds = setCondition(conds, 'AbleToScale', 'True', 'ScaleDownStabilized', 'recent recommendations were higher than current one, applying the highest recent recommendation', now);
    } else if (stabilized === 'ScaleUpStabilized') {
      conds = setCondition(conds, 'AbleToScale', 'True', 'ScaleUpStabilized', 'recent recommendations were lower than current one, applying the lowest recent recommendation', now);
    } else if (desired === current && conds.find((c) => c.type === 'ScalingActive')?.status === 'True') {
      conds = setCondition(conds, 'AbleToScale', 'True', 'ReadyForNewScale', 'recommended size matches current size', now);
    }
    await write();
  }

  const queue = createWorkQueue('horizontal-pod-autoscaler', reconcile, { logger: log });
  hpas.addHandlers({
    add: (h) => queue.add(objectKey(h.metadata)),
    update: (old, h) => {
      if (old.metadata.generation !== h.metadata.generation) queue.add(objectKey(h.metadata));
    },
    delete: (h) => queue.add(objectKey(h.metadata)),
  });
  const resync = setInterval(() => {
    for (const h of hpas.list()) queue.add(objectKey(h.metadata));
  }, syncPeriodMs);
  resync.unref();
  return {
    name: 'horizontal-pod-autoscaler',
    stop() {
      clearInterval(resync);
      queue.stop();
    },
  };
}

// The HPA's replica calculator for a resource utilization target (upstream's pkg/controller/
// podautoscaler/replica_calculator.go GetResourceReplicas): pods deleted or failed are ignored;
// pending pods, and for cpu pods not ready yet (within the 5 min initialization period, or
// unready since shortly after their start), are unready; pods without metrics are missing.
// The usage ratio (usage / requests of the pods with metrics, over the target) within the
// tolerance (0.1) keeps the count. Otherwise, missing pods count as 100% of their request when
// scaling down and 0% when scaling up, unready pods as 0% when scaling up; a ratio whose
// direction flips with them, or lands within the tolerance, keeps the count.
import type { Pod } from '../../api/types.js';
import { parseQuantity } from '../../api/quantity.js';

export const TOLERANCE = 0.1;
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
export const DELAY_OF_INITIAL_READINESS_STATUS_MS = 30_000;

/** A pod's usage of the resource (milli-units: millicores, or milli-bytes), with the metric's time. */
export interface PodMetric {
  milliValue: number;
  timestampMs: number;
  windowMs: number;
}

export interface ResourceReplicas {
  replicas: number;
  /** Percent of request, of the pods with metrics (as status.currentMetrics reports it). */
  utilization: number;
  /** Raw average usage in milli-units. */
  averageMilliValue: number;
}

export class MetricsError extends Error {}

function timeOf(t: string | undefined): number | undefined {
  const ms = t ? Date.parse(t) : NaN;
  return Number.isFinite(ms) ? ms : undefined;
}

/** Sum of the containers' requests of the resource, in milli-units; throws for a container without one. */
export function podRequestMilli(pod: Pod, resource: string): number {
  let sum = 0;
  for (const c of pod.spec.containers) {
    const req = c.resources?.requests?.[resource];
    if (req === undefined) throw new MetricsError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
    sum += parseQuantity(req) * 1000;
  }
  return sum;
}

function groupPods(pods: Pod[], metrics: Map<string, PodMetric>, resource: string, now: number): { ready: number; unready: Set<string>; missing: Set<string>; ignored: Set<string> } {
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let ready = 0;
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      ignored.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      unready.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      missing.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const started = timeOf(pod.status?.startTime);
      let isUnready: boolean;
      if (!cond || started === undefined) isUnready = true;
      else {
        const transition = timeOf(cond.lastTransitionTime) ?? 0;
        if (started + CPU_INITIALIZATION_PERIOD_MS > now) {
          // still initialising: unready, or its metric was taken before it was ready a whole window
          isUnready = cond.status === 'False' || metric.timestampMs < transition + metric.windowMs;
        } else {
          // unready, and never ready since shortly after its start
          isUnready = cond.status === 'False' && started + DELAY_OF_INITIAL_READINESS_STATUS_MS > transition;
        }
      }
      if (isUnready) {
        unready.add(name);
        continue;
      }
    }
    ready++;
  }
  return { ready, unready, missing, ignored };
}

function utilizationRatio(metrics: Map<string, PodMetric>, requests: Map<string, number>, target: number): { ratio: number; utilization: number; average: number } {
  let usage = 0;
  let requested = 0;
  let counted = 0;
  for (const [name, m] of metrics) {
    const r = requests.get(name);
    if (r === undefined) continue;
    usage += m.milliValue;
    requested += r;
    counted++;
  }
  if (requested === 0) throw new MetricsError('no metrics returned matched known pods');
  const utilization = Math.trunc((usage * 100) / requested);
  return { ratio: utilization / target, utilization, average: counted ? usage / counted : 0 };
}

/** GetResourceReplicas for a Utilization target (percent of request). */
export function resourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, pods: Pod[], podMetrics: Map<string, PodMetric>, now = Date.now()): ResourceReplicas {
  if (pods.length === 0) throw new MetricsError('no pods returned by selector while calculating replica count');
  const requests = new Map<string, number>();
  for (const p of pods) requests.set(p.metadata.name!, podRequestMilli(p, resource));
  const { ready, unready, missing, ignored } = groupPods(pods, podMetrics, resource, now);
  const metrics = new Map([...podMetrics].filter(([name]) => !unready.has(name) && !ignored.has(name) && requests.has(name)));
  if (metrics.size === 0) throw new MetricsError(`did not receive metrics for targeted pods (pods might be unready)`);
  const first = utilizationRatio(metrics, requests, targetUtilization);
  const { ratio, utilization, average } = first;
  const scaleUpWithUnready = unready.size > 0 && ratio > 1;
  if (!scaleUpWithUnready && missing.size === 0) {
    if (Math.abs(1 - ratio) <= TOLERANCE) return { replicas: currentReplicas, utilization, averageMilliValue: average };
    return { replicas: Math.ceil(ratio * ready), utilization, averageMilliValue: average };
  }
  if (missing.size > 0) {
    for (const name of missing) metrics.set(name, { milliValue: ratio < 1 ? requests.get(name)! : 0, timestampMs: now, windowMs: 0 });
  }
  if (scaleUpWithUnready) {
    for (const name of unready) metrics.set(name, { milliValue: 0, timestampMs: now, windowMs: 0 });
  }
  const second = utilizationRatio(metrics, requests, targetUtilization);
  const newRatio = second.ratio;
  if (Math.abs(1 - newRatio) <= TOLERANCE || (ratio < 1 && newRatio > 1) || (ratio > 1 && newRatio < 1)) {
    return { replicas: currentReplicas, utilization, averageMilliValue: average };
  }
  const replicas = Math.ceil(newRatio * metrics.size);
  if ((newRatio < 1 && replicas > currentReplicas) || (newRatio > 1 && replicas < currentReplicas)) {
    return { replicas: currentReplicas, utilization, averageMilliValue: average };
  }
  return { replicas, utilization, averageMilliValue: average };
}

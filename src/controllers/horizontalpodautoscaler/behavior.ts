// How the HPA turns a recommendation into the replica count it sets (upstream's
// horizontal.go normalizeDesiredReplicasWithBehaviors): first the stabilisation windows (the
// highest recommendation of the scale-down window, the lowest of the scale-up window, bound the
// count from the current one), then the scaling policies' rate (replicas added or removed within
// each policy's period, counted from the scale events), then minReplicas and maxReplicas. An HPA
// without a behavior is normalized as upstream's normalizeDesiredReplicas does it: the default
// windows (300 s down, none up), at most double (at least 4) per scale-up, no scale-down rate.
import { scaleDownRules, scaleUpRules } from '../../kinds/horizontalpodautoscaler/admission.js';
import type { HorizontalPodAutoscalerBehavior, HPAScalingRules } from '../../kinds/horizontalpodautoscaler/types.js';

export interface Recommendation {
  timestampMs: number;
  replicas: number;
}

export interface ScaleEvent {
  timestampMs: number;
  /** Replicas added (scale up) or removed (scale down), positive. */
  change: number;
  outdated?: boolean;
}

export interface BehaviorState {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export interface Normalized {
  replicas: number;
  /** The ScalingLimited condition: true when the count was limited, with upstream's reason and message. */
  limited: { status: boolean; reason: string; message: string };
  /** Set when a stabilisation window held the recommendation back. */
  stabilized?: 'ScaleUpStabilized' | 'ScaleDownStabilized';
}

function sumWithin(events: ScaleEvent[], periodSeconds: number, now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.filter((e) => e.timestampMs > cutoff).reduce((s, e) => s + e.change, 0);
}

/** calculateScaleUpLimitWithScalingRules */
export function scaleUpLimit(current: number, state: BehaviorState, rules: Required<HPAScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies) {
    const added = sumWithin(state.scaleUpEvents, p.periodSeconds, now);
    const deleted = sumWithin(state.scaleDownEvents, p.periodSeconds, now);
    const start = current - added + deleted;
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return Math.max(result, current);
}

/** calculateScaleDownLimitWithBehaviors */
export function scaleDownLimit(current: number, state: BehaviorState, rules: Required<HPAScalingRules>, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  let result = rules.selectPolicy === 'Min' ? Number.MIN_SAFE_INTEGER : Number.MAX_SAFE_INTEGER;
  for (const p of rules.policies) {
    const added = sumWithin(state.scaleUpEvents, p.periodSeconds, now);
    const deleted = sumWithin(state.scaleDownEvents, p.periodSeconds, now);
    const start = current - added + deleted;
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = rules.selectPolicy === 'Min' ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return Math.min(result, current);
}

/** stabilizeRecommendationWithBehaviors; records the new recommendation in the state. */
export function stabilize(current: number, desired: number, state: BehaviorState, up: Required<HPAScalingRules>, down: Required<HPAScalingRules>, now: number): number {
  let upRec = desired;
  let downRec = desired;
  const upCutoff = now - up.stabilizationWindowSeconds * 1000;
  const downCutoff = now - down.stabilizationWindowSeconds * 1000;
  const longest = Math.max(up.stabilizationWindowSeconds, down.stabilizationWindowSeconds) * 1000;
  for (const r of state.recommendations) {
    if (r.timestampMs > upCutoff) upRec = Math.min(upRec, r.replicas);
    if (r.timestampMs > downCutoff) downRec = Math.max(downRec, r.replicas);
  }
  let rec = current;
  if (rec < upRec) rec = upRec;
  if (rec > downRec) rec = downRec;
  state.recommendations = [...state.recommendations.filter((r) => r.timestampMs > now - longest), { timestampMs: now, replicas: desired }];
  return rec;
}

export function normalize(
  current: number,
  desired: number,
  minReplicas: number,
  maxReplicas: number,
  behavior: HorizontalPodAutoscalerBehavior | undefined,
  state: BehaviorState,
  now: number,
): Normalized {
  const up = scaleUpRules(behavior?.scaleUp);
  const down = scaleDownRules(behavior?.scaleDown);
  const stabilized = stabilize(current, desired, state, up, down, now);
  const out: Normalized = { replicas: stabilized, limited: { status: false, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' } };
  if (stabilized !== desired) out.stabilized = stabilized < desired ? 'ScaleUpStabilized' : 'ScaleDownStabilized';
  if (stabilized > current) {
    // without a behavior, upstream's normalizeDesiredReplicas: at most double, and at least 4
    const limit = behavior ? scaleUpLimit(current, state, up, now) : Math.max(2 * current, 4);
    let max = maxReplicas;
    let why = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
    if (max > limit) {
      max = limit;
      why = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
    }
    if (stabilized > max) {
      out.replicas = max;
      out.limited = { status: true, ...why };
    }
  } else if (stabilized < current) {
    const limit = behavior ? scaleDownLimit(current, state, down, now) : 0;
    let min = minReplicas;
    let why = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
    if (min < limit) {
      min = limit;
      why = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
    }
    if (stabilized < min) {
      out.replicas = min;
      out.limited = { status: true, ...why };
    }
  } else if (stabilized > maxReplicas) {
    out.replicas = maxReplicas;
    out.limited = { status: true, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
  } else if (stabilized < minReplicas) {
    out.replicas = minReplicas;
    out.limited = { status: true, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };
  }
  return out;
}

/** storeScaleEvent: remembers a rescale for the policies' periods (events older than the longest period go). */
export function recordScaleEvent(state: BehaviorState, behavior: HorizontalPodAutoscalerBehavior | undefined, prev: number, next: number, now: number): void {
  const longest = (rules: Required<HPAScalingRules>): number => Math.max(0, ...rules.policies.map((p) => p.periodSeconds)) * 1000;
  const up = scaleUpRules(behavior?.scaleUp);
  const down = scaleDownRules(behavior?.scaleDown);
  state.scaleUpEvents = state.scaleUpEvents.filter((e) => e.timestampMs > now - longest(up));
  state.scaleDownEvents = state.scaleDownEvents.filter((e) => e.timestampMs > now - longest(down));
  if (next > prev) state.scaleUpEvents.push({ timestampMs: now, change: next - prev });
  else if (next < prev) state.scaleDownEvents.push({ timestampMs: now, change: prev - next });
}

// A pod's QoS class (upstream's ComputePodQOS): BestEffort without cpu/memory requests or limits,
// Guaranteed when every container limits both and requests equal limits, Burstable otherwise.
import { milliValue, parseQuantityExact } from '../../api/quantity.js';
import type { PodSpec } from '../../api/types.js';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = new Set(['cpu', 'memory']);

export function computePodQOS(spec: PodSpec): QOSClass {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...(spec.containers ?? []), ...(spec.initContainers ?? [])]) {
    for (const [name, value] of Object.entries(c.resources?.requests ?? {})) {
      if (!QOS_RESOURCES.has(name)) continue;
      const m = milliValue(parseQuantityExact(value));
      if (m > 0n) requests.set(name, (requests.get(name) ?? 0n) + m);
    }
    const found = new Set<string>();
    for (const [name, value] of Object.entries(c.resources?.limits ?? {})) {
      if (!QOS_RESOURCES.has(name)) continue;
      const m = milliValue(parseQuantityExact(value));
      if (m > 0n) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0n) + m);
      }
    }
    if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

// The Priority admission plugin: a pod's priority comes from its PriorityClass (loopkube has only
// the two built-in classes), or is 0 without one; a client may not choose the number itself.
import { forbidden } from '../../api/errors.js';
import type { ApiError } from '../../api/errors.js';
import type { PodSpec } from '../../api/types.js';

const BUILT_IN_CLASSES: Record<string, number> = {
  'system-cluster-critical': 2000000000,
  'system-node-critical': 2000001000,
};

type PriorityShape = PodSpec & { priorityClassName?: string };

/** Sets spec.priority and spec.preemptionPolicy, or returns the 403 upstream answers. */
export function admitPriority(spec: PodSpec, podName: string): ApiError | undefined {
  const s = spec as PriorityShape;
  const refuse = (msg: string): ApiError => forbidden(`pods "${podName}" is forbidden: ${msg}`);
  let priority = 0;
  if (s.priorityClassName) {
    const value = BUILT_IN_CLASSES[s.priorityClassName];
    if (value === undefined) return refuse(`no PriorityClass with name ${s.priorityClassName} was found`);
    priority = value;
  }
  if (typeof s.priority === 'number' && s.priority !== priority) {
    return refuse(
      `the integer value of priority (${s.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
    );
  }
  s.priority = priority;
  if (!s.preemptionPolicy) s.preemptionPolicy = 'PreemptLowerPriority';
  return undefined;
}

/** On update the Priority plugin keeps what it set on create when the client omits it. */
export function keepPriority(spec: PodSpec, old: PodSpec): void {
  if ((spec.priority === undefined || spec.priority === null) && old.priority !== undefined) spec.priority = old.priority;
  if (!spec.preemptionPolicy && old.preemptionPolicy) spec.preemptionPolicy = old.preemptionPolicy;
}

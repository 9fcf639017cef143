// Graceful pod deletion (upstream's podStrategy.CheckGracefulDelete): a pod running on a node
// gets deletionTimestamp = now + its grace period and stays until its kubelet confirms with a
// grace-0 delete; unscheduled and terminal pods, and pods of a node that is gone, go at once.
import type { DeleteOptions, KubeObject, Pod } from '../../api/types.js';
import type { DeleteContext } from '../kind.js';
import { NODES } from '../node/resource.js';

async function gracePeriod(pod: Pod, options: DeleteOptions, ctx: DeleteContext): Promise<number> {
  const requested = options.gracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  if (requested <= 0) return 0;
  if (!pod.spec?.nodeName) return 0;
  if (pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed') return 0;
  const node = await ctx.getObject(NODES, undefined, pod.spec.nodeName).catch(() => undefined);
  if (!node) return 0;
  return requested;
}

export async function preparePodDelete(obj: KubeObject, options: DeleteOptions, ctx: DeleteContext): Promise<void> {
  const m = obj.metadata;
  const grace = await gracePeriod(obj as Pod, options, ctx);
  if (grace > 0) {
    const due = Date.now() + grace * 1000;
    const currentDue = m.deletionTimestamp ? Date.parse(m.deletionTimestamp) : Infinity;
    // A second delete may shorten the grace period, never lengthen it.
    if (due < currentDue) {
      m.deletionTimestamp = new Date(due).toISOString().replace(/\.\d{3}Z$/, 'Z');
      m.deletionGracePeriodSeconds = grace;
    }
  } else {
    m.deletionTimestamp ??= ctx.now();
    m.deletionGracePeriodSeconds = 0;
  }
}

/** A terminating pod on a node stays until its kubelet confirms with a grace-0 delete. */
export function podReadyToRemove(obj: KubeObject): boolean {
  return (obj.metadata.deletionGracePeriodSeconds ?? 0) === 0;
}

// Which nodes a DaemonSet's pod belongs on (upstream's NodeShouldRunDaemonPod): the template's
// nodeSelector and required node affinity must match, and the node's NoSchedule / NoExecute taints
// must be tolerated by the template's tolerations plus the ones every daemon pod gets
// (AddOrUpdateDaemonPodTolerations). A pod whose only untolerated taints are NoSchedule keeps
// running (shouldContinueRunning); an untolerated NoExecute taint evicts it.
import type { DaemonSet } from '../../api/apps.js';
import type { Node, Pod, Taint } from '../../api/types.js';
import { matchesNodeSelectorAndAffinity, tolerates, type Toleration } from '../scheduling.js';

const exists = (key: string, effect: 'NoSchedule' | 'NoExecute'): Toleration => ({ key, operator: 'Exists', effect });

/** The tolerations upstream adds to every daemon pod (network-unavailable only with hostNetwork). */
export function daemonPodTolerations(hostNetwork: boolean): Toleration[] {
  return [
    exists('node.kubernetes.io/not-ready', 'NoExecute'),
    exists('node.kubernetes.io/unreachable', 'NoExecute'),
    exists('node.kubernetes.io/disk-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/memory-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/pid-pressure', 'NoSchedule'),
    exists('node.kubernetes.io/unschedulable', 'NoSchedule'),
    ...(hostNetwork ? [exists('node.kubernetes.io/network-unavailable', 'NoSchedule')] : []),
  ];
}

/** The template's tolerations with the daemon ones added where missing (by key and effect). */
export function withDaemonTolerations(own: Toleration[] | undefined, hostNetwork: boolean): Toleration[] {
  const out = [...(own ?? [])];
  for (const t of daemonPodTolerations(hostNetwork)) {
    if (!out.some((o) => o.key === t.key && o.effect === t.effect)) out.push(t);
  }
  return out;
}

/** The node a daemon pod is meant for: its nodeName, else the node its affinity pins it to. */
interface FieldTerm {
  matchFields?: Array<{ key: string; operator: string; values?: string[] }>;
}
interface PinnedAffinity {
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: FieldTerm[] } } };
}

export function targetNodeName(pod: Pod): string | undefined {
  if (pod.spec.nodeName) return pod.spec.nodeName;
  const terms = (pod.spec as PinnedAffinity).affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

export interface NodePlacement {
  shouldRun: boolean;
  shouldContinueRunning: boolean;
}

export function nodeShouldRunDaemonPod(ds: DaemonSet, node: Node): NodePlacement {
  const spec = ds.spec.template.spec;
  const pod: Pod = { apiVersion: 'v1', kind: 'Pod', metadata: {}, spec: { ...spec, nodeName: node.metadata.name } };
  if (!matchesNodeSelectorAndAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = withDaemonTolerations(spec.tolerations as Toleration[] | undefined, spec.hostNetwork === true);
  const untolerated = (node.spec?.taints ?? []).filter(
    (t: Taint) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)),
  );
  if (untolerated.some((t) => t.effect === 'NoExecute')) return { shouldRun: false, shouldContinueRunning: false };
  if (untolerated.length > 0) return { shouldRun: false, shouldContinueRunning: true };
  return { shouldRun: true, shouldContinueRunning: true };
}

// The scheduler's decisions, as pure functions of a pod and a snapshot of the nodes (upstream's
// default profile, in small): filter plugins in upstream's order (NodeUnschedulable,
// TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit), then a least-allocated score in
// which free memory weighs the most, and upstream's FitError wording for a pod that fits nowhere.
import { parseQuantity } from '../api/quantity.js';
import type { Container, Node, Pod, Taint } from '../api/types.js';

/** A node and the pods that count against it (bound or assumed, not terminal). */
export interface NodeSnapshot {
  node: Node;
  pods: Pod[];
}

/** Why a node cannot take the pod; `resolvable` = preemption could in principle help (upstream's Unschedulable vs UnschedulableAndUnresolvable). */
export interface FilterFailure {
  reasons: string[];
  resolvable: boolean;
}

export interface Resources {
  /** cores */
  cpu: number;
  /** bytes */
  memory: number;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: Taint['effect'] | '';
  tolerationSeconds?: number;
}

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_NODE_AFFINITY = "node(s) didn't match Pod's node affinity/selector";
export const REASON_NODE_PORTS = "node(s) didn't have free ports for the requested pod ports";
export const REASON_TOO_MANY_PODS = 'Too many pods';
export const REASON_NO_VICTIMS = 'No preemption victims found for incoming pod';
export const REASON_PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Upstream's defaults for a container that requests nothing, used only to score (so equal pods spread). */
const DEFAULT_CPU_REQUEST = 0.1;
const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

/** Memory weighs the most in the score. */
export const MEMORY_WEIGHT = 0.7;
export const CPU_WEIGHT = 0.3;

export const untoleratedTaintReason = (t: Taint): string => `node(s) had untolerated taint {${t.key}: ${t.value ?? ''}}`;
export const insufficientReason = (resource: string): string => `Insufficient ${resource}`;

function quantity(v: string | number | undefined): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  try {
    const n = parseQuantity(v);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/** A container's request for a resource (the limit when only a limit is given, as API defaulting does). */
function containerRequest(c: Container, resource: 'cpu' | 'memory'): number | undefined {
  return quantity(c.resources?.requests?.[resource]) ?? quantity(c.resources?.limits?.[resource]);
}

function podResources(pod: Pod, perContainer: (c: Container, r: 'cpu' | 'memory') => number): Resources {
  const sum: Resources = { cpu: 0, memory: 0 };
  for (const c of pod.spec.containers ?? []) {
    sum.cpu += perContainer(c, 'cpu');
    sum.memory += perContainer(c, 'memory');
  }
  // An init container runs alone: the pod needs the larger of the two (upstream's PodRequests).
  for (const c of pod.spec.initContainers ?? []) {
    sum.cpu = Math.max(sum.cpu, perContainer(c, 'cpu'));
    sum.memory = Math.max(sum.memory, perContainer(c, 'memory'));
  }
  return sum;
}

/** What the pod asks for: the sum of its containers' requests. */
export function podRequests(pod: Pod): Resources {
  return podResources(pod, (c, r) => containerRequest(c, r) ?? 0);
}

/** Requests with upstream's non-zero defaults (100m cpu, 200Mi memory) for containers that ask for nothing. */
export function nonZeroRequests(pod: Pod): Resources {
  return podResources(pod, (c, r) => containerRequest(c, r) ?? (r === 'cpu' ? DEFAULT_CPU_REQUEST : DEFAULT_MEMORY_REQUEST));
}

export interface Allocatable extends Resources {
  pods: number;
}

export function nodeAllocatable(node: Node): Allocatable {
  const a = node.status?.allocatable ?? node.status?.capacity ?? {};
  return { cpu: quantity(a.cpu) ?? 0, memory: quantity(a.memory) ?? 0, pods: quantity(a.pods) ?? 0 };
}

function sumRequests(pods: Pod[], of: (p: Pod) => Resources): Resources {
  const sum: Resources = { cpu: 0, memory: 0 };
  for (const p of pods) {
    const r = of(p);
    sum.cpu += r.cpu;
    sum.memory += r.memory;
  }
  return sum;
}

/** Upstream's ToleratesTaint. */
export function tolerates(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  if (toleration.operator === 'Exists') return true;
  if (!toleration.key) return false; // Equal with an empty key tolerates nothing
  return (toleration.value ?? '') === (taint.value ?? '');
}

export function podTolerations(pod: Pod): Toleration[] {
  return (pod.spec.tolerations ?? []) as Toleration[];
}

/** The node's Ready condition status: 'True', 'False', 'Unknown', or undefined when never reported. */
export function nodeReadyStatus(node: Node): string | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready')?.status;
}

/**
 * The taints the scheduler sees: the node's own, plus the not-ready / unreachable NoSchedule
 * taint a node that is not Ready would carry (the node lifecycle controller and kubelet put them
 * there; adding them here keeps the scheduler right in the moment before they land).
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const ready = nodeReadyStatus(node);
  if (ready !== 'True') {
    const key = ready === 'Unknown' ? TAINT_UNREACHABLE : TAINT_NOT_READY;
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}

interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

function requirementMatches(req: NodeSelectorRequirement, value: string | undefined): boolean {
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return value !== undefined && values.includes(value);
    case 'NotIn':
      return value === undefined || !values.includes(value);
    case 'Exists':
      return value !== undefined;
    case 'DoesNotExist':
      return value === undefined;
    case 'Gt':
    case 'Lt': {
      if (value === undefined || values.length !== 1) return false;
      const a = Number.parseInt(value, 10);
      const b = Number.parseInt(values[0]!, 10);
      if (Number.isNaN(a) || Number.isNaN(b)) return false;
      return req.operator === 'Gt' ? a > b : a < b;
    }
    default:
      return false;
  }
}

export function termMatches(term: NodeSelectorTerm, node: Node): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  const label = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(labels, k) ? labels[k] : undefined);
  return (
    exprs.every((r) => requirementMatches(r, label(r.key))) &&
    fields.every((r) => r.key === 'metadata.name' && requirementMatches(r, node.metadata.name))
  );
}

/** nodeSelector and required node affinity (upstream's NodeAffinity filter). */
export function matchesNodeSelectorAndAffinity(pod: Pod, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const affinity = (pod.spec as { affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } } }).affinity;
  const required = affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (required) {
    const terms = required.nodeSelectorTerms ?? [];
    if (!terms.some((t) => termMatches(t, node))) return false;
  }
  return true;
}

function hostPorts(pod: Pod): string[] {
  const out: string[] = [];
  for (const c of [...(pod.spec.containers ?? []), ...(pod.spec.initContainers ?? [])]) {
    for (const p of c.ports ?? []) {
      if (p.hostPort) out.push(`${p.protocol ?? 'TCP'}/${p.hostPort}`);
    }
  }
  return out;
}

/** Runs the filters in upstream's order; the first that fails decides (null = the node fits). */
export function filterNode(pod: Pod, snap: NodeSnapshot): FilterFailure | null {
  const { node } = snap;
  const tolerations = podTolerations(pod);

  // NodeUnschedulable
  if (node.spec?.unschedulable) {
    const taint: Taint = { key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' };
    if (!tolerations.some((t) => tolerates(t, taint))) return { reasons: [REASON_UNSCHEDULABLE], resolvable: false };
  }

  // TaintToleration (NoSchedule and NoExecute taints must be tolerated)
  for (const taint of effectiveTaints(node)) {
    if (taint.effect !== 'NoSchedule' && taint.effect !== 'NoExecute') continue;
    if (!tolerations.some((t) => tolerates(t, taint))) return { reasons: [untoleratedTaintReason(taint)], resolvable: false };
  }

  // NodeAffinity (nodeSelector + required node affinity)
  if (!matchesNodeSelectorAndAffinity(pod, node)) return { reasons: [REASON_NODE_AFFINITY], resolvable: false };

  // NodePorts
  const wanted = hostPorts(pod);
  if (wanted.length > 0) {
    const used = new Set(snap.pods.flatMap(hostPorts));
    if (wanted.some((p) => used.has(p))) return { reasons: [REASON_NODE_PORTS], resolvable: true };
  }

  // NodeResourcesFit
  const alloc = nodeAllocatable(node);
  const reasons: string[] = [];
  if (snap.pods.length + 1 > alloc.pods) reasons.push(REASON_TOO_MANY_PODS);
  const req = podRequests(pod);
  const used = sumRequests(snap.pods, podRequests);
  // A tiny tolerance: quantities are floats here, exact upstream.
  const EPS = 1e-9;
  if (req.cpu > 0 && req.cpu > alloc.cpu - used.cpu + EPS) reasons.push(insufficientReason('cpu'));
  if (req.memory > 0 && req.memory > alloc.memory - used.memory + EPS) reasons.push(insufficientReason('memory'));
  if (reasons.length > 0) return { reasons, resolvable: true };
  return null;
}

/** The fraction of allocatable left free once the pod is placed, memory weighing the most. Higher is better. */
export function scoreNode(pod: Pod, snap: NodeSnapshot): number {
  const alloc = nodeAllocatable(snap.node);
  const used = sumRequests([...snap.pods, pod], nonZeroRequests);
  const free = (total: number, taken: number): number => (total > 0 ? Math.max(0, (total - taken) / total) : 0);
  return MEMORY_WEIGHT * free(alloc.memory, used.memory) + CPU_WEIGHT * free(alloc.cpu, used.cpu);
}

export type ScheduleResult =
  | { node: string; score: number }
  | { node?: undefined; message: string; failures: Map<string, FilterFailure> };

/** Filters, scores, picks: the best score, then the node with fewer pods, then the name. */
export function schedulePod(pod: Pod, snapshots: NodeSnapshot[], moreFilters?: (snap: NodeSnapshot) => FilterFailure | null): ScheduleResult {
  const failures = new Map<string, FilterFailure>();
  if (snapshots.length === 0) return { message: NO_NODES_AVAILABLE, failures };
  let best: { snap: NodeSnapshot; score: number } | undefined;
  for (const snap of snapshots) {
    const failure = filterNode(pod, snap) ?? moreFilters?.(snap) ?? null;
    if (failure) {
      failures.set(snap.node.metadata.name ?? '', failure);
      continue;
    }
    const score = scoreNode(pod, snap);
    if (!best || better(score, snap, best.score, best.snap)) best = { snap, score };
  }
  if (best) return { node: best.snap.node.metadata.name ?? '', score: best.score };
  return { message: fitErrorMessage(pod, snapshots.length, [...failures.values()]), failures };
}

function better(score: number, snap: NodeSnapshot, bestScore: number, bestSnap: NodeSnapshot): boolean {
  if (Math.abs(score - bestScore) > 1e-9) return score > bestScore;
  if (snap.pods.length !== bestSnap.pods.length) return snap.pods.length < bestSnap.pods.length;
  return (snap.node.metadata.name ?? '') < (bestSnap.node.metadata.name ?? '');
}

/** `3 Insufficient memory, 1 node(s) were unschedulable` sorted as upstream sorts them (as strings). */
function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  return [...counts]
    .map(([r, n]) => `${n} ${r}`)
    .sort()
    .join(', ');
}

/**
 * Upstream's FitError message with the default preemption's verdict, e.g.
 * `0/3 nodes are available: 3 Insufficient memory. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.`
 * (All pods here have the same priority, so preemption never finds victims.)
 */
export function fitErrorMessage(pod: Pod, numNodes: number, failures: FilterFailure[]): string {
  let msg = `0/${numNodes} nodes are available:`;
  const filterMsg = histogram(failures.flatMap((f) => f.reasons));
  if (filterMsg) msg += ` ${filterMsg}.`;
  if (pod.spec.preemptionPolicy === 'Never') {
    msg += ' preemption: not eligible due to preemptionPolicy=Never.';
  } else {
    const preemption = histogram(failures.map((f) => (f.resolvable ? REASON_NO_VICTIMS : REASON_PREEMPTION_NOT_HELPFUL)));
    msg += ` preemption: 0/${numNodes} nodes are available: ${preemption}.`;
  }
  return msg;
}

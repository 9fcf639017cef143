// A pod's status as kubelet reports it, computed from what the node runs: phase (kubelet's
// getPhase rules), conditions (kept transition times unless their status changes; conditions
// other parts own, such as PodScheduled from the binding, are kept), containerStatuses sorted
// by name, IPs, startTime and qosClass. Pure functions: the runtime gives a snapshot, this file
// gives the status, and statusDiffers decides whether a write is needed at all.
import { createHash } from 'node:crypto';
import type { Container, ContainerState, ContainerStatus, Pod, PodCondition, PodStatus } from '../src/api/types.js';

export interface ContainerSnapshot {
  name: string;
  image: string;
  state: ContainerState;
  /** `{}` when the container has not stopped before. */
  lastState: ContainerState;
  ready: boolean;
  started: boolean;
  restartCount: number;
  containerID?: string;
}

export interface PodSnapshot {
  /** Empty while the pod has no IP yet (the sandbox is not up). */
  podIP: string;
  hostIP: string;
  startTime: string;
  containers: ContainerSnapshot[];
}

/** The status fields kubelet writes; a status write sends exactly these. */
export const OWNED_STATUS_FIELDS = ['phase', 'conditions', 'hostIP', 'hostIPs', 'podIP', 'podIPs', 'startTime', 'containerStatuses', 'qosClass'] as const;

/** Condition types kubelet owns, in the order kubelet lists them. */
const KUBELET_CONDITIONS = ['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled'] as const;

export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A stable image ID for an image name (loopkube never pulls: the "image" is the built-in app). */
export function imageIdOf(image: string): string {
  const digest = createHash('sha256').update(image).digest('hex');
  const repo = image.includes('@') ? image.slice(0, image.indexOf('@')) : image.replace(/:[^/:]+$/, '');
  return `${repo}@sha256:${digest}`;
}

/** kubelet's getPhase for a pod whose containers are in these states. */
export function podPhase(pod: Pod, containers: ContainerSnapshot[]): NonNullable<PodStatus['phase']> {
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of containers) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    const policy = pod.spec.restartPolicy ?? 'Always';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

/** Upstream's QoS class: BestEffort (no requests or limits), Guaranteed (requests == limits for cpu and memory everywhere), else Burstable. */
export function qosClassOf(containers: Container[]): 'BestEffort' | 'Burstable' | 'Guaranteed' {
  let any = false;
  let guaranteed = true;
  for (const c of containers) {
    const limits = c.resources?.limits ?? {};
    const requests = c.resources?.requests ?? {};
    if (Object.keys(limits).length > 0 || Object.keys(requests).length > 0) any = true;
    for (const r of ['cpu', 'memory']) {
      const limit = limits[r];
      const request = requests[r] ?? limit;
      if (limit === undefined || request !== limit) guaranteed = false;
    }
  }
  if (!any) return 'BestEffort';
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

function condition(type: string, ok: boolean, now: string, previous: PodCondition[] | undefined, reason?: string, message?: string): PodCondition {
  const status = ok ? 'True' : 'False';
  const prev = previous?.find((c) => c.type === type);
  const c: PodCondition = { type, status, lastTransitionTime: prev && prev.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  return c;
}

export function buildPodStatus(pod: Pod, snap: PodSnapshot, now: string = rfc3339()): PodStatus {
  const previous = pod.status?.conditions;
  const containers = [...snap.containers].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const phase = podPhase(pod, containers);
  const unready = containers.filter((c) => !c.ready).map((c) => c.name);
  const allReady = unready.length === 0 && containers.length > 0;
  const notReadyReason = phase === 'Succeeded' || phase === 'Failed' ? 'PodCompleted' : 'ContainersNotReady';
  const notReadyMessage = notReadyReason === 'PodCompleted' ? undefined : `containers with unready status: [${unready.join(' ')}]`;
  const ours: PodCondition[] = [
    condition('PodReadyToStartContainers', snap.podIP !== '', now, previous),
    condition('Initialized', true, now, previous),
    condition('Ready', allReady && notReadyReason !== 'PodCompleted', now, previous, notReadyReason, notReadyMessage),
    condition('ContainersReady', allReady && notReadyReason !== 'PodCompleted', now, previous, notReadyReason, notReadyMessage),
    condition('PodScheduled', true, now, previous),
  ];
  const kept = (previous ?? []).filter((c) => !(KUBELET_CONDITIONS as readonly string[]).includes(c.type));
  // PodScheduled is the scheduler's first: keep its transition time as the binding wrote it.
  const scheduled = previous?.find((c) => c.type === 'PodScheduled' && c.status === 'True');
  if (scheduled?.lastTransitionTime) ours[4]!.lastTransitionTime = scheduled.lastTransitionTime;

  const statuses: ContainerStatus[] = containers.map((c) => {
    const s: ContainerStatus = {
      name: c.name,
      state: c.state,
      lastState: c.lastState,
      ready: c.ready,
      restartCount: c.restartCount,
      image: c.image,
      imageID: c.state.running || c.state.terminated || c.restartCount > 0 ? imageIdOf(c.image) : '',
      started: c.started,
    };
    if (c.containerID) s.containerID = c.containerID;
    return s;
  });

  const status: PodStatus = {
    phase,
    conditions: [...ours, ...kept],
    hostIP: snap.hostIP,
    hostIPs: [{ ip: snap.hostIP }],
    startTime: snap.startTime,
    containerStatuses: statuses,
    qosClass: qosClassOf(pod.spec.containers),
  };
  if (snap.podIP) {
    status.podIP = snap.podIP;
    status.podIPs = [{ ip: snap.podIP }];
  }
  return status;
}

/** Deep equality where a missing key, `undefined` and `null` are the same (a merge patch drops nulls). */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || a === undefined) return b === null || b === undefined;
  if (b === null || b === undefined) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameJson(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ao = a as Record<string, unknown>;
    const bo = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!sameJson(ao[k], bo[k])) return false;
    return true;
  }
  return false;
}

/** Whether writing `next` would change any field kubelet owns in `current`. */
export function statusDiffers(current: PodStatus | undefined, next: PodStatus): boolean {
  for (const f of OWNED_STATUS_FIELDS) {
    if (!sameJson(current?.[f], next[f])) return true;
  }
  return false;
}

// Nodes and a kubelet played by the test, for control-plane tests that must not depend on the
// node agent: Node objects that heartbeat their Ready condition, and pod status written as a
// kubelet writes it (Running with an IP, Ready or not, deletion confirmed).
import type { ApiClient } from '../../src/client/client.js';
import type { Node, NodeCondition, Pod, PodCondition, Taint } from '../../src/api/types.js';

export interface FakeNodeSpec {
  name: string;
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ip?: string;
}

export interface FakeNode {
  name: string;
  /** Posts Ready=True with a fresh heartbeat, once. */
  heartbeat(): Promise<void>;
  /** Heartbeats every `intervalMs` until stopHeartbeats() (as a kubelet does). */
  startHeartbeats(intervalMs?: number): void;
  /** Stops heartbeating; resolves once no heartbeat is in flight any more. */
  stopHeartbeats(): Promise<void>;
  delete(): Promise<void>;
}

const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

function readyCondition(since: string): NodeCondition {
  return {
    type: 'Ready',
    status: 'True',
    reason: 'KubeletReady',
    message: 'kubelet is posting ready status',
    lastHeartbeatTime: now(),
    lastTransitionTime: since,
  };
}

export async function createFakeNode(client: ApiClient, spec: FakeNodeSpec): Promise<FakeNode> {
  const resources = { cpu: spec.cpu ?? '4', memory: spec.memory ?? '8Gi', pods: spec.pods ?? '110' };
  const node: Node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: spec.name, labels: { 'kubernetes.io/hostname': spec.name, 'kubernetes.io/os': 'linux', ...spec.labels } },
    spec: { taints: spec.taints ?? [], ...(spec.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: resources,
      allocatable: resources,
      conditions: [readyCondition(now())],
      addresses: [{ type: 'InternalIP', address: spec.ip ?? '127.10.0.1' }, { type: 'Hostname', address: spec.name }],
    },
  };
  await client.create('/api/v1/nodes', node);
  let timer: NodeJS.Timeout | undefined;
  let inFlight: Promise<void> = Promise.resolve();
  const path = `/api/v1/nodes/${spec.name}/status`;

  async function heartbeat(): Promise<void> {
    const current = await client.get<Node>(`/api/v1/nodes/${spec.name}`);
    const ready = current.status?.conditions?.find((c) => c.type === 'Ready');
    const since = ready?.status === 'True' && ready.lastTransitionTime ? ready.lastTransitionTime : now();
    const others = (current.status?.conditions ?? []).filter((c) => c.type !== 'Ready' && c.status !== 'Unknown');
    await client.patch(path, { status: { conditions: [...others, readyCondition(since)] } });
  }

  return {
    name: spec.name,
    heartbeat,
    startHeartbeats(intervalMs = 500) {
      clearInterval(timer);
      timer = setInterval(() => {
        inFlight = heartbeat().catch(() => {});
      }, intervalMs);
    },
    async stopHeartbeats() {
      clearInterval(timer);
      timer = undefined;
      await inFlight;
    },
    async delete() {
      clearInterval(timer);
      await inFlight;
      await client.delete(`/api/v1/nodes/${spec.name}`).catch(() => {});
    },
  };
}

/** Writes the status a kubelet would: Running, the pod IP, and the Ready condition as asked. */
export async function setPodStatus(client: ApiClient, pod: Pick<Pod, 'metadata'>, opts: { ip: string; ready: boolean; restarts?: number }): Promise<Pod> {
  const t = now();
  const cond = (type: string, status: boolean): PodCondition => ({ type, status: status ? 'True' : 'False', lastProbeTime: null, lastTransitionTime: t });
  return client.patch<Pod>(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
    status: {
      phase: 'Running',
      podIP: opts.ip,
      podIPs: [{ ip: opts.ip }],
      hostIP: '127.10.0.1',
      startTime: t,
      conditions: [cond('PodScheduled', true), cond('Initialized', true), cond('ContainersReady', opts.ready), cond('Ready', opts.ready)],
      containerStatuses: [
        {
          name: 'app',
          ready: opts.ready,
          restartCount: opts.restarts ?? 0,
          image: 'loopkube/app',
          imageID: 'loopkube/app',
          started: true,
          state: { running: { startedAt: t } },
        },
      ],
    },
  });
}

/** The kubelet's last word on a terminating pod: the grace-0 delete that removes it. */
export async function confirmPodDeletion(client: ApiClient, pod: Pick<Pod, 'metadata'>): Promise<void> {
  await client
    .delete(`/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}`, { gracePeriodSeconds: 0 })
    .catch((err: { code?: number }) => {
      if (err.code !== 404) throw err;
    });
}

// 04: where pods land. A pod pinned with nodeName, one restricted by nodeSelector, pods that
// declare their memory placed by free memory, and one that fits no node: Pending, with the
// scheduler's FailedScheduling event worded as Kubernetes words it. Freeing memory lets it in.
import { parseQuantity } from '../api/quantity.js';
import type { Node, Pod } from '../api/types.js';
import { eventsFor, listNodes, listPods, podsPath, podState, waitForReadyPod } from './kube.js';
import { createObject, manifest } from './manifests.js';
import type { DemoContext, Scenario } from './types.js';
import { waitUntil } from './wait.js';

export interface Placement {
  pod: string;
  /** How it chose its node. */
  how: string;
  expected: string;
  node: string;
}

export interface SchedulingFindings {
  placements: Placement[];
  unschedulable: {
    pod: string;
    phase: string;
    /** PodScheduled condition. */
    reason: string;
    message: string;
    /** The FailedScheduling event's message ('' when none). */
    event: string;
  };
  /** After another pod is deleted, the pending pod is scheduled here. */
  afterFreeing: { deleted: string; pod: string; node: string };
}

/** The message Kubernetes' scheduler gives when 3 nodes all lack the memory (before the preemption part). */
export const INSUFFICIENT_MEMORY = '0/3 nodes are available: 3 Insufficient memory.';

const GI = 1024 ** 3;
const gib = (bytes: number): string => `${Number((bytes / GI).toFixed(2))}Gi`;

function memoryRequest(pod: Pod): number {
  let sum = 0;
  for (const c of pod.spec.containers) {
    const m = c.resources?.requests?.memory;
    if (m) sum += parseQuantity(m);
  }
  return sum;
}

function allocatableMemory(node: Node): number {
  const m = node.status?.allocatable?.memory ?? node.status?.capacity?.memory;
  return m ? parseQuantity(m) : 0;
}

/** Free memory per node: allocatable minus the requests of the (non-terminal) pods bound to it. */
async function freeMemory(ctx: DemoContext, nodes: Node[]): Promise<Map<string, number>> {
  const pods = (await ctx.client.list<Pod>('/api/v1/pods')).items.filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  const free = new Map(nodes.map((n) => [n.metadata.name ?? '', allocatableMemory(n)]));
  for (const p of pods) {
    const n = p.spec.nodeName;
    if (n && free.has(n)) free.set(n, free.get(n)! - memoryRequest(p));
  }
  return free;
}

async function waitForBinding(ctx: DemoContext, name: string): Promise<Pod> {
  let last: Pod | undefined;
  return waitUntil(
    `pod ${name} to be given a node`,
    async () => {
      last = await ctx.client.get<Pod>(podsPath(ctx.namespace, name));
      return !!last.spec.nodeName && last;
    },
    { describeLast: () => (last ? `${name} is ${podState(last)}` : '') },
  );
}

/** Where each pod of the example must land, and why. */
const EXPECTED: Record<string, { node: string; how: string }> = {
  pinned: { node: 'node-3', how: 'spec.nodeName: node-3' },
  'ssd-only': { node: 'node-1', how: 'nodeSelector disk=ssd' },
  'mem-a': { node: 'node-2', how: 'requests 3Gi: most free memory' },
  'mem-b': { node: 'node-2', how: 'requests 3Gi: most free memory' },
  'mem-c': { node: 'node-1', how: 'requests 3Gi: the only node with room' },
};

export const scheduling: Scenario<SchedulingFindings> = {
  name: 'scheduling',
  number: '04',
  title: 'Pinned pods, node selectors, and memory-driven placement',
  claim:
    'a pod can be pinned to a node; otherwise the scheduler scores every node and places the pod on the one with the most free ' +
    'resources, free memory weighing the most; a pod that declares its memory is placed on a node with room for it.',
  cluster: { nodes: 3, clusterFile: '04-scheduling/cluster.yaml' },
  async run(ctx) {
    const { out } = ctx;
    const nodes = await listNodes(ctx.client);

    out.step('The nodes (cluster.yaml): different memory, and an SSD label on node-1');
    out.table(
      ['NODE', 'INTERNAL-IP', 'MEMORY', 'LABELS'],
      nodes.map((n) => [
        n.metadata.name,
        n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address,
        gib(allocatableMemory(n)),
        Object.entries(n.metadata.labels ?? {})
          .filter(([k]) => !k.startsWith('kubernetes.io/') && !k.startsWith('node.kubernetes.io/') && !k.startsWith('beta.kubernetes.io/'))
          .map(([k, v]) => `${k}=${v}`)
          .join(','),
      ]),
    );

    const placements: Placement[] = [];
    const place = async (pod: Pod, { ready }: { ready: boolean }): Promise<Pod> => {
      await createObject(ctx, pod);
      const name = pod.metadata.name ?? '';
      const bound = ready ? await waitForReadyPod(ctx, name) : await waitForBinding(ctx, name);
      const exp = EXPECTED[name] ?? { node: '?', how: '' };
      placements.push({ pod: name, how: exp.how, expected: exp.node, node: bound.spec.nodeName ?? '' });
      return bound;
    };

    out.step('A pod pinned to node-3 (pinned.yaml) and one that needs an SSD (node-selector.yaml)');
    const [pinned] = manifest(ctx, 'pinned.yaml') as Pod[];
    const [ssd] = manifest(ctx, 'node-selector.yaml') as Pod[];
    await place(pinned!, { ready: true });
    await place(ssd!, { ready: true });
    const scheduledEvent = (await eventsFor(ctx, 'Pod', 'pinned')).some((e) => e.reason === 'Scheduled');
    out.table(
      ['POD', 'RULE', 'NODE'],
      placements.map((p) => [p.pod, p.how, p.node]),
    );
    if (!scheduledEvent) out.say('pinned has no Scheduled event: the scheduler was never asked, the node took it directly.');
    for (const p of placements) {
      ctx.check(p.pod === 'pinned' ? 'a pod can be pinned to a node' : 'a nodeSelector restricts the nodes a pod may use', p.node === p.expected, `${p.pod} on ${p.node || 'no node'} (expected ${p.expected})`);
    }

    out.step('Pods that declare 3Gi of memory each (memory.yaml), created one at a time');
    const memPods = manifest(ctx, 'memory.yaml') as Pod[];
    const rows: Array<Array<string>> = [];
    const nodeNames = nodes.map((n) => n.metadata.name ?? '');
    for (const pod of memPods.slice(0, 3)) {
      const bound = await place(pod, { ready: false });
      const free = await freeMemory(ctx, nodes);
      rows.push([bound.metadata.name ?? '', bound.spec.nodeName ?? '', ...nodeNames.map((n) => gib(free.get(n) ?? 0))]);
    }
    out.table(['POD', 'LANDED ON', ...nodeNames.map((n) => `FREE ON ${n.toUpperCase()} AFTER`)], rows);
    for (const p of placements.slice(2)) {
      ctx.check('a pod that declares its memory goes to the node with the most free memory that has room', p.node === p.expected, `${p.pod} on ${p.node} (expected ${p.expected})`);
    }

    const pending = memPods[3]!;
    const pendingName = pending.metadata.name ?? '';
    out.step(`One more: ${pendingName}, also 3Gi. No node has 3Gi free any more`);
    await createObject(ctx, pending);
    let lastPod: Pod | undefined;
    const unschedulablePod = await waitUntil(
      `${pendingName} to be marked unschedulable`,
      async () => {
        lastPod = await ctx.client.get<Pod>(podsPath(ctx.namespace, pendingName));
        const c = lastPod.status?.conditions?.find((x) => x.type === 'PodScheduled');
        return (c?.status === 'False' || !!lastPod.spec.nodeName) && lastPod;
      },
      { describeLast: () => (lastPod ? podState(lastPod) : '') },
    );
    const cond = unschedulablePod.status?.conditions?.find((x) => x.type === 'PodScheduled');
    const event = await waitUntil(
      `a FailedScheduling event for ${pendingName}`,
      async () => (await eventsFor(ctx, 'Pod', pendingName)).find((e) => e.reason === 'FailedScheduling'),
      { timeoutMs: 10_000 },
    ).catch(() => undefined);
    out.say(`kubectl get pod ${pendingName}: ${podState(unschedulablePod)}${unschedulablePod.spec.nodeName ? ` on ${unschedulablePod.spec.nodeName}` : ''}`);
    out.say(`kubectl describe pod ${pendingName}, Events:`);
    out.table(['TYPE', 'REASON', 'FROM', 'MESSAGE'], event ? [[event.type, event.reason, event.source?.component ?? event.reportingComponent, event.message]] : []);
    const phase = unschedulablePod.status?.phase ?? 'Pending';
    ctx.check(
      'a pod that fits no node stays Pending',
      !unschedulablePod.spec.nodeName && phase === 'Pending' && cond?.status === 'False' && cond.reason === 'Unschedulable',
      `${phase}, PodScheduled=${cond?.status ?? '?'} (${cond?.reason ?? 'no reason'})${unschedulablePod.spec.nodeName ? `, yet bound to ${unschedulablePod.spec.nodeName}` : ''}`,
    );
    ctx.check(
      `the scheduler says why, as Kubernetes does: "${INSUFFICIENT_MEMORY}"`,
      event?.type === 'Warning' && (event.message ?? '').startsWith(INSUFFICIENT_MEMORY),
      event ? `${event.type} ${event.reason}: ${event.message}` : 'no FailedScheduling event',
    );

    const freed = 'mem-b';
    out.step(`Free 3Gi on node-2: kubectl delete pod ${freed}. The scheduler tries ${pendingName} again`);
    await ctx.client.delete(podsPath(ctx.namespace, freed));
    const rescheduled = await waitForBinding(ctx, pendingName);
    out.say(`${pendingName} is now on ${rescheduled.spec.nodeName}.`);
    ctx.check('a pending pod is placed once a node has room for it', rescheduled.spec.nodeName === 'node-2', `${pendingName} on ${rescheduled.spec.nodeName}`);
    out.table(
      ['POD', 'NODE', 'STATUS'],
      (await listPods(ctx)).map((p) => [p.metadata.name, p.spec.nodeName, podState(p)]),
    );

    out.hint(`kubectl get pods -n ${ctx.namespace} -o wide`);
    out.hint(`kubectl describe nodes | grep -A 8 'Allocated resources'`);
    out.hint(`kubectl get events -n ${ctx.namespace} --field-selector reason=FailedScheduling`);
    return {
      placements,
      unschedulable: {
        pod: pendingName,
        phase,
        reason: cond?.reason ?? '',
        message: cond?.message ?? '',
        event: event?.message ?? '',
      },
      afterFreeing: { deleted: freed, pod: pendingName, node: rescheduled.spec.nodeName ?? '' },
    };
  },
};

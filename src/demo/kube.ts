// What the scenarios read from the cluster, through the API as kubectl would: pods and their
// readiness, a Service's ready endpoints, events about an object, and the scenario's namespace.
import type { EndpointSlice, Event, Namespace, Node, Pod, Service } from '../api/types.js';
import type { ApiClient } from '../client/client.js';
import type { DemoContext } from './types.js';
import { waitUntil } from './wait.js';

export const podsPath = (ns: string, name?: string): string => `/api/v1/namespaces/${ns}/pods${name ? `/${name}` : ''}`;
export const servicesPath = (ns: string, name?: string): string => `/api/v1/namespaces/${ns}/services${name ? `/${name}` : ''}`;
export const rcsPath = (ns: string, name?: string): string => `/api/v1/namespaces/${ns}/replicationcontrollers${name ? `/${name}` : ''}`;

export function isPodReady(pod: Pod): boolean {
  return (
    pod.status?.phase === 'Running' &&
    !!pod.status.podIP &&
    !pod.metadata.deletionTimestamp &&
    pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true
  );
}

export async function listPods(ctx: Pick<DemoContext, 'client' | 'namespace'>, labelSelector?: string): Promise<Pod[]> {
  const list = await ctx.client.list<Pod>(podsPath(ctx.namespace), labelSelector ? { labelSelector } : {});
  return list.items.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
}

/** Waits for `count` ready pods matching the selector (and no others still starting); returns them by name. */
export async function waitForReadyPods(ctx: Pick<DemoContext, 'client' | 'namespace'>, labelSelector: string, count: number, timeoutMs = 60_000): Promise<Pod[]> {
  let last: Pod[] = [];
  return waitUntil(
    `${count} ready pods with ${labelSelector}`,
    async () => {
      last = (await listPods(ctx, labelSelector)).filter((p) => !p.metadata.deletionTimestamp);
      return last.length === count && last.every(isPodReady) && last;
    },
    { timeoutMs, describeLast: () => `seen: ${last.map((p) => `${p.metadata.name} ${podState(p)}`).join(', ') || 'no pods'}` },
  );
}

/** Waits until one named pod is ready. */
export async function waitForReadyPod(ctx: Pick<DemoContext, 'client' | 'namespace'>, name: string, timeoutMs = 60_000): Promise<Pod> {
  let last: Pod | undefined;
  return waitUntil(
    `pod ${name} to be ready`,
    async () => {
      last = await ctx.client.get<Pod>(podsPath(ctx.namespace, name));
      return isPodReady(last) && last;
    },
    { timeoutMs, describeLast: () => (last ? `${name} is ${podState(last)}` : `${name} not found`) },
  );
}

/** `Running`, `Pending (Unschedulable)`, `Terminating`..., roughly as kubectl's STATUS column. */
export function podState(pod: Pod): string {
  if (pod.metadata.deletionTimestamp) return 'Terminating';
  const waiting = pod.status?.containerStatuses?.find((c) => c.state.waiting?.reason)?.state.waiting?.reason;
  if (waiting) return waiting;
  const phase = pod.status?.phase ?? 'Pending';
  const sched = pod.status?.conditions?.find((c) => c.type === 'PodScheduled' && c.status === 'False');
  if (phase === 'Pending' && sched?.reason) return `Pending (${sched.reason})`;
  if (phase === 'Running' && !isPodReady(pod)) return 'Running, not ready';
  return phase;
}

/** The pods behind a Service's ready endpoints, by name, sorted. */
export async function readyEndpointPods(ctx: Pick<DemoContext, 'client' | 'namespace'>, service: string): Promise<string[]> {
  const list = await ctx.client.list<EndpointSlice>(`/apis/discovery.k8s.io/v1/namespaces/${ctx.namespace}/endpointslices`, {
    labelSelector: `kubernetes.io/service-name=${service}`,
  });
  return list.items
    .flatMap((s) => s.endpoints ?? [])
    .filter((e) => e.conditions?.ready !== false)
    .map((e) => e.targetRef?.name ?? e.addresses[0] ?? '')
    .sort();
}

/** Waits until the Service's ready endpoints are exactly these pods. */
export async function waitForEndpoints(ctx: Pick<DemoContext, 'client' | 'namespace'>, service: string, pods: string[], timeoutMs = 30_000): Promise<string[]> {
  const want = [...pods].sort();
  let last: string[] = [];
  return waitUntil(
    `svc/${service}'s endpoints to be ${want.join(', ')}`,
    async () => {
      last = await readyEndpointPods(ctx, service);
      return last.join(',') === want.join(',') && last;
    },
    { timeoutMs, describeLast: () => `endpoints: ${last.join(', ') || 'none'}` },
  );
}

export async function getService(ctx: Pick<DemoContext, 'client' | 'namespace'>, name: string): Promise<Service> {
  return ctx.client.get<Service>(servicesPath(ctx.namespace, name));
}

/** Events about one object of the scenario's namespace, oldest first. */
export async function eventsFor(ctx: Pick<DemoContext, 'client' | 'namespace'>, kind: string, name: string): Promise<Event[]> {
  const list = await ctx.client.list<Event>(`/api/v1/namespaces/${ctx.namespace}/events`);
  return list.items
    .filter((e) => e.involvedObject.kind === kind && e.involvedObject.name === name)
    .sort((a, b) => (a.lastTimestamp ?? a.eventTime ?? '').localeCompare(b.lastTimestamp ?? b.eventTime ?? ''));
}

export async function listNodes(client: ApiClient): Promise<Node[]> {
  const list = await client.list<Node>('/api/v1/nodes');
  return list.items.sort((a, b) => (a.metadata.name ?? '').localeCompare(b.metadata.name ?? '', undefined, { numeric: true }));
}

export function nodeIsReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
}

/** Deletes the namespace (if any) and waits until it is gone. */
export async function deleteNamespace(client: ApiClient, name: string, timeoutMs = 60_000): Promise<void> {
  try {
    await client.delete(`/api/v1/namespaces/${name}`);
  } catch (err) {
    if ((err as { code?: number }).code === 404) return;
    throw err;
  }
  await waitUntil(
    `namespace ${name} to be deleted`,
    async () => {
      try {
        await client.get<Namespace>(`/api/v1/namespaces/${name}`);
        return false;
      } catch (err) {
        if ((err as { code?: number }).code === 404) return true;
        throw err;
      }
    },
    { timeoutMs, intervalMs: 200 },
  );
}

/** A fresh, empty namespace: an old one of the same name (a kept demo) is deleted first. */
export async function freshNamespace(client: ApiClient, name: string): Promise<void> {
  await deleteNamespace(client, name);
  await client.create<Namespace>('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
}

/** Waits until node-1..node-`count` are registered and Ready. */
export async function waitForNodesReady(client: ApiClient, count: number, timeoutMs = 30_000): Promise<Node[]> {
  const wanted = Array.from({ length: count }, (_, i) => `node-${i + 1}`);
  let seen: Node[] = [];
  return waitUntil(
    `${wanted.join(', ')} to be Ready`,
    async () => {
      seen = await listNodes(client);
      return wanted.every((n) => seen.some((x) => x.metadata.name === n && nodeIsReady(x))) && seen;
    },
    { timeoutMs, intervalMs: 200, describeLast: () => seen.map((n) => `${n.metadata.name} ${nodeIsReady(n) ? 'Ready' : 'NotReady'}`).join(', ') || 'no nodes' },
  );
}

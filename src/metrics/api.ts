// metrics.k8s.io/v1beta1 NodeMetrics and PodMetrics as metrics-server serves them (pkg/api/node.go,
// pod.go): computed when asked from the scraper's last two points, never stored. Labels are the
// node's or the pod's own (a label selector picks by them, as the HPA asks); creationTimestamp is
// now; timestamp and window are the scrape's; cpu in nanocores, memory in bytes (BinarySI).
// A node or pod without two points yet is left out of a list and NotFound on a get.
import { notFound } from '../api/errors.js';
import { matchesFields, type FieldRequirement } from '../api/fields.js';
import { matchesLabels, type Selector } from '../api/labels.js';
import { formatQuantity } from '../api/quantity.js';
import type { KubeObject, Node, Pod } from '../api/types.js';
import type { ReadContext } from '../kinds/kind.js';
import { NODES } from '../kinds/node/resource.js';
import { PODS } from '../kinds/pod/resource.js';
import { resolutionFromEnv, startScraper, type MetricsSource, type Usage } from './scraper.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
const API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

/** One scraper per cluster an API server process serves (keyed by its kubelet credential). */
const sources = new Map<string, MetricsSource>();

function sourceFor(ctx: ReadContext): MetricsSource {
  let s = sources.get(ctx.kubeletToken);
  if (!s) {
    s = startScraper({
      listNodes: async () => (await ctx.registry.list(NODES, undefined)) as Node[],
      kubeletToken: ctx.kubeletToken,
      logger: ctx.logger.child({ part: 'metrics-scraper' }),
      resolutionMs: resolutionFromEnv(ctx.logger),
    });
    sources.set(ctx.kubeletToken, s);
  }
  return s;
}

/** Stops every scraper of this process (the API server is closing). */
export function stopMetricsScrapers(): void {
  for (const s of sources.values()) s.stop();
  sources.clear();
}

/** Go's time.Duration String(): `15.002s`, `500ms`, `1m0.5s`. */
export function goDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${trimZeros(ms.toFixed(3))}ms`;
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = trimZeros((totalSeconds % 60).toFixed(3));
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${s}s`;
}

function trimZeros(n: string): string {
  return n.includes('.') ? n.replace(/0+$/, '').replace(/\.$/, '') : n;
}

export function usageList(u: Pick<Usage, 'cpuNanocores' | 'memoryBytes'>): { cpu: string; memory: string } {
  return {
    cpu: formatQuantity({ digits: BigInt(Math.max(0, u.cpuNanocores)), scale: 9, format: 'DecimalSI' }),
    memory: formatQuantity({ digits: BigInt(Math.max(0, Math.round(u.memoryBytes))), scale: 0, format: 'BinarySI' }),
  };
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function nodeMetrics(node: Node, u: Usage): KubeObject {
  const meta: KubeObject['metadata'] = { name: node.metadata.name!, creationTimestamp: rfc3339(Date.now()) };
  if (node.metadata.labels) meta.labels = { ...node.metadata.labels };
  return { kind: 'NodeMetrics', apiVersion: API_VERSION, metadata: meta, timestamp: rfc3339(u.timestampMs), window: goDuration(u.windowMs), usage: usageList(u) } as KubeObject;
}

function podMetrics(pod: Pod, containers: Array<{ name: string; usage: Usage }>): KubeObject {
  const meta: KubeObject['metadata'] = { name: pod.metadata.name!, namespace: pod.metadata.namespace!, creationTimestamp: rfc3339(Date.now()) };
  if (pod.metadata.labels) meta.labels = { ...pod.metadata.labels };
  // the pod's figures are taken together: the latest container timestamp and the shortest window
  const first = containers[0]!.usage;
  const order = new Map((pod.spec?.containers ?? []).map((c, i) => [c.name, i]));
  const sorted = [...containers].sort((a, b) => (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0));
  return {
    kind: 'PodMetrics',
    apiVersion: API_VERSION,
    metadata: meta,
    timestamp: rfc3339(Math.max(...containers.map((c) => c.usage.timestampMs), first.timestampMs)),
    window: goDuration(Math.min(...containers.map((c) => c.usage.windowMs))),
    containers: sorted.map((c) => ({ name: c.name, usage: usageList(c.usage) })),
  } as KubeObject;
}

export const nodeMetricsStorage = {
  async get(ctx: ReadContext, _namespace: string | undefined, name: string): Promise<KubeObject> {
    const node = (await ctx.registry.get(NODES, undefined, name).catch(() => undefined)) as Node | undefined;
    const u = node && sourceFor(ctx).node(name);
    if (!node || !u) throw notFound('nodes', METRICS_GROUP, name);
    return nodeMetrics(node, u);
  },
  async list(ctx: ReadContext, _namespace: string | undefined, labels: Selector, fields: FieldRequirement[]): Promise<KubeObject[]> {
    const source = sourceFor(ctx);
    const nodes = (await ctx.registry.list(NODES, undefined)) as Node[];
    return nodes
      .filter((n) => matchesLabels(labels, n.metadata.labels) && matchesFields(undefined, fields, n))
      .flatMap((n) => {
        const u = source.node(n.metadata.name!);
        return u ? [nodeMetrics(n, u)] : [];
      });
  },
};

export const podMetricsStorage = {
  async get(ctx: ReadContext, namespace: string | undefined, name: string): Promise<KubeObject> {
    const pod = (await ctx.registry.get(PODS, namespace, name).catch(() => undefined)) as Pod | undefined;
    const found = pod && sourceFor(ctx).pods().find((p) => p.namespace === namespace && p.name === name);
    if (!pod || !found) throw notFound('pods', METRICS_GROUP, name);
    return podMetrics(pod, found.containers);
  },
  async list(ctx: ReadContext, namespace: string | undefined, labels: Selector, fields: FieldRequirement[]): Promise<KubeObject[]> {
    const scraped = new Map(sourceFor(ctx).pods().map((p) => [`${p.namespace}/${p.name}`, p]));
    const pods = (await ctx.registry.list(PODS, namespace)) as Pod[];
    return pods
      .filter((p) => matchesLabels(labels, p.metadata.labels) && matchesFields(undefined, fields, p))
      .flatMap((p) => {
        const s = scraped.get(`${p.metadata.namespace}/${p.metadata.name}`);
        return s ? [podMetrics(p, s.containers)] : [];
      });
  },
};

// The control plane's metrics scraper, as metrics-server runs it (pkg/scraper, pkg/storage): every
// resolution, GET each node's kubelet /metrics/resource, keep the last two points per node and
// per container, and derive usage as the rate between them. CPU is (cumulative CPU of the later
// point - the earlier's) / (the time between them), the window is that time and the timestamp
// the later point's; memory is the later point's working set. A container that restarted after
// the earlier point counts from its start, with no CPU before it (metrics-server's
// resourceUsage). A node or container seen once only has no metrics yet.
import http from 'node:http';
import type { Node } from '../api/types.js';
import type { Logger } from '../log.js';
import { MAX_RESOURCE_METRICS_BYTES, parseResourceMetrics, type NodeUsageReport } from './resource-metrics.js';

/** metrics-server's --metric-resolution default. */
export const DEFAULT_METRIC_RESOLUTION_MS = 15_000;
/** LOOPKUBE_METRIC_RESOLUTION: the scrape period (e.g. `2s`; tests and the HPA scenario shorten it). */
export const METRIC_RESOLUTION_ENV = 'LOOPKUBE_METRIC_RESOLUTION';
/** A kubelet that does not answer within this is skipped for this round (metrics-server: 10 s). */
const SCRAPE_TIMEOUT_MS = 10_000;

export interface Point {
  cpuNanos: number;
  memoryBytes: number;
  timestampMs: number;
  startedAtMs: number;
}

export interface Usage {
  /** nanocores */
  cpuNanocores: number;
  memoryBytes: number;
  timestampMs: number;
  windowMs: number;
}

/** metrics-server's resourceUsage: the rate between two points. */
export function usageBetween(last: Point, prev: Point): Usage | undefined {
  let earlier = prev;
  // a container restarted since the earlier point: its counter started again at its start
  if (last.startedAtMs > prev.timestampMs) earlier = { ...prev, cpuNanos: 0, timestampMs: last.startedAtMs };
  const windowMs = last.timestampMs - earlier.timestampMs;
  if (windowMs <= 0 || last.cpuNanos < earlier.cpuNanos) return undefined;
  return {
    cpuNanocores: Math.round(((last.cpuNanos - earlier.cpuNanos) / windowMs) * 1000),
    memoryBytes: last.memoryBytes,
    timestampMs: last.timestampMs,
    windowMs,
  };
}

interface Pair {
  last?: Point;
  prev?: Point;
}

function push(pair: Pair | undefined, p: Point): Pair {
  if (pair?.last && pair.last.timestampMs >= p.timestampMs) return pair;
  return { prev: pair?.last, last: p };
}

export interface ScrapedPod {
  namespace: string;
  name: string;
  containers: Array<{ name: string; usage: Usage }>;
}

export interface MetricsSource {
  node(name: string): Usage | undefined;
  /** Pods whose every container has a usage (metrics-server leaves out pods with a gap). */
  pods(): ScrapedPod[];
  stop(): void;
}

export interface ScraperDeps {
  listNodes(): Promise<Node[]>;
  kubeletToken: string;
  logger: Logger;
  resolutionMs?: number;
}

export function resolutionFromEnv(logger: Logger): number {
  const raw = process.env[METRIC_RESOLUTION_ENV];
  if (!raw) return DEFAULT_METRIC_RESOLUTION_MS;
  const m = /^(\d+(?:\.\d+)?)(ms|s)$/.exec(raw.trim());
  const ms = m ? Number(m[1]) * (m[2] === 's' ? 1000 : 1) : NaN;
  if (!(ms >= 100 && ms <= 600_000)) {
    logger.warn({ [METRIC_RESOLUTION_ENV]: raw }, 'ignoring a metric resolution that is not a duration between 100ms and 10m');
    return DEFAULT_METRIC_RESOLUTION_MS;
  }
  return ms;
}

function kubeletGet(host: string, port: number, token: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: '/metrics/resource', headers: { Authorization: `Bearer ${token}` }, timeout: SCRAPE_TIMEOUT_MS }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_RESOURCE_METRICS_BYTES) req.destroy(new Error('answer too large'));
        else chunks.push(c);
      });
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks).toString('utf8')) : reject(new Error(`kubelet answered ${res.statusCode}`))));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

export function startScraper(deps: ScraperDeps): MetricsSource {
  const resolutionMs = deps.resolutionMs ?? DEFAULT_METRIC_RESOLUTION_MS;
  const nodes = new Map<string, Pair>();
  const containers = new Map<string, Map<string, Pair>>(); // ns/pod -> container -> points
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;

  function store(nodeName: string, r: NodeUsageReport): void {
    nodes.set(nodeName, push(nodes.get(nodeName), { cpuNanos: r.cpuNanos, memoryBytes: r.memoryBytes, timestampMs: r.timestampMs, startedAtMs: 0 }));
    for (const p of r.pods) {
      const key = `${p.namespace}/${p.name}`;
      const old = containers.get(key);
      const next = new Map<string, Pair>();
      for (const c of p.containers) next.set(c.name, push(old?.get(c.name), { ...c.usage, timestampMs: r.timestampMs }));
      containers.set(key, next);
      podNode.set(key, nodeName);
    }
  }
  const podNode = new Map<string, string>();

  async function scrapeOnce(): Promise<void> {
    let list: Node[];
    try {
      list = await deps.listNodes();
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'metrics scrape: cannot list nodes');
      return;
    }
    const seenPods = new Set<string>();
    const scraped = new Set<string>();
    await Promise.all(
      list.map(async (node) => {
        const name = node.metadata.name ?? '';
        const host = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
        const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port || 10250;
        if (!host) return;
        try {
          const r = parseResourceMetrics(await kubeletGet(host, port, deps.kubeletToken), Date.now());
          store(name, r);
          scraped.add(name);
          for (const p of r.pods) seenPods.add(`${p.namespace}/${p.name}`);
        } catch (err) {
          deps.logger.debug({ node: name, err: (err as Error).message }, 'metrics scrape of a node failed');
        }
      }),
    );
    // what is gone (a node removed, a pod deleted) leaves the store, as metrics-server's does
    const names = new Set(list.map((n) => n.metadata.name ?? ''));
    for (const n of [...nodes.keys()]) if (!names.has(n)) nodes.delete(n);
    for (const key of [...containers.keys()]) {
      const node = podNode.get(key);
      if (!seenPods.has(key) && (node === undefined || scraped.has(node) || !names.has(node))) {
        containers.delete(key);
        podNode.delete(key);
      }
    }
  }

  function schedule(ms: number): void {
    if (stopped) return;
    timer = setTimeout(() => {
      void scrapeOnce().finally(() => schedule(resolutionMs));
    }, ms);
    timer.unref();
  }
  // the first rate needs two points: the second scrape comes a second after the first
  void scrapeOnce().finally(() => schedule(Math.min(1000, resolutionMs)));

  return {
    node(name) {
      const p = nodes.get(name);
      return p?.last && p.prev ? usageBetween(p.last, p.prev) : undefined;
    },
    pods() {
      const out: ScrapedPod[] = [];
      for (const [key, byContainer] of containers) {
        const [namespace, name] = key.split('/') as [string, string];
        const cs: ScrapedPod['containers'] = [];
        let complete = byContainer.size > 0;
        for (const [cname, pair] of byContainer) {
          const u = pair.last && pair.prev ? usageBetween(pair.last, pair.prev) : undefined;
          if (!u) complete = false;
          else cs.push({ name: cname, usage: u });
        }
        if (complete) out.push({ namespace, name, containers: cs });
      }
      return out;
    },
    stop() {
      stopped = true;
      clearTimeout(timer);
    },
  };
}

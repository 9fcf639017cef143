// The kubelet's resource metrics endpoint, `GET /metrics/resource` (pkg/kubelet/metrics/
// collectors/resource_metrics.go), which metrics-server scrapes: Prometheus text with an explicit
// timestamp (ms) on every sample, the time the figure was taken.
//
//   node_cpu_usage_seconds_total 12.5 1733240000000
//   node_memory_working_set_bytes 5.24288e+07 1733240000000
//   container_cpu_usage_seconds_total{container="app",namespace="default",pod="web-1"} 0.42 1733240000000
//   container_memory_working_set_bytes{container="app",namespace="default",pod="web-1"} 327680 1733240000000
//   container_start_time_seconds{container="app",namespace="default",pod="web-1"} 1.733239e+09
//
// renderResourceMetrics writes it on the node; parseResourceMetrics reads it back in the control
// plane's scraper (as metrics-server's decoder does), bounded and tolerant of lines it does not know.
import type { ContainerUsage } from './usage.js';

export interface PodUsageReport {
  namespace: string;
  name: string;
  containers: Array<{ name: string; usage: ContainerUsage }>;
}

export interface NodeUsageReport {
  cpuNanos: number;
  memoryBytes: number;
  pods: PodUsageReport[];
  /** When the figures were taken (ms since the epoch). */
  timestampMs: number;
}

const HELP: Array<[string, string, string]> = [
  ['container_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the container in core-seconds'],
  ['container_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the container in bytes'],
  ['container_start_time_seconds', 'gauge', '[STABLE] Start time of the container since unix epoch in seconds'],
  ['node_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the node in core-seconds'],
  ['node_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the node in bytes'],
  ['pod_cpu_usage_seconds_total', 'counter', '[STABLE] Cumulative cpu time consumed by the pod in core-seconds'],
  ['pod_memory_working_set_bytes', 'gauge', '[STABLE] Current working set of the pod in bytes'],
  ['resource_scrape_error', 'gauge', '[STABLE] 1 if there was an error while getting container metrics, 0 otherwise'],
];

function labelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export function renderResourceMetrics(r: NodeUsageReport): string {
  const samples = new Map<string, string[]>(HELP.map(([name]) => [name, []]));
  const ts = String(r.timestampMs);
  const add = (name: string, labels: Record<string, string>, value: number, withTs = true): void => {
    const l = Object.entries(labels).map(([k, v]) => `${k}="${labelValue(v)}"`).join(',');
    samples.get(name)!.push(`${name}${l ? `{${l}}` : ''} ${value}${withTs ? ` ${ts}` : ''}`);
  };
  for (const p of r.pods) {
    let cpu = 0;
    let mem = 0;
    for (const c of p.containers) {
      const labels = { container: c.name, namespace: p.namespace, pod: p.name };
      add('container_cpu_usage_seconds_total', labels, c.usage.cpuNanos / 1e9);
      add('container_memory_working_set_bytes', labels, c.usage.memoryBytes);
      add('container_start_time_seconds', labels, c.usage.startedAtMs / 1000, false);
      cpu += c.usage.cpuNanos;
      mem += c.usage.memoryBytes;
    }
    if (p.containers.length) {
      add('pod_cpu_usage_seconds_total', { namespace: p.namespace, pod: p.name }, cpu / 1e9);
      add('pod_memory_working_set_bytes', { namespace: p.namespace, pod: p.name }, mem);
    }
  }
  add('node_cpu_usage_seconds_total', {}, r.cpuNanos / 1e9);
  add('node_memory_working_set_bytes', {}, r.memoryBytes);
  add('resource_scrape_error', {}, 0, false);
  const out: string[] = [];
  for (const [name, type, help] of HELP) {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...samples.get(name)!);
  }
  return `${out.join('\n')}\n`;
}

/** A scrape answer larger than this is refused (a node with thousands of pods stays far below). */
export const MAX_RESOURCE_METRICS_BYTES = 16 * 1024 * 1024;

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

function parseLabels(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const m of text.matchAll(LABEL)) out[m[1]!] = m[2]!.replace(/\\n/g, '\n').replace(/\\(.)/g, '$1');
  return out;
}

/** The report a node's /metrics/resource answer carries; timestamps missing fall back to `scrapedAtMs`. */
export function parseResourceMetrics(text: string, scrapedAtMs: number): NodeUsageReport {
  const pods = new Map<string, PodUsageReport>();
  const containerOf = (l: Record<string, string>): { usage: ContainerUsage } | undefined => {
    if (!l.namespace || !l.pod || !l.container) return undefined;
    const key = `${l.namespace}/${l.pod}`;
    let p = pods.get(key);
    if (!p) pods.set(key, (p = { namespace: l.namespace, name: l.pod, containers: [] }));
    let c = p.containers.find((x) => x.name === l.container);
    if (!c) p.containers.push((c = { name: l.container, usage: { cpuNanos: 0, memoryBytes: 0, startedAtMs: 0 } }));
    return c;
  };
  const report: NodeUsageReport = { cpuNanos: 0, memoryBytes: 0, pods: [], timestampMs: scrapedAtMs };
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = SAMPLE.exec(line);
    if (!m) continue;
    const value = Number(m[3]);
    if (!Number.isFinite(value)) continue;
    const labels = parseLabels(m[2]);
    if (m[4] !== undefined) report.timestampMs = Number(m[4]);
    switch (m[1]) {
      case 'node_cpu_usage_seconds_total':
        report.cpuNanos = Math.round(value * 1e9);
        break;
      case 'node_memory_working_set_bytes':
        report.memoryBytes = value;
        break;
      case 'container_cpu_usage_seconds_total': {
        const c = containerOf(labels);
        if (c) c.usage.cpuNanos = Math.round(value * 1e9);
        break;
      }
      case 'container_memory_working_set_bytes': {
        const c = containerOf(labels);
        if (c) c.usage.memoryBytes = value;
        break;
      }
      case 'container_start_time_seconds': {
        const c = containerOf(labels);
        if (c) c.usage.startedAtMs = Math.round(value * 1000);
        break;
      }
    }
  }
  report.pods = [...pods.values()];
  return report;
}

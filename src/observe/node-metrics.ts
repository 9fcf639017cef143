// The node agent's /metrics (on its health server, http://<node ip>:10248/metrics): requests
// answered by each pod's built-in app, per container port (an endpoint is the pod's ip:port) and
// status code; the pods running; and the process's own series.
import { createMetricsRegistry } from './metrics.js';
import { registerProcessMetrics } from './process-metrics.js';

export interface PodRequestCount {
  namespace: string;
  name: string;
  ip: string;
  /** Requests the pod's app answered (every container and port of the pod together). */
  requests: number;
  /** The same by container port, then by HTTP status. */
  answers: ReadonlyMap<number, Readonly<Record<number, number>>>;
}

export const POD_REQUESTS_METRIC = 'loopkube_pod_requests_total';

/** A renderer of the node's metrics; `pods` is read at each scrape. */
export function createNodeMetrics(node: string, pods: () => Iterable<PodRequestCount>): { render(): string } {
  const registry = createMetricsRegistry();
  registry.collector({
    name: POD_REQUESTS_METRIC,
    help: "HTTP requests answered by a pod's built-in app since the pod started on this node, by container port and status code.",
    type: 'counter',
    collect: function* () {
      for (const p of pods()) {
        for (const [port, byStatus] of p.answers) {
          const codes = Object.keys(byStatus);
          const labels = { namespace: p.namespace, pod: p.name, pod_ip: p.ip, node, port: String(port) };
          if (codes.length === 0) yield { labels: { ...labels, code: '200' }, value: 0 };
          for (const code of codes) yield { labels: { ...labels, code }, value: byStatus[Number(code)]! };
        }
      }
    },
  });
  registry.collector({
    name: 'loopkube_node_pods',
    help: 'Pods running on this node.',
    type: 'gauge',
    collect: () => [{ labels: { node }, value: [...pods()].length }],
  });
  registerProcessMetrics(registry);
  return { render: () => registry.render() };
}

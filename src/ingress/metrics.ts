// Per route and per backend pod: requests by status class, latency percentiles (hdr-histogram-js)
// and bytes, served in Prometheus text on the metrics port.
import { build, type Histogram } from 'hdr-histogram-js';
import type { RouteBackend } from './routing-table.js';

interface Series {
  ingress: string;
  route: string;
  service: string;
  pod: string;
  byClass: Map<string, number>;
  bytes: number;
  latency: Histogram;
}

export interface IngressMetrics {
  observe(backend: RouteBackend | undefined, pod: string | undefined, status: number, ms: number, bytes: number): void;
  prometheus(): string;
  /** Requests per backend pod (`ip:port`), for `loopkube load --via ingress` and tests. */
  requestsByPod(): Map<string, number>;
}

const label = (v: string): string => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

export function createIngressMetrics(): IngressMetrics {
  const series = new Map<string, Series>();
  return {
    observe(backend, pod, status, ms, bytes) {
      const ingress = backend?.ingress ?? '';
      const route = backend?.route ?? 'default-backend';
      const service = backend ? `${backend.namespace}/${backend.service}` : '';
      const key = `${ingress}|${route}|${service}|${pod ?? ''}`;
      let s = series.get(key);
      if (!s) {
        s = { ingress, route, service, pod: pod ?? '', byClass: new Map(), bytes: 0, latency: build({ lowestDiscernibleValue: 1, highestTrackableValue: 60_000_000, numberOfSignificantValueDigits: 2 }) };
        series.set(key, s);
      }
      const cls = `${Math.floor(status / 100)}xx`;
      s.byClass.set(cls, (s.byClass.get(cls) ?? 0) + 1);
      s.bytes += bytes;
      s.latency.recordValue(Math.max(1, Math.round(ms * 1000)));
    },
    prometheus() {
      const lines = [
        '# HELP loopkube_ingress_requests_total Requests through the ingress by route, backend pod and status class.',
        '# TYPE loopkube_ingress_requests_total counter',
      ];
      const labels = (s: Series): string => `ingress="${label(s.ingress)}",route="${label(s.route)}",service="${label(s.service)}",pod="${label(s.pod)}"`;
      for (const s of series.values()) for (const [cls, n] of s.byClass) lines.push(`loopkube_ingress_requests_total{${labels(s)},status="${cls}"} ${n}`);
      lines.push('# HELP loopkube_ingress_response_bytes_total Response body bytes sent by backends.', '# TYPE loopkube_ingress_response_bytes_total counter');
      for (const s of series.values()) lines.push(`loopkube_ingress_response_bytes_total{${labels(s)}} ${s.bytes}`);
      lines.push('# HELP loopkube_ingress_request_duration_seconds Request latency percentiles.', '# TYPE loopkube_ingress_request_duration_seconds summary');
      for (const s of series.values()) {
        for (const q of [0.5, 0.9, 0.99]) lines.push(`loopkube_ingress_request_duration_seconds{${labels(s)},quantile="${q}"} ${s.latency.getValueAtPercentile(q * 100) / 1e6}`);
        lines.push(`loopkube_ingress_request_duration_seconds_count{${labels(s)}} ${s.latency.totalCount}`);
      }
      return `${lines.join('\n')}\n`;
    },
    requestsByPod() {
      const out = new Map<string, number>();
      for (const s of series.values()) if (s.pod) out.set(s.pod, (out.get(s.pod) ?? 0) + [...s.byClass.values()].reduce((a, b) => a + b, 0));
      return out;
    },
  };
}

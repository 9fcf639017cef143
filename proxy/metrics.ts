// The proxy's own HTTP endpoint on 127.0.0.1:<proxy.metricsPort>:
//   /healthz  200 once the first snapshot is applied (the supervisor's health check), else 503
//   /metrics  Prometheus text: per-frontend and per-endpoint traffic, listeners, syncs
//   /stats    the same traffic as one JSON object (TrafficSnapshot), for the CLI and dashboard
//   /listeners  what listens and what failed to open, with why and the fix (ListenersReport)
// /metrics, /stats and /listeners name services, addresses and traffic: they need the cluster's
// bearer token (kube-proxy binds its metrics to 127.0.0.1, which on a shared machine every user reaches).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenersReport } from '../src/observe/listener-problems.js';
import { hasBearer, writeUnauthorized } from '../src/pki/bearer.js';
import type { EndpointTraffic, FrontendTraffic, TrafficCounters, TrafficSnapshot } from './stats.js';

export interface ProxyStatus {
  /** The data plane in use (which may not be the one asked for: see data-plane/index.ts). */
  dataPlane: string;
  synced: boolean;
  syncs: number;
  /** Epoch ms of the last applied snapshot (0 before the first). */
  lastSyncMs: number;
  lastSyncDurationMs: number;
  listening: number;
  failedListeners: number;
  healthCheckServers: number;
  activeConnections: number;
  backpressureWaits: number;
}

export interface MetricsSource {
  traffic(): TrafficSnapshot;
  status(): ProxyStatus;
  /** Listener and health-check addresses that failed to open (optional: tests' sources may lack it). */
  listenerReport?(): ListenersReport;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function labels(pairs: Record<string, string | null>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(pairs)) parts.push(`${k}="${escapeLabel(v ?? '')}"`);
  return `{${parts.join(',')}}`;
}

const COUNTERS: Array<{ field: keyof TrafficCounters; suffix: string; type: 'counter' | 'gauge'; help: string }> = [
  { field: 'connectionsTotal', suffix: 'connections_total', type: 'counter', help: 'Connections forwarded.' },
  { field: 'connectionsActive', suffix: 'connections_active', type: 'gauge', help: 'Connections open now.' },
  { field: 'bytesIn', suffix: 'bytes_in_total', type: 'counter', help: 'Bytes from clients towards pods.' },
  { field: 'bytesOut', suffix: 'bytes_out_total', type: 'counter', help: 'Bytes from pods back to clients.' },
  { field: 'connectFailures', suffix: 'connect_failures_total', type: 'counter', help: 'Dials to a pod that failed.' },
  { field: 'refused', suffix: 'refused_total', type: 'counter', help: 'Connections refused: no endpoint, or a source not allowed.' },
];

function frontendLabels(f: Omit<FrontendTraffic, 'flows'>): string {
  return labels({ namespace: f.namespace, service: f.service, port: f.port, kind: f.kind, address: f.address, node: f.node });
}

function endpointLabels(e: EndpointTraffic): string {
  return labels({ namespace: e.namespace, service: e.service, port: e.port, endpoint: e.endpoint, node: e.node });
}

/** Prometheus text exposition (version 0.0.4). */
export function renderMetrics(traffic: TrafficSnapshot, status: ProxyStatus): string {
  const out: string[] = [];
  const family = (name: string, type: string, help: string): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
  };
  for (const c of COUNTERS) {
    const name = `loopkube_proxy_frontend_${c.suffix}`;
    family(name, c.type, `${c.help} Per frontend (service port reached as clusterIP, nodePort on a node, or loadBalancer).`);
    for (const f of traffic.frontends) out.push(`${name}${frontendLabels(f)} ${f[c.field]}`);
  }
  for (const c of COUNTERS) {
    if (c.field === 'refused') continue;
    const name = `loopkube_proxy_endpoint_${c.suffix}`;
    family(name, c.type, `${c.help} Per endpoint (pod ip:port behind a service port).`);
    for (const e of traffic.endpoints) out.push(`${name}${endpointLabels(e)} ${e[c.field]}`);
  }
  family('loopkube_proxy_data_plane', 'gauge', 'The data plane in use (1 for the one running).');
  out.push(`loopkube_proxy_data_plane{plane="${escapeLabel(status.dataPlane)}"} 1`);
  family('loopkube_proxy_listeners', 'gauge', 'Frontend addresses by state: listening, or failed to bind.');
  out.push(`loopkube_proxy_listeners{state="listening"} ${status.listening}`);
  out.push(`loopkube_proxy_listeners{state="failed"} ${status.failedListeners}`);
  family('loopkube_proxy_health_check_servers', 'gauge', 'healthCheckNodePort servers running.');
  out.push(`loopkube_proxy_health_check_servers ${status.healthCheckServers}`);
  family('loopkube_proxy_active_connections', 'gauge', 'Connections being forwarded now.');
  out.push(`loopkube_proxy_active_connections ${status.activeConnections}`);
  family('loopkube_proxy_backpressure_waits_total', 'counter', 'Writes that had to wait for the receiving socket (the sending side paused meanwhile).');
  out.push(`loopkube_proxy_backpressure_waits_total ${status.backpressureWaits}`);
  family('loopkube_proxy_syncs_total', 'counter', 'Routing snapshots built and applied.');
  out.push(`loopkube_proxy_syncs_total ${status.syncs}`);
  family('loopkube_proxy_last_sync_timestamp_seconds', 'gauge', 'When the last snapshot was applied.');
  out.push(`loopkube_proxy_last_sync_timestamp_seconds ${status.lastSyncMs / 1000}`);
  family('loopkube_proxy_last_sync_duration_seconds', 'gauge', 'How long building and applying the last snapshot took.');
  out.push(`loopkube_proxy_last_sync_duration_seconds ${status.lastSyncDurationMs / 1000}`);
  return `${out.join('\n')}\n`;
}

export function startMetricsServer(host: string, port: number, source: MetricsSource, token: string): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz') {
      const s = source.status();
      const body = s.synced ? 'ok' : 'waiting for the first sync with the API server';
      res.writeHead(s.synced ? 200 : 503, { 'Content-Type': 'text/plain; charset=utf-8' }).end(body);
      return;
    }
    if ((path === '/metrics' || path === '/stats' || path === '/listeners') && !hasBearer(req.headers, token)) {
      writeUnauthorized(res);
      return;
    }
    if (path === '/metrics') {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }).end(renderMetrics(source.traffic(), source.status()));
      return;
    }
    if (path === '/stats') {
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(source.traffic()));
      return;
    }
    if (path === '/listeners') {
      const report: ListenersReport = source.listenerReport?.() ?? { listening: source.status().listening, failed: [] };
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(report));
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found: try /healthz, /metrics, /stats or /listeners\n');
  });
  server.keepAliveTimeout = 5000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', reject);
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeAllConnections();
          }),
      });
    });
  });
}

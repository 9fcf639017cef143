// What the service proxy could not open, and why: its live report (GET /listeners on the proxy's
// metrics port), shared by every view that must not answer a refused connection with a bare
// "refused" — `loopkube up`, `run`, `load`, `status`, `top` and the dashboard.
//
//   const report = await fetchListenerReport(config);          // null: the proxy did not answer
//   for (const p of report?.failed ?? []) console.log(p.message);
//   problemFor(report, '127.96.0.20:80')                        // the failure at one address
//
// The proxy retries every failed address every few seconds, so the report is the truth of the
// moment (unlike the FailedToOpenPort Events, which stay after the cause is fixed).
import http from 'node:http';
import { readFileSync } from 'node:fs';
import { clusterPaths, type ClusterConfig } from '../cluster/config.js';

/** A frontend address the proxy wants to listen on but cannot. */
export interface ListenerFailureReport {
  /** `ip:port`. */
  address: string;
  kind: 'clusterIP' | 'nodePort' | 'loadBalancer' | 'healthCheck';
  namespace: string;
  service: string;
  /** The service port's name ('' when unnamed, and for health checks). */
  port: string;
  /** The node a nodePort or health-check address belongs to. */
  node: string | null;
  /** errno name: EACCES (a privileged port), EADDRINUSE, EADDRNOTAVAIL... */
  code: string;
  /** The system's words for it: "permission denied". */
  reason: string;
  /** What to do: "ports below 1024 need privileges: run the cluster as root, or allow them (...)". */
  fix: string;
  /** The FailedToOpenPort Event's text: what failed, why, and the fix. */
  message: string;
}

/** The proxy's GET /listeners. */
export interface ListenersReport {
  /** Addresses listening now. */
  listening: number;
  failed: ListenerFailureReport[];
}

/** The proxy's report, or null when it does not answer within `timeoutMs`. */
export function fetchListenerReport(config: Pick<ClusterConfig, 'proxy' | 'home'>, timeoutMs = 1000): Promise<ListenersReport | null> {
  const port = config.proxy?.metricsPort;
  if (!port) return Promise.resolve(null);
  // the report names addresses: the proxy wants the cluster's token for it
  let token = '';
  try {
    token = readFileSync(clusterPaths(config.home).token, 'utf8').trim();
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve) => {
    const headers = { Authorization: `Bearer ${token}` };
    const req = http.get({ host: '127.0.0.1', port, path: '/listeners', agent: false, timeout: timeoutMs, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as ListenersReport;
          resolve(res.statusCode === 200 && Array.isArray(body.failed) ? body : null);
        } catch {
          resolve(null);
        }
      });
      res.on('error', () => resolve(null));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(null));
  });
}

/** The failure at `address` (`ip:port`), if the proxy reports one. */
export function problemFor(report: ListenersReport | null, address: string): ListenerFailureReport | undefined {
  return report?.failed.find((f) => f.address === address);
}

/** `default/web` (`default/web:http` for a named port). */
export function serviceOf(f: ListenerFailureReport): string {
  return `${f.namespace}/${f.service}${f.port ? `:${f.port}` : ''}`;
}

/** One line per failure: `default/web clusterIP 127.96.0.20:80: permission denied`. */
export function summarizeFailure(f: ListenerFailureReport): string {
  const where = f.node && f.kind !== 'clusterIP' && f.kind !== 'loadBalancer' ? ` on ${f.node}` : '';
  return `${serviceOf(f)} ${f.kind} ${f.address}${where}: ${f.reason}`;
}

/** The failures as `status` and `up` print them: a summary line and the fix under it, each. */
export function describeFailures(failed: readonly ListenerFailureReport[], indent = '  '): string {
  return failed.map((f) => `${indent}${summarizeFailure(f)}\n${indent}  ${f.fix}`).join('\n');
}

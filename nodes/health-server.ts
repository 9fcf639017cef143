// kubelet's ports on the node's IP, in one server (http://<node ip>:10248):
//   GET  /healthz, /readyz, /livez   200 "ok" once the node is registered (503 before): what the
//                                    supervisor waits for; open, as kubelet's healthz port is
//   GET  /metrics                    the node's Prometheus metrics (src/observe/node-metrics.ts)
//   *    /control/{ns}/{pod}/{container}/{action}   a container's app control (nodes/control.ts)
// /metrics and /control need the cluster's bearer token, as kubelet's authenticated API does.
import http from 'node:http';
import { parsePodControlPath } from '../src/client/pod-control.js';
import { hasBearer, writeUnauthorized } from '../src/pki/bearer.js';
import { answer, handleControl, type ContainerControl } from './control.js';

export interface HealthServer {
  close(): Promise<void>;
}

/** The running container a control request is for, or why there is none. */
export type ControlLookup = (namespace: string, pod: string, container: string) => ContainerControl | { missing: string };

export interface HealthServerOptions {
  host: string;
  port: number;
  healthy: () => boolean;
  metrics?: () => string;
  /** The cluster's token: /metrics and /control need it. */
  token: string;
  control?: ControlLookup;
}

export function startHealthServer(opts: HealthServerOptions): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    req.resume();
    const url = new URL(req.url ?? '/', 'http://node');
    const path = url.pathname;
    if (path === '/healthz' || path === '/readyz' || path === '/livez') {
      const ok = opts.healthy();
      res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
      res.end(ok ? 'ok' : 'node not registered yet');
      return;
    }
    const control = opts.control ? parsePodControlPath(path) : null;
    if ((path === '/metrics' && opts.metrics) || control) {
      if (!hasBearer(req.headers, opts.token)) return writeUnauthorized(res);
      if (control) {
        const found = opts.control!(control.namespace, control.pod, control.container);
        if ('missing' in found) return answer(res, 404, { error: found.missing });
        return handleControl(req.method ?? 'GET', control.action, url.searchParams, found, res);
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(opts.metrics!());
      return;
    }
    res.writeHead(404, { 'Content-Type': 'text/plain' });
    res.end('404 page not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.removeListener('error', reject);
      resolve({
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

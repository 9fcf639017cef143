// kubelet's health endpoint: GET http://<node ip>:10248/healthz answers 200 "ok" once the node
// is registered (503 before), which is what the supervisor waits for. GET /metrics answers the
// node's Prometheus metrics (src/observe/node-metrics.ts) when a renderer is given.
import http from 'node:http';

export interface HealthServer {
  close(): Promise<void>;
}

export function startHealthServer(host: string, port: number, healthy: () => boolean, metrics?: () => string): Promise<HealthServer> {
  const server = http.createServer((req, res) => {
    const url = (req.url ?? '/').split('?')[0];
    if (url === '/metrics' && metrics) {
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(metrics());
      return;
    }
    if (url !== '/healthz' && url !== '/readyz' && url !== '/livez') {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('404 page not found\n');
      return;
    }
    const ok = healthy();
    res.writeHead(ok ? 200 : 503, { 'Content-Type': 'text/plain' });
    res.end(ok ? 'ok' : 'node not registered yet');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
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

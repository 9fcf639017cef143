// healthCheckNodePort servers, as kube-proxy runs them for LoadBalancer services with
// externalTrafficPolicy Local: an HTTP server on <node IP>:<healthCheckNodePort> on every node,
// answering 200 when the node has a ready endpoint of the service (so a cloud load balancer keeps
// it in rotation) and 503 when it has none, with kube-proxy's body:
//   {"service":{"namespace":"default","name":"web"},"localEndpoints":1,"serviceProxyHealthy":true}
import http from 'node:http';
import type { HealthCheckServer } from './snapshot.js';

export interface HealthCheckFailure {
  key: string;
  code: string;
  server: HealthCheckServer;
}

export interface HealthCheckServers {
  /** Makes the running servers match `desired`; bind failures arrive through onFailure. */
  reconcile(desired: ReadonlyMap<string, HealthCheckServer>): void;
  listening(): string[];
  failed(): ReadonlyMap<string, HealthCheckFailure>;
  close(): Promise<void>;
}

interface Running {
  server: http.Server;
  current: HealthCheckServer;
  listening: boolean;
}

/** kube-proxy's response body, as its dedented Go template prints it. */
export function healthCheckBody(hc: Pick<HealthCheckServer, 'namespace' | 'name' | 'localEndpoints'>, proxyHealthy: boolean): string {
  return [
    '{',
    '\t"service": {',
    `\t\t"namespace": ${JSON.stringify(hc.namespace)},`,
    `\t\t"name": ${JSON.stringify(hc.name)}`,
    '\t},',
    `\t"localEndpoints": ${hc.localEndpoints},`,
    `\t"serviceProxyHealthy": ${proxyHealthy}`,
    '}',
  ].join('\n');
}

export function createHealthCheckServers(opts: {
  proxyHealthy: () => boolean;
  onFailure: (failure: HealthCheckFailure) => void;
}): HealthCheckServers {
  const running = new Map<string, Running>();
  const failures = new Map<string, HealthCheckFailure>();

  const start = (hc: HealthCheckServer): void => {
    const entry: Running = {
      current: hc,
      listening: false,
      server: http.createServer((req, res) => {
        const now = entry.current;
        const healthy = opts.proxyHealthy();
        const body = healthCheckBody(now, healthy);
        res.writeHead(now.localEndpoints !== 0 && healthy ? 200 : 503, {
          'Content-Type': 'application/json',
          'X-Content-Type-Options': 'nosniff',
          'X-Load-Balancing-Endpoint-Weight': String(now.localEndpoints),
          'Content-Length': Buffer.byteLength(body),
        });
        res.end(body);
        req.resume();
      }),
    };
    entry.server.keepAliveTimeout = 1000;
    entry.server.on('error', (err: NodeJS.ErrnoException) => {
      if (running.get(hc.key) !== entry) return;
      running.delete(hc.key);
      const before = failures.get(hc.key);
      const failure = { key: hc.key, code: err.code ?? 'EUNKNOWN', server: entry.current };
      failures.set(hc.key, failure);
      if (!before || before.code !== failure.code) opts.onFailure(failure);
    });
    entry.server.listen({ host: hc.address, port: hc.port, exclusive: true }, () => {
      entry.listening = true;
      failures.delete(hc.key);
    });
    running.set(hc.key, entry);
  };

  return {
    reconcile(desired) {
      for (const [key, r] of running) {
        if (desired.has(key)) continue;
        running.delete(key);
        r.server.close();
        r.server.closeAllConnections();
      }
      for (const key of failures.keys()) if (!desired.has(key)) failures.delete(key);
      for (const [key, hc] of desired) {
        const r = running.get(key);
        if (r) r.current = hc;
        else start(hc);
      }
    },
    listening: () => [...running.entries()].filter(([, r]) => r.listening).map(([k]) => k),
    failed: () => failures,
    async close() {
      const all = [...running.values()];
      running.clear();
      await Promise.all(
        all.map(
          (r) =>
            new Promise<void>((resolve) => {
              r.server.close(() => resolve());
              r.server.closeAllConnections();
            }),
        ),
      );
    },
  };
}

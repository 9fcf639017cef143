// The front end of several API servers: what the kubeconfig points at (127.0.0.1:<api port>)
// when a cluster runs `--control-planes N`, as kind puts an HAProxy in front of its
// control-plane nodes. It is plain TCP (TLS goes through to the API servers, whose certificate
// names 127.0.0.1 too): each new connection goes to one of the API servers that are healthy,
// picked by the service proxy's balancer (proxy/balancer, round-robin). An API server is healthy
// while its /readyz answers 200 (probed every second) and until a connection to it fails; a
// connection whose dial fails is tried on the next one, so a dead API server costs a client
// nothing but the connections it had open.
//
// It knows the API servers from cluster.json, not from the API: a front end for the API cannot
// depend on the API to find its way.
import net from 'node:net';
import type { ControlPlaneConfig } from '../cluster/config.js';
import type { Logger } from '../log.js';
import { probeHealth, type ProbeOptions } from '../supervisor/health.js';
import { createBalancer } from '../../proxy/balancer/index.js';
import type { EndpointTarget } from '../../proxy/endpoint-slices.js';

export interface ApiFrontendOptions {
  host: string;
  port: number;
  backends: ControlPlaneConfig[];
  probe: ProbeOptions;
  logger: Logger;
  /** How often each API server's /readyz is asked (default 1 s). */
  probeIntervalMs?: number;
}

export interface ApiFrontend {
  /** The API servers taking connections now (`host:port`). */
  healthy(): string[];
  close(): Promise<void>;
}

interface Backend {
  target: EndpointTarget;
  config: ControlPlaneConfig;
  healthy: boolean;
  active: number;
}

export async function startApiFrontend(opts: ApiFrontendOptions): Promise<ApiFrontend> {
  const { logger } = opts;
  const backends: Backend[] = opts.backends.map((b) => ({
    config: b,
    target: { key: `${b.host}:${b.port}`, ip: b.host, port: b.port, nodeName: b.name, ready: true, serving: true, terminating: false },
    // Until the first probe says otherwise, try them all: a dial that fails marks one down.
    healthy: true,
    active: 0,
  }));
  const byKey = new Map(backends.map((b) => [b.target.key, b]));
  const balancer = createBalancer('round-robin', (e) => byKey.get(e.key)?.active ?? 0);
  const sockets = new Set<net.Socket>();

  function setHealth(b: Backend, healthy: boolean, why: string): void {
    if (b.healthy === healthy) return;
    b.healthy = healthy;
    logger.info({ apiServer: b.config.name, address: b.target.key, healthy, why }, healthy ? 'API server back in rotation' : 'API server out of rotation');
  }

  async function probeAll(): Promise<void> {
    await Promise.all(
      backends.map(async (b) => {
        const ok = await probeHealth({ kind: 'https', url: `https://${b.target.key}/readyz` }, opts.probe);
        setHealth(b, ok, ok ? '/readyz answers 200' : '/readyz does not answer 200');
      }),
    );
  }

  function dial(client: net.Socket, tried: Set<string>): void {
    const pool = backends.filter((b) => b.healthy && !tried.has(b.target.key)).map((b) => b.target);
    const chosen = balancer.pick(pool);
    if (!chosen) {
      logger.warn({ tried: [...tried] }, 'no API server to take a connection');
      client.destroy();
      return;
    }
    const b = byKey.get(chosen.key) as Backend;
    tried.add(chosen.key);
    const upstream = net.connect({ host: b.target.ip, port: b.target.port });
    sockets.add(upstream);
    let connected = false;
    upstream.setNoDelay(true);
    upstream.once('connect', () => {
      connected = true;
      b.active++;
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
    upstream.on('error', (err) => {
      if (!connected) {
        setHealth(b, false, `connect: ${(err as NodeJS.ErrnoException).code ?? err.message}`);
        sockets.delete(upstream);
        if (!client.destroyed) dial(client, tried);
        return;
      }
      client.destroy();
    });
    upstream.once('close', () => {
      sockets.delete(upstream);
      if (connected) {
        b.active--;
        client.destroy();
      }
    });
    client.once('close', () => upstream.destroy());
  }

  const server = net.createServer({ pauseOnConnect: true, noDelay: true }, (client) => {
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    dial(client, new Set());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  void probeAll();
  const timer = setInterval(() => void probeAll(), opts.probeIntervalMs ?? 1_000);
  timer.unref();
  logger.info({ address: `${opts.host}:${opts.port}`, apiServers: backends.map((b) => b.target.key) }, 'API front end listening');

  return {
    healthy: () => backends.filter((b) => b.healthy).map((b) => b.target.key),
    async close() {
      clearInterval(timer);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
  };
}

// The built-in HTTP app every container runs on each of its containerPorts, bound to the pod
// IP. `GET /` answers who served it (pod, namespace, podIP, node, container, port, version) and
// the client address it saw, so traffic spread and source-IP rules are visible from outside. It sits
// on the hot path of load tests: the fixed part of the answer is rendered once, keep-alive
// connections are reused, and its access log (one line per request, as a web server's, to the
// container's stdout: `kubectl logs`) is a string handed to a buffered writer. It has no control
// path of its own: its ports are reachable through every NodePort and load balancer, so the flags
// its probes answer by are changed only through its node (nodes/control.ts, with the cluster's token).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import net from 'node:net';
import type { AppKnobs } from './app-knobs.js';
import type { ContainerView } from './container-view.js';
import { PROBE_HEADER, probePasses, type AppControl } from './control.js';
import { burnCpu, cpuMicrosNow, type AppUsageMeter } from '../src/metrics/usage.js';

export interface PodIdentity {
  pod: string;
  namespace: string;
  podIP: string;
  node: string;
  container: string;
  /** What the pod calls itself (spec.hostname, else the pod's name). */
  hostname: string;
  /** Which version of its workload it runs (src/api/pod-version.ts). */
  version: string;
}

/** Shared by every container and port of one pod. */
export interface RequestCounter {
  requests: number;
  /** Answers by container port, then by HTTP status (what `/metrics` reports per endpoint). */
  byPort: Map<number, Record<number, number>>;
}

export function newRequestCounter(): RequestCounter {
  return { requests: 0, byPort: new Map() };
}

export interface PodAppOptions {
  identity: PodIdentity;
  port: number;
  knobs: AppKnobs;
  control: AppControl;
  counter: RequestCounter;
  /** The container's stdout (its log): an access-log line per request, probes excepted. */
  stdout?(line: string): void;
  /** What the container sees (its resolved env and mounted files): `GET /env`, `GET /fs/...`. */
  view?: ContainerView;
  /** Listen here instead of podIP:port (a hostPort on the node's address). */
  listen?: { host: string; port: number };
  /** The container's usage (src/metrics/usage.ts): the CPU its handlers spend, its connections. */
  usage?: AppUsageMeter;
}

export interface PodApp {
  readonly host: string;
  readonly port: number;
  /**
   * Graceful stop: the listener closes at once (new connections are refused); every answer from
   * now on carries `Connection: close`; keep-alive connections still idle DRAIN_IDLE_GRACE_MS
   * later are closed (a client busy on one gets its answer and the close with it, instead of
   * racing a close of a connection it is just sending on). Resolves once every connection is gone.
   */
  drain(): Promise<void>;
  /** Hard stop: the listener and every connection are closed at once (a crash, or grace ran out). */
  destroy(): void;
}

const PADDING_KEY_OVERHEAD = ',"padding":""'.length;

/** How long a draining app leaves idle keep-alive connections open for a last request. */
export const DRAIN_IDLE_GRACE_MS = 1000;

/** Set on a socket once it carried a request (a connection that never did is not in http's idle list). */
const CARRIED = Symbol('carried a request');
type TrackedSocket = net.Socket & { [CARRIED]?: boolean };

/**
 * The probe header's value, read from the raw header list: cheaper than `req.headers`, which
 * builds an object per request on a path that must stay fast.
 */
function probeKindOf(raw: string[]): string | undefined {
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    if (name.length === PROBE_HEADER.length && name.toLowerCase() === PROBE_HEADER) return raw[i + 1];
  }
  return undefined;
}

/** Starts listening on identity.podIP:port; rejects with the listen error (EADDRINUSE, EACCES...). */
export function startPodApp(opts: PodAppOptions): Promise<PodApp> {
  const { identity, port, knobs, control, counter } = opts;
  // Everything but the per-request fields, rendered once: `{"pod":..., "port":8080,` ... `}`.
  const head =
    `{"pod":${JSON.stringify(identity.pod)},"namespace":${JSON.stringify(identity.namespace)},` +
    `"podIP":${JSON.stringify(identity.podIP)},"node":${JSON.stringify(identity.node)},` +
    `"container":${JSON.stringify(identity.container)},"port":${port},` +
    `"hostname":${JSON.stringify(identity.hostname)},"version":${JSON.stringify(identity.version)},"clientIP":"`;
  const padding = knobs.responseBytes > 0 ? 'x'.repeat(knobs.responseBytes) : '';
  let draining = false;
  let destroyed = false;
  let idleTimer: NodeJS.Timeout | undefined;
  let answers = counter.byPort.get(port);
  if (!answers) counter.byPort.set(port, (answers = {}));
  const byStatus = answers;

  const stdout = opts.stdout;
  /** `<time> <client IP> <method> <path> <status> <latency>ms`, once the answer is sent. */
  function accessLog(req: IncomingMessage, res: ServerResponse, startedNs: bigint): void {
    if (!stdout) return;
    res.once('finish', () => {
      const ms = Number(process.hrtime.bigint() - startedNs) / 1e6;
      stdout(`${new Date().toISOString()} ${req.socket.remoteAddress ?? '-'} ${req.method ?? '-'} ${req.url ?? '/'} ${res.statusCode} ${ms.toFixed(3)}ms`);
    });
  }

  const usage = opts.usage;
  function respond(req: IncomingMessage, res: ServerResponse, n: number): void {
    if (res.destroyed || destroyed) return;
    if (knobs.cpuPerRequestMicros > 0) burnCpu(knobs.cpuPerRequestMicros);
    const status = knobs.errorRate > 0 && Math.random() < knobs.errorRate ? 500 : 200;
    byStatus[status] = (byStatus[status] ?? 0) + 1;
    const socket = req.socket;
    let body = `${head}${socket.remoteAddress ?? ''}","clientPort":${socket.remotePort ?? 0},"requests":${n}`;
    if (knobs.responseBytes > 0) {
      const room = knobs.responseBytes - body.length - 2 - PADDING_KEY_OVERHEAD;
      if (room > 0) body += `,"padding":"${padding.slice(0, room)}"`;
    }
    body += '}\n';
    const headers: string[] = ['Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(body))];
    if (draining) headers.push('Connection', 'close');
    res.writeHead(status, headers);
    res.end(body);
  }

  function plain(res: ServerResponse, status: number, text: string): void {
    const headers: string[] = ['Content-Type', 'text/plain', 'Content-Length', String(text.length)];
    if (draining) headers.push('Connection', 'close');
    res.writeHead(status, headers);
    res.end(text);
  }

  function json(res: ServerResponse, body: unknown, status = 200): void {
    const text = `${JSON.stringify(body)}\n`;
    const headers: string[] = ['Content-Type', 'application/json', 'Content-Length', String(Buffer.byteLength(text))];
    if (draining) headers.push('Connection', 'close');
    res.writeHead(status, headers);
    res.end(text);
  }

  function serveFile(res: ServerResponse, view: ContainerView, rawPath: string): void {
    let path: string;
    try {
      path = decodeURIComponent(rawPath.split('?')[0] || '/');
    } catch {
      return plain(res, 400, 'bad path\n');
    }
    const found = view.lookup(path);
    if (!found) return json(res, { error: `open ${path}: no such file or directory` }, 404);
    if ('entries' in found) return json(res, { path, entries: found.entries });
    const headers: string[] = ['Content-Type', 'application/octet-stream', 'Content-Length', String(found.content.length)];
    if (draining) headers.push('Connection', 'close');
    res.writeHead(200, headers);
    res.end(found.content);
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    (req.socket as TrackedSocket)[CARRIED] = true;
    const url = req.url ?? '/';
    const probe = probeKindOf(req.rawHeaders);
    if (probe !== undefined) {
      const pass = probePasses(control, probe);
      plain(res, pass ? 200 : 503, pass ? 'ok\n' : 'probe failed by the control path\n');
      return;
    }
    if (stdout) accessLog(req, res, process.hrtime.bigint());
    if (opts.view && req.method === 'GET') {
      if (url === '/env') return json(res, Object.fromEntries(opts.view.env()));
      if (url === '/fs' || url.startsWith('/fs/')) return serveFile(res, opts.view, url.slice(3));
    }
    if (url === '/healthz') return plain(res, control.healthy ? 200 : 503, control.healthy ? 'ok\n' : 'unhealthy\n');
    if (url === '/readyz') return plain(res, control.ready ? 200 : 503, control.ready ? 'ok\n' : 'not ready\n');
    const n = ++counter.requests;
    if (knobs.delayMs > 0) setTimeout(usage ? metered : respond, knobs.delayMs, req, res, n);
    else respond(req, res, n);
  }

  /** A handler timed on the CPU clock: what this container's app spends is its CPU usage. */
  function metered(req: IncomingMessage, res: ServerResponse, n?: number): void {
    const started = cpuMicrosNow();
    try {
      if (n === undefined) handle(req, res);
      else respond(req, res, n);
    } finally {
      usage!.cpuMicros += cpuMicrosNow() - started;
    }
  }

  const server = http.createServer({ keepAlive: true, noDelay: true }, usage ? (req, res) => metered(req, res) : handle);
  /** Open connections, for the drain's last sweep. */
  const sockets = new Set<TrackedSocket>();
  server.on('connection', (socket: TrackedSocket) => {
    sockets.add(socket);
    if (usage) usage.openConnections++;
    socket.once('close', () => {
      sockets.delete(socket);
      if (usage) usage.openConnections--;
    });
  });
  /** Closes the keep-alive connections idle now, and those that never carried a request. */
  function closeIdle(): void {
    server.closeIdleConnections();
    for (const s of sockets) if (!s[CARRIED]) s.destroy();
  }
  server.keepAliveTimeout = 30_000;
  // A peer that sends garbage gets a 400 and a closed socket; nothing reaches the node's log.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  return new Promise<PodApp>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.removeListener('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.removeListener('error', onError);
      if (usage) {
        usage.listeners++;
        usage.heldBytes += padding.length;
        server.once('close', () => {
          usage.listeners--;
          usage.heldBytes -= padding.length;
        });
      }
      server.on('error', () => {});
      resolve({
        host: opts.listen?.host ?? identity.podIP,
        port: opts.listen?.port ?? port,
        drain() {
          draining = true;
          return new Promise<void>((done) => {
            if (!server.listening) {
              server.closeAllConnections();
              done();
              return;
            }
            // net's close stops accepting without http's closing of idle connections at once;
            // http's close, once all are gone, clears what the server keeps (its timers).
            net.Server.prototype.close.call(server, () => {
              clearTimeout(idleTimer);
              server.close();
              done();
            });
            idleTimer = setTimeout(closeIdle, DRAIN_IDLE_GRACE_MS);
          });
        },
        destroy() {
          destroyed = true;
          draining = true;
          clearTimeout(idleTimer);
          if (server.listening) server.close();
          server.closeAllConnections();
        },
      });
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: opts.listen?.host ?? identity.podIP, port: opts.listen?.port ?? port, backlog: 2048 });
  });
}

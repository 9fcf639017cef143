// The node's kubelet API on <node IP>:10250 (Node.status.daemonEndpoints.kubeletEndpoint), which
// the API server proxies pods/log, pods/exec, pods/attach and pods/portforward to, as upstream's
// kubelet server (pkg/kubelet/server/server.go) answers them:
//
//   GET /containerLogs/{namespace}/{pod}/{container}?follow&previous&tailLines&...
//
// Only the control plane may call it: every request carries the kubelet client token
// (src/pki/kubelet-token.ts), anything else is 401 with nothing about the node in the answer.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { bearerMatches } from '../src/pki/kubelet-token.js';
import type { Logger } from '../src/log.js';
import { LogRequestError, checkLogReadable, parseLogQuery, streamContainerLog } from './container-log-stream.js';
import type { PodRuntime } from './pod-runtime.js';
import { renderResourceMetrics, type NodeUsageReport } from '../src/metrics/resource-metrics.js';

export interface KubeletServerOptions {
  host: string;
  port: number;
  token: string;
  logger: Logger;
  /** A pod running on this node, by namespace and name. */
  pod(namespace: string, name: string): PodRuntime | undefined;
  /** What the node and its running containers use now: `GET /metrics/resource` (metrics-server scrapes it). */
  usage?(): NodeUsageReport;
  /** Upgrade requests (exec, attach, port-forward), once authenticated. */
  upgrade?(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL): void;
}

export interface KubeletServer {
  close(): Promise<void>;
}

function text(res: ServerResponse, code: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** `/containerLogs/ns/pod/container` -> its parts (undefined: not that shape). */
export function pathParts(pathname: string, prefix: string, count: number): string[] | undefined {
  if (!pathname.startsWith(prefix)) return undefined;
  const parts = pathname.slice(prefix.length).split('/').map((p) => decodeURIComponent(p));
  if (parts.length !== count || parts.some((p) => !p)) return undefined;
  return parts;
}

async function containerLogs(opts: KubeletServerOptions, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const parts = pathParts(url.pathname, '/containerLogs/', 3);
  if (!parts) return text(res, 400, 'expected /containerLogs/{namespace}/{pod}/{container}');
  const [namespace, podName, containerName] = parts as [string, string, string];
  const pod = opts.pod(namespace, podName);
  if (!pod) return text(res, 404, `pod "${podName}" does not exist`);
  const container = pod.container(containerName);
  if (!container) return text(res, 404, `container "${containerName}" not found in pod "${podName}"`);
  try {
    const query = parseLogQuery(url.searchParams);
    checkLogReadable(podName, container.snapshot(), container.log, query.previous);
    await streamContainerLog(req, res, container.log, query);
  } catch (err) {
    if (err instanceof LogRequestError) return text(res, err.code, err.message);
    throw err;
  }
}

export function startKubeletServer(opts: KubeletServerOptions): Promise<KubeletServer> {
  const { logger } = opts;
  const sockets = new Set<Duplex>();
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (!bearerMatches(req.headers.authorization, opts.token)) return text(res, 401, 'Unauthorized');
    if (url.pathname === '/metrics/resource' && req.method === 'GET' && opts.usage) {
      const body = renderResourceMetrics(opts.usage());
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    const route = url.pathname.startsWith('/containerLogs/') && req.method === 'GET' ? containerLogs(opts, req, res, url) : Promise.resolve(text(res, 404, '404 page not found\n'));
    route.catch((err: unknown) => {
      logger.error({ err, url: req.url }, 'kubelet request failed');
      text(res, 500, String((err as Error).message ?? err));
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (!bearerMatches(req.headers.authorization, opts.token)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 12\r\nConnection: close\r\n\r\nUnauthorized');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://kubelet');
    if (!opts.upgrade) {
      socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    opts.upgrade(req, socket, head, url);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host: opts.host, port: opts.port }, () => {
      server.off('error', reject);
      logger.info({ address: `${opts.host}:${opts.port}` }, 'kubelet API listening');
      resolve({
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}

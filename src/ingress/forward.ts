// One request through the ingress: matched to a route, sent to a pod over a pooled keep-alive
// connection with the headers ingress-nginx adds (X-Forwarded-For appended, -Proto, -Host,
// -Port, X-Real-IP, X-Request-ID kept or made), the answer streamed back. No route: 404 from the
// default backend; a Service without ready endpoints: 503 saying so; a pod that fails: 502.
import { randomUUID } from 'node:crypto';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import type { Backends } from './backends.js';
import type { IngressMetrics } from './metrics.js';
import { route, type RoutingTable } from './routing-table.js';

/** Hop-by-hop headers (RFC 9110 7.6.1) are not forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'proxy-authenticate']);

export interface ForwardContext {
  table(): RoutingTable;
  backends: Backends;
  agent: http.Agent;
  metrics: IngressMetrics;
  logger: Logger;
  /** 'http' or 'https', and the port the client connected to. */
  scheme: 'http' | 'https';
  port: number;
}

function plain(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

export function forwardRequest(ctx: ForwardContext, req: IncomingMessage, res: ServerResponse): void {
  const started = process.hrtime.bigint();
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const backend = route(ctx.table(), req.headers.host, path);
  const done = (status: number, bytes: number, pod?: string): void => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    ctx.metrics.observe(backend, pod, status, ms, bytes);
  };
  if (!backend) {
    plain(res, 404, 'default backend - 404\n');
    done(404, 0);
    return;
  }
  const picked = ctx.backends.pick(backend);
  if ('error' in picked) {
    plain(res, 503, `503 Service Temporarily Unavailable: ${picked.error} (ingress ${backend.ingress}, route ${backend.route})\n`);
    done(503, 0);
    return;
  }
  const { target } = picked;
  const headers: http.OutgoingHttpHeaders = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) headers[k] = v;
  const client = req.socket.remoteAddress ?? '';
  const prior = req.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${client}` : client;
  headers['x-real-ip'] = client;
  headers['x-forwarded-proto'] = ctx.scheme;
  headers['x-forwarded-host'] = req.headers.host ?? '';
  headers['x-forwarded-port'] = String(ctx.port);
  headers['x-request-id'] = (req.headers['x-request-id'] as string | undefined) || randomUUID().replace(/-/g, '');
  const upstream = http.request({ host: target.ip, port: target.port, method: req.method, path: url, headers, agent: ctx.agent });
  let bytes = 0;
  upstream.on('response', (up) => {
    const out: http.OutgoingHttpHeaders = {};
    for (const [k, v] of Object.entries(up.headers)) if (v !== undefined && !HOP_BY_HOP.has(k)) out[k] = v;
    res.writeHead(up.statusCode ?? 502, out);
    up.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    up.pipe(res);
    up.on('end', () => done(up.statusCode ?? 502, bytes, target.key));
    up.on('error', () => res.destroy());
  });
  upstream.on('error', (err) => {
    ctx.logger.warn({ err: err.message, pod: target.key, ingress: backend.ingress, route: backend.route }, 'upstream failed');
    plain(res, 502, `502 Bad Gateway: ${target.key} (${backend.namespace}/${backend.service}): ${err.message}\n`);
    done(502, 0, target.key);
  });
  // a client that goes away stops the upstream request
  res.on('close', () => {
    if (!res.writableFinished) upstream.destroy();
  });
  req.pipe(upstream);
}

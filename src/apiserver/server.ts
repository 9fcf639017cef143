// The API server: HTTPS with the cluster's certificate, bearer-token authentication, and the
// routing of Kubernetes REST paths to discovery, OpenAPI, health and the resource handlers.
import http2 from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, notAcceptable, notFoundPath, statusFailure, unauthorized } from '../api/errors.js';
import { RESOURCES } from '../kinds/catalog.js';
import type { ResourceInfo } from '../api/resources.js';
import type { Logger } from '../log.js';
import { apiServerTlsOptions } from '../pki/tls-options.js';
import type { WatchCache } from '../store/watch-cache.js';
import {
  aggregatedDiscovery,
  aggregatedDiscoveryContentType,
  apiGroup,
  apiGroupList,
  apiResourceList,
  apiVersions,
  versionInfo,
  wantedAggregatedDiscovery,
} from './discovery.js';
import { handleResource } from './handlers.js';
import { openapiV2, openapiV3Document, openapiV3Root } from './openapi.js';
import { minimalOpenapiV2Protobuf, OPENAPI_V2_PROTOBUF } from './openapi-v2-protobuf.js';
import type { Registry } from './registry.js';
import { queryBool } from './query.js';
import { parseRequestInfo } from './request-info.js';
import { writeError, writeJson } from './respond.js';
import { proxyStreamUpgrade } from './streaming-proxy.js';
import { isLongRunning, requestDeadlineMs, requestTimedOut } from './request-timeout.js';
import { bearerMatches, kubeletClientToken } from '../pki/kubelet-token.js';

export interface ApiServerOptions {
  host: string;
  port: number;
  tls: { key: string; cert: string };
  token: string;
  registry: Registry;
  watchCache: WatchCache;
  logger: Logger;
  /** Answers /readyz: false until bootstrap is done. */
  ready: () => boolean;
  watchOptions?: { bookmarkIntervalMs?: number; keepaliveIntervalMs?: number };
  /** The deadline of requests that are not long-running (kube-apiserver's --request-timeout, 60 s). */
  requestTimeoutMs?: number;
  /** Request metrics (src/observe/control-plane-metrics.ts): told of each request, served on /metrics. */
  metrics?: {
    observeRequest(req: IncomingMessage, res: ServerResponse): void;
    /** A watcher closed for falling behind (apiserver_terminated_watchers_total). */
    terminatedWatcher?(info: ResourceInfo): void;
    render(): string;
  };
}

export interface ApiServer {
  address(): AddressInfo;
  close(): Promise<void>;
}

const ANONYMOUS_PATHS = new Set(['/healthz', '/readyz', '/livez', '/version']);

/** `GET /`: every group and group version served, and the server's own paths, sorted. */
function rootPaths(): string[] {
  const paths = new Set(['/api', '/apis', '/healthz', '/livez', '/metrics', '/openapi/v2', '/openapi/v3', '/readyz', '/version']);
  for (const r of RESOURCES) {
    if (r.group) {
      paths.add(`/apis/${r.group}`);
      paths.add(`/apis/${r.group}/${r.version}`);
    } else {
      paths.add(`/api/${r.version}`);
    }
  }
  return [...paths].sort();
}

/**
 * Request headers up to kube-apiserver's MaxHeaderBytes (1 MiB; Go's net/http reads 4 KiB past
 * it before refusing), for HTTP/1.1 and HTTP/2 alike; past it, Go's 431.
 */
const MAX_HEADER_BYTES = (1 << 20) + 4096;
const HEADER_LIMITS = { maxHeaderSize: MAX_HEADER_BYTES, settings: { maxHeaderListSize: MAX_HEADER_BYTES } };

/** What Go's net/http answers a request it cannot read (then it closes the connection). */
function answerClientError(err: NodeJS.ErrnoException, socket: Duplex): void {
  if (!socket.writable) return void socket.destroy();
  const status = err.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? '408 Request Timeout' : '400 Bad Request';
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n${status}`);
}

/** Past ms, answers the timeout filter's 504 unless an answer has begun; a later answer is dropped. */
function armRequestDeadline(res: ServerResponse, ms: number): void {
  const timer = setTimeout(() => {
    if (!res.headersSent && !res.writableEnded) writeError(res, requestTimedOut());
  }, ms);
  const clear = (): void => clearTimeout(timer);
  res.once('finish', clear).once('close', clear);
}

export function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const { logger } = opts;
  const kubeletToken = kubeletClientToken(opts.token);
  const terminatedWatcher = opts.metrics?.terminatedWatcher?.bind(opts.metrics);
  const watchOptions = { ...opts.watchOptions, ...(terminatedWatcher ? { onWatcherTerminated: terminatedWatcher } : {}) };
  const sockets = new Set<Duplex>();
  const serverAddress = (): string => `${opts.host}:${(server.address() as AddressInfo).port}`;

  async function route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://localhost');
    const path = url.pathname;
    if (!ANONYMOUS_PATHS.has(path) && !bearerMatches(req.headers.authorization, opts.token)) throw unauthorized();
    const info = parseRequestInfo(req.method ?? 'GET', path, queryBool(url.searchParams.getAll('watch')));
    if (!isLongRunning(info)) armRequestDeadline(res, requestDeadlineMs(url.searchParams, opts.requestTimeoutMs));
    switch (info.type) {
      case 'health': {
        const ok = path === '/livez' || path === '/healthz' ? true : opts.ready();
        res.writeHead(ok ? 200 : 500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end(ok ? 'ok' : 'not ready');
        return;
      }
      case 'version':
        writeJson(res, 200, versionInfo());
        return;
      case 'metrics':
        res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
        res.end(opts.metrics?.render() ?? '');
        return;
      case 'openapi': {
        if (path === '/openapi/v2') {
          const accept = String(req.headers.accept ?? '');
          if (accept.includes(OPENAPI_V2_PROTOBUF)) {
            const body = minimalOpenapiV2Protobuf();
            // kube-openapi answers the protobuf form as an octet stream (the '@' in its media type is not
            // valid in a Content-Type header, and client-go would refuse it).
            res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': String(body.length) });
            res.end(body);
            return;
          }
          if (accept && !accept.includes('json') && !accept.includes('*/*')) throw notAcceptable('only application/json is served for /openapi/v2');
          writeJson(res, 200, openapiV2());
          return;
        }
        if (path === '/openapi/v3' || path === '/openapi/v3/') {
          writeJson(res, 200, openapiV3Root());
          return;
        }
        const doc = openapiV3Document(path.replace(/^\/openapi\/v3\//, ''));
        if (!doc) throw notFoundPath(path);
        writeJson(res, 200, doc);
        return;
      }
      case 'discovery': {
        if (req.method !== 'GET') throw notFoundPath(path);
        if (path === '/' ) {
          writeJson(res, 200, { paths: rootPaths() });
          return;
        }
        if (path === '/api' || path === '/api/' || path === '/apis' || path === '/apis/') {
          const scope = path.startsWith('/apis') ? 'apis' : 'api';
          // kubectl asks for aggregated discovery first: one request for every group.
          const aggregated = wantedAggregatedDiscovery(req.headers.accept);
          if (aggregated) {
            writeJson(res, 200, aggregatedDiscovery(scope, aggregated), { 'Content-Type': aggregatedDiscoveryContentType(aggregated) });
          } else {
            writeJson(res, 200, scope === 'api' ? apiVersions(serverAddress()) : apiGroupList());
          }
          return;
        }
        if (info.group !== undefined && info.version === undefined) {
          const g = apiGroup(info.group);
          if (!g) throw notFoundPath(path);
          writeJson(res, 200, g);
          return;
        }
        const list = apiResourceList(info.group ?? '', info.version ?? '');
        if (!list) throw notFoundPath(path);
        writeJson(res, 200, list);
        return;
      }
      case 'unknown-resource':
        throw notFoundPath(path);
      case 'not-found':
        throw notFoundPath(path);
      case 'method-not-allowed':
        throw new ApiError(statusFailure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource', {}));
      case 'resource':
        await handleResource(req, res, url, info, {
          registry: opts.registry,
          watchCache: opts.watchCache,
          logger,
          kubeletToken,
          watchOptions,
        });
        return;
    }
  }

  // HTTP/2 (and HTTP/1.1 for clients without it) with kube-apiserver's TLS settings. Handlers see
  // one request/response shape: Node's HTTP/2 compatibility API mirrors HTTP/1's.
  const server = http2.createSecureServer({ ...apiServerTlsOptions(opts.tls), ...HEADER_LIMITS }, (h2req, h2res) => {
    const req = h2req as unknown as IncomingMessage;
    const res = h2res as unknown as ServerResponse;
    const started = process.hrtime.bigint();
    opts.metrics?.observeRequest(req, res);
    route(req, res)
      .catch((err: unknown) => {
        const apiErr = writeError(res, err);
        if (apiErr.code >= 500) logger.error({ err, method: req.method, url: req.url }, 'request failed');
      })
      .finally(() => {
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (!req.url?.includes('watch')) logger.debug({ method: req.method, url: req.url, code: res.statusCode, ms }, 'request');
      });
    // A client that hangs up midway must not leave anything behind.
    req.on('error', () => res.destroy());
  });
  // pods/exec, attach, portforward: the protocol switch goes through to the pod's kubelet.
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    void proxyStreamUpgrade({ token: opts.token, kubeletToken, registry: opts.registry, logger }, req, socket, head);
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', (err) => logger.debug({ err: err.message }, 'TLS handshake failed'));
  // HTTP/1.1 connections (allowHTTP1) are served by Node's http server code, which reads these
  // from the server object; the HTTP/2 server's types do not list them.
  const http1 = server as unknown as { keepAliveTimeout: number; headersTimeout: number; requestTimeout: number; maxHeaderSize: number };
  http1.maxHeaderSize = MAX_HEADER_BYTES;
  http1.keepAliveTimeout = 60_000;
  // kube-apiserver's ReadHeaderTimeout (32 s, "just shy of requestTimeoutUpperBound"); a body is
  // bounded by each request's own deadline (armRequestDeadline), watches and streams by none
  http1.headersTimeout = 32_000;
  http1.requestTimeout = 0;
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => answerClientError(err, socket));

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      server.off('error', reject);
      resolve({
        address: () => server.address() as AddressInfo,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            for (const s of sockets) s.destroy();
          }),
      });
    });
  });
}


// pods/exec, pods/attach and pods/portforward: upgrade requests (WebSocket, or SPDY) that the
// API server checks (the user's token, the pod, PodExecOptions, the container) and then hands
// to the pod's kubelet as upstream's UpgradeAwareHandler does: the kubelet's own path and
// credential, then the raw bytes both ways, so the kubelet answers the protocol switch itself.
import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { ApiError, badRequest, internalError, notFoundPath, unauthorized } from '../api/errors.js';
import type { Pod } from '../api/types.js';
import { PODS } from '../kinds/pod/resource.js';
import { resolveContainer } from '../kinds/pod/log.js';
import type { Logger } from '../log.js';
import { bearerMatches } from '../pki/kubelet-token.js';
import { kubeletLocationOf } from './kubelet-proxy.js';
import { queryBool } from './query.js';
import { spdyRequestHead, tunnelSpdyOverWebSocket, tunnelledProtocols } from './spdy-tunnel.js';
import type { Registry } from './registry.js';
import { pipeFramed } from './websocket-frames.js';

export interface StreamingProxyOptions {
  token: string;
  kubeletToken: string;
  registry: Registry;
  logger: Logger;
}

const PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)$/;
const HOP_BY_HOP = new Set(['authorization', 'host', 'content-length', 'transfer-encoding', 'proxy-authorization']);

function writeStatus(socket: Duplex, err: unknown): void {
  const apiErr = err instanceof ApiError ? err : internalError((err as Error)?.message ?? String(err));
  const body = JSON.stringify(apiErr.status);
  const reason = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 500: 'Internal Server Error' }[apiErr.code] ?? 'Error';
  if (socket.writable) socket.end(`HTTP/1.1 ${apiErr.code} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  else socket.destroy();
}

// PodExecOptions' booleans convert as every query boolean does (Convert_Slice_string_To_bool)
const bool = (q: URLSearchParams, key: string): boolean => queryBool(q.getAll(key));

/** The kubelet's path and query for an exec/attach (remotecommand's input/output/error/tty). */
function kubeletStreamPath(kind: 'exec' | 'attach', pod: Pod, q: URLSearchParams): string {
  const name = pod.metadata.name ?? '';
  const stdin = bool(q, 'stdin');
  const stdout = bool(q, 'stdout');
  const stderr = bool(q, 'stderr');
  const tty = bool(q, 'tty');
  if (!stdin && !stdout && !stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  const phase = pod.status?.phase;
  if (phase === 'Succeeded' || phase === 'Failed') {
    throw badRequest(`cannot ${kind === 'exec' ? 'exec into' : 'attach to'} a container in a completed pod; current phase is ${phase}`);
  }
  const container = resolveContainer(pod, q.get('container') ?? undefined);
  const out = new URLSearchParams();
  if (kind === 'exec') {
    const command = q.getAll('command');
    if (!command.length) throw badRequest('you must specify at least one command for the container');
    for (const c of command) out.append('command', c);
  }
  if (stdin) out.set('input', '1');
  if (stdout) out.set('output', '1');
  if (stderr && !tty) out.set('error', '1');
  if (tty) out.set('tty', '1');
  return `/${kind}/${encodeURIComponent(pod.metadata.namespace ?? 'default')}/${encodeURIComponent(name)}/${encodeURIComponent(container)}?${out}`;
}

/**
 * PodPortForwardOptions' `ports` (each value may list several, comma-separated, as apimachinery's
 * Convert_Slice_string_To_Slice_int32 reads them) as the kubelet's `port` parameter, as upstream's
 * PortForwardLocation writes it. A SPDY client names its ports in its streams instead: no query.
 */
function kubeletPortQuery(q: URLSearchParams): string {
  const ports: number[] = [];
  for (const v of q.getAll('ports')) {
    for (const p of v.split(',')) {
      if (p === '') continue;
      if (!/^-?[0-9]+$/.test(p)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(p)}: invalid syntax`);
      ports.push(Number(p)); // out of range: the kubelet refuses it in its words
    }
  }
  return ports.length ? `?port=${ports.join(',')}` : '';
}

export async function proxyStreamUpgrade(opts: StreamingProxyOptions, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  socket.on('error', () => socket.destroy());
  try {
    if (!bearerMatches(req.headers.authorization, opts.token)) throw unauthorized();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const m = PATH.exec(url.pathname);
    if (!m) throw notFoundPath(url.pathname);
    const [, namespace, name, kind] = m as unknown as [string, string, string, 'exec' | 'attach' | 'portforward'];
    const pod = (await opts.registry.get(PODS, decodeURIComponent(namespace), decodeURIComponent(name))) as Pod;
    let kubeletPath: string;
    if (kind === 'portforward') {
      kubeletPath = `/portForward/${encodeURIComponent(pod.metadata.namespace ?? 'default')}/${encodeURIComponent(pod.metadata.name ?? '')}${kubeletPortQuery(url.searchParams)}`;
    } else kubeletPath = kubeletStreamPath(kind, pod, url.searchParams);
    const loc = await kubeletLocationOf(opts.registry, pod);
    if (!loc) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
    const upstream = net.connect({ host: loc.host, port: loc.port });
    await new Promise<void>((resolve, reject) => {
      upstream.once('connect', resolve);
      upstream.once('error', (err: NodeJS.ErrnoException) =>
        reject(internalError(`error dialing backend: dial tcp ${loc.host}:${loc.port}: ${err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.message}`)),
      );
    });
    const tunnel = kind === 'portforward' ? tunnelledProtocols(req) : [];
    if (tunnel.length) {
      upstream.on('error', () => socket.destroy());
      socket.on('close', () => upstream.destroy());
      await tunnelSpdyOverWebSocket(req, socket, head, upstream, spdyRequestHead(req, kubeletPath, `${loc.host}:${loc.port}`, opts.kubeletToken, tunnel)).catch((err: Error) => {
        upstream.destroy();
        throw internalError(`error proxying to the kubelet: ${err.message}`);
      });
      opts.logger.debug({ namespace, name, kind }, 'tunnelling SPDY over WebSocket to the kubelet');
      return;
    }
    let head1 = `${req.method ?? 'GET'} ${kubeletPath} HTTP/1.1\r\nHost: ${loc.host}:${loc.port}\r\nAuthorization: Bearer ${opts.kubeletToken}\r\n`;
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      if (!HOP_BY_HOP.has(req.rawHeaders[i]!.toLowerCase())) head1 += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
    }
    upstream.write(`${head1}\r\n`);
    if (head.length) upstream.write(head);
    upstream.on('error', () => socket.destroy());
    socket.on('close', () => upstream.destroy());
    upstream.on('close', () => socket.destroy());
    socket.pipe(upstream);
    pipeFramed(upstream, socket);
    opts.logger.debug({ namespace, name, kind }, 'streaming to the kubelet');
  } catch (err) {
    writeStatus(socket, err);
  }
}

// The API server's way to a pod's kubelet, as upstream's (pkg/registry/core/pod/strategy.go
// LogLocation/streamLocation, pkg/kubelet/client): the pod's node, its InternalIP and the kubelet
// port it advertises (status.daemonEndpoints.kubeletEndpoint), and the kubelet client token.
// proxyKubeletGet streams a kubelet answer (logs) back to the client; an answer other than 200
// becomes a Status with the kubelet's words, as upstream's GenericHttpResponseChecker makes it.
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import { ApiError, badRequest, internalError, statusFailure } from '../api/errors.js';
import type { Node, Pod } from '../api/types.js';
import type { SubresourceRegistry } from '../kinds/kind.js';
import { NODES } from '../kinds/node/resource.js';

export const DEFAULT_KUBELET_PORT = 10250;

export interface KubeletLocation {
  host: string;
  port: number;
}

/** Where the kubelet of a pod's node listens (undefined: the pod is not scheduled yet). */
export async function kubeletLocationOf(registry: Pick<SubresourceRegistry, 'get'>, pod: Pod): Promise<KubeletLocation | undefined> {
  const nodeName = pod.spec.nodeName;
  if (!nodeName) return undefined;
  const node = (await registry.get(NODES, undefined, nodeName)) as Node;
  const host = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? node.status?.addresses?.[0]?.address;
  if (!host) throw badRequest(`node ${nodeName} has no addresses`);
  return { host, port: node.status?.daemonEndpoints?.kubeletEndpoint?.Port || DEFAULT_KUBELET_PORT };
}

const REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 409: 'Conflict', 500: 'InternalError', 503: 'ServiceUnavailable' };
const MAX_ERROR_BODY = 64 * 1024;

/** A kubelet answer other than 200, as a Status (the body is the kubelet's message). */
function kubeletError(code: number, body: string): ApiError {
  const message = body.trim() || http.STATUS_CODES[code] || 'error';
  const status = code >= 400 && code < 600 ? code : 500;
  return new ApiError(statusFailure(status, REASONS[status] ?? 'InternalError', message));
}

/** Go's `Get "URL": dial tcp HOST:PORT: connect: connection refused`, as the proxy's 500 says it. */
function dialError(url: string, loc: KubeletLocation, err: NodeJS.ErrnoException): ApiError {
  const why = err.code === 'ECONNREFUSED' ? 'connect: connection refused' : err.code === 'ETIMEDOUT' ? 'i/o timeout' : err.message;
  return internalError(`Get "${url}": dial tcp ${loc.host}:${loc.port}: ${why}`);
}

/**
 * GETs path from the kubelet and streams the answer to res; resolves when it ends. The kubelet
 * request is cut when the client goes away, so a follower leaves nothing behind.
 */
export function proxyKubeletGet(req: IncomingMessage, res: ServerResponse, loc: KubeletLocation, pathAndQuery: string, token: string): Promise<void> {
  const url = `http://${loc.host}:${loc.port}${pathAndQuery}`;
  return new Promise<void>((resolve, reject) => {
    const upstream = http.request({ host: loc.host, port: loc.port, path: pathAndQuery, method: 'GET', headers: { Authorization: `Bearer ${token}` } });
    const cut = (): void => {
      upstream.destroy();
    };
    req.on('close', cut);
    upstream.on('error', (err: NodeJS.ErrnoException) => {
      req.off('close', cut);
      if (res.headersSent) {
        res.destroy();
        resolve();
      } else reject(dialError(url, loc, err));
    });
    upstream.on('response', (answer) => {
      if (answer.statusCode !== 200) {
        const chunks: Buffer[] = [];
        let size = 0;
        answer.on('data', (c: Buffer) => {
          if (size < MAX_ERROR_BODY) chunks.push(c);
          size += c.length;
        });
        answer.on('end', () => {
          req.off('close', cut);
          reject(kubeletError(answer.statusCode ?? 500, Buffer.concat(chunks).toString('utf8').slice(0, MAX_ERROR_BODY)));
        });
        answer.on('error', () => reject(internalError('the kubelet hung up midway')));
        return;
      }
      // No Transfer-Encoding: HTTP/1.1 chunks an answer without a length by itself, and HTTP/2
      // (kubectl's, since the API server speaks it) forbids connection headers: Node throws on them.
      res.writeHead(200, { 'Content-Type': String(answer.headers['content-type'] ?? 'text/plain'), 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      answer.pipe(res);
      answer.on('end', () => {
        req.off('close', cut);
        resolve();
      });
      answer.on('error', () => {
        res.destroy();
        resolve();
      });
      answer.on('close', () => resolve());
    });
    upstream.end();
  });
}

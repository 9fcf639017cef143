// Bearer tokens on the cluster's own HTTP endpoints (the API server, kubelet-like node ports,
// the proxy's and the dashboard's metrics): what a request presents, compared in constant time.
// Health endpoints stay open, as kube-apiserver's /healthz and kubelet's :10248/healthz are;
// metrics and control need the cluster's token, as theirs need authentication.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';

/** Constant-time comparison of a presented token with the expected one. */
export function tokenEquals(given: string | null | undefined, want: string): boolean {
  if (!given || !want) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined. */
export function bearerToken(headers: IncomingHttpHeaders): string | undefined {
  const h = headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : undefined;
}

export function hasBearer(headers: IncomingHttpHeaders, token: string): boolean {
  return tokenEquals(bearerToken(headers), token);
}

/** A 401 as Kubernetes components answer one (text, with the challenge a client expects). */
export function writeUnauthorized(res: ServerResponse): void {
  const text = 'Unauthorized: this endpoint needs the cluster\'s bearer token (Authorization: Bearer <token from the kubeconfig>)\n';
  res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

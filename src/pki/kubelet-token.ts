// The credential the API server presents to every node's kubelet endpoint (upstream: the
// apiserver's kubelet client certificate). It is derived from the cluster's token, so the control
// plane and the nodes, which both read the cluster's folder, agree on it without one more file,
// and a kubelet endpoint never accepts the user's own token: the user goes through the API
// server, which checks them first.
import { createHmac, timingSafeEqual } from 'node:crypto';

export function kubeletClientToken(clusterToken: string): string {
  return createHmac('sha256', clusterToken).update('loopkube kubelet client v1').digest('base64url');
}

/** Whether an Authorization header carries exactly this bearer token (constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (!header || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice(7).trim());
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}

// Why a connection to a Service address failed, in words a user can act on, from the facts:
// the proxy's report of what it could not open (a refused connection where a listener should
// be), the endpoints the API lists, and the address the connection came from. The proxy resets
// (RST) a connection it accepted but has nowhere to send: no ready endpoint, or a source that
// may not reach a ClusterIP (only node and pod addresses may).
import { cidrContains, parseCidr, parseIPv4 } from '../cluster/cidr.js';
import type { ClusterConfig } from '../cluster/config.js';
import { fetchListenerReport, problemFor, summarizeFailure, type ListenersReport } from '../observe/listener-problems.js';

export interface ConnectContext {
  /** Ready endpoints the Service had when the target was resolved. */
  readyEndpoints: number;
  /** The local address the connection came from ('' or undefined: the kernel's choice). */
  from?: string | undefined;
  /** The cluster's nodes, to tell a node or pod address from one outside the cluster. */
  nodes?: ClusterConfig['nodes'];
}

/** A node's address or one of a node's pod addresses. */
export function isClusterAddress(nodes: ClusterConfig['nodes'], ip: string): boolean {
  const n = parseIPv4(ip);
  if (n === null) return false;
  return nodes.some((node) => {
    const pods = parseCidr(node.podCIDR);
    return node.ip === ip || (pods !== null && cidrContains(pods, n));
  });
}

/** One line for a failed connection to `address` (`ip:port`). */
export function explainConnectError(code: string | undefined, address: string, report: ListenersReport | null, ctx: ConnectContext): string {
  if (code === 'ECONNREFUSED') {
    const failure = problemFor(report, address);
    if (failure) return `connection refused: the proxy could not open ${summarizeFailure(failure)}; ${failure.fix}`;
    return `connection refused: nothing listens on ${address} (the Service has no such port, or the proxy has not opened it yet)`;
  }
  if (code === 'ECONNRESET') {
    if (ctx.readyEndpoints === 0) return `connection reset by the proxy: the Service has no ready endpoint (kubectl get endpointslices, kubectl get pods)`;
    if (ctx.from && ctx.nodes && !isClusterAddress(ctx.nodes, ctx.from)) {
      return `connection reset by the proxy: ${ctx.from} is outside the cluster, and a ClusterIP answers only from node and pod addresses (use --node, or --from a node's IP)`;
    }
    return (
      `connection reset by the proxy: no endpoint for a connection from ${ctx.from || 'this address'}` +
      ` (a ClusterIP answers only from node and pod addresses; with externalTrafficPolicy or internalTrafficPolicy Local, only nodes that run a ready pod answer)`
    );
  }
  return code ?? 'failed';
}

/**
 * Notes for `load`'s report when some of `addresses` got refused connections: the proxy's
 * failures at those addresses, with the fix ([] when it reports none).
 */
export async function refusalNotes(config: Pick<ClusterConfig, 'proxy' | 'home'>, addresses: readonly string[]): Promise<string[]> {
  const report = await fetchListenerReport(config);
  const out: string[] = [];
  for (const a of new Set(addresses)) {
    const f = problemFor(report, a);
    if (f) out.push(`the proxy could not open ${summarizeFailure(f)}; ${f.fix}`);
  }
  return out;
}

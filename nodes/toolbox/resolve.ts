// Name resolution as a pod's resolver does it: an IP is itself, localhost is the pod's own IP (its network namespace's loopback in Kubernetes), /etc/hosts
// names, then the resolv.conf search path (ndots:5) against the cluster DNS.
import net from 'node:net';
import { resolveIPv4 } from '../../src/dns/client.js';
import { RCODE } from '../../src/dns/wire.js';
import type { ToolboxPod } from './context.js';

export class ResolveError extends Error {}

/** The names the search path tries for `name`, in order. */
export function searchNames(name: string, pod: ToolboxPod): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const d = pod.clusterDomain;
  const search = [`${pod.namespace}.svc.${d}`, `svc.${d}`, d];
  const dots = name.split('.').length - 1;
  const expanded = search.map((s) => `${name}.${s}`);
  return dots >= 5 ? [name, ...expanded] : [...expanded, name];
}

/** The first name of the search path that has addresses, and them. */
export async function resolveHost(host: string, pod: ToolboxPod): Promise<{ name: string; addresses: string[] }> {
  if (net.isIPv4(host)) return { name: host, addresses: [host] };
  if (host === 'localhost' || host === pod.hostname) return { name: host, addresses: [pod.podIP] };
  if (!pod.dns) throw new ResolveError('the cluster has no DNS');
  for (const name of searchNames(host, pod)) {
    const r = await resolveIPv4(name, { server: pod.dns.ip, port: pod.dns.port, timeoutMs: 1000, attempts: 2 });
    if (r.rcode === RCODE.NOERROR && r.addresses.length) return { name, addresses: r.addresses };
  }
  throw new ResolveError(`NXDOMAIN`);
}

// Where the ingress controller listens: the last address of the LoadBalancer pool (127.200.0.254
// in the default /24), kept out of what the LoadBalancer controller hands out, as a MetalLB pool
// reserves the address of an ingress controller's Service; a pool narrower than a /28 has none to
// spare, and then no ingress controller runs. Ports 80 and 443; a user who may
// not bind ports below net.ipv4.ip_unprivileged_port_start gets the fallback ports, said loudly.
// The metrics and health port is ingress-nginx's (10254) on the same address.
import { cidrSize, nthAddress, parseCidr } from '../cluster/cidr.js';
import { unprivilegedPortStart } from '../cluster/privileged-ports.js';

export const INGRESS_PORTS = { http: 80, https: 443 } as const;
export const INGRESS_FALLBACK_PORTS = { http: 8080, https: 8443 } as const;
export const INGRESS_METRICS_PORT = 10254;

/** The smallest pool that spares an address for the ingress controller: a /28 (14 usable). */
export const MIN_POOL_FOR_INGRESS = 16;

/**
 * The ingress controller's address in a pool, or undefined for a pool too small to spare one
 * (narrower than a /28: every address goes to LoadBalancer Services, and no ingress runs).
 */
export function ingressAddress(pool: string): string | undefined {
  const cidr = parseCidr(pool);
  if (!cidr) return undefined;
  // the pool's last usable address: its broadcast address is skipped for /30 and wider
  const size = cidrSize(cidr);
  return size >= MIN_POOL_FOR_INGRESS ? nthAddress(cidr, size - 2) : undefined;
}

/** The ports this user's ingress controller gets: 80/443 with the privilege to bind them, else the fallbacks. */
export function expectedIngressPorts(): { http: number; https: number } {
  const allowed = process.getuid?.() === 0 || unprivilegedPortStart() <= INGRESS_PORTS.http;
  return allowed ? { ...INGRESS_PORTS } : { ...INGRESS_FALLBACK_PORTS };
}

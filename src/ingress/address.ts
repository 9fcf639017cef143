// Where the ingress controller listens: the last address of the LoadBalancer pool (127.200.0.254
// in the default /24), kept out of the pool the LoadBalancer controller hands out, as a MetalLB
// pool reserves the address of an ingress controller's Service. Ports 80 and 443; a user who may
// not bind ports below net.ipv4.ip_unprivileged_port_start gets the fallback ports, said loudly.
// The metrics and health port is ingress-nginx's (10254) on the same address.
import { cidrSize, nthAddress, parseCidr } from '../cluster/cidr.js';

export const INGRESS_PORTS = { http: 80, https: 443 } as const;
export const INGRESS_FALLBACK_PORTS = { http: 8080, https: 8443 } as const;
export const INGRESS_METRICS_PORT = 10254;

/** The ingress controller's address in a pool, or undefined for a pool too small to spare one. */
export function ingressAddress(pool: string): string | undefined {
  const cidr = parseCidr(pool);
  if (!cidr) return undefined;
  // the pool's last usable address: its broadcast address is skipped for /30 and wider
  const size = cidrSize(cidr);
  return size > 2 ? nthAddress(cidr, size - 2) : undefined;
}

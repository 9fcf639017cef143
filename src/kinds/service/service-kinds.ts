// Questions asked of a Service's type and fields (pkg/api/service helpers and the registry's
// needs* / same* helpers).
import type { Service, ServiceSpec } from '../../api/types.js';
import { semanticEqual } from '../../api/semantic-equal.js';

export function specOf(svc: Service | undefined): ServiceSpec {
  return (svc?.spec ?? {}) as ServiceSpec;
}

export function isHeadless(svc: Service): boolean {
  const ips = specOf(svc).clusterIPs ?? [];
  return ips.length === 1 && ips[0] === 'None';
}

/** NodePort, LoadBalancer, or ClusterIP with external IPs. */
export function externallyAccessible(svc: Service): boolean {
  const s = specOf(svc);
  return s.type === 'LoadBalancer' || s.type === 'NodePort' || (s.type === 'ClusterIP' && (s.externalIPs ?? []).length > 0);
}

/** LoadBalancer with externalTrafficPolicy Local: gets a healthCheckNodePort. */
export function needsHealthCheck(svc: Service): boolean {
  const s = specOf(svc);
  return s.type === 'LoadBalancer' && externallyAccessible(svc) && s.externalTrafficPolicy === 'Local';
}

export function needsClusterIP(svc: Service): boolean {
  return specOf(svc).type !== 'ExternalName';
}

export function needsNodePort(svc: Service): boolean {
  const t = specOf(svc).type;
  return t === 'NodePort' || t === 'LoadBalancer';
}

export function shouldAllocateNodePorts(svc: Service): boolean {
  const s = specOf(svc);
  if (s.type === 'NodePort') return true;
  if (s.type === 'LoadBalancer') return s.allocateLoadBalancerNodePorts !== false;
  return false;
}

export function sameClusterIPs(a: Service, b: Service): boolean {
  return semanticEqual(specOf(a).clusterIPs, specOf(b).clusterIPs);
}

export function sameIPFamilies(a: Service, b: Service): boolean {
  return semanticEqual(specOf(a).ipFamilies, specOf(b).ipFamilies);
}

export function sameIPFamilyPolicy(a: Service, b: Service): boolean {
  return (specOf(a).ipFamilyPolicy ?? null) === (specOf(b).ipFamilyPolicy ?? null);
}

function nodePortSet(svc: Service): Set<number> {
  return new Set((specOf(svc).ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p !== 0));
}

export function sameNodePorts(a: Service, b: Service): boolean {
  const x = nodePortSet(a);
  const y = nodePortSet(b);
  return x.size === y.size && [...x].every((p) => y.has(p));
}

export function sameHCNodePort(a: Service, b: Service): boolean {
  return (specOf(a).healthCheckNodePort ?? 0) === (specOf(b).healthCheckNodePort ?? 0);
}

export function sameLoadBalancerClass(a: Service, b: Service): boolean {
  return (specOf(a).loadBalancerClass ?? null) === (specOf(b).loadBalancerClass ?? null);
}

/** Every NodePort a stored service holds (ports and health check). */
export function nodePortsHeld(svc: Service): number[] {
  const s = specOf(svc);
  const out = (s.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p > 0);
  if (s.healthCheckNodePort) out.push(s.healthCheckNodePort);
  return out;
}

/** Every ClusterIP a stored service holds. */
export function clusterIPsHeld(svc: Service): string[] {
  const s = specOf(svc);
  const ips = s.clusterIPs?.length ? s.clusterIPs : s.clusterIP ? [s.clusterIP] : [];
  return ips.filter((ip) => ip && ip !== 'None');
}

// How the service registry reads an update (pkg/registry/core/service): clusterIP and clusterIPs
// kept in step, values it allocated kept when a client omits them (so re-applying the same YAML
// works), and fields a type change makes meaningless dropped (NodePort -> ClusterIP drops the
// node ports, which releases them).
import type { Service } from '../../api/types.js';
import {
  externallyAccessible,
  needsClusterIP,
  needsHealthCheck,
  needsNodePort,
  sameClusterIPs,
  sameHCNodePort,
  sameIPFamilies,
  sameIPFamilyPolicy,
  sameLoadBalancerClass,
  sameNodePorts,
  specOf,
} from './service-kinds.js';

/** NormalizeClusterIPs(old, new). */
export function normalizeClusterIPs(old: Service | undefined, svc: Service): void {
  const s = specOf(svc);
  if (!old) {
    if (s.clusterIP && (s.clusterIPs ?? []).length === 0) s.clusterIPs = [s.clusterIP];
    return;
  }
  const o = specOf(old);
  if ((o.clusterIPs ?? []).length > 0 && (s.clusterIPs ?? []).length === 0 && (o.clusterIP ?? '') === (s.clusterIP ?? '')) {
    s.clusterIPs = o.clusterIPs;
  }
  if ((o.clusterIP ?? '') !== (s.clusterIP ?? '')) {
    if (o.clusterIP && !s.clusterIP) {
      if (sameClusterIPs(old, svc)) delete s.clusterIPs;
    } else if (sameClusterIPs(old, svc)) {
      s.clusterIPs = [s.clusterIP!];
    }
  }
}

/** patchAllocatedValues: what the registry allocated survives a client that omits it. */
export function patchAllocatedValues(svc: Service, old: Service): void {
  const s = specOf(svc);
  const o = specOf(old);
  if (needsClusterIP(old) && needsClusterIP(svc)) {
    if (!s.clusterIP && o.clusterIP) s.clusterIP = o.clusterIP;
    if ((s.clusterIPs ?? []).length === 0 && (o.clusterIPs ?? []).length > 0) s.clusterIPs = [...o.clusterIPs!];
  }
  if (needsNodePort(old) && needsNodePort(svc)) {
    const oldUsed = new Set((o.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p));
    const newUsed = new Set((s.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p));
    const used = new Set([...oldUsed].filter((p) => newUsed.has(p)));
    const byName = new Map<string, number>();
    for (const p of o.ports ?? []) byName.set(p.name ?? '', p.nodePort ?? 0);
    for (const p of s.ports ?? []) {
      if (p.nodePort) continue;
      const oldVal = byName.get(p.name ?? '') ?? 0;
      if (oldVal && !used.has(oldVal)) p.nodePort = oldVal;
    }
  }
  if (needsHealthCheck(old) && needsHealthCheck(svc) && !s.healthCheckNodePort) s.healthCheckNodePort = o.healthCheckNodePort;
}

/** dropTypeDependentFields: wipe what the new type does not use, when the client left it as it was. */
export function dropTypeDependentFields(svc: Service, old: Service): void {
  const s = specOf(svc);
  const o = specOf(old);
  if (needsClusterIP(old) && !needsClusterIP(svc)) {
    if (sameClusterIPs(old, svc)) {
      delete s.clusterIP;
      delete s.clusterIPs;
    }
    if (sameIPFamilies(old, svc)) delete s.ipFamilies;
    if (sameIPFamilyPolicy(old, svc)) delete s.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(svc)) {
    if (sameNodePorts(old, svc)) for (const p of s.ports ?? []) delete p.nodePort;
    if (sameHCNodePort(old, svc)) delete s.healthCheckNodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(svc) && sameHCNodePort(old, svc)) delete s.healthCheckNodePort;
  if (o.type === 'LoadBalancer' && s.type !== 'LoadBalancer') {
    if (s.allocateLoadBalancerNodePorts !== undefined && o.allocateLoadBalancerNodePorts !== undefined && s.allocateLoadBalancerNodePorts === o.allocateLoadBalancerNodePorts) {
      delete s.allocateLoadBalancerNodePorts;
    }
    if (sameLoadBalancerClass(old, svc)) delete s.loadBalancerClass;
  }
  if (externallyAccessible(old) && !externallyAccessible(svc) && (s.externalTrafficPolicy ?? '') === (o.externalTrafficPolicy ?? '')) {
    delete s.externalTrafficPolicy;
  }
  // The load balancer's status no longer applies once the service is not one.
  if (o.type === 'LoadBalancer' && s.type !== 'LoadBalancer') svc.status = { loadBalancer: {} };
}

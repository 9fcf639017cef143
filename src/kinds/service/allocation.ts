// ClusterIPs and NodePorts for a service being created or updated (the service registry's
// allocateCreate / allocateUpdate and initIPFamilyFields). The allocators' state is the stored
// services; the API server serializes service writes, so it is current.
import type { ApiError } from '../../api/errors.js';
import { internalError } from '../../api/errors.js';
import type { Service, ServiceSpec } from '../../api/types.js';
import type { ClusterIPAllocator } from './cluster-ip-allocator.js';
import type { FieldError } from '../../admission/field-errors.js';
import { invalid, invalidObject } from '../../admission/field-errors.js';
import { child, index } from '../../admission/field-path.js';
import { goStringSlice } from '../../admission/go-syntax.js';
import { ipFamilyOf } from '../../admission/ip.js';
import type { NodePortAllocator } from './node-port-allocator.js';
import { isHeadless, needsHealthCheck, sameClusterIPs, sameIPFamilies, shouldAllocateNodePorts, specOf } from './service-kinds.js';
import { validateServiceClusterIPsRelatedFields } from './validation.js';

/** loopkube's service CIDR is IPv4 only. */
const CONFIGURED_FAMILIES = new Set(['IPv4']);
const DEFAULT_FAMILY = 'IPv4';

export interface ServiceAllocators {
  ips: ClusterIPAllocator;
  ports: NodePortAllocator;
}

function refuse(svc: Service, errs: FieldError[]): ApiError {
  return invalidObject('Service', '', svc.metadata.name ?? '', errs);
}

function policyOf(s: ServiceSpec): string {
  return s.ipFamilyPolicy ?? 'SingleStack';
}

/** Defaults ipFamilyPolicy and ipFamilies, refusing families this cluster does not have. */
export function initIPFamilyFields(svc: Service, old: Service | undefined): void {
  const s = specOf(svc);
  if (s.type === 'ExternalName') return;
  if (old && specOf(old).ipFamilyPolicy === 'PreferDualStack' && s.ipFamilyPolicy === 'PreferDualStack' && sameClusterIPs(old, svc) && sameIPFamilies(old, svc)) {
    return;
  }
  if (!s.ipFamilyPolicy) {
    if (old && specOf(old).ipFamilyPolicy) s.ipFamilyPolicy = specOf(old).ipFamilyPolicy;
    else if (s.clusterIP === 'None' && Object.keys(s.selector ?? {}).length === 0) s.ipFamilyPolicy = 'RequireDualStack';
    else s.ipFamilyPolicy = 'SingleStack';
  }
  const pre = validateServiceClusterIPsRelatedFields(svc);
  if (pre.length) throw refuse(svc, pre);

  const el: FieldError[] = [];
  if (old) {
    if (policyOf(s) === 'SingleStack') {
      if (sameClusterIPs(old, svc) && (s.clusterIPs ?? []).length > 1) s.clusterIPs = s.clusterIPs!.slice(0, 1);
      if (sameIPFamilies(old, svc) && (s.ipFamilies ?? []).length > 1) s.ipFamilies = s.ipFamilies!.slice(0, 1);
    } else {
      const o = specOf(old);
      if ((o.clusterIPs ?? []).length > (s.clusterIPs ?? []).length && (s.clusterIPs ?? []).length > 0) {
        el.push(invalid('spec.ipFamilyPolicy', s.ipFamilyPolicy, "must be 'SingleStack' to release the secondary cluster IP"));
      }
      if ((o.ipFamilies ?? []).length > (s.ipFamilies ?? []).length && (s.ipFamilies ?? []).length > 0) {
        el.push(invalid('spec.ipFamilyPolicy', s.ipFamilyPolicy, "must be 'SingleStack' to release the secondary IP family"));
      }
    }
  }
  if (policyOf(s) === 'SingleStack') {
    if ((s.clusterIPs ?? []).length === 2) {
      el.push(invalid('spec.ipFamilyPolicy', s.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are specified"));
    }
    if ((s.ipFamilies ?? []).length === 2) {
      el.push(invalid('spec.ipFamilyPolicy', s.ipFamilyPolicy, "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are specified"));
    }
  }
  const ips = s.clusterIPs ?? [];
  for (let i = 0; i < ips.length; i++) {
    if (ips[i] === 'None') break;
    const fam = ipFamilyOf(ips[i]!)!;
    if (i >= (s.ipFamilies ?? []).length) {
      if (!CONFIGURED_FAMILIES.has(fam)) el.push(invalid(index('spec.clusterIPs', i), goStringSlice(ips), `${fam} is not configured on this cluster`));
      else (s.ipFamilies ??= []).push(fam);
    }
  }
  if (el.length) throw refuse(svc, el);

  if (s.clusterIP === 'None' && Object.keys(s.selector ?? {}).length === 0) {
    if ((s.ipFamilies ?? []).length === 0) s.ipFamilies = [DEFAULT_FAMILY];
    if (s.ipFamilies!.length < 2 && s.ipFamilyPolicy !== 'SingleStack') s.ipFamilies!.push(s.ipFamilies![0] === 'IPv4' ? 'IPv6' : 'IPv4');
    return;
  }
  if (s.ipFamilyPolicy === 'RequireDualStack' && CONFIGURED_FAMILIES.size < 2) {
    el.push(invalid('spec.ipFamilyPolicy', s.ipFamilyPolicy, 'this cluster is not configured for dual-stack services'));
  }
  (s.ipFamilies ?? []).forEach((f, i) => {
    if (!CONFIGURED_FAMILIES.has(f)) el.push(invalid(index('spec.ipFamilies', i), f, 'not configured on this cluster'));
  });
  if (el.length) throw refuse(svc, el);
  if ((s.ipFamilies ?? []).length === 0) s.ipFamilies = [DEFAULT_FAMILY];
}

/** Allocates (or reserves the requested) ClusterIP of each family the service has. */
function allocClusterIPs(svc: Service, al: ServiceAllocators): void {
  const s = specOf(svc);
  if (s.type === 'ExternalName' || isHeadless(svc)) return;
  const ips = (s.clusterIPs ??= []);
  (s.ipFamilies ?? []).forEach((_, i) => {
    if (i >= ips.length) ips.push('');
  });
  ips.forEach((ip, i) => {
    if (ip === '') {
      const next = al.ips.allocateNext();
      if (next === undefined) throw internalError('failed to allocate a serviceIP: range is full');
      ips[i] = next;
      return;
    }
    const err = al.ips.allocate(ip);
    if (err) throw refuse(svc, [invalid('spec.clusterIPs', goStringSlice(ips), `failed to allocate IP ${ip}: ${err}`)]);
  });
  s.clusterIP = ips[0];
}

function nodePortError(svc: Service, i: number, port: number, err: string): ApiError {
  return refuse(svc, [invalid(child(index('spec.ports', i), 'nodePort'), port, err)]);
}

/** initNodePorts: requested ports reserved, others allocated; ports sharing a `port` share a NodePort. */
function initNodePorts(svc: Service, al: ServiceAllocators): void {
  const s = specOf(svc);
  const ports = s.ports ?? [];
  const byServicePort = new Map<number, number>();
  ports.forEach((sp, i) => {
    if (!sp.nodePort && !shouldAllocateNodePorts(svc)) return;
    const allocated = byServicePort.get(sp.port) ?? 0;
    if (allocated === 0) {
      const requested = ports.slice(i).find((p) => p.port === sp.port && p.nodePort)?.nodePort ?? 0;
      if (requested) {
        const err = al.ports.allocate(requested);
        if (err) throw nodePortError(svc, i, requested, err);
        sp.nodePort = requested;
        byServicePort.set(sp.port, requested);
      } else {
        const next = al.ports.allocateNext();
        if (next === undefined) throw internalError('failed to allocate a nodePort: range is full');
        sp.nodePort = next;
        byServicePort.set(sp.port, next);
      }
    } else if (sp.nodePort !== allocated) {
      if (!sp.nodePort) sp.nodePort = allocated;
      else {
        const err = al.ports.allocate(sp.nodePort);
        if (err) throw nodePortError(svc, i, sp.nodePort, err);
      }
    }
  });
}

function allocHealthCheckNodePort(svc: Service, al: ServiceAllocators): void {
  const s = specOf(svc);
  if (s.healthCheckNodePort) {
    const err = al.ports.allocate(s.healthCheckNodePort);
    if (err) throw internalError(`failed to allocate requested HealthCheck NodePort ${s.healthCheckNodePort}: ${err}`);
    return;
  }
  const next = al.ports.allocateNext();
  // Upstream prints the (shadowed, still zero) port here.
  if (next === undefined) throw internalError('failed to allocate a HealthCheck NodePort 0: range is full');
  s.healthCheckNodePort = next;
}

export function allocateCreate(svc: Service, al: ServiceAllocators): void {
  initIPFamilyFields(svc, undefined);
  allocClusterIPs(svc, al);
  const t = specOf(svc).type;
  if (t === 'NodePort' || t === 'LoadBalancer') initNodePorts(svc, al);
  if (needsHealthCheck(svc)) allocHealthCheckNodePort(svc, al);
}

/**
 * The update path. `al` must count the old service's own IPs and ports as taken (they stay
 * allocated until the update is stored), so fresh picks never reuse them.
 */
export function allocateUpdate(svc: Service, old: Service, al: ServiceAllocators): void {
  initIPFamilyFields(svc, old);
  const o = specOf(old);
  const s = specOf(svc);
  const matchingPreferDual =
    o.ipFamilyPolicy === 'PreferDualStack' && s.ipFamilyPolicy === 'PreferDualStack' && sameClusterIPs(old, svc) && sameIPFamilies(old, svc);
  if (!matchingPreferDual && o.type === 'ExternalName' && s.type !== 'ExternalName') allocClusterIPs(svc, al);

  if (s.type === 'NodePort' || s.type === 'LoadBalancer') {
    const oldPorts = new Set((o.ports ?? []).map((p) => p.nodePort ?? 0).filter((p) => p));
    const taken = new Set<number>();
    (s.ports ?? []).forEach((sp, i) => {
      if (!sp.nodePort && !shouldAllocateNodePorts(svc)) return;
      if (sp.nodePort) {
        if (!oldPorts.has(sp.nodePort) && !taken.has(sp.nodePort)) {
          const err = al.ports.allocate(sp.nodePort);
          if (err) throw nodePortError(svc, i, sp.nodePort, err);
          taken.add(sp.nodePort);
        }
      } else {
        const next = al.ports.allocateNext();
        if (next === undefined) throw internalError('failed to allocate a nodePort: range is full');
        sp.nodePort = next;
      }
    });
  }

  const needed = needsHealthCheck(old);
  const needs = needsHealthCheck(svc);
  if (!needed && needs) allocHealthCheckNodePort(svc, al);
  else if (needed && needs && (o.healthCheckNodePort ?? 0) !== (s.healthCheckNodePort ?? 0)) {
    throw refuse(svc, [
      invalid('spec.healthCheckNodePort', s.healthCheckNodePort ?? 0, 'cannot change healthCheckNodePort on loadBalancer service with externalTraffic=Local during update'),
    ]);
  }
}

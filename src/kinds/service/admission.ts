// Services: defaulting, ClusterIP/NodePort allocation and validation, in the registry's order
// (allocation errors come before validation errors, as upstream's BeginCreate runs first).
import type { KubeObject, Service } from '../../api/types.js';
import { createClusterIPAllocator } from './cluster-ip-allocator.js';
import { invalidObject } from '../../admission/field-errors.js';
import { createNodePortAllocator } from './node-port-allocator.js';
import { carrySystemMeta } from '../../admission/object-meta.js';
import type { AdmissionDeps, AdmissionRequest } from '../kind.js';
import { allocateCreate, allocateUpdate } from './allocation.js';
import type { ServiceAllocators } from './allocation.js';
import { defaultService, defaultServiceStatus } from './defaults.js';
import { clusterIPsHeld, nodePortsHeld } from './service-kinds.js';
import { SERVICE_IPS_KEY, SERVICE_NODE_PORTS_KEY } from './shared-ranges.js';
import { dropTypeDependentFields, normalizeClusterIPs, patchAllocatedValues } from './update-validation.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './validation.js';

/**
 * Allocators seeded with what every stored service holds (the one being updated included) and
 * what the shared ranges have reserved (another API server's service not stored yet).
 */
async function allocatorsFor(deps: AdmissionDeps): Promise<ServiceAllocators> {
  const [services, reservedIPs, reservedPorts] = await Promise.all([
    deps.listServices(),
    deps.rangeValues?.(SERVICE_IPS_KEY) ?? [],
    deps.rangeValues?.(SERVICE_NODE_PORTS_KEY) ?? [],
  ]);
  return {
    ips: createClusterIPAllocator(deps.serviceCIDR, [...services.flatMap(clusterIPsHeld), ...reservedIPs]),
    ports: createNodePortAllocator(deps.nodePortRange, [...services.flatMap(nodePortsHeld), ...reservedPorts.map(Number)]),
  };
}

function fail(svc: Service, errs: ReturnType<typeof validateService>): void {
  if (errs.length) throw invalidObject('Service', '', svc.metadata.name ?? '', errs);
}

export async function admitService(req: AdmissionRequest, deps: AdmissionDeps): Promise<KubeObject> {
  const svc = structuredClone(req.object) as Service;
  const old = req.oldObject as Service | undefined;

  if (req.operation === 'CREATE') {
    defaultService(svc);
    normalizeClusterIPs(undefined, svc);
    allocateCreate(svc, await allocatorsFor(deps));
    svc.status = { loadBalancer: {} };
    fail(svc, validateService(svc));
    return svc;
  }

  if (!old) throw new Error('UPDATE without oldObject');
  carrySystemMeta(svc.metadata, old.metadata);

  if (req.subresource === 'status') {
    svc.spec = structuredClone(old.spec);
    svc.status ??= {};
    defaultServiceStatus(svc);
    fail(svc, validateServiceStatusUpdate(svc, old));
    return svc;
  }

  defaultService(svc);
  patchAllocatedValues(svc, old);
  normalizeClusterIPs(old, svc);
  allocateUpdate(svc, old, await allocatorsFor(deps));
  svc.status = structuredClone(old.status);
  dropTypeDependentFields(svc, old);
  fail(svc, validateServiceUpdate(svc, old));
  return svc;
}

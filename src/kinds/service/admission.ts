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
import { dropTypeDependentFields, normalizeClusterIPs, patchAllocatedValues } from './update-validation.js';
import { validateService, validateServiceStatusUpdate, validateServiceUpdate } from './validation.js';

/** Allocators seeded with what every stored service holds (the one being updated included). */
async function allocatorsFor(deps: AdmissionDeps): Promise<ServiceAllocators> {
  const services = await deps.listServices();
  return {
    ips: createClusterIPAllocator(deps.serviceCIDR, services.flatMap(clusterIPsHeld)),
    ports: createNodePortAllocator(deps.nodePortRange, services.flatMap(nodePortsHeld)),
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

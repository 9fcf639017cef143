// The discovery.k8s.io/v1 EndpointSlices of a Service with a selector, as upstream's
// EndpointSlice controller makes them: one endpoint per pod with an IP (terminating pods
// included, with their conditions), grouped by the ports they serve, at most 100 endpoints per
// slice. planSlices() turns the desired endpoints and the slices that exist into the fewest
// writes: endpoints stay in the slice they are in, new ones fill free room, empty slices are
// reused or deleted, and a service with no endpoints keeps one empty placeholder slice.
import type { Endpoint, EndpointPort, EndpointSlice, OwnerReference, Pod, Service } from '../api/types.js';
import { semanticEqual } from '../api/semantic-equal.js';
import { endpointLabels, endpointPorts, podHostname, podIPv4, podReference, portsKey, shouldPodBeInEndpoints } from './endpoint-pods.js';
import { isPodReady } from './pods.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';
export const MANAGED_BY_LABEL = 'endpointslice.kubernetes.io/managed-by';
export const MANAGED_BY = 'endpointslice-controller.k8s.io';
export const MAX_ENDPOINTS_PER_SLICE = 100;

export interface DesiredEndpoint {
  endpoint: Endpoint;
  ports: EndpointPort[];
}

/** The endpoint of a pod (upstream's podToEndpoint). */
export function endpointFor(service: Service, pod: Pod, ip: string): Endpoint {
  const serving = service.spec.publishNotReadyAddresses === true || isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  // "ready" is never true for a terminating pod, unless publishNotReadyAddresses.
  const ready = service.spec.publishNotReadyAddresses === true || (serving && !terminating);
  const ep: Endpoint = { addresses: [ip], conditions: { ready, serving, terminating } };
  const hostname = podHostname(service, pod);
  if (hostname) ep.hostname = hostname;
  ep.targetRef = podReference(pod);
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  return ep;
}

export function desiredEndpoints(service: Service, pods: Pod[]): DesiredEndpoint[] {
  const out: DesiredEndpoint[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, true)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    // A slice's port always carries a name ("" for an unnamed service port), as upstream's does.
    const ports = endpointPorts(service, pod).map((p) => ({ ...p, name: p.name ?? '' }));
    out.push({ endpoint: endpointFor(service, pod, ip), ports });
  }
  return out.sort((a, b) => (endpointId(a.endpoint) < endpointId(b.endpoint) ? -1 : 1));
}

/** An endpoint's identity across updates: its pod, else its address. */
export function endpointId(ep: Endpoint): string {
  return ep.targetRef?.uid ? `uid:${ep.targetRef.uid}` : `ip:${ep.addresses[0] ?? ''}`;
}

export function sliceOwnerRef(service: Service): OwnerReference {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    name: service.metadata.name ?? '',
    uid: service.metadata.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

export function sliceLabels(service: Service): Record<string, string> {
  return { ...endpointLabels(service), [SERVICE_NAME_LABEL]: service.metadata.name ?? '', [MANAGED_BY_LABEL]: MANAGED_BY };
}

/** Is this slice one this controller made for that service? */
export function isManagedSliceOf(slice: EndpointSlice, namespace: string | undefined, serviceName: string): boolean {
  const l = slice.metadata.labels ?? {};
  return slice.metadata.namespace === namespace && l[SERVICE_NAME_LABEL] === serviceName && l[MANAGED_BY_LABEL] === MANAGED_BY;
}

export interface SlicePlan {
  create: EndpointSlice[];
  /** Existing slices with their new content (resourceVersion kept, for compare-and-swap). */
  update: EndpointSlice[];
  delete: EndpointSlice[];
}

function sortPorts(ports: EndpointPort[]): EndpointPort[] {
  return [...ports].sort((a, b) => ((a.name ?? '') !== (b.name ?? '') ? ((a.name ?? '') < (b.name ?? '') ? -1 : 1) : a.port - b.port));
}

function newSlice(service: Service, ports: EndpointPort[], endpoints: Endpoint[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${service.metadata.name}-`,
      namespace: service.metadata.namespace,
      labels: sliceLabels(service),
      ownerReferences: [sliceOwnerRef(service)],
    },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

function withContent(service: Service, slice: EndpointSlice, ports: EndpointPort[], endpoints: Endpoint[]): EndpointSlice {
  return {
    ...slice,
    metadata: { ...slice.metadata, labels: sliceLabels(service), ownerReferences: [sliceOwnerRef(service)] },
    addressType: 'IPv4',
    endpoints,
    ports,
  };
}

function sameContent(a: EndpointSlice, b: EndpointSlice): boolean {
  return (
    a.addressType === b.addressType &&
    semanticEqual(a.endpoints ?? [], b.endpoints ?? []) &&
    semanticEqual(a.ports ?? [], b.ports ?? []) &&
    semanticEqual(a.metadata.labels ?? {}, b.metadata.labels ?? {}) &&
    semanticEqual(a.metadata.ownerReferences ?? [], b.metadata.ownerReferences ?? [])
  );
}

/** The writes that turn `existing` (this service's managed slices) into the desired endpoints. */
export function planSlices(service: Service, desired: DesiredEndpoint[], existing: EndpointSlice[], maxPerSlice = MAX_ENDPOINTS_PER_SLICE): SlicePlan {
  const plan: SlicePlan = { create: [], update: [], delete: [] };
  const slices = [...existing].sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));

  // Desired endpoints grouped by the ports they serve.
  const groups = new Map<string, { ports: EndpointPort[]; endpoints: Map<string, Endpoint> }>();
  for (const d of desired) {
    const key = portsKey(d.ports);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { ports: sortPorts(d.ports), endpoints: new Map() }));
    g.endpoints.set(endpointId(d.endpoint), d.endpoint);
  }

  const result: Array<{ slice: EndpointSlice | undefined; ports: EndpointPort[]; endpoints: Endpoint[] }> = [];
  const spare: EndpointSlice[] = [];
  const byKey = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const key = portsKey(s.ports ?? []);
    if (!groups.has(key)) spare.push(s);
    else byKey.set(key, [...(byKey.get(key) ?? []), s]);
  }

  for (const [key, g] of groups) {
    const placed = new Set<string>();
    const kept: Array<{ slice: EndpointSlice | undefined; ports: EndpointPort[]; endpoints: Endpoint[] }> = [];
    // Endpoints stay where they are, with their new content.
    for (const s of byKey.get(key) ?? []) {
      const eps: Endpoint[] = [];
      for (const old of s.endpoints ?? []) {
        const id = endpointId(old);
        const now = g.endpoints.get(id);
        if (!now || placed.has(id) || eps.length >= maxPerSlice) continue;
        placed.add(id);
        eps.push(now);
      }
      kept.push({ slice: s, ports: g.ports, endpoints: eps });
    }
    // New endpoints fill the free room, then new slices.
    const rest = [...g.endpoints].filter(([id]) => !placed.has(id)).map(([, ep]) => ep);
    for (const k of kept) {
      while (k.endpoints.length < maxPerSlice && rest.length) k.endpoints.push(rest.shift()!);
    }
    while (rest.length) kept.push({ slice: undefined, ports: g.ports, endpoints: rest.splice(0, maxPerSlice) });
    // Slices left empty are spare (reused below or deleted).
    for (const k of kept) {
      if (k.endpoints.length === 0 && k.slice) spare.push(k.slice);
      else result.push(k);
    }
  }

  // A service with no endpoints keeps one empty slice (upstream's placeholder).
  if (result.length === 0) result.push({ slice: undefined, ports: [], endpoints: [] });

  spare.sort((a, b) => ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : 1));
  for (const r of result) {
    if (!r.slice && spare.length) r.slice = spare.shift();
    if (!r.slice) {
      plan.create.push(newSlice(service, r.ports, r.endpoints));
      continue;
    }
    const next = withContent(service, r.slice, r.ports, r.endpoints);
    if (!sameContent(next, r.slice)) plan.update.push(next);
  }
  plan.delete.push(...spare);
  return plan;
}

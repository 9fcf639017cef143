// What the endpoints and EndpointSlice controllers read from a pod for a Service (upstream's
// pkg/controller/util/endpoint and podutil.FindPort): whether the pod belongs in the
// endpoints at all, and which port each service port reaches on it.
import type { EndpointPort, ObjectReference, Pod, Service, ServicePort } from '../api/types.js';
import { isPodTerminal } from './pods.js';

/** Has an IP and is not finished; terminating pods only when asked for (upstream's ShouldPodBeInEndpoints). */
export function shouldPodBeInEndpoints(pod: Pod, includeTerminating: boolean): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !(pod.status?.podIPs ?? []).length) return false;
  if (!includeTerminating && pod.metadata.deletionTimestamp) return false;
  return true;
}

export function podIPv4(pod: Pod): string | undefined {
  const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((ip): ip is string => Boolean(ip));
  return ips.find((ip) => !ip.includes(':'));
}

/** The container port a service port reaches on this pod (upstream's FindPort); undefined when the pod has no such named port. */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  const containers = [
    ...(pod.spec.containers ?? []),
    // Sidecars (init containers that keep running) serve ports too.
    ...(pod.spec.initContainers ?? []).filter((c) => (c as { restartPolicy?: string }).restartPolicy === 'Always'),
  ];
  for (const c of containers) {
    for (const p of c.ports ?? []) {
      if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
    }
  }
  return undefined;
}

/** The endpoint ports of this pod for the service: one per service port the pod can serve. */
export function endpointPorts(service: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of service.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
    if (sp.name !== undefined) ep.name = sp.name;
    if (sp.appProtocol) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

export function podReference(pod: Pod): ObjectReference {
  return { kind: 'Pod', namespace: pod.metadata.namespace ?? '', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '' };
}

/** The pod's DNS hostname under this service (spec.hostname with spec.subdomain = the service's name). */
export function podHostname(service: Service, pod: Pod): string | undefined {
  if (pod.spec.hostname && pod.spec.subdomain === service.metadata.name && pod.metadata.namespace === service.metadata.namespace) {
    return pod.spec.hostname;
  }
  return undefined;
}

/** A stable key for a set of ports (pods with the same key share a subset / slice). */
export function portsKey(ports: EndpointPort[]): string {
  return JSON.stringify(
    [...ports]
      .map((p) => [p.name ?? '', p.port, p.protocol ?? 'TCP', p.appProtocol ?? ''])
      .sort((a, b) => (JSON.stringify(a) < JSON.stringify(b) ? -1 : 1)),
  );
}

export function isHeadless(service: Service): boolean {
  return service.spec.clusterIP === 'None';
}

/**
 * Does the endpoints controller manage this service's endpoints? Only services with a selector
 * (an empty one is dropped by the API server's encoding, so it is none), never ExternalName.
 */
export function servesEndpoints(service: Service): boolean {
  return Object.keys(service.spec.selector ?? {}).length > 0 && service.spec.type !== 'ExternalName';
}

export function selectsPod(service: Service, pod: Pod): boolean {
  if (service.metadata.namespace !== pod.metadata.namespace) return false;
  const labels = pod.metadata.labels ?? {};
  const selector = Object.entries(service.spec.selector ?? {});
  return selector.length > 0 && selector.every(([k, v]) => labels[k] === v);
}

/** The service's labels, with the headless marker as upstream sets it on Endpoints and EndpointSlices. */
export function endpointLabels(service: Service): Record<string, string> {
  const labels = { ...(service.metadata.labels ?? {}) };
  if (isHeadless(service)) labels['service.kubernetes.io/headless'] = '';
  else delete labels['service.kubernetes.io/headless'];
  return labels;
}

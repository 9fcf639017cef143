// The core/v1 Endpoints of a Service with a selector, as upstream's endpoints controller
// computes them: each selected pod with an IP, ready ones in `addresses`, the others in
// `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses), terminating pods left
// out (unless publishNotReadyAddresses), ports resolved per pod (a pod without a named port is
// skipped for that port), and addresses with the same ports packed into one subset
// (upstream's RepackSubsets).
import type { EndpointAddress, EndpointPort, EndpointSubset, Pod, Service } from '../api/types.js';
import { endpointPorts, isHeadless, podHostname, podIPv4, podReference, portsKey, shouldPodBeInEndpoints } from './endpoint-pods.js';
import { isPodReady } from './pods.js';

interface Entry {
  address: EndpointAddress;
  ready: boolean;
  ports: EndpointPort[];
}

function addressFor(service: Service, pod: Pod, ip: string): EndpointAddress {
  const a: EndpointAddress = { ip };
  const hostname = podHostname(service, pod);
  if (hostname) a.hostname = hostname;
  if (pod.spec.nodeName) a.nodeName = pod.spec.nodeName;
  a.targetRef = podReference(pod);
  return a;
}

const byIpThenUid = (a: EndpointAddress, b: EndpointAddress): number =>
  a.ip !== b.ip ? (a.ip < b.ip ? -1 : 1) : (a.targetRef?.uid ?? '') < (b.targetRef?.uid ?? '') ? -1 : 1;

const byNameThenPort = (a: EndpointPort, b: EndpointPort): number =>
  (a.name ?? '') !== (b.name ?? '') ? ((a.name ?? '') < (b.name ?? '') ? -1 : 1) : a.port - b.port;

export function desiredSubsets(service: Service, pods: Pod[]): EndpointSubset[] {
  const tolerateUnready = service.spec.publishNotReadyAddresses === true;
  const hasPorts = (service.spec.ports ?? []).length > 0;
  const entries: Entry[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, tolerateUnready)) continue;
    const ip = podIPv4(pod);
    if (!ip) continue;
    const ports = endpointPorts(service, pod);
    // A pod serving none of the ports is not an endpoint, except for a headless service without ports.
    if (hasPorts && ports.length === 0) continue;
    if (!hasPorts && !isHeadless(service)) continue;
    entries.push({ address: addressFor(service, pod, ip), ready: tolerateUnready || isPodReady(pod), ports });
  }

  const groups = new Map<string, EndpointSubset>();
  for (const e of entries) {
    const key = portsKey(e.ports);
    let subset = groups.get(key);
    if (!subset) {
      subset = {};
      if (e.ports.length) subset.ports = [...e.ports].sort(byNameThenPort);
      groups.set(key, subset);
    }
    if (e.ready) (subset.addresses ??= []).push(e.address);
    else (subset.notReadyAddresses ??= []).push(e.address);
  }
  const subsets = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  for (const s of subsets) {
    s.addresses?.sort(byIpThenUid);
    s.notReadyAddresses?.sort(byIpThenUid);
  }
  return subsets;
}

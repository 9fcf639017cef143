// EndpointSlices -> the endpoints of each service port, and which of them take traffic, as
// kube-proxy's endpoint change tracker and categorizeEndpoints() decide it.
import type { EndpointSlice } from '../src/api/types.js';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** One pod address behind one service port. */
export interface EndpointTarget {
  /** `ip:port`. */
  readonly key: string;
  readonly ip: string;
  readonly port: number;
  /** The node the pod runs on; '' when the slice does not say. */
  readonly nodeName: string;
  readonly ready: boolean;
  readonly serving: boolean;
  readonly terminating: boolean;
}

/** `namespace/service` -> port name ('' when unnamed) -> endpoints, sorted by ip then port. */
export type ServiceEndpoints = Map<string, Map<string, EndpointTarget[]>>;

function ipOrder(ip: string): number {
  const p = ip.split('.');
  return ((Number(p[0]) << 24) >>> 0) + (Number(p[1]) << 16) + (Number(p[2]) << 8) + Number(p[3]);
}

function byAddress(a: EndpointTarget, b: EndpointTarget): number {
  return ipOrder(a.ip) - ipOrder(b.ip) || a.port - b.port;
}

/**
 * Groups IPv4 EndpointSlices by the service they name (label kubernetes.io/service-name) and by
 * port name. An endpoint listed twice (two slices during a handover) is kept once, preferring the
 * copy that is ready. Conditions follow the API's rule: a missing `ready` or `serving` means
 * ready / serving; a missing `terminating` means not terminating.
 */
export function groupEndpointSlices(slices: readonly EndpointSlice[]): ServiceEndpoints {
  const out: ServiceEndpoints = new Map();
  for (const slice of slices) {
    const service = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!service || slice.addressType !== 'IPv4' || slice.metadata.deletionTimestamp) continue;
    const svcKey = `${slice.metadata.namespace ?? 'default'}/${service}`;
    let ports = out.get(svcKey);
    if (!ports) {
      ports = new Map();
      out.set(svcKey, ports);
    }
    for (const sp of slice.ports ?? []) {
      if ((sp.protocol ?? 'TCP') !== 'TCP' || typeof sp.port !== 'number' || sp.port <= 0) continue;
      const portName = sp.name ?? '';
      let list = ports.get(portName);
      if (!list) {
        list = [];
        ports.set(portName, list);
      }
      for (const ep of slice.endpoints ?? []) {
        const c = ep.conditions ?? {};
        const ready = c.ready ?? true;
        const serving = c.serving ?? ready;
        const terminating = c.terminating ?? false;
        for (const ip of ep.addresses ?? []) {
          if (typeof ip !== 'string' || !isIPv4(ip)) continue;
          const target: EndpointTarget = { key: `${ip}:${sp.port}`, ip, port: sp.port, nodeName: ep.nodeName ?? '', ready, serving, terminating };
          const i = list.findIndex((t) => t.key === target.key);
          if (i < 0) list.push(target);
          else if (!list[i]!.ready && ready) list[i] = target;
        }
      }
    }
  }
  for (const ports of out.values()) for (const list of ports.values()) list.sort(byAddress);
  return out;
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

export function isIPv4(s: string): boolean {
  return IPV4.test(s);
}

/**
 * The endpoints that take new connections: the ready ones; when none is ready, those still
 * serving while terminating (so a rolling update never drops traffic); otherwise none.
 */
export function usableEndpoints(all: readonly EndpointTarget[]): EndpointTarget[] {
  const ready = all.filter((e) => e.ready);
  if (ready.length > 0) return ready;
  return all.filter((e) => e.serving && e.terminating);
}

/** usableEndpoints() among the endpoints on one node (externalTrafficPolicy / internalTrafficPolicy Local). */
export function usableLocalEndpoints(all: readonly EndpointTarget[], nodeName: string): EndpointTarget[] {
  return usableEndpoints(all.filter((e) => e.nodeName === nodeName));
}

/** What a healthCheckNodePort reports for one node: its ready endpoints of the service (distinct pods). */
export function localReadyEndpointCount(ports: ReadonlyMap<string, readonly EndpointTarget[]> | undefined, nodeName: string): number {
  const ips = new Set<string>();
  for (const list of ports?.values() ?? []) for (const e of list) if (e.ready && e.nodeName === nodeName) ips.add(e.ip);
  return ips.size;
}

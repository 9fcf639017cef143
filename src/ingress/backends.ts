// A route's backend (Service and port by number or name) -> the pod addresses that take requests,
// straight from the EndpointSlices as ingress-nginx does (no ClusterIP hop), one per request in
// round-robin order.
import type { Service, EndpointSlice } from '../api/types.js';
import { groupEndpointSlices, usableEndpoints, type EndpointTarget, type ServiceEndpoints } from '../../proxy/endpoint-slices.js';
import type { RouteBackend } from './routing-table.js';

export interface Backends {
  /** The next pod for a backend, or why there is none (the 503's body). */
  pick(b: RouteBackend): { target: EndpointTarget } | { error: string };
}

export function createBackends(services: () => readonly Service[], slices: () => readonly EndpointSlice[]): Backends & { refresh(): void } {
  let byService: ServiceEndpoints = new Map();
  let svcIndex = new Map<string, Service>();
  const cursors = new Map<string, number>();
  const refresh = (): void => {
    byService = groupEndpointSlices(slices());
    svcIndex = new Map(services().map((s) => [`${s.metadata.namespace ?? 'default'}/${s.metadata.name ?? ''}`, s]));
  };
  refresh();
  return {
    refresh,
    pick(b) {
      const key = `${b.namespace}/${b.service}`;
      const svc = svcIndex.get(key);
      if (!svc) return { error: `service "${key}" not found` };
      const port = (svc.spec.ports ?? []).find((p) => (typeof b.port === 'number' ? p.port === b.port : p.name === b.port));
      if (!port) return { error: `service "${key}" has no port ${JSON.stringify(b.port)}` };
      const ready = usableEndpoints(byService.get(key)?.get(port.name ?? '') ?? []);
      if (ready.length === 0) return { error: `service "${key}" has no ready endpoints for port ${JSON.stringify(b.port)}` };
      const cursorKey = `${key}:${String(b.port)}`;
      const n = cursors.get(cursorKey) ?? 0;
      cursors.set(cursorKey, n + 1);
      return { target: ready[n % ready.length]! };
    },
  };
}

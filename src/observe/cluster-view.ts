// The small, flat views of cluster objects that the dashboard and `loopkube top` show: only the
// fields they display, so a full state of 1,000 pods stays a few hundred kilobytes.
import type { EndpointSlice, Event, Node, Pod, Service } from '../api/types.js';
import type { EndpointAddressView, EndpointsView, EventView, NodeView, PodView, ServiceView } from './protocol.js';

export function nodeView(n: Node): NodeView {
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  return {
    name: n.metadata.name ?? '',
    ip: n.status?.addresses?.find((a) => a.type === 'InternalIP')?.address ?? '',
    ready,
    unschedulable: n.spec?.unschedulable === true,
    podCIDR: n.spec?.podCIDR ?? '',
  };
}

export function podView(p: Pod): PodView {
  const statuses = p.status?.containerStatuses ?? [];
  const readyCond = p.status?.conditions?.find((c) => c.type === 'Ready');
  return {
    key: `${p.metadata.namespace ?? ''}/${p.metadata.name ?? ''}`,
    namespace: p.metadata.namespace ?? '',
    name: p.metadata.name ?? '',
    ip: p.status?.podIP ?? '',
    node: p.spec.nodeName ?? '',
    phase: p.status?.phase ?? 'Pending',
    ready: readyCond?.status === 'True',
    restarts: statuses.reduce((n, s) => n + (s.restartCount ?? 0), 0),
    deleting: !!p.metadata.deletionTimestamp,
  };
}

export function serviceView(s: Service): ServiceView {
  const type = s.spec.type ?? 'ClusterIP';
  const ingress = (s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? i.hostname ?? '').filter((x) => x !== '');
  const externalIPs = [...ingress, ...(s.spec.externalIPs ?? [])];
  return {
    key: `${s.metadata.namespace ?? ''}/${s.metadata.name ?? ''}`,
    namespace: s.metadata.namespace ?? '',
    name: s.metadata.name ?? '',
    type,
    clusterIP: s.spec.clusterIP ?? '',
    ports: (s.spec.ports ?? []).map((p) => ({
      name: p.name ?? '',
      protocol: p.protocol ?? 'TCP',
      port: p.port,
      targetPort: p.targetPort === undefined ? String(p.port) : String(p.targetPort),
      nodePort: p.nodePort ?? null,
    })),
    externalIPs,
    pending: type === 'LoadBalancer' && ingress.length === 0,
    rules: {
      externalTrafficPolicy: type === 'NodePort' || type === 'LoadBalancer' ? (s.spec.externalTrafficPolicy ?? 'Cluster') : '',
      internalTrafficPolicy: s.spec.internalTrafficPolicy ?? 'Cluster',
      sessionAffinity: s.spec.sessionAffinity ?? 'None',
      affinityTimeoutSeconds: s.spec.sessionAffinity === 'ClientIP' ? (s.spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : null,
      healthCheckNodePort: s.spec.healthCheckNodePort ?? null,
      publishNotReadyAddresses: s.spec.publishNotReadyAddresses === true,
    },
  };
}

/**
 * A Service's endpoints from its EndpointSlices (label kubernetes.io/service-name), as kube-proxy
 * reads them: every endpoint with its ready / serving / terminating conditions.
 */
export function endpointsView(key: string, slices: readonly EndpointSlice[]): EndpointsView {
  const addresses: EndpointAddressView[] = [];
  const seen = new Set<string>();
  const ports = new Map<string, { name: string; port: number; protocol: string }>();
  for (const slice of slices) {
    for (const e of slice.endpoints ?? []) {
      const ip = e.addresses?.[0];
      if (!ip || seen.has(ip)) continue;
      seen.add(ip);
      const c = e.conditions ?? {};
      addresses.push({
        ip,
        node: e.nodeName ?? '',
        pod: e.targetRef?.kind === 'Pod' ? (e.targetRef.name ?? '') : '',
        // upstream: a nil ready or serving means true, a nil terminating false
        ready: c.ready !== false,
        serving: c.serving ?? c.ready !== false,
        terminating: c.terminating === true,
      });
    }
    for (const p of slice.ports ?? []) {
      if (p.port === undefined || p.port === null) continue;
      ports.set(`${p.name ?? ''}/${p.port}`, { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' });
    }
  }
  addresses.sort((a, b) => (a.ip < b.ip ? -1 : a.ip > b.ip ? 1 : 0));
  return { key, addresses, ports: [...ports.values()] };
}

export function eventView(e: Event): EventView {
  const ref = e.involvedObject;
  return {
    key: `${e.metadata.namespace ?? ''}/${e.metadata.name ?? ''}`,
    time: e.lastTimestamp ?? e.eventTime ?? e.firstTimestamp ?? e.metadata.creationTimestamp ?? '',
    type: e.type ?? 'Normal',
    reason: e.reason ?? '',
    object: `${ref.kind ?? ''}/${ref.name ?? ''}`,
    namespace: ref.namespace ?? e.metadata.namespace ?? '',
    message: e.message ?? '',
    count: e.count ?? 1,
    source: e.source?.component ?? e.reportingComponent ?? '',
  };
}

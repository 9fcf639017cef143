// Traffic counters, as Envoy keeps them on each listener and each cluster member: per frontend
// (a service port reached one way: clusterIP, nodePort on one node, loadBalancer) and per endpoint
// (a pod's ip:port behind a service port). The data plane bumps plain number fields on objects it
// holds directly; `snapshot()` copies them into a plain object for metrics and for pushing.
import type { Frontend, FrontendKind, RoutingSnapshot, ServicePortRef } from './snapshot.js';

export interface TrafficCounters {
  /** Connections forwarded (frontend: accepted and handed to an endpoint; endpoint: connected). */
  connectionsTotal: number;
  /** Connections open now (an endpoint counts a connection from the moment it is picked). */
  connectionsActive: number;
  /** Bytes from clients towards pods. */
  bytesIn: number;
  /** Bytes from pods back to clients. */
  bytesOut: number;
  /** Dials to a pod that failed (refused, unreachable). */
  connectFailures: number;
  /** Connections turned away: no endpoint to send them to, or a source not allowed. */
  refused: number;
}

/**
 * One client address's connections through a frontend to one endpoint: what the service map
 * draws as client -> frontend -> pod. Counted by the data plane beside the frontend and endpoint
 * counters (bytes both ways together).
 */
export interface FlowTraffic {
  client: string;
  endpoint: string;
  connectionsTotal: number;
  connectionsActive: number;
  bytes: number;
  /** Snapshots in a row that saw it idle and unchanged (pruned past FLOW_IDLE_SNAPSHOTS). */
  idle: number;
  /** connectionsTotal + bytes at the last snapshot. */
  seen: number;
}

/** Distinct (client, endpoint) flows kept per frontend; more clients are counted as 'other'. */
export const MAX_FLOWS_PER_FRONTEND = 512;
/** A flow with no open connection and nothing new for this many snapshots is dropped. */
const FLOW_IDLE_SNAPSHOTS = 30;

export interface FrontendTraffic extends TrafficCounters {
  namespace: string;
  service: string;
  /** The service port's name ('' when unnamed). */
  port: string;
  kind: FrontendKind;
  /** `ip:port` the frontend listens on. */
  address: string;
  /** The node a nodePort frontend belongs to; null for clusterIP and loadBalancer. */
  node: string | null;
  /** By `client|endpoint`. */
  flows?: Map<string, FlowTraffic>;
}

/** What a snapshot carries of a frontend's flows. */
export type FlowSnapshot = Pick<FlowTraffic, 'client' | 'endpoint' | 'connectionsTotal' | 'connectionsActive' | 'bytes'>;

export interface EndpointTraffic extends TrafficCounters {
  namespace: string;
  service: string;
  port: string;
  /** `ip:port` of the pod. */
  endpoint: string;
  node: string | null;
}

/** A plain, JSON-ready copy of every counter at one moment. */
export interface TrafficSnapshot {
  time: string;
  frontends: Array<Omit<FrontendTraffic, 'flows'> & { flows: FlowSnapshot[] }>;
  endpoints: EndpointTraffic[];
}

export interface ServicePortStats {
  readonly ref: ServicePortRef;
  /** Endpoint counters by `ip:port`. */
  readonly endpoints: Map<string, EndpointTraffic>;
}

export interface StatsRegistry {
  frontend(fe: Frontend): FrontendTraffic;
  servicePort(ref: ServicePortRef): ServicePortStats;
  endpoint(sp: ServicePortStats, key: string, node: string): EndpointTraffic;
  /**
   * Drops counters of what is no longer in the snapshot and carries no open connection: of
   * everything, or, when the snapshot lists its changes, of the service ports that changed.
   */
  prune(snapshot: RoutingSnapshot): void;
  snapshot(): TrafficSnapshot;
}

function zero(): TrafficCounters {
  return { connectionsTotal: 0, connectionsActive: 0, bytesIn: 0, bytesOut: 0, connectFailures: 0, refused: 0 };
}

function copyCounters(c: TrafficCounters): TrafficCounters {
  return {
    connectionsTotal: c.connectionsTotal,
    connectionsActive: c.connectionsActive,
    bytesIn: c.bytesIn,
    bytesOut: c.bytesOut,
    connectFailures: c.connectFailures,
    refused: c.refused,
  };
}

/** The counters of one endpoint of a service port, created on first use. */
export function endpointCounters(sp: ServicePortStats, key: string, node: string): EndpointTraffic {
  let s = sp.endpoints.get(key);
  if (!s) {
    s = { namespace: sp.ref.namespace, service: sp.ref.name, port: sp.ref.port, endpoint: key, node: node || null, ...zero() };
    sp.endpoints.set(key, s);
  } else if (node && s.node !== node) {
    s.node = node;
  }
  return s;
}

/** The counters of one client's connections through a frontend to an endpoint, created on first use. */
export function flowCounters(fe: FrontendTraffic, client: string, endpoint: string): FlowTraffic {
  const flows = fe.flows ?? (fe.flows = new Map());
  let key = `${client}|${endpoint}`;
  let f = flows.get(key);
  if (f) return f;
  if (flows.size >= MAX_FLOWS_PER_FRONTEND) {
    client = 'other';
    key = `other|${endpoint}`;
    f = flows.get(key);
    if (f) return f;
  }
  f = { client, endpoint, connectionsTotal: 0, connectionsActive: 0, bytes: 0, idle: 0, seen: 0 };
  flows.set(key, f);
  return f;
}

function snapshotFlows(fe: FrontendTraffic): FlowSnapshot[] {
  const out: FlowSnapshot[] = [];
  if (!fe.flows) return out;
  for (const [key, f] of fe.flows) {
    const seen = f.connectionsTotal + f.bytes;
    if (f.connectionsActive === 0 && seen === f.seen && ++f.idle > FLOW_IDLE_SNAPSHOTS) {
      fe.flows.delete(key);
      continue;
    }
    if (seen !== f.seen || f.connectionsActive > 0) f.idle = 0;
    f.seen = seen;
    out.push({ client: f.client, endpoint: f.endpoint, connectionsTotal: f.connectionsTotal, connectionsActive: f.connectionsActive, bytes: f.bytes });
  }
  return out;
}

export function createStatsRegistry(): StatsRegistry {
  const frontends = new Map<string, FrontendTraffic>();
  const servicePorts = new Map<string, ServicePortStats>();

  return {
    frontend(fe) {
      let s = frontends.get(fe.key);
      if (!s) {
        s = {
          namespace: fe.service.namespace,
          service: fe.service.name,
          port: fe.service.port,
          kind: fe.kind,
          address: `${fe.address}:${fe.port}`,
          node: fe.node ?? null,
          ...zero(),
        };
        frontends.set(fe.key, s);
      }
      return s;
    },

    servicePort(ref) {
      let sp = servicePorts.get(ref.key);
      if (!sp) {
        sp = { ref, endpoints: new Map() };
        servicePorts.set(ref.key, sp);
      }
      return sp;
    },

    endpoint: endpointCounters,

    prune(snap) {
      const scope = snap.changes.servicePorts;
      const liveFrontends = new Set<string>();
      if (scope === null) for (const fe of snap.frontends.values()) liveFrontends.add(fe.key);
      else {
        for (const at of snap.changes.addresses ?? []) {
          const fe = snap.frontends.get(at);
          if (fe) liveFrontends.add(fe.key);
        }
      }
      for (const [key, s] of frontends) {
        if (scope !== null && !scope.has(`${s.namespace}/${s.service}:${s.port}`)) continue;
        if (!liveFrontends.has(key) && s.connectionsActive === 0) frontends.delete(key);
      }
      const prunePort = (key: string, sp: ServicePortStats): void => {
        const live = snap.endpointKeys.get(key);
        for (const [ep, s] of sp.endpoints) {
          if (!live?.has(ep) && s.connectionsActive === 0) sp.endpoints.delete(ep);
        }
        if (!live && sp.endpoints.size === 0) servicePorts.delete(key);
      };
      if (scope === null) for (const [key, sp] of servicePorts) prunePort(key, sp);
      else {
        for (const key of scope) {
          const sp = servicePorts.get(key);
          if (sp) prunePort(key, sp);
        }
      }
    },

    snapshot() {
      const out: TrafficSnapshot = { time: new Date().toISOString(), frontends: [], endpoints: [] };
      for (const s of frontends.values()) {
        out.frontends.push({ namespace: s.namespace, service: s.service, port: s.port, kind: s.kind, address: s.address, node: s.node, ...copyCounters(s), flows: snapshotFlows(s) });
      }
      for (const sp of servicePorts.values()) {
        for (const s of sp.endpoints.values()) {
          out.endpoints.push({ namespace: s.namespace, service: s.service, port: s.port, endpoint: s.endpoint, node: s.node, ...copyCounters(s) });
        }
      }
      return out;
    },
  };
}

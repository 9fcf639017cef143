// Where a new connection goes. The snapshot is pure data; the router adds what must outlive a
// snapshot swap (round-robin cursors, session-affinity pins, counters), compiling each frontend
// into an ActiveFrontend that its listener consults on every accept.
import type { BalancingMode } from '../src/cluster/config.js';
import { createAffinityTable, createBalancer, type AffinityTable, type Balancer } from './balancer/index.js';
import type { EndpointTarget } from './endpoint-slices.js';
import { dialAddress, sourceNode, type ClusterSources } from './source-ip.js';
import type { Frontend, NodeTarget, RoutingSnapshot, ServicePortRef } from './snapshot.js';
import { endpointCounters, flowCounters, type EndpointTraffic, type FlowTraffic, type FrontendTraffic, type ServicePortStats, type StatsRegistry } from './stats.js';

/** Where to send one connection. */
export interface Dial {
  readonly endpoint: EndpointTarget;
  readonly stats: EndpointTraffic;
  /** The address the proxy dials the pod from (what the pod sees as its client). */
  readonly localAddress: string;
  /** This client's connections through the frontend to the endpoint (the service map's edges). */
  readonly flow: FlowTraffic;
}

/** What a listener consults on each accept; replaced (not mutated) on every snapshot swap. */
export interface ActiveFrontend {
  readonly frontend: Frontend;
  readonly stats: FrontendTraffic;
  readonly servicePort: ServicePortStats;
  readonly sources: ClusterSources;
  readonly state: FrontendState;
  readonly affinity: AffinityTable | null;
  /**
   * Whether routing depends on the client's address: the inside-only rule of ClusterIP, a dial
   * from the client's IP (ClusterIP, Local policies), or session affinity. When it does not
   * (NodePort / LoadBalancer with Cluster policy), the listener skips asking for it.
   */
  readonly needsClientIP: boolean;
}

/** Balancing state of one frontend, kept across swaps while the frontend exists. */
export interface FrontendState {
  readonly mode: BalancingMode;
  readonly load: (e: EndpointTarget) => number;
  readonly balancer: Balancer;
  /** Per node (internalTrafficPolicy Local by client node; LoadBalancer Local by receiving node). */
  readonly nodeBalancers: Map<string, Balancer>;
  /** LoadBalancer: the next node in rotation. */
  nodeCursor: number;
}

export interface Router {
  /**
   * Compiles a snapshot: listener address `ip:port` -> ActiveFrontend. When the snapshot lists
   * its changes and follows the one compiled last, only the changed addresses are compiled again
   * (the map returned is the same one, updated); otherwise everything is.
   */
  compile(snapshot: RoutingSnapshot): Map<string, ActiveFrontend>;
  /** The addresses the last compile changed (null: all of them). */
  changed(): ReadonlySet<string> | null;
  /** Drops expired affinity pins. */
  sweep(nowMs: number): void;
}

const NONE: readonly EndpointTarget[] = Object.freeze([]);

interface AffinityEntry {
  seconds: number;
  table: AffinityTable;
  /** Frontends using it (a full compile recounts). */
  users: number;
}

export function createRouter(mode: BalancingMode, stats: StatsRegistry): Router {
  let states = new Map<string, FrontendState>();
  let affinities = new Map<string, AffinityEntry>();
  let compiled = new Map<string, ActiveFrontend>();
  let last: RoutingSnapshot | null = null;
  let lastChanged: ReadonlySet<string> | null = null;

  const newState = (ref: ServicePortRef): FrontendState => {
    const load = (e: EndpointTarget): number => stats.servicePort(ref).endpoints.get(e.key)?.connectionsActive ?? 0;
    return { mode, load, balancer: createBalancer(mode, load), nodeBalancers: new Map(), nodeCursor: 0 };
  };

  /** One frontend, with the state it keeps across swaps (found in `fromStates` / `fromAffinities`, recorded in the `into` maps). */
  const compileOne = (
    fe: Frontend,
    snapshot: RoutingSnapshot,
    fromStates: Map<string, FrontendState>,
    intoStates: Map<string, FrontendState>,
    fromAffinities: Map<string, AffinityEntry>,
    intoAffinities: Map<string, AffinityEntry>,
  ): ActiveFrontend => {
    const state = fromStates.get(fe.key) ?? intoStates.get(fe.key) ?? newState(fe.service);
    intoStates.set(fe.key, state);
    let affinity: AffinityTable | null = null;
    if (fe.affinitySeconds !== null) {
      // One pin table per service port, shared by all its frontends, as kube-proxy's
      // per-service `recent` lists.
      let a = intoAffinities.get(fe.service.key) ?? fromAffinities.get(fe.service.key);
      if (!a || a.seconds !== fe.affinitySeconds) a = { seconds: fe.affinitySeconds, table: createAffinityTable(fe.affinitySeconds), users: 0 };
      if (intoAffinities.get(fe.service.key) !== a) a.users = 0;
      a.users++;
      intoAffinities.set(fe.service.key, a);
      affinity = a.table;
    }
    return {
      frontend: fe,
      stats: stats.frontend(fe),
      servicePort: stats.servicePort(fe.service),
      sources: snapshot.sources,
      state,
      affinity,
      needsClientIP: needsClientIP(fe),
    };
  };

  const release = (old: ActiveFrontend, next: Frontend | undefined): void => {
    if (next?.key !== old.frontend.key) states.delete(old.frontend.key);
    const svc = old.frontend.service.key;
    const a = old.affinity ? affinities.get(svc) : undefined;
    if (a && a.table === old.affinity && --a.users <= 0) affinities.delete(svc);
  };

  return {
    compile(snapshot) {
      const changes = snapshot.changes.addresses;
      if (changes !== null && last !== null) {
        for (const at of changes) {
          const fe = snapshot.frontends.get(at);
          const old = compiled.get(at);
          if (old?.frontend === fe) continue;
          if (old) release(old, fe);
          if (fe) compiled.set(at, compileOne(fe, snapshot, states, states, affinities, affinities));
          else compiled.delete(at);
        }
        last = snapshot;
        lastChanged = changes;
        return compiled;
      }
      const out = new Map<string, ActiveFrontend>();
      const nextStates = new Map<string, FrontendState>();
      const nextAffinities = new Map<string, AffinityEntry>();
      for (const [at, fe] of snapshot.frontends) out.set(at, compileOne(fe, snapshot, states, nextStates, affinities, nextAffinities));
      states = nextStates;
      affinities = nextAffinities;
      compiled = out;
      last = snapshot;
      lastChanged = null;
      return out;
    },
    changed: () => lastChanged,
    sweep(nowMs) {
      for (const a of affinities.values()) a.table.sweep(nowMs);
    },
  };
}

function needsClientIP(fe: Frontend): boolean {
  if (fe.affinitySeconds !== null) return true;
  const r = fe.route;
  if (r.kind === 'clusterIP') return true;
  if (r.kind === 'nodePort') return !r.target.snat;
  return r.local;
}

function nodeBalancer(state: FrontendState, node: string): Balancer {
  let b = state.nodeBalancers.get(node);
  if (!b) {
    b = createBalancer(state.mode, state.load);
    state.nodeBalancers.set(node, b);
  }
  return b;
}

function without(candidates: readonly EndpointTarget[], tried: readonly string[]): readonly EndpointTarget[] {
  return candidates.filter((c) => !tried.includes(c.key));
}

function choose(
  fe: ActiveFrontend,
  balancer: Balancer,
  candidates: readonly EndpointTarget[],
  clientIP: string,
  tried: readonly string[] | null,
): EndpointTarget | undefined {
  const pool = tried ? without(candidates, tried) : candidates;
  if (pool.length === 0) return undefined;
  const affinity = fe.affinity;
  if (affinity === null) return balancer.pick(pool);
  const now = Date.now();
  const pinned = affinity.lookup(clientIP, pool, now);
  if (pinned) return pinned;
  const chosen = balancer.pick(pool);
  if (chosen) affinity.remember(clientIP, chosen, now);
  return chosen;
}

function dialFor(fe: ActiveFrontend, endpoint: EndpointTarget | undefined, localAddress: string, clientIP: string): Dial | null {
  if (!endpoint) return null;
  return { endpoint, stats: endpointCounters(fe.servicePort, endpoint.key, endpoint.nodeName), localAddress, flow: flowCounters(fe.stats, clientIP, endpoint.key) };
}

/** Which node of a LoadBalancer route holds the client's pinned endpoint (Local policy). */
function pinnedNode(fe: ActiveFrontend, nodes: readonly NodeTarget[], clientIP: string): NodeTarget | undefined {
  if (fe.affinity === null) return undefined;
  const now = Date.now();
  for (const t of nodes) if (fe.affinity.lookup(clientIP, t.endpoints, now)) return t;
  return undefined;
}

/**
 * Where a new connection from `clientIP` goes, or null to refuse it (a ClusterIP reached from
 * outside the cluster, no endpoint, or no node in rotation). `tried` lists endpoints that already
 * refused this connection, so a retry goes elsewhere.
 */
export function routeConnection(fe: ActiveFrontend, clientIP: string, tried: readonly string[] | null): Dial | null {
  const route = fe.frontend.route;
  const state = fe.state;
  switch (route.kind) {
    case 'clusterIP': {
      const node = sourceNode(fe.sources, clientIP);
      if (node === null) return null;
      if (route.nodeLocal) {
        const local = route.endpointsByNode.get(node) ?? NONE;
        return dialFor(fe, choose(fe, nodeBalancer(state, node), local, clientIP, tried), clientIP, clientIP);
      }
      return dialFor(fe, choose(fe, state.balancer, route.endpoints, clientIP, tried), clientIP, clientIP);
    }
    case 'nodePort': {
      const t = route.target;
      return dialFor(fe, choose(fe, state.balancer, t.endpoints, clientIP, tried), dialAddress(t.snat, t.ip, clientIP), clientIP);
    }
    case 'loadBalancer': {
      const nodes = route.nodes;
      const n = nodes.length;
      if (n === 0) return null;
      let t = route.local ? pinnedNode(fe, nodes, clientIP) : undefined;
      if (!t) {
        if (state.nodeCursor >= n) state.nodeCursor %= n;
        t = nodes[state.nodeCursor]!;
        state.nodeCursor = state.nodeCursor + 1 === n ? 0 : state.nodeCursor + 1;
      }
      const from = dialAddress(t.snat, t.ip, clientIP);
      if (route.local) return dialFor(fe, choose(fe, nodeBalancer(state, t.node), t.endpoints, clientIP, tried), from, clientIP);
      return dialFor(fe, choose(fe, state.balancer, route.endpoints, clientIP, tried), from, clientIP);
    }
  }
}

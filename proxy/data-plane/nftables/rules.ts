// The nftables data plane's rules, rendered from the routing snapshot as kube-proxy's nftables
// proxier writes them (pkg/proxy/nftables/proxier.go), for one service port at a time (a "unit"),
// so a change re-renders only the ports it touched.
//
// What a connection meets, all in the cluster's own table, in the `output` hook (on loopback
// every connection is locally generated: the packet never leaves lo, so route_localnet is not
// needed and no `prerouting` rule would ever see it):
//   filter-output (priority -110,       a new connection to a ClusterIP from outside the cluster
//    before dstnat)                     (not a node IP, not in a pod CIDR) is rejected (TCP reset)
//   nat-output (dstnat, -100)               `ip daddr . tcp dport vmap @frontends` -> the frontend's
//                                       chain: ClusterIP, NodePort on one node, load-balancer IP
//   fe-*                                the frontend: marks the connection for SNAT to a node
//                                       (NodePort and LoadBalancer with Cluster policy; a load
//                                       balancer picks the node round-robin), or keeps the client
//                                       IP (ClusterIP, Local policies); then the endpoints to use
//   sel-*                               session-affinity pins first, then one endpoint
//                                       (`numgen inc` round-robin, or `numgen random`); with no
//                                       endpoint, a TCP reset
//   ep-*                                counts, remembers the client for affinity, DNATs to the pod
//   nat-postrouting (srcnat)            SNAT to the marked node's IP
//   count-output (after dnat)           bytes each way, per frontend and per endpoint; and per
//                                       flow (client . frontend . endpoint: connections, bytes),
//                                       in two dynamic sets with a counter per element
// Counters are named objects, read back into the same stats the userspace planes keep.
import { createHash } from 'node:crypto';
import type { EndpointTarget } from '../../endpoint-slices.js';
import type { Frontend, NodeTarget } from '../../snapshot.js';
import type { ClusterSources } from '../../source-ip.js';

/** A set or map of the table's own whose elements the units fill. */
export type Container = 'frontends' | 'clusterips' | 'refused' | 'fe-conns' | 'fe-bytes-in' | 'fe-bytes-out' | 'ep-bytes-in' | 'ep-bytes-out' | 'snat-nodes' | 'cluster-sources';

export interface Chain {
  readonly comment: string;
  readonly rules: readonly string[];
}

/** Everything one unit (a service port, or the cluster-wide part) puts in the table. */
export interface Unit {
  readonly chains: ReadonlyMap<string, Chain>;
  readonly counters: ReadonlySet<string>;
  /** Affinity sets: name -> its definition. */
  readonly sets: ReadonlyMap<string, string>;
  /** Container -> element key -> value ('' for a plain set). */
  readonly elements: ReadonlyMap<Container, ReadonlyMap<string, string>>;
  /** Where each frontend's and endpoint's counters are (to read them back). */
  readonly stats: UnitStats;
}

export interface FrontendCounters {
  readonly frontend: Frontend;
  readonly connections: string;
  readonly refused: string;
  readonly bytesIn: string;
  readonly bytesOut: string;
}

export interface EndpointCounters {
  readonly endpoint: EndpointTarget;
  readonly connections: string;
  readonly bytesIn: string;
  readonly bytesOut: string;
}

export interface UnitStats {
  readonly frontends: readonly FrontendCounters[];
  readonly endpoints: readonly EndpointCounters[];
}

export interface RenderContext {
  /** round-robin: `numgen inc`; random: `numgen random` (kube-proxy's). */
  readonly mode: 'round-robin' | 'random';
  /** The packet mark that asks nat-postrouting to SNAT to this node's IP. */
  markOf(node: string): string;
}

/** Short, stable object names: `<prefix>-<12 base32 of sha256(key)>` (kube-proxy hashes its names too). */
export function nftName(prefix: string, key: string): string {
  const h = createHash('sha256').update(key).digest('base64url').replace(/[-_]/g, 'x').slice(0, 12).toLowerCase();
  return `${prefix}-${h}`;
}

/**
 * `0xHHHH0000`, from the table's name: the packet marks of this table (its nodes' SNAT marks are
 * this plus 1, 2, ...). The high half keeps clear of kube-proxy's own mark bits (0x4000, 0x8000).
 */
export function markTagOf(table: string): number {
  const h = Number.parseInt(createHash('sha256').update(table).digest('hex').slice(0, 4), 16);
  return (((h & 0xfffe) | 0x1) << 16) >>> 0;
}

/** A mark as nft writes it. */
export const hex32 = (n: number): string => `0x${(n >>> 0).toString(16).padStart(8, '0')}`;

const quote = (s: string): string => `"${s.replace(/["\\]/g, '')}"`;

/** Reject, counted on the frontend the connection was for (the packet still carries its address). */
const REJECT = 'counter name ip daddr . tcp dport map @refused reject with tcp reset';

function numgen(mode: RenderContext['mode'], n: number): string {
  return `numgen ${mode === 'random' ? 'random' : 'inc'} mod ${n}`;
}

/** Renders one service port's frontends (all of them: its ClusterIPs, NodePorts, load-balancer IPs). */
export function renderUnit(portKey: string, frontends: readonly Frontend[], sources: ClusterSources, ctx: RenderContext): Unit {
  const chains = new Map<string, Chain>();
  const counters = new Set<string>();
  const sets = new Map<string, string>();
  const elements = new Map<Container, Map<string, string>>();
  const element = (c: Container, key: string, value = ''): void => {
    let m = elements.get(c);
    if (!m) elements.set(c, (m = new Map()));
    m.set(key, value);
  };
  const feStats: FrontendCounters[] = [];
  const epStats = new Map<string, EndpointCounters>();
  const affinity = frontends[0]?.affinitySeconds ?? null;

  const epId = (ep: EndpointTarget): string => `${portKey}|${ep.key}`;
  const epChain = (ep: EndpointTarget): string => nftName('ep', epId(ep));
  const affinitySet = (ep: EndpointTarget): string => nftName('af', `${epId(ep)}|${affinity}`);

  /** The endpoint's chain, counters and affinity set (once per unit). */
  const endpoint = (ep: EndpointTarget): string => {
    const name = epChain(ep);
    if (chains.has(name)) return name;
    const c = { endpoint: ep, connections: nftName('ec', epId(ep)), bytesIn: nftName('ei', epId(ep)), bytesOut: nftName('eo', epId(ep)) };
    epStats.set(ep.key, c);
    counters.add(c.connections).add(c.bytesIn).add(c.bytesOut);
    const rules = [`counter name ${quote(c.connections)}`, 'counter name ip daddr . tcp dport map @fe-conns'];
    if (affinity !== null) {
      sets.set(affinitySet(ep), `type ipv4_addr; flags dynamic,timeout; timeout ${affinity}s;`);
      rules.push(`update @${affinitySet(ep)} { ip saddr }`);
    }
    rules.push(`meta l4proto tcp dnat to ${ep.ip}:${ep.port}`);
    chains.set(name, { comment: `${portKey} endpoint ${ep.key}`, rules });
    return name;
  };

  /** Pins first (session affinity), then one of the endpoints; none: reset. */
  const pick = (eps: readonly EndpointTarget[]): string[] => {
    const rules: string[] = [];
    if (affinity !== null) for (const ep of eps) rules.push(`ip saddr @${affinitySet(ep)} goto ${endpoint(ep)}`);
    if (eps.length === 0) rules.push(REJECT);
    else if (eps.length === 1) rules.push(`goto ${endpoint(eps[0]!)}`);
    else rules.push(`${numgen(ctx.mode, eps.length)} vmap { ${eps.map((ep, i) => `${i} : goto ${endpoint(ep)}`).join(', ')} }`);
    return rules;
  };

  /** A selection chain over `eps`, shared by the unit's frontends that use the same set. */
  const selection = (variant: string, eps: readonly EndpointTarget[]): string => {
    const name = nftName('sel', `${portKey}|${variant}`);
    if (!chains.has(name)) chains.set(name, { comment: `${portKey} ${variant} endpoints`, rules: pick(eps) });
    return name;
  };
  const local = (t: NodeTarget): string => selection(`local ${t.node}`, t.endpoints);

  for (const fe of frontends) {
    const at = `${fe.address} . ${fe.port}`;
    const name = nftName('fe', fe.key);
    const c: FrontendCounters = { frontend: fe, connections: nftName('fc', fe.key), refused: nftName('fr', fe.key), bytesIn: nftName('fi', fe.key), bytesOut: nftName('fo', fe.key) };
    feStats.push(c);
    counters.add(c.connections).add(c.refused).add(c.bytesIn).add(c.bytesOut);
    element('frontends', at, `goto ${name}`);
    element('refused', at, quote(c.refused));
    element('fe-conns', at, quote(c.connections));
    element('fe-bytes-in', at, quote(c.bytesIn));
    element('fe-bytes-out', at, quote(c.bytesOut));

    const rules: string[] = [];
    const r = fe.route;
    const endpointsOf = (): readonly EndpointTarget[] => {
      switch (r.kind) {
        case 'clusterIP':
          return r.nodeLocal ? [...r.endpointsByNode.values()].flat() : r.endpoints;
        case 'nodePort':
          return r.target.endpoints;
        case 'loadBalancer':
          return r.local ? r.nodes.flatMap((n) => n.endpoints) : r.endpoints;
      }
    };
    switch (r.kind) {
      case 'clusterIP': {
        element('clusterips', at);
        if (!r.nodeLocal) {
          rules.push(`goto ${selection('cluster', r.endpoints)}`);
          break;
        }
        // internalTrafficPolicy Local: the client's own node (its IP, or its pod CIDR) decides.
        const branches: string[] = [];
        for (const [ip, node] of ipsOf(sources)) {
          const eps = r.endpointsByNode.get(node);
          if (eps?.length) branches.push(`${ip} : goto ${selection(`local ${node}`, eps)}`);
        }
        if (branches.length) rules.push(`ip saddr vmap { ${branches.join(', ')} }`);
        rules.push(REJECT);
        break;
      }
      case 'nodePort': {
        const t = r.target;
        if (t.snat) rules.push(`meta mark set ${ctx.markOf(t.node)}`, `goto ${selection('cluster', t.endpoints)}`);
        else rules.push(`goto ${local(t)}`);
        break;
      }
      case 'loadBalancer': {
        const nodes = r.nodes;
        if (nodes.length === 0) {
          rules.push(REJECT);
          break;
        }
        if (!r.local) {
          rules.push(
            nodes.length === 1
              ? `meta mark set ${ctx.markOf(nodes[0]!.node)}`
              : `meta mark set ${numgen(ctx.mode, nodes.length)} map { ${nodes.map((n, i) => `${i} : ${ctx.markOf(n.node)}`).join(', ')} }`,
            `goto ${selection('cluster', r.endpoints)}`,
          );
          break;
        }
        // Local: a pinned client goes back to its endpoint, on whichever node; others rotate over the nodes with one.
        if (affinity !== null) for (const t of nodes) for (const ep of t.endpoints) rules.push(`ip saddr @${affinitySet(ep)} goto ${endpoint(ep)}`);
        rules.push(nodes.length === 1 ? `goto ${local(nodes[0]!)}` : `${numgen(ctx.mode, nodes.length)} vmap { ${nodes.map((t, i) => `${i} : goto ${local(t)}`).join(', ')} }`);
        break;
      }
    }
    for (const ep of endpointsOf()) {
      endpoint(ep);
      const counter = epStats.get(ep.key)!;
      element('ep-bytes-in', `${at} . ${ep.ip} . ${ep.port}`, quote(counter.bytesIn));
      element('ep-bytes-out', `${at} . ${ep.ip} . ${ep.port}`, quote(counter.bytesOut));
    }
    chains.set(name, { comment: `${portKey} ${fe.kind} ${fe.address}:${fe.port}${fe.node ? ` on ${fe.node}` : ''}`, rules });
  }
  return { chains, counters, sets, elements, stats: { frontends: feStats, endpoints: [...epStats.values()] } };
}

/** The cluster's own addresses as nft set elements with the node each belongs to: node IPs, then pod CIDRs. */
function ipsOf(sources: ClusterSources): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const [n, node] of sources.nodeIPs) out.push([dotted(n), node]);
  for (const r of sources.podRanges) out.push([`${dotted(r.base)}/${prefixLength(r.mask)}`, r.node]);
  return out;
}

function dotted(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

function prefixLength(mask: number): number {
  let bits = 0;
  for (let m = mask >>> 0; m & 0x80000000; m = (m << 1) >>> 0) bits++;
  return bits;
}

/** The cluster-wide part: who is inside the cluster, and where each node mark SNATs to. */
export function renderCluster(sources: ClusterSources, nodes: ReadonlyArray<{ name: string; ip: string | undefined }>, ctx: RenderContext): Unit {
  const elements = new Map<Container, Map<string, string>>();
  elements.set('cluster-sources', new Map(ipsOf(sources).map(([ip]) => [ip, ''])));
  elements.set('snat-nodes', new Map(nodes.filter((n) => n.ip).map((n) => [ctx.markOf(n.name), n.ip!])));
  return { chains: new Map(), counters: new Set(), sets: new Map(), elements, stats: { frontends: [], endpoints: [] } };
}

/** Per-flow counters (client . frontend ip . port . endpoint ip . port): connections (the first packet of each), bytes. */
export const FLOW_CONNECTIONS_SET = 'flow-conns';
export const FLOW_BYTES_SET = 'flow-bytes';
/** Idle flows leave the kernel's sets after this (an update refreshes it); the stats keep their totals. */
export const FLOW_TIMEOUT_S = 600;
/** Elements per flow set (a full set counts no new flow; the traffic still flows). */
export const FLOW_SET_SIZE = 65536;
const FLOW_SET_SPEC = `type ipv4_addr . ipv4_addr . inet_service . ipv4_addr . inet_service; flags dynamic,timeout; timeout ${FLOW_TIMEOUT_S}s; size ${FLOW_SET_SIZE}; counter;`;
/** The flow of a packet going client -> pod (after DNAT: its destination is the endpoint). */
const FLOW_KEY_ORIGINAL = 'ct original ip saddr . ct original ip daddr . ct original proto-dst . ip daddr . tcp dport';

/** The table's fixed part: sets, maps and base chains, created once by a proxy when it starts. */
export function baseDefinitions(table: string, comment: string, markTag: string): string {
  return [
    `table ip ${table} {`,
    `  comment ${quote(comment)}`,
    '  set cluster-sources { type ipv4_addr; flags interval; }',
    '  set clusterips { type ipv4_addr . inet_service; }',
    '  map frontends { type ipv4_addr . inet_service : verdict; }',
    '  map refused { type ipv4_addr . inet_service : counter; }',
    '  map fe-conns { type ipv4_addr . inet_service : counter; }',
    '  map fe-bytes-in { type ipv4_addr . inet_service : counter; }',
    '  map fe-bytes-out { type ipv4_addr . inet_service : counter; }',
    '  map ep-bytes-in { type ipv4_addr . inet_service . ipv4_addr . inet_service : counter; }',
    '  map ep-bytes-out { type ipv4_addr . inet_service . ipv4_addr . inet_service : counter; }',
    '  map snat-nodes { type mark : ipv4_addr; }',
    `  set ${FLOW_CONNECTIONS_SET} { ${FLOW_SET_SPEC} }`,
    `  set ${FLOW_BYTES_SET} { ${FLOW_SET_SPEC} }`,
    '  chain filter-output {',
    '    type filter hook output priority -110; policy accept;',
    `    ct state new ip daddr . tcp dport @clusterips ip saddr != @cluster-sources ${REJECT}`,
    '  }',
    '  chain nat-output {',
    '    type nat hook output priority -100; policy accept;',
    '    ip protocol tcp ip daddr . tcp dport vmap @frontends',
    '  }',
    '  chain nat-postrouting {',
    '    type nat hook postrouting priority 100; policy accept;',
    `    meta mark & 0xffff0000 == ${markTag} snat ip to meta mark map @snat-nodes`,
    '  }',
    '  chain count-output {',
    '    type filter hook output priority -90; policy accept;',
    '    meta l4proto tcp ct status dnat ct direction original counter name ct original ip daddr . ct original proto-dst map @fe-bytes-in',
    '    meta l4proto tcp ct status dnat ct direction original counter name ct original ip daddr . ct original proto-dst . ip daddr . tcp dport map @ep-bytes-in',
    '    meta l4proto tcp ct status dnat ct direction reply counter name ct original ip daddr . ct original proto-dst map @fe-bytes-out',
    '    meta l4proto tcp ct status dnat ct direction reply counter name ct original ip daddr . ct original proto-dst . ip saddr . tcp sport map @ep-bytes-out',
    // last: a full flow set stops only its own rule
    `    meta l4proto tcp ct status dnat ct state new update @${FLOW_CONNECTIONS_SET} { ${FLOW_KEY_ORIGINAL} }`,
    `    meta l4proto tcp ct status dnat ct direction original update @${FLOW_BYTES_SET} { ${FLOW_KEY_ORIGINAL} }`,
    `    meta l4proto tcp ct status dnat ct direction reply update @${FLOW_BYTES_SET} { ct original ip saddr . ct original ip daddr . ct original proto-dst . ip saddr . tcp sport }`,
    '  }',
    '}',
  ].join('\n');
}

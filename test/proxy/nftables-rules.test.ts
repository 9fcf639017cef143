// The nftables data plane's rules for each service shape, and the transactions between two sets
// of them: a table of shapes (what a connection meets, read from the chains), then the diffs a
// change produces (only what differs is touched; a chain that goes is flushed first and deleted
// in a later transaction, as kube-proxy does). Applying them for real is the proxy suite's job
// (service-proxy.test.ts runs on this plane too).
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../../src/api/types.js';
import { hex32, markTagOf, renderUnit, type Unit } from '../../proxy/data-plane/nftables/rules.js';
import { buildTransaction } from '../../proxy/data-plane/nftables/transaction.js';
import { buildSnapshot, type Frontend, type RoutingSnapshot } from '../../proxy/snapshot.js';
import { ep, readyNodes, service, slice, withIngress } from './fixtures.js';

const ctx = { mode: 'round-robin' as const, markOf: (node: string) => `0x4c4b000${node.slice(-1)}` };

function units(services: Service[], slices: EndpointSlice[]): { snap: RoutingSnapshot; units: Map<string, Unit> } {
  const snap = buildSnapshot({ services, endpointSlices: slices, nodes: readyNodes() });
  const byPort = new Map<string, Frontend[]>();
  for (const fe of snap.frontends.values()) byPort.set(fe.service.key, [...(byPort.get(fe.service.key) ?? []), fe]);
  return { snap, units: new Map([...byPort].map(([k, fes]) => [k, renderUnit(k, fes, snap.sources, ctx)])) };
}

/** What a connection to `at` meets: the frontend chain's rules, then each chain it goes to, by kind. */
function path(unit: Unit, at: string): string[] {
  const fe = unit.elements.get('frontends')!.get(at)!.replace('goto ', '');
  const out: string[] = [];
  const visit = (name: string, depth: number): void => {
    const chain = unit.chains.get(name)!;
    for (const r of chain.rules) {
      out.push(`${'  '.repeat(depth)}${r.replace(/(ep|sel|af|ec|fc)-[a-z0-9]{12}/g, '$1')}`);
      for (const m of r.matchAll(/goto ((?:sel|ep)-[a-z0-9]{12})/g)) if (m[1]!.startsWith('sel')) visit(m[1]!, depth + 1);
    }
  };
  visit(fe, 0);
  return out;
}

const rows: Array<{ rule: string; services: Service[]; slices: EndpointSlice[]; at: string; want: string[] }> = [
  {
    rule: 'ClusterIP: round-robin over the ready endpoints, the client IP kept',
    services: [service('web', {})],
    slices: [slice('web', [ep(1, 5), ep(2, 5)])],
    at: '127.96.0.10 . 80',
    want: ['goto sel', '  numgen inc mod 2 vmap { 0 : goto ep, 1 : goto ep }'],
  },
  {
    rule: 'NodePort with Cluster policy: marked for SNAT to the node that took it',
    services: [service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    slices: [slice('np', [ep(1, 5)])],
    at: '127.10.0.2 . 30080',
    want: ['meta mark set 0x4c4b0002', 'goto sel', '  goto ep'],
  },
  {
    rule: 'NodePort with Local policy on a node without an endpoint: a reset, counted as refused',
    services: [service('loc', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] })],
    slices: [slice('loc', [ep(1, 5)])],
    at: '127.10.0.3 . 30081',
    want: ['goto sel', '  counter name ip daddr . tcp dport map @refused reject with tcp reset'],
  },
  {
    rule: 'internalTrafficPolicy Local: the client’s node (its IP or pod CIDR) picks the endpoints, others get a reset',
    services: [service('itp', { internalTrafficPolicy: 'Local' })],
    slices: [slice('itp', [ep(1, 5)])],
    at: '127.96.0.10 . 80',
    want: ['ip saddr vmap { 127.10.0.1 : goto sel, 127.244.1.0/24 : goto sel }', '  goto ep', '  goto ep', 'counter name ip daddr . tcp dport map @refused reject with tcp reset'],
  },
  {
    rule: 'LoadBalancer with Cluster policy: a node picked round-robin for SNAT, then one rotation over every endpoint',
    services: [withIngress(service('lb', { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30090 }] }), '127.200.0.9')],
    slices: [slice('lb', [ep(1, 5), ep(3, 5)])],
    at: '127.200.0.9 . 80',
    want: ['meta mark set numgen inc mod 3 map { 0 : 0x4c4b0001, 1 : 0x4c4b0002, 2 : 0x4c4b0003 }', 'goto sel', '  numgen inc mod 2 vmap { 0 : goto ep, 1 : goto ep }'],
  },
  {
    rule: 'sessionAffinity ClientIP: a pinned client goes back to its endpoint first',
    services: [service('aff', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })],
    slices: [slice('aff', [ep(1, 5), ep(2, 5)])],
    at: '127.96.0.10 . 80',
    want: ['goto sel', '  ip saddr @af goto ep', '  ip saddr @af goto ep', '  numgen inc mod 2 vmap { 0 : goto ep, 1 : goto ep }'],
  },
];

describe('nftables rules per service shape', () => {
  for (const row of rows) {
    it(row.rule, () => {
      const { units: u } = units(row.services, row.slices);
      const unit = [...u.values()].find((x) => x.elements.get('frontends')?.has(row.at))!;
      expect(path(unit, row.at)).toEqual(row.want);
    });
  }

  it('an endpoint chain counts, remembers the client for affinity, and DNATs', () => {
    const { units: u } = units([service('aff', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } })], [slice('aff', [ep(1, 5)])]);
    const unit = [...u.values()][0]!;
    const epChain = [...unit.chains].find(([name]) => name.startsWith('ep-'))![1];
    expect(epChain.rules.map((r) => r.replace(/(ec|af)-[a-z0-9]{12}/g, '$1'))).toEqual([
      'counter name "ec"',
      'counter name ip daddr . tcp dport map @fe-conns',
      'update @af { ip saddr }',
      'meta l4proto tcp dnat to 127.244.1.5:8080',
    ]);
    expect([...unit.sets.values()]).toEqual(['type ipv4_addr; flags dynamic,timeout; timeout 60s;']);
  });
});

describe('nftables packet marks', () => {
  it('are 32-bit hex with the table’s own high half, whatever the table is called', () => {
    for (let i = 0; i < 500; i++) {
      const tag = markTagOf(`loopkube-test-${i}-${(i * 2654435761) % 4294967296}`);
      expect(hex32(tag)).toMatch(/^0x[0-9a-f]{4}0000$/);
      expect(hex32(tag | 3)).toMatch(/^0x[0-9a-f]{4}0003$/);
      expect(tag & 0xffff).toBe(0);
      expect(tag).toBeGreaterThan(0);
    }
  });
});

describe('nftables transactions', () => {
  const web = service('web', {});
  const two = slice('web', [ep(1, 5), ep(2, 5)]);
  const before = [...units([web], [two]).units.values()][0]!;

  it('nothing to do when nothing changed', () => {
    const again = [...units([web], [two]).units.values()][0]!;
    expect(buildTransaction({ table: 't', changes: [{ before, after: again }], deleteChains: [] }).script).toBe('');
  });

  it('an endpoint that goes: its chain flushed (deleted later), its counters and elements removed, the selection rewritten', () => {
    const after = [...units([web], [{ ...two, endpoints: [ep(1, 5)] }]).units.values()][0]!;
    const tx = buildTransaction({ table: 't', changes: [{ before, after }], deleteChains: [] });
    const lines = tx.script.trim().split('\n').map((l) => l.replace(/-[a-z0-9]{12}/g, '-*'));
    expect(lines).toEqual([
      'delete element ip t ep-bytes-in { 127.96.0.10 . 80 . 127.244.2.5 . 8080 }',
      'delete element ip t ep-bytes-out { 127.96.0.10 . 80 . 127.244.2.5 . 8080 }',
      'flush chain ip t sel-*',
      'add rule ip t sel-* goto ep-*',
      'flush chain ip t ep-*',
      'delete counter ip t ec-*',
      'delete counter ip t ei-*',
      'delete counter ip t eo-*',
    ]);
    expect(tx.flushedStale).toHaveLength(1);
    expect(buildTransaction({ table: 't', changes: [], deleteChains: tx.flushedStale }).script).toBe(`delete chain ip t ${tx.flushedStale[0]}\n`);
  });

  it('a service that goes: its address leaves the dispatch map before its chains are flushed', () => {
    const tx = buildTransaction({ table: 't', changes: [{ before, after: undefined }], deleteChains: [] });
    const lines = tx.script.trim().split('\n');
    const firstFlush = lines.findIndex((l) => l.startsWith('flush chain'));
    expect(lines.findIndex((l) => l.startsWith('delete element ip t frontends'))).toBeLessThan(firstFlush);
    expect(lines.filter((l) => l.startsWith('flush chain'))).toHaveLength(4);
    expect(tx.flushedStale).toHaveLength(4);
  });
});

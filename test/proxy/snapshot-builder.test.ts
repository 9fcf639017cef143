// The incremental snapshot builder: after any sequence of changes, the snapshot it builds is the
// one a full render of the same objects gives, it re-renders only what the changes touched (the
// frontends of untouched services are the very same objects), and it names the addresses that
// changed. The router compiles such a snapshot incrementally without losing balancing state.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Node, Service } from '../../src/api/types.js';
import { createRouter, routeConnection } from '../../proxy/router.js';
import { createSnapshotBuilder, type SnapshotBuilder } from '../../proxy/snapshot-builder.js';
import { buildSnapshot, type RoutingSnapshot } from '../../proxy/snapshot.js';
import { createStatsRegistry } from '../../proxy/stats.js';
import { ep, node, readyNodes, service, slice, withIngress } from './fixtures.js';

/** The world as the informers see it, and a builder fed the same events. */
function world() {
  const services = new Map<string, Service>();
  const slices = new Map<string, EndpointSlice>();
  let nodes: Node[] = readyNodes();
  const builder = createSnapshotBuilder([]);
  builder.setNodes(nodes);
  return {
    builder,
    setService(s: Service) {
      services.set(s.metadata.name!, s);
      builder.setService(s);
    },
    deleteService(name: string) {
      builder.deleteService(services.get(name)!);
      services.delete(name);
    },
    setSlice(s: EndpointSlice) {
      slices.set(s.metadata.name!, s);
      builder.setSlice(s);
    },
    deleteSlice(name: string) {
      builder.deleteSlice(slices.get(name)!);
      slices.delete(name);
    },
    setNodes(list: Node[]) {
      nodes = list;
      builder.setNodes(list);
    },
    full: (): RoutingSnapshot => buildSnapshot({ services: [...services.values()], endpointSlices: [...slices.values()], nodes }),
  };
}

/** Everything a data plane reads from a snapshot, as comparable data. */
function contents(s: RoutingSnapshot): unknown {
  const sortedEntries = <V>(m: ReadonlyMap<string, V>): Array<[string, V]> => [...m].sort(([a], [b]) => (a < b ? -1 : 1));
  return {
    frontends: sortedEntries(s.frontends),
    healthChecks: sortedEntries(s.healthChecks),
    conflicts: [...s.conflicts].sort((a, b) => (`${a.address}:${a.port}${a.loser.key}` < `${b.address}:${b.port}${b.loser.key}` ? -1 : 1)),
    endpointKeys: sortedEntries(s.endpointKeys).map(([k, v]) => [k, [...v].sort()]),
    sources: { nodeIPs: [...s.sources.nodeIPs].sort(), podRanges: s.sources.podRanges },
    nodes: s.nodes,
  };
}

const web = service('web', { type: 'NodePort', clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, nodePort: 30100 }] });
const api = service('api', { clusterIP: '127.96.0.21' });
const lb = withIngress(
  service('lb', { type: 'LoadBalancer', clusterIP: '127.96.0.22', externalTrafficPolicy: 'Local', healthCheckNodePort: 32100, ports: [{ name: 'http', port: 80, nodePort: 30101 }] }),
  '127.200.0.5',
);
const webSlice = slice('web', [ep(1, 5), ep(2, 5)]);
const apiSlice = slice('api', [ep(3, 7)]);
const lbSlice = slice('lb', [ep(1, 9)]);
// A younger service asking for api's ClusterIP:port: it loses, and wins once api is gone.
const squatter = service('squatter', { clusterIP: '127.96.0.21' });

type Step = { what: string; act: (w: ReturnType<typeof world>) => void; changed: string[] | 'all' };

const steps: Step[] = [
  {
    what: 'first build: everything',
    act: (w) => {
      for (const s of [web, api, lb]) w.setService(s);
      for (const s of [webSlice, apiSlice, lbSlice]) w.setSlice(s);
    },
    changed: 'all',
  },
  { what: 'an endpoint of api goes: api’s ClusterIP only', act: (w) => w.setSlice({ ...apiSlice, endpoints: [ep(3, 8)] }), changed: ['127.96.0.21:80'] },
  {
    what: 'an endpoint of web: web’s ClusterIP and its NodePort on every node',
    act: (w) => w.setSlice({ ...webSlice, endpoints: [ep(1, 5)] }),
    changed: ['127.96.0.20:80', '127.10.0.1:30100', '127.10.0.2:30100', '127.10.0.3:30100'],
  },
  { what: 'a younger service claims api’s address and loses: nothing served changes', act: (w) => w.setService(squatter), changed: [] },
  { what: 'api goes: the squatter gets its address', act: (w) => w.deleteService('api'), changed: ['127.96.0.21:80'] },
  {
    what: 'lb’s endpoint moves to node 2: its frontends and health checks',
    act: (w) => w.setSlice({ ...lbSlice, endpoints: [ep(2, 9)] }),
    changed: ['127.96.0.22:80', '127.10.0.1:30101', '127.10.0.2:30101', '127.10.0.3:30101', '127.200.0.5:80', '127.10.0.1:32100', '127.10.0.2:32100', '127.10.0.3:32100'],
  },
  { what: 'web’s slice is deleted: its frontends stay, with no endpoint', act: (w) => w.deleteSlice(webSlice.metadata.name!), changed: ['127.96.0.20:80', '127.10.0.1:30100', '127.10.0.2:30100', '127.10.0.3:30100'] },
  { what: 'a node turns NotReady: everything (as a full sync)', act: (w) => w.setNodes([node('node-1', '127.10.0.1'), node('node-2', '127.10.0.2'), node('node-3', '127.10.0.3', false)]), changed: 'all' },
  { what: 'nothing changed', act: () => {}, changed: [] },
  { what: 'a periodic resync: the data plane reconciles everything', act: (w) => w.builder.resyncAll(), changed: 'all' },
];

describe('the incremental snapshot builder', () => {
  it('builds, after every step, what a full render of the same objects gives, naming only the addresses that changed', () => {
    const w = world();
    let prev: RoutingSnapshot | null = null;
    for (const step of steps) {
      step.act(w);
      const got = w.builder.build();
      expect(contents(got), step.what).toEqual(contents(w.full()));
      if (step.changed === 'all') expect(got.changes.addresses, step.what).toBeNull();
      else expect([...(got.changes.addresses ?? ['(all)'])].sort(), step.what).toEqual([...step.changed].sort());
      // Untouched frontends are the previous snapshot's own objects.
      if (prev && got.changes.addresses) {
        for (const [at, fe] of got.frontends) if (!got.changes.addresses.has(at)) expect(prev.frontends.get(at), `${step.what}: ${at}`).toBe(fe);
      }
      prev = got;
    }
  });

  it('a periodic resync renders nothing again: every frontend is the same object', () => {
    const w = world();
    w.setService(web);
    w.setSlice(webSlice);
    const first = w.builder.build();
    w.builder.resyncAll();
    const again = w.builder.build();
    expect(again.changes.addresses).toBeNull();
    for (const [at, fe] of again.frontends) expect(first.frontends.get(at)).toBe(fe);
  });

  it('leaves earlier snapshots as they were', () => {
    const w = world();
    w.setService(api);
    w.setSlice(apiSlice);
    const first = w.builder.build();
    const before = JSON.stringify(contents(first));
    w.setSlice({ ...apiSlice, endpoints: [] });
    w.deleteService('api');
    w.builder.build();
    expect(JSON.stringify(contents(first))).toBe(before);
  });

  it('feeds the router incrementally: unchanged frontends keep their round-robin place, changed ones get the new endpoints', () => {
    const b: SnapshotBuilder = createSnapshotBuilder([]);
    b.setNodes(readyNodes());
    const other = service('other', { clusterIP: '127.96.0.30' });
    const rr = service('rr', { clusterIP: '127.96.0.31' });
    b.setService(other);
    b.setService(rr);
    const otherSlice = slice('other', [ep(1, 1)]);
    b.setSlice(otherSlice);
    const rrSlice = slice('rr', [ep(1, 5), ep(2, 5), ep(3, 5)]);
    b.setSlice(rrSlice);
    const router = createRouter('round-robin', createStatsRegistry());
    let fes = router.compile(b.build());
    const pick = (at: string): string => routeConnection(fes.get(at)!, '127.10.0.1', null)!.endpoint.ip;
    expect(pick('127.96.0.31:80')).toBe('127.244.1.5');
    // other's endpoints change: rr is not recompiled and carries on where it was.
    b.setSlice({ ...otherSlice, endpoints: [ep(2, 1)] });
    fes = router.compile(b.build());
    expect(router.changed()).toEqual(new Set(['127.96.0.30:80']));
    expect(pick('127.96.0.31:80')).toBe('127.244.2.5');
    expect(pick('127.96.0.30:80')).toBe('127.244.2.1');
    // rr loses an endpoint: the rotation goes on over the ones left.
    b.setSlice({ ...rrSlice, endpoints: [ep(1, 5), ep(2, 5)] });
    fes = router.compile(b.build());
    expect([pick('127.96.0.31:80'), pick('127.96.0.31:80')].sort()).toEqual(['127.244.1.5', '127.244.2.5']);
  });
});

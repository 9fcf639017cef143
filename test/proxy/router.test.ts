// Where a new connection goes, and which address the proxy dials the pod from: the source rules
// of each frontend kind and traffic policy, as a table.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../../src/api/types.js';
import { createRouter, routeConnection, type ActiveFrontend } from '../../proxy/router.js';
import { buildSnapshot } from '../../proxy/snapshot.js';
import { createStatsRegistry } from '../../proxy/stats.js';
import { ep, readyNodes, service, slice, withIngress } from './fixtures.js';

/** The pods holding an IP now (the proxy's Pod informer): a pod on node-3, and one on node-2. */
const PODS = new Map([
  ['127.244.3.77', 'node-3'],
  ['127.244.2.9', 'node-2'],
]);
const podAddresses = { nodeOf: (ip: string) => PODS.get(ip) };

function compile(services: Service[], slices: EndpointSlice[]): Map<string, ActiveFrontend> {
  const router = createRouter('round-robin', createStatsRegistry());
  return router.compile(buildSnapshot({ services, endpointSlices: slices, nodes: readyNodes(), podAddresses }));
}

function route(fes: Map<string, ActiveFrontend>, at: string, client: string): string {
  const fe = fes.get(at);
  if (!fe) throw new Error(`no frontend at ${at}; have ${[...fes.keys()].join(', ')}`);
  const d = routeConnection(fe, client, null);
  return d ? `${d.endpoint.ip} from ${d.localAddress}` : 'refused';
}

const clusterSvc = service('web', {});
const nodePortSvc = service('np', { type: 'NodePort', clusterIP: '127.96.0.11', ports: [{ name: 'http', port: 80, nodePort: 30080 }] });
const localSvc = service('local', { type: 'NodePort', clusterIP: '127.96.0.12', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30081 }] });
const itpSvc = service('itp', { clusterIP: '127.96.0.13', internalTrafficPolicy: 'Local' });
const lbLocal = withIngress(
  service('lbl', { type: 'LoadBalancer', clusterIP: '127.96.0.14', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ name: 'http', port: 80, nodePort: 30082 }] }),
  '127.200.0.1',
);
const fes = compile(
  [clusterSvc, nodePortSvc, localSvc, itpSvc, lbLocal],
  [slice('web', [ep(2, 5)]), slice('np', [ep(2, 5)]), slice('local', [ep(2, 5)]), slice('itp', [ep(1, 5), ep(2, 5)]), slice('lbl', [ep(2, 5)])],
);

const rows: Array<{ rule: string; at: string; client: string; want: string }> = [
  { rule: 'ClusterIP from a node: dialled from the node IP', at: '127.96.0.10:80', client: '127.10.0.3', want: '127.244.2.5 from 127.10.0.3' },
  { rule: 'ClusterIP from a pod: dialled from the pod IP', at: '127.96.0.10:80', client: '127.244.3.77', want: '127.244.2.5 from 127.244.3.77' },
  { rule: 'ClusterIP from the host (127.0.0.1) is refused', at: '127.96.0.10:80', client: '127.0.0.1', want: 'refused' },
  { rule: 'ClusterIP from an address outside every node and pod CIDR is refused', at: '127.96.0.10:80', client: '127.9.9.9', want: 'refused' },
  { rule: "ClusterIP from an address of a node's pod CIDR that no pod holds is refused", at: '127.96.0.10:80', client: '127.244.1.200', want: 'refused' },
  { rule: 'NodePort with Cluster policy: SNAT to the node that took the connection', at: '127.10.0.1:30080', client: '127.9.9.9', want: '127.244.2.5 from 127.10.0.1' },
  { rule: 'NodePort is reachable from outside the cluster', at: '127.10.0.3:30080', client: '127.0.0.1', want: '127.244.2.5 from 127.10.0.3' },
  { rule: 'NodePort with Local policy keeps the client IP', at: '127.10.0.2:30081', client: '127.9.9.9', want: '127.244.2.5 from 127.9.9.9' },
  { rule: 'NodePort with Local policy on a node without an endpoint refuses', at: '127.10.0.1:30081', client: '127.9.9.9', want: 'refused' },
  { rule: 'internalTrafficPolicy Local from a node with an endpoint stays on that node', at: '127.96.0.13:80', client: '127.10.0.1', want: '127.244.1.5 from 127.10.0.1' },
  { rule: 'internalTrafficPolicy Local from a pod stays on its node', at: '127.96.0.13:80', client: '127.244.2.9', want: '127.244.2.5 from 127.244.2.9' },
  { rule: 'internalTrafficPolicy Local from a node without an endpoint refuses', at: '127.96.0.13:80', client: '127.10.0.3', want: 'refused' },
  { rule: 'LoadBalancer with Local policy sends to the node with the endpoint, keeping the client IP', at: '127.200.0.1:80', client: '127.9.9.9', want: '127.244.2.5 from 127.9.9.9' },
];

describe('routeConnection', () => {
  for (const row of rows) {
    it(row.rule, () => {
      expect(route(fes, row.at, row.client)).toBe(row.want);
    });
  }

  it('a LoadBalancer with Cluster policy rotates over the nodes (SNAT to each) and over the endpoints as one rotation', () => {
    const lb = withIngress(service('lb', { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30090 }] }), '127.200.0.2');
    const f = compile([lb], [slice('lb', [ep(1, 5), ep(2, 5), ep(3, 5)])]);
    const got = Array.from({ length: 6 }, () => route(f, '127.200.0.2:80', '127.9.9.9'));
    expect(got).toEqual([
      '127.244.1.5 from 127.10.0.1',
      '127.244.2.5 from 127.10.0.2',
      '127.244.3.5 from 127.10.0.3',
      '127.244.1.5 from 127.10.0.1',
      '127.244.2.5 from 127.10.0.2',
      '127.244.3.5 from 127.10.0.3',
    ]);
  });

  it('a retry skips the endpoints that already refused the connection', () => {
    const f = compile([clusterSvc], [slice('web', [ep(1, 5), ep(2, 5)])]);
    const fe = f.get('127.96.0.10:80')!;
    expect(routeConnection(fe, '127.10.0.1', ['127.244.1.5:8080'])!.endpoint.ip).toBe('127.244.2.5');
    expect(routeConnection(fe, '127.10.0.1', ['127.244.1.5:8080', '127.244.2.5:8080'])).toBeNull();
  });

  it('keeps round-robin cursors and affinity pins across snapshot swaps', () => {
    const stats = createStatsRegistry();
    const router = createRouter('round-robin', stats);
    const aff = service('aff', { sessionAffinity: 'ClientIP' });
    const first = router.compile(buildSnapshot({ services: [aff], endpointSlices: [slice('aff', [ep(1, 5), ep(2, 5), ep(3, 5)])], nodes: readyNodes() }));
    const pinned = routeConnection(first.get('127.96.0.10:80')!, '127.10.0.1', null)!.endpoint.ip;
    const second = router.compile(buildSnapshot({ services: [aff], endpointSlices: [slice('aff', [ep(1, 5), ep(2, 5), ep(3, 5), ep(1, 6)])], nodes: readyNodes() }));
    for (let i = 0; i < 5; i++) expect(routeConnection(second.get('127.96.0.10:80')!, '127.10.0.1', null)!.endpoint.ip).toBe(pinned);
  });
});

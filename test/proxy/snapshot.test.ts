// Which listeners and routes each service shape and policy gets: one table, one loop, each row
// named for the rule it shows.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Node, Service } from '../../src/api/types.js';
import { buildSnapshot, type RoutingSnapshot } from '../../proxy/snapshot.js';
import { sourceNode } from '../../proxy/source-ip.js';
import { ep, node, readyNodes, service, slice, withIngress } from './fixtures.js';

/** The snapshot as lines a reader can check: `kind address -> where connections go`. */
function describeSnapshot(s: RoutingSnapshot): string[] {
  const out: string[] = [];
  const eps = (list: readonly { key: string }[]): string => list.map((e) => e.key).join(',') || '(none)';
  for (const [at, fe] of s.frontends) {
    const r = fe.route;
    const affinity = fe.affinitySeconds !== null ? ` affinity=${fe.affinitySeconds}s` : '';
    switch (r.kind) {
      case 'clusterIP':
        if (r.nodeLocal) {
          const per = [...r.endpointsByNode].map(([n, l]) => `${n}:${eps(l)}`).join(' ');
          out.push(`clusterIP ${at} node-local -> ${per || '(none)'}${affinity}`);
        } else out.push(`clusterIP ${at} -> ${eps(r.endpoints)}${affinity}`);
        break;
      case 'nodePort':
        out.push(`nodePort ${at} ${r.target.node} ${r.target.snat ? 'snat' : 'preserve'} -> ${eps(r.target.endpoints)}${affinity}`);
        break;
      case 'loadBalancer':
        out.push(
          `loadBalancer ${at} ${r.local ? 'local' : 'cluster'} over ${r.nodes.map((n) => n.node).join(',') || '(no node)'} -> ` +
            (r.local ? r.nodes.map((n) => `${n.node}:${eps(n.endpoints)}`).join(' ') : eps(r.endpoints)) +
            affinity,
        );
        break;
    }
  }
  for (const [at, hc] of s.healthChecks) out.push(`healthCheck ${at} ${hc.node} ${hc.namespace}/${hc.name} localEndpoints=${hc.localEndpoints}`);
  for (const c of s.conflicts) out.push(`conflict ${c.kind} ${c.address}:${c.port} kept ${c.winner.key} refused ${c.loser.key}`);
  return out.sort();
}

interface Row {
  rule: string;
  services: Service[];
  slices?: EndpointSlice[];
  nodes?: Node[];
  want: string[];
}

const EP1 = '127.244.1.5:8080';
const EP1B = '127.244.1.6:8080';
const EP2 = '127.244.2.5:8080';

const rows: Row[] = [
  {
    rule: 'a ClusterIP service listens on its ClusterIP:port and routes to its ready endpoints, in address order',
    services: [service('web', {})],
    slices: [slice('web', [ep(2, 5), ep(1, 5)])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1},${EP2}`],
  },
  {
    rule: 'only TCP ports are proxied',
    services: [service('dns', { ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] })],
    slices: [slice('dns', [ep(1, 5)], [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53 }])],
    want: ['clusterIP 127.96.0.10:53 -> 127.244.1.5:53'],
  },
  {
    rule: 'each service port takes the slice port of the same name',
    services: [service('two', { ports: [{ name: 'http', port: 80 }, { name: 'admin', port: 9000 }] })],
    slices: [slice('two', [ep(1, 5)], [{ name: 'http', port: 8080 }, { name: 'admin', port: 9090 }])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`, 'clusterIP 127.96.0.10:9000 -> 127.244.1.5:9090'],
  },
  {
    rule: 'a headless service (clusterIP None) and an ExternalName service get no listener',
    services: [service('headless', { clusterIP: 'None' }), service('ext', { type: 'ExternalName', externalName: 'example.com', clusterIP: '' })],
    slices: [slice('headless', [ep(1, 5)])],
    want: [],
  },
  {
    rule: 'a service being deleted gets no listener',
    services: [service('going', {}, { metadata: { name: 'going', namespace: 'default', uid: 'u', deletionTimestamp: '2026-01-01T00:00:00Z' } })],
    slices: [slice('going', [ep(1, 5)])],
    want: [],
  },
  {
    rule: 'a service without endpoints still listens (and refuses connections at once)',
    services: [service('empty', {})],
    want: ['clusterIP 127.96.0.10:80 -> (none)'],
  },
  {
    rule: 'not-ready endpoints take no traffic while a ready one exists',
    services: [service('web', {})],
    slices: [slice('web', [ep(1, 5), ep(2, 5, { ready: false, serving: false, terminating: false })])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`],
  },
  {
    rule: 'with no ready endpoint, serving-but-terminating ones take traffic',
    services: [service('web', {})],
    slices: [slice('web', [ep(1, 5, { ready: false, serving: true, terminating: true }), ep(2, 5, { ready: false, serving: false, terminating: false })])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`],
  },
  {
    rule: 'missing conditions mean ready (as the API documents)',
    services: [service('web', {})],
    slices: [slice('web', [{ addresses: ['127.244.1.5'], nodeName: 'node-1' }])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`],
  },
  {
    rule: 'an endpoint listed in two slices is proxied once',
    services: [service('web', {})],
    slices: [slice('web', [ep(1, 5)]), slice('web', [ep(1, 5)])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`],
  },
  {
    rule: 'slices of a same-named service in another namespace do not count',
    services: [service('web', {})],
    slices: [slice('web', [ep(1, 5)], [{ name: 'http', port: 8080 }], 'other')],
    want: ['clusterIP 127.96.0.10:80 -> (none)'],
  },
  {
    rule: 'a NodePort service listens on every Ready node, SNAT to the node, over every endpoint',
    services: [service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    slices: [slice('np', [ep(1, 5), ep(2, 5)])],
    want: [
      `clusterIP 127.96.0.10:80 -> ${EP1},${EP2}`,
      `nodePort 127.10.0.1:30080 node-1 snat -> ${EP1},${EP2}`,
      `nodePort 127.10.0.2:30080 node-2 snat -> ${EP1},${EP2}`,
      `nodePort 127.10.0.3:30080 node-3 snat -> ${EP1},${EP2}`,
    ],
  },
  {
    rule: 'a NotReady node and a node without an InternalIP serve no NodePort',
    services: [service('np', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    slices: [slice('np', [ep(1, 5)])],
    nodes: [node('node-1', '127.10.0.1'), node('node-2', '127.10.0.2', false), node('node-3', undefined)],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`, `nodePort 127.10.0.1:30080 node-1 snat -> ${EP1}`],
  },
  {
    rule: 'externalTrafficPolicy Local: each node forwards to its own endpoints, keeping the client IP',
    services: [service('local', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    slices: [slice('local', [ep(1, 5), ep(1, 6), ep(2, 5)])],
    want: [
      `clusterIP 127.96.0.10:80 -> ${EP1},${EP1B},${EP2}`,
      `nodePort 127.10.0.1:30080 node-1 preserve -> ${EP1},${EP1B}`,
      `nodePort 127.10.0.2:30080 node-2 preserve -> ${EP2}`,
      'nodePort 127.10.0.3:30080 node-3 preserve -> (none)',
    ],
  },
  {
    rule: 'externalTrafficPolicy Local falls back to the node’s serving-terminating endpoints',
    services: [service('local', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    slices: [slice('local', [ep(1, 5, { ready: false, serving: true, terminating: true }), ep(2, 5)])],
    nodes: [node('node-1', '127.10.0.1'), node('node-2', '127.10.0.2')],
    want: [`clusterIP 127.96.0.10:80 -> ${EP2}`, `nodePort 127.10.0.1:30080 node-1 preserve -> ${EP1}`, `nodePort 127.10.0.2:30080 node-2 preserve -> ${EP2}`],
  },
  {
    rule: 'internalTrafficPolicy Local: the ClusterIP routes each client node to its own endpoints',
    services: [service('itp', { internalTrafficPolicy: 'Local' })],
    slices: [slice('itp', [ep(1, 5), ep(2, 5), ep(2, 6, { ready: false, serving: false, terminating: false })])],
    want: [`clusterIP 127.96.0.10:80 node-local -> node-1:${EP1} node-2:${EP2}`],
  },
  {
    rule: 'a LoadBalancer service without an IP yet serves its ClusterIP and NodePorts only',
    services: [service('lb', { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    slices: [slice('lb', [ep(1, 5)])],
    nodes: [node('node-1', '127.10.0.1')],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`, `nodePort 127.10.0.1:30080 node-1 snat -> ${EP1}`],
  },
  {
    rule: 'a LoadBalancer IP spreads over every Ready node (Cluster policy, one rotation over every endpoint)',
    services: [withIngress(service('lb', { type: 'LoadBalancer', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }), '127.200.0.1')],
    slices: [slice('lb', [ep(1, 5), ep(2, 5)])],
    nodes: [node('node-1', '127.10.0.1'), node('node-2', '127.10.0.2', false), node('node-3', '127.10.0.3')],
    want: [
      `clusterIP 127.96.0.10:80 -> ${EP1},${EP2}`,
      `loadBalancer 127.200.0.1:80 cluster over node-1,node-3 -> ${EP1},${EP2}`,
      `nodePort 127.10.0.1:30080 node-1 snat -> ${EP1},${EP2}`,
      `nodePort 127.10.0.3:30080 node-3 snat -> ${EP1},${EP2}`,
    ],
  },
  {
    rule: 'a LoadBalancer with Local policy keeps only nodes with a ready local endpoint in rotation, and health-checks every node',
    services: [
      withIngress(
        service('lbl', { type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, ports: [{ name: 'http', port: 80, nodePort: 30080 }] }),
        '127.200.0.2',
      ),
    ],
    slices: [slice('lbl', [ep(1, 5), ep(1, 6), ep(2, 5), ep(3, 5, { ready: false, serving: true, terminating: true })])],
    want: [
      `clusterIP 127.96.0.10:80 -> ${EP1},${EP1B},${EP2}`,
      'healthCheck 127.10.0.1:32000 node-1 default/lbl localEndpoints=2',
      'healthCheck 127.10.0.2:32000 node-2 default/lbl localEndpoints=1',
      'healthCheck 127.10.0.3:32000 node-3 default/lbl localEndpoints=0',
      `loadBalancer 127.200.0.2:80 local over node-1,node-2 -> node-1:${EP1},${EP1B} node-2:${EP2}`,
      `nodePort 127.10.0.1:30080 node-1 preserve -> ${EP1},${EP1B}`,
      `nodePort 127.10.0.2:30080 node-2 preserve -> ${EP2}`,
      'nodePort 127.10.0.3:30080 node-3 preserve -> 127.244.3.5:8080',
    ],
  },
  {
    rule: 'a LoadBalancer without node ports (allocateLoadBalancerNodePorts false) still serves its IP',
    services: [withIngress(service('lbn', { type: 'LoadBalancer', allocateLoadBalancerNodePorts: false }), '127.200.0.3')],
    slices: [slice('lbn', [ep(1, 5)])],
    nodes: [node('node-1', '127.10.0.1')],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`, `loadBalancer 127.200.0.3:80 cluster over node-1 -> ${EP1}`],
  },
  {
    rule: 'load-balancer ingress of a service that is no longer a LoadBalancer is ignored',
    services: [withIngress(service('was-lb', {}), '127.200.0.4')],
    slices: [slice('was-lb', [ep(1, 5)])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1}`],
  },
  {
    rule: 'sessionAffinity ClientIP carries its timeout (default 10800 s) on every frontend',
    services: [
      service('aff', { sessionAffinity: 'ClientIP' }),
      service('aff2', { clusterIP: '127.96.0.11', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } }),
    ],
    slices: [slice('aff', [ep(1, 5)]), slice('aff2', [ep(1, 5)])],
    want: [`clusterIP 127.96.0.10:80 -> ${EP1} affinity=10800s`, `clusterIP 127.96.0.11:80 -> ${EP1} affinity=60s`],
  },
  {
    rule: 'two services claiming one address: the older keeps it, the other is reported',
    services: [
      withIngress(service('first', { type: 'LoadBalancer', clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, nodePort: 30001 }] }), '127.200.0.9'),
      withIngress(service('second', { type: 'LoadBalancer', clusterIP: '127.96.0.21', ports: [{ name: 'http', port: 80, nodePort: 30002 }] }), '127.200.0.9'),
    ],
    nodes: [],
    want: [
      'clusterIP 127.96.0.20:80 -> (none)',
      'clusterIP 127.96.0.21:80 -> (none)',
      'conflict loadBalancer 127.200.0.9:80 kept default/first:http refused default/second:http',
      'loadBalancer 127.200.0.9:80 cluster over (no node) -> (none)',
    ],
  },
];

describe('buildSnapshot', () => {
  for (const row of rows) {
    it(row.rule, () => {
      const snap = buildSnapshot({ services: row.services, endpointSlices: row.slices ?? [], nodes: row.nodes ?? readyNodes() });
      expect(describeSnapshot(snap)).toEqual([...row.want].sort());
    });
  }

  it('is pure: the same input renders the same snapshot, frozen', () => {
    const input = { services: [service('web', { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })], endpointSlices: [slice('web', [ep(1, 5)])], nodes: readyNodes() };
    const a = buildSnapshot(input);
    const b = buildSnapshot(input);
    expect(describeSnapshot(a)).toEqual(describeSnapshot(b));
    const fe = [...a.frontends.values()][0]!;
    expect(Object.isFrozen(fe)).toBe(true);
    expect(Object.isFrozen(fe.route)).toBe(true);
  });

  it('knows the cluster’s own addresses: node IPs from Node objects and the address plan, pod IPs from the live table', () => {
    const snap = buildSnapshot({
      services: [],
      endpointSlices: [],
      nodes: [node('node-1', '127.10.0.1', true, '127.244.1.0/24')],
      plannedNodes: [{ name: 'node-2', ip: '127.10.0.2', podCIDR: '127.244.2.0/24' }],
      podAddresses: { nodeOf: (ip) => (ip === '127.244.2.7' ? 'node-2' : undefined) },
    });
    expect([...snap.sources.nodeIPs.values()].sort()).toEqual(['node-1', 'node-2']);
    expect(sourceNode(snap.sources, '127.10.0.1')).toBe('node-1');
    expect(sourceNode(snap.sources, '127.244.2.7')).toBe('node-2');
    expect(sourceNode(snap.sources, '127.244.2.8')).toBeNull();
  });
});

// How the hub turns the proxy's connections and bytes and the pods' request counts into the
// requests/s of endpoints, frontends and the service map's flows.
import { describe, expect, it } from 'vitest';
import type { EndpointRate, FrontendRate } from '../../src/observe/protocol.js';
import type { EndpointRequestRate } from '../../src/observe/pod-requests.js';
import { classifyClient, joinTraffic, shareBy } from '../../src/observe/traffic-join.js';
import type { FlowSample, MergedTraffic } from '../../src/observe/traffic-rates.js';

const dir = { nodes: new Map([['127.10.0.1', 'node-1']]), pods: new Map([['127.244.1.5', 'default/client-x']]) };

function ep(service: string, endpoint: string, bytesPerSec: number, active = 1, port = 'http'): EndpointRate {
  return { service, port, endpoint, node: 'node-1', connPerSec: 0, active, bytesPerSec, connections: 1, failuresPerSec: 0, requestsPerSec: 0, errorsPerSec: 0 };
}
function fe(service: string, kind: string, address: string, bytesPerSec: number): FrontendRate {
  return { service, port: 'http', kind, address, node: '', connPerSec: 0, active: 1, bytesPerSec, refusedPerSec: 0, requestsPerSec: 0, errorsPerSec: 0 };
}
function flow(f: FrontendRate, client: string, endpoint: string, bytesPerSec: number, active = 1): FlowSample {
  return { service: f.service, port: f.port, frontend: `${f.service}|${f.port}|${f.kind}|${f.address}`, client, endpoint, connPerSec: 0, active, bytesPerSec };
}
function merged(endpoints: EndpointRate[], frontends: FrontendRate[], flows: FlowSample[]): MergedTraffic {
  return { endpoints, frontends, flows, listenerFailures: [], live: 1, connPerSec: 0, active: 0, bytesPerSec: 0 };
}
function pods(rates: Record<string, [number, number]>): Parameters<typeof joinTraffic>[1] {
  const endpoints = new Map<string, EndpointRequestRate>(Object.entries(rates).map(([k, [r, e]]) => [k, { pod: `default/${k}`, requestsPerSec: r, errorsPerSec: e }]));
  const total = [...endpoints.values()].reduce((n, r) => n + r.requestsPerSec, 0);
  return { endpoints, busy: [], requestsPerSec: total, errorsPerSec: 0 };
}

describe('shareBy', () => {
  const cases: Array<{ name: string; rows: Array<{ bytesPerSec: number; active: number }>; total: number; want: number[] }> = [
    { name: 'one row takes all', rows: [{ bytesPerSec: 0, active: 0 }], total: 9, want: [9] },
    { name: 'by bytes', rows: [{ bytesPerSec: 300, active: 1 }, { bytesPerSec: 100, active: 5 }], total: 100, want: [75, 25] },
    { name: 'by open connections when no bytes moved', rows: [{ bytesPerSec: 0, active: 3 }, { bytesPerSec: 0, active: 1 }], total: 8, want: [6, 2] },
    { name: 'evenly when neither', rows: [{ bytesPerSec: 0, active: 0 }, { bytesPerSec: 0, active: 0 }], total: 8, want: [4, 4] },
    { name: 'nothing to share', rows: [], total: 8, want: [] },
  ];
  for (const c of cases) it(c.name, () => expect(shareBy(c.rows, c.total)).toEqual(c.want));
});

describe('classifyClient', () => {
  const cases: Array<[string, string, { kind: string; name: string }]> = [
    ['a node address', '127.10.0.1', { kind: 'node', name: 'node-1' }],
    ['a pod address', '127.244.1.5', { kind: 'pod', name: 'default/client-x' }],
    ['anything else is outside', '127.0.0.1', { kind: 'outside', name: '' }],
  ];
  for (const [name, ip, want] of cases) it(name, () => expect(classifyClient(dir, ip)).toEqual(want));
});

describe('joinTraffic', () => {
  const cip = fe('default/web', 'clusterIP', '127.96.0.20:80', 400);
  const np1 = fe('default/web', 'nodePort', '127.10.0.1:30080', 600);
  const cases: Array<{
    name: string;
    in: MergedTraffic;
    pods: Record<string, [number, number]>;
    want: { endpoints?: Record<string, [number, number]>; frontends?: Record<string, number>; flows?: Record<string, [number, string, string]> };
  }> = [
    {
      name: "an endpoint's requests/s are its pod's at that address, even under keep-alive (no new connections)",
      in: merged([ep('default/web', '127.244.1.2:8080', 500), ep('default/web', '127.244.2.2:8080', 500)], [], []),
      pods: { '127.244.1.2:8080': [120, 3], '127.244.2.2:8080': [80, 0] },
      want: { endpoints: { 'default/web|127.244.1.2:8080': [120, 3], 'default/web|127.244.2.2:8080': [80, 0] } },
    },
    {
      name: 'two services on one pod port share its requests by their bytes',
      in: merged([ep('default/web', '127.244.1.2:8080', 300), ep('default/alias', '127.244.1.2:8080', 100)], [], []),
      pods: { '127.244.1.2:8080': [100, 0] },
      want: { endpoints: { 'default/web|127.244.1.2:8080': [75, 0], 'default/alias|127.244.1.2:8080': [25, 0] } },
    },
    {
      name: "flows share their endpoint's requests by bytes; a frontend's requests are its flows'",
      in: merged(
        [ep('default/web', '127.244.1.2:8080', 1000)],
        [cip, np1],
        [flow(cip, '127.244.1.5', '127.244.1.2:8080', 400), flow(np1, '127.0.0.1', '127.244.1.2:8080', 600)],
      ),
      pods: { '127.244.1.2:8080': [50, 0] },
      want: {
        frontends: { 'clusterIP 127.96.0.20:80': 20, 'nodePort 127.10.0.1:30080': 30 },
        flows: { '127.244.1.5>clusterIP': [20, 'pod', 'default/client-x'], '127.0.0.1>nodePort': [30, 'outside', ''] },
      },
    },
    {
      name: 'frontends of a data plane without flows share the service port by bytes',
      in: merged([ep('default/web', '127.244.1.2:8080', 1000)], [cip, np1], []),
      pods: { '127.244.1.2:8080': [50, 0] },
      want: { frontends: { 'clusterIP 127.96.0.20:80': 20, 'nodePort 127.10.0.1:30080': 30 } },
    },
    {
      name: 'no pod count, no requests (the proxy alone never invents them)',
      in: merged([ep('default/web', '127.244.1.2:8080', 1000)], [cip], [flow(cip, '127.10.0.1', '127.244.1.2:8080', 1000)]),
      pods: {},
      want: { endpoints: { 'default/web|127.244.1.2:8080': [0, 0] }, flows: { '127.10.0.1>clusterIP': [0, 'node', 'node-1'] } },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const out = joinTraffic(c.in, pods(c.pods), dir);
      if (c.want.endpoints) {
        expect(Object.fromEntries(out.endpoints.map((e) => [`${e.service}|${e.endpoint}`, [e.requestsPerSec, e.errorsPerSec]]))).toEqual(c.want.endpoints);
      }
      if (c.want.frontends) expect(Object.fromEntries(out.frontends.map((f) => [`${f.kind} ${f.address}`, f.requestsPerSec]))).toEqual(c.want.frontends);
      if (c.want.flows) {
        expect(Object.fromEntries(out.flows.map((f) => [`${f.client}>${f.frontend.split('|')[2]}`, [f.requestsPerSec, f.clientKind, f.clientName]]))).toEqual(c.want.flows);
      }
    });
  }
});

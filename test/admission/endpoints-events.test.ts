// Endpoints, EndpointSlices and Events: defaults and each validation rule.
import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Endpoints, KubeObject } from '../../src/api/types.js';
import { LABEL_KEY_NAME, RFC1123_LABEL, cluster, endpointSlice, endpoints, event, expectRefused } from './helpers.js';
import type { Expected } from './helpers.js';

interface Row extends Expected {
  rule: string;
  object: KubeObject;
}

function table(name: string, rows: Row[]): void {
  describe(name, () => {
    for (const row of rows) {
      it(row.rule, async () => {
        await expectRefused(cluster().create(row.object), row);
      });
    }
  });
}

const EP = 'Endpoints "web" is invalid: ';

table('endpoints: each rule', [
  {
    rule: 'a subset has addresses',
    object: endpoints((o) => (o.subsets = [{ ports: [{ port: 8080 }] }])),
    message: `${EP}subsets[0]: Required value: must specify \`addresses\` or \`notReadyAddresses\``,
    fields: ['subsets[0]'],
  },
  {
    rule: 'addresses are IPs',
    object: endpoints((o) => (o.subsets[0].addresses[0].ip = 'pod-1')),
    message: `${EP}[subsets[0].addresses[0].ip: Invalid value: "pod-1": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff), subsets[0].addresses[0].ip: Invalid value: "pod-1": must be a valid IP address]`,
    fields: ['subsets[0].addresses[0].ip', 'subsets[0].addresses[0].ip'],
  },
  {
    rule: 'addresses are not unspecified',
    object: endpoints((o) => (o.subsets[0].addresses[0].ip = '0.0.0.0')),
    message: `${EP}subsets[0].addresses[0].ip: Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)`,
    fields: ['subsets[0].addresses[0].ip'],
  },
  {
    rule: 'ports are named when there are several',
    object: endpoints((o) => (o.subsets[0].ports = [{ port: 8080 }, { name: 'metrics', port: 9090 }])),
    message: `${EP}subsets[0].ports[0].name: Required value`,
    fields: ['subsets[0].ports[0].name'],
  },
  {
    rule: 'ports are 1-65535',
    object: endpoints((o) => (o.subsets[0].ports[0].port = 0)),
    message: `${EP}subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive`,
    fields: ['subsets[0].ports[0].port'],
  },
  {
    rule: 'ports are TCP in loopkube',
    object: endpoints((o) => (o.subsets[0].ports[0].protocol = 'UDP')),
    message: `${EP}subsets[0].ports[0].protocol: Unsupported value: "UDP": supported values: "TCP"`,
    fields: ['subsets[0].ports[0].protocol'],
  },
  {
    rule: 'hostnames are RFC 1123 labels',
    object: endpoints((o) => (o.subsets[0].addresses[0].hostname = 'Web-1')),
    message: `${EP}subsets[0].addresses[0].hostname: Invalid value: "Web-1": ${RFC1123_LABEL}`,
    fields: ['subsets[0].addresses[0].hostname'],
  },
]);

const SLICE = 'EndpointSlice.discovery.k8s.io "web-abcde" is invalid: ';

table('endpoint slices: each rule', [
  {
    rule: 'addressType is required',
    object: endpointSlice((o) => delete o.addressType),
    message: `${SLICE}addressType: Required value`,
    fields: ['addressType'],
  },
  {
    rule: 'addressType is IPv4, IPv6 or FQDN',
    object: endpointSlice((o) => (o.addressType = 'IP')),
    message: `${SLICE}addressType: Unsupported value: "IP": supported values: "FQDN", "IPv4", "IPv6"`,
    fields: ['addressType'],
  },
  {
    rule: 'an endpoint has an address',
    object: endpointSlice((o) => (o.endpoints[0].addresses = [])),
    message: `${SLICE}endpoints[0].addresses: Required value: must contain at least 1 address`,
    fields: ['endpoints[0].addresses'],
  },
  {
    rule: 'IPv4 addresses are IPv4',
    object: endpointSlice((o) => (o.endpoints[0].addresses = ['fd00::5'])),
    message: `${SLICE}endpoints[0].addresses[0]: Invalid value: "fd00::5": must be a valid IPv4 address`,
    fields: ['endpoints[0].addresses[0]'],
  },
  {
    rule: 'port names are unique',
    object: endpointSlice((o) => (o.ports = [{ name: 'http', port: 8080 }, { name: 'http', port: 8081 }])),
    message: `${SLICE}ports[1].name: Duplicate value: "http"`,
    fields: ['ports[1].name'],
  },
  {
    rule: 'ports are TCP in loopkube',
    object: endpointSlice((o) => (o.ports[0].protocol = 'SCTP')),
    message: `${SLICE}ports[0].protocol: Unsupported value: "SCTP": supported values: "TCP"`,
    fields: ['ports[0].protocol'],
  },
  {
    rule: 'ports are 1-65535',
    object: endpointSlice((o) => (o.ports[0].port = 65536)),
    message: `${SLICE}ports[0].port: Invalid value: 65536: must be between 1 and 65535, inclusive`,
    fields: ['ports[0].port'],
  },
  {
    rule: 'at most 100 addresses per endpoint',
    object: endpointSlice((o) => (o.endpoints[0].addresses = Array.from({ length: 101 }, (_, i) => `127.244.1.${i + 1}`))),
    message: `${SLICE}endpoints[0].addresses: Too many: 101: must have at most 100 items`,
    fields: ['endpoints[0].addresses'],
  },
]);

const EV = 'Event "web.17a8b" is invalid: ';

table('events: each rule', [
  {
    rule: "the involved object's namespace is the event's",
    object: event((o) => (o.involvedObject.namespace = 'team-a')),
    message: `${EV}involvedObject.namespace: Invalid value: "team-a": does not match event.namespace`,
    fields: ['involvedObject.namespace'],
  },
  {
    rule: 'an event outside default names its involved object (namespace included)',
    object: event((o) => {
      o.metadata.namespace = 'team-a';
      o.involvedObject = {};
    }),
    message: `${EV}involvedObject.namespace: Invalid value: "": does not match event.namespace`,
    fields: ['involvedObject.namespace'],
  },
  {
    rule: 'an event with eventTime names its reporter and action',
    object: event((o) => (o.eventTime = '2025-01-01T00:00:00.000000Z')),
    message: `${EV}[reportingController: Required value, reportingController: Invalid value: "": name part must be non-empty, reportingController: Invalid value: "": ${LABEL_KEY_NAME}, reportingInstance: Required value, action: Required value]`,
    fields: ['reportingController', 'reportingController', 'reportingController', 'reportingInstance', 'action'],
  },
]);

describe('defaults', () => {
  it('endpoint ports default to TCP', async () => {
    const ep = (await cluster().create(endpoints())) as Endpoints;
    expect(ep.subsets?.[0]?.ports).toEqual([{ port: 8080, protocol: 'TCP' }]);
  });

  it('endpoint slice ports default to TCP and an empty name', async () => {
    const s = (await cluster().create(endpointSlice((o) => (o.ports = [{ port: 8080 }])))) as EndpointSlice;
    expect(s.ports).toEqual([{ port: 8080, protocol: 'TCP', name: '' }]);
  });

  it('loopback pod IPs are accepted (loopkube pods live on 127.0.0.0/8)', async () => {
    await expect(cluster().create(endpointSlice())).resolves.toBeDefined();
    await expect(cluster().create(endpoints())).resolves.toBeDefined();
  });

  it('an endpoint slice keeps its addressType', async () => {
    const c = cluster();
    const stored = await c.create(endpointSlice());
    const next = structuredClone(stored) as EndpointSlice;
    next.addressType = 'FQDN';
    next.endpoints = [{ addresses: ['web-1.example.com'] }];
    await expectRefused(c.update(next, stored), { message: `${SLICE}addressType: Invalid value: "FQDN": field is immutable`, fields: ['addressType'] });
  });
});

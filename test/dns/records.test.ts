import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../../src/api/types.js';
import { answerQuestion, buildZone, expandName } from '../../src/dns/records.js';
import { CLASS_IN, RCODE, TYPE, type DnsRecord } from '../../src/dns/wire.js';

function service(ns: string, name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec };
}

function slice(ns: string, svc: string, name: string, endpoints: Array<{ ip: string; ready?: boolean; hostname?: string }>, ports: Array<{ name: string; port: number }>): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    endpoints: endpoints.map((e) => ({
      addresses: [e.ip],
      ...(e.ready === undefined ? {} : { conditions: { ready: e.ready } }),
      ...(e.hostname ? { hostname: e.hostname } : {}),
    })),
    ports: ports.map((p) => ({ ...p, protocol: 'TCP' })),
  };
}

const zone = buildZone({
  serial: 42,
  dnsIP: '127.96.0.10',
  services: [
    service('default', 'web', { type: 'ClusterIP', clusterIP: '127.96.0.20', ports: [{ name: 'http', port: 80, targetPort: 8080 }, { port: 9090 }] }),
    service('default', 'kubernetes', { type: 'ClusterIP', clusterIP: '127.96.0.1', ports: [{ name: 'https', port: 443 }] }),
    service('prod', 'web', { type: 'NodePort', clusterIP: '127.96.0.30', ports: [{ name: 'http', port: 80, nodePort: 30080 }] }),
    service('default', 'db', { clusterIP: 'None', ports: [{ name: 'pg', port: 5432, targetPort: 'pg' }] }),
    service('default', 'empty', { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] }),
    service('default', 'ext', { type: 'ExternalName', externalName: 'www.example.com' }),
    service('default', 'warm', { clusterIP: 'None', publishNotReadyAddresses: true, ports: [{ port: 80 }] }),
  ],
  endpointSlices: [
    slice('default', 'db', 'db-aaaaa', [{ ip: '127.244.1.5', hostname: 'db-0' }, { ip: '127.244.2.7' }, { ip: '127.244.3.9', ready: false }], [{ name: 'pg', port: 15432 }]),
    slice('default', 'warm', 'warm-aaaaa', [{ ip: '127.244.1.8', ready: false }], []),
    // A slice of a service in another namespace with the same name must not leak in.
    slice('other', 'db', 'db-bbbbb', [{ ip: '127.244.9.9' }], [{ name: 'pg', port: 5432 }]),
  ],
});

/** `TYPE data` for each record, in order: what a user reads in dig's answer section. */
function show(records: DnsRecord[]): string[] {
  return records.map((r) => {
    const d = r.data;
    switch (d.kind) {
      case 'a':
      case 'aaaa':
        return `${r.name} ${d.kind.toUpperCase()} ${d.address}`;
      case 'name':
        return `${r.name} ${r.type === TYPE.CNAME ? 'CNAME' : r.type === TYPE.PTR ? 'PTR' : 'NS'} ${d.target}`;
      case 'srv':
        return `${r.name} SRV ${d.priority} ${d.weight} ${d.port} ${d.target}`;
      case 'soa':
        return `${r.name} SOA ${d.mname} ${d.rname}`;
      case 'raw':
        return `${r.name} TYPE${r.type} ${d.bytes.subarray(1).toString()}`;
    }
  });
}

const SOA = 'cluster.local SOA ns.dns.cluster.local hostmaster.cluster.local';

describe('cluster DNS records', () => {
  const cases: Array<{ rule: string; name: string; type: number; rcode: number; answers: string[]; authority?: string[]; additional?: string[] }> = [
    { rule: 'a ClusterIP service answers its ClusterIP', name: 'web.default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['web.default.svc.cluster.local A 127.96.0.20'] },
    { rule: 'a trailing dot means the same name', name: 'web.default.svc.cluster.local.', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['web.default.svc.cluster.local A 127.96.0.20'] },
    { rule: 'names compare case-insensitively and the answer keeps the asked case', name: 'WEB.Default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['WEB.Default.svc.cluster.local A 127.96.0.20'] },
    { rule: 'NAME.NS.svc is expanded with the cluster domain', name: 'web.prod.svc', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['web.prod.svc A 127.96.0.30'] },
    { rule: 'NAME.NS is a service in namespace NS', name: 'web.prod', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['web.prod A 127.96.0.30'] },
    { rule: 'a plain NAME is a service in namespace default', name: 'web', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['web A 127.96.0.20'] },
    { rule: 'the kubernetes service resolves like any other', name: 'kubernetes', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['kubernetes A 127.96.0.1'] },
    { rule: 'a service that does not exist is NXDOMAIN with the SOA', name: 'nope.default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    { rule: 'a service of another namespace is not found by its plain name', name: 'web.nope', type: TYPE.A, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    { rule: 'a name outside the cluster is NXDOMAIN (no recursion)', name: 'www.example.com', type: TYPE.A, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    { rule: 'AAAA of an existing name is NOERROR and empty (the cluster is IPv4)', name: 'web.default.svc.cluster.local', type: TYPE.AAAA, rcode: RCODE.NOERROR, answers: [], authority: [SOA] },
    { rule: 'AAAA of a missing name is still NXDOMAIN', name: 'nope.default.svc.cluster.local', type: TYPE.AAAA, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    {
      rule: 'a named port has an SRV record pointing at the service, its address in the additional section',
      name: '_http._tcp.web.default.svc.cluster.local',
      type: TYPE.SRV,
      rcode: RCODE.NOERROR,
      answers: ['_http._tcp.web.default.svc.cluster.local SRV 0 100 80 web.default.svc.cluster.local'],
      additional: ['web.default.svc.cluster.local A 127.96.0.20'],
    },
    { rule: 'SRV names take the search forms too', name: '_http._tcp.web', type: TYPE.SRV, rcode: RCODE.NOERROR, answers: ['_http._tcp.web SRV 0 100 80 web.default.svc.cluster.local'], additional: ['web.default.svc.cluster.local A 127.96.0.20'] },
    { rule: 'an unnamed port has no SRV record', name: '_9090._tcp.web.default.svc.cluster.local', type: TYPE.SRV, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    { rule: 'a port name with the wrong protocol has no SRV record', name: '_http._udp.web.default.svc.cluster.local', type: TYPE.SRV, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    { rule: 'SRV of a service name is NOERROR and empty', name: 'web.default.svc.cluster.local', type: TYPE.SRV, rcode: RCODE.NOERROR, answers: [], authority: [SOA] },
    { rule: 'the empty name between the service and its port exists', name: '_tcp.web.default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: [], authority: [SOA] },
    { rule: 'a namespace name exists (NOERROR, no data)', name: 'prod.svc.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: [], authority: [SOA] },
    {
      rule: 'a headless service answers its ready endpoints, not the unready one, nor another namespace',
      name: 'db.default.svc.cluster.local',
      type: TYPE.A,
      rcode: RCODE.NOERROR,
      answers: ['db.default.svc.cluster.local A 127.244.1.5', 'db.default.svc.cluster.local A 127.244.2.7'],
    },
    { rule: "a headless endpoint answers by its hostname", name: 'db-0.db.default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['db-0.db.default.svc.cluster.local A 127.244.1.5'] },
    { rule: 'a headless endpoint without a hostname answers by its dashed IP', name: '127-244-2-7.db.default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['127-244-2-7.db.default.svc.cluster.local A 127.244.2.7'] },
    { rule: 'a headless endpoint name takes the HOST.NAME.NS search form', name: 'db-0.db.default', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['db-0.db.default A 127.244.1.5'] },
    {
      rule: 'a headless named port has an SRV per ready endpoint with the endpoints port',
      name: '_pg._tcp.db.default.svc.cluster.local',
      type: TYPE.SRV,
      rcode: RCODE.NOERROR,
      answers: ['_pg._tcp.db.default.svc.cluster.local SRV 0 50 15432 db-0.db.default.svc.cluster.local', '_pg._tcp.db.default.svc.cluster.local SRV 0 50 15432 127-244-2-7.db.default.svc.cluster.local'],
      additional: ['db-0.db.default.svc.cluster.local A 127.244.1.5', '127-244-2-7.db.default.svc.cluster.local A 127.244.2.7'],
    },
    { rule: 'a headless service without ready endpoints is NXDOMAIN (the spec)', name: 'empty.default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NXDOMAIN, answers: [], authority: [SOA] },
    { rule: 'publishNotReadyAddresses publishes unready endpoints', name: 'warm', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['warm A 127.244.1.8'] },
    { rule: 'an ExternalName service is a CNAME', name: 'ext.default.svc.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['ext.default.svc.cluster.local CNAME www.example.com'] },
    { rule: 'a ClusterIP has a PTR record', name: '20.0.96.127.in-addr.arpa', type: TYPE.PTR, rcode: RCODE.NOERROR, answers: ['20.0.96.127.in-addr.arpa PTR web.default.svc.cluster.local'] },
    { rule: 'a headless endpoint has a PTR record', name: '5.1.244.127.in-addr.arpa', type: TYPE.PTR, rcode: RCODE.NOERROR, answers: ['5.1.244.127.in-addr.arpa PTR db-0.db.default.svc.cluster.local'] },
    { rule: 'pod records answer the address they spell', name: '127-244-1-5.default.pod.cluster.local', type: TYPE.A, rcode: RCODE.NOERROR, answers: ['127-244-1-5.default.pod.cluster.local A 127.244.1.5'] },
    { rule: 'the schema version is published', name: 'dns-version.cluster.local', type: TYPE.TXT, rcode: RCODE.NOERROR, answers: ['dns-version.cluster.local TYPE16 1.0.1'] },
    { rule: 'the zone apex answers its SOA', name: 'cluster.local', type: TYPE.SOA, rcode: RCODE.NOERROR, answers: [SOA] },
    { rule: 'the zone apex names the DNS server', name: 'cluster.local', type: TYPE.NS, rcode: RCODE.NOERROR, answers: ['cluster.local NS ns.dns.cluster.local'], additional: ['ns.dns.cluster.local A 127.96.0.10'] },
  ];

  for (const c of cases) {
    it(c.rule, () => {
      const a = answerQuestion(zone, { name: c.name, type: c.type, class: CLASS_IN });
      expect({ rcode: a.rcode, answers: show(a.answers) }).toEqual({ rcode: c.rcode, answers: c.answers });
      if (c.authority) expect(show(a.authorities)).toEqual(c.authority);
      else expect(a.authorities).toEqual([]);
      if (c.additional) expect(show(a.additionals)).toEqual(c.additional);
    });
  }

  it('carries the zone TTL on answers and the SOA serial it was built with', () => {
    const a = answerQuestion(zone, { name: 'nope', type: TYPE.A, class: CLASS_IN });
    expect(a.authorities[0]).toMatchObject({ ttl: 30, data: { kind: 'soa', serial: 42, minimum: 30 } });
    expect(answerQuestion(zone, { name: 'web', type: TYPE.A, class: CLASS_IN }).answers[0]!.ttl).toBe(30);
  });

  it('refuses classes other than IN', () => {
    expect(answerQuestion(zone, { name: 'version.bind', type: TYPE.TXT, class: 3 }).rcode).toBe(RCODE.REFUSED);
  });

  it('a service being deleted is gone from DNS', () => {
    const z = buildZone({
      services: [{ ...service('default', 'old', { clusterIP: '127.96.0.40', ports: [{ port: 80 }] }), metadata: { namespace: 'default', name: 'old', deletionTimestamp: '2024-01-01T00:00:00Z' } }],
      endpointSlices: [],
    });
    expect(answerQuestion(z, { name: 'old', type: TYPE.A, class: CLASS_IN }).rcode).toBe(RCODE.NXDOMAIN);
  });

  const expansions: Array<[string, string]> = [
    ['web', 'web.default.svc.cluster.local'],
    ['web.prod', 'web.prod.svc.cluster.local'],
    ['web.prod.svc', 'web.prod.svc.cluster.local'],
    ['web.prod.svc.cluster.local.', 'web.prod.svc.cluster.local'],
    ['_http._tcp.web', '_http._tcp.web.default.svc.cluster.local'],
    ['_http._tcp.web.prod', '_http._tcp.web.prod.svc.cluster.local'],
    ['1.0.96.127.in-addr.arpa', '1.0.96.127.in-addr.arpa'],
    ['a.b.c.example.com', 'a.b.c.example.com'],
  ];
  for (const [name, fqdn] of expansions) {
    it(`expands ${name} as a pod's search path would: ${fqdn}`, () => {
      expect(expandName(name)).toBe(fqdn);
    });
  }
});

// What the cluster DNS answers, as the Kubernetes DNS specification (kubernetes/dns,
// docs/specification.md) lays it out: a pure function from Services and EndpointSlices to a zone,
// and a pure function from a zone and a question to an answer.
//
//   <svc>.<ns>.svc.<zone>                     A      the ClusterIP; headless: each ready endpoint
//   <hostname>.<svc>.<ns>.svc.<zone>          A      a headless service's endpoint (hostname, or
//                                                    its IP with dashes when it has none)
//   _<port>._<proto>.<svc>.<ns>.svc.<zone>    SRV    each named port (headless: per endpoint)
//   <d>.<c>.<b>.<a>.in-addr.arpa              PTR    ClusterIPs and headless endpoints
//   <svc>.<ns>.svc.<zone>                     CNAME  ExternalName services
//   <a>-<b>-<c>-<d>.<ns>.pod.<zone>           A      a.b.c.d (the spec's deprecated pod records)
//   dns-version.<zone>                        TXT    the schema version
//
// Short names are answered as a pod's resolv.conf search path (`<ns>.svc.<zone> svc.<zone>
// <zone>`) would expand them: `web` is web.default.svc.<zone>, `web.prod` is web.prod.svc.<zone>,
// `web.prod.svc` is web.prod.svc.<zone>. A name that does not exist is NXDOMAIN with the zone's
// SOA; a name that exists without the asked type (AAAA: this cluster is IPv4) is NOERROR and
// empty, with the SOA.
import type { EndpointSlice, Service } from '../api/types.js';
import { CLASS_ANY, CLASS_IN, RCODE, TYPE, type DnsQuestion, type DnsRecord, type SoaData, type SrvData } from './wire.js';

export const CLUSTER_DOMAIN = 'cluster.local';
/** kubeadm's CoreDNS Corefile: `ttl 30`. */
export const DEFAULT_TTL = 30;
export const DNS_SCHEMA_VERSION = '1.0.1';
/** The namespace short names are looked up in (a pod in `default` would search it first). */
export const DEFAULT_SEARCH_NAMESPACE = 'default';

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

/** Everything one name holds. */
export interface NameRecords {
  a: string[];
  cname?: string;
  srv: Array<Omit<SrvData, 'kind'>>;
  ptr: string[];
  txt: string[];
}

export interface DnsZone {
  readonly domain: string;
  readonly ttl: number;
  readonly serial: number;
  /** Lower-case absolute names (no trailing dot) -> their records; empty records: a name that exists with nothing of its own. */
  readonly names: ReadonlyMap<string, NameRecords>;
}

export interface ZoneInput {
  services: readonly Service[];
  endpointSlices: readonly EndpointSlice[];
  /** Default cluster.local. */
  domain?: string;
  /** Default 30 s. */
  ttl?: number;
  /** SOA serial (default: now, in seconds). */
  serial?: number;
  /** The DNS server's own address (for ns.dns.<zone>). */
  dnsIP?: string;
}

export interface ZoneAnswer {
  rcode: number;
  /** true: we own the name (cluster zone or its reverse addresses). */
  authoritative: boolean;
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

function emptyRecords(): NameRecords {
  return { a: [], srv: [], ptr: [], txt: [] };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function isIPv4(s: string | undefined): s is string {
  const m = s ? IPV4.exec(s) : null;
  return !!m && m.slice(1).every((o) => Number(o) <= 255);
}

export function reverseName(ip: string): string {
  return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
}

/** An endpoint's name under its headless service: its hostname, else its IP with dashes. */
export function endpointHostname(ip: string, hostname: string | undefined): string {
  return (hostname || ip.replace(/\./g, '-')).toLowerCase();
}

interface EndpointName {
  ip: string;
  hostname: string;
}

interface ServiceEndpoints {
  /** By IP. */
  ready: Map<string, EndpointName>;
  notReady: Map<string, EndpointName>;
  /** Named ports of the slices. */
  ports: Map<string, number>;
}

/** The IPv4 endpoints and named ports of each service (`ns/name`), from its EndpointSlices. */
function endpointsByService(slices: readonly EndpointSlice[]): Map<string, ServiceEndpoints> {
  const out = new Map<string, ServiceEndpoints>();
  for (const slice of slices) {
    const svc = slice.metadata.labels?.[SERVICE_NAME_LABEL];
    if (!svc || slice.addressType !== 'IPv4' || slice.metadata.deletionTimestamp) continue;
    const key = `${slice.metadata.namespace ?? 'default'}/${svc}`;
    let entry = out.get(key);
    if (!entry) {
      entry = { ready: new Map(), notReady: new Map(), ports: new Map() };
      out.set(key, entry);
    }
    for (const p of slice.ports ?? []) {
      if (p.name && typeof p.port === 'number') entry.ports.set(p.name, p.port);
    }
    for (const ep of slice.endpoints ?? []) {
      // The API: a nil ready condition means ready.
      const ready = ep.conditions?.ready !== false;
      for (const ip of ep.addresses ?? []) {
        if (!isIPv4(ip)) continue;
        const target = ready ? entry.ready : entry.notReady;
        if (!target.has(ip)) target.set(ip, { ip, hostname: endpointHostname(ip, ep.hostname) });
      }
    }
  }
  return out;
}

/** Renders every record of the cluster. Pure: same input, same zone. */
export function buildZone(input: ZoneInput): DnsZone {
  const domain = (input.domain ?? CLUSTER_DOMAIN).toLowerCase();
  const ttl = input.ttl ?? DEFAULT_TTL;
  const names = new Map<string, NameRecords>();
  const at = (name: string): NameRecords => {
    const key = name.toLowerCase();
    let r = names.get(key);
    if (!r) {
      r = emptyRecords();
      names.set(key, r);
    }
    return r;
  };

  at(domain); // the apex
  at(`dns-version.${domain}`).txt.push(DNS_SCHEMA_VERSION);
  if (input.dnsIP && isIPv4(input.dnsIP)) at(`ns.dns.${domain}`).a.push(input.dnsIP);

  const endpoints = endpointsByService(input.endpointSlices);
  const services = [...input.services].sort((x, y) => {
    const a = `${x.metadata.namespace}/${x.metadata.name}`;
    const b = `${y.metadata.namespace}/${y.metadata.name}`;
    return a < b ? -1 : a > b ? 1 : 0;
  });

  for (const svc of services) {
    if (svc.metadata.deletionTimestamp) continue;
    const ns = (svc.metadata.namespace ?? 'default').toLowerCase();
    const name = (svc.metadata.name ?? '').toLowerCase();
    if (!name) continue;
    const fqdn = `${name}.${ns}.svc.${domain}`;
    const spec = svc.spec ?? {};

    if (spec.type === 'ExternalName') {
      if (spec.externalName) at(fqdn).cname = spec.externalName.replace(/\.$/, '');
      continue;
    }

    const clusterIP = spec.clusterIP;
    if (clusterIP && clusterIP !== 'None') {
      if (!isIPv4(clusterIP)) continue;
      at(fqdn).a.push(clusterIP);
      at(reverseName(clusterIP)).ptr.push(fqdn);
      for (const p of spec.ports ?? []) {
        if (!p.name) continue;
        const proto = (p.protocol ?? 'TCP').toLowerCase();
        at(`_${p.name}._${proto}.${fqdn}`).srv.push({ priority: 0, weight: 100, port: p.port, target: fqdn });
      }
      continue;
    }

    // Headless: the ready endpoints themselves (all of them with publishNotReadyAddresses).
    const eps = endpoints.get(`${svc.metadata.namespace ?? 'default'}/${svc.metadata.name}`);
    const ready = [...(eps?.ready.values() ?? [])];
    if (spec.publishNotReadyAddresses) for (const e of eps?.notReady.values() ?? []) if (!eps?.ready.has(e.ip)) ready.push(e);
    if (ready.length === 0) continue; // the spec: no ready endpoints, NXDOMAIN
    ready.sort((x, y) => (x.ip < y.ip ? -1 : x.ip > y.ip ? 1 : 0));
    const records = at(fqdn);
    for (const e of ready) {
      records.a.push(e.ip);
      const host = `${e.hostname}.${fqdn}`;
      at(host).a.push(e.ip);
      at(reverseName(e.ip)).ptr.push(host);
    }
    const weight = Math.max(1, Math.floor(100 / ready.length));
    for (const p of spec.ports ?? []) {
      if (!p.name) continue;
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      // The port a client dials is the endpoints' port of that name (the pods' port).
      const port = eps?.ports.get(p.name) ?? (typeof p.targetPort === 'number' ? p.targetPort : p.port);
      const srv = at(`_${p.name}._${proto}.${fqdn}`).srv;
      for (const e of ready) srv.push({ priority: 0, weight, port, target: `${e.hostname}.${fqdn}` });
    }
  }

  // Every ancestor of a name inside the zone exists (an empty non-terminal: NOERROR, no data).
  for (const name of [...names.keys()]) {
    if (!name.endsWith(`.${domain}`)) continue;
    let parent = name;
    while (parent.length > domain.length) {
      parent = parent.slice(parent.indexOf('.') + 1);
      if (!names.has(parent)) names.set(parent, emptyRecords());
    }
  }

  return { domain, ttl, serial: input.serial ?? Math.floor(Date.now() / 1000), names };
}

/**
 * The absolute name a question means: names in the cluster domain or in-addr.arpa as they are;
 * `NAME.NS.svc`, `NAME.NS` and `NAME` as a pod's search path expands them (with `_port._proto`
 * labels in front for SRV; `HOST.NAME.NS` for a headless endpoint).
 */
export function expandName(qname: string, domain: string = CLUSTER_DOMAIN, namespace: string = DEFAULT_SEARCH_NAMESPACE): string {
  const name = qname.replace(/\.$/, '').toLowerCase();
  const zone = domain.toLowerCase();
  if (name === zone || name.endsWith(`.${zone}`) || name.endsWith('.in-addr.arpa') || name === 'in-addr.arpa') return name;
  if (name.endsWith('.svc')) return `${name}.${zone}`;
  const labels = name === '' ? [] : name.split('.');
  const plain = labels.filter((l) => !l.startsWith('_')).length;
  if (plain === 1) return `${name}.${namespace}.svc.${zone}`;
  if (plain === 2 || plain === 3) return `${name}.svc.${zone}`;
  return name;
}

function soa(zone: DnsZone): SoaData {
  return {
    kind: 'soa',
    mname: `ns.dns.${zone.domain}`,
    rname: `hostmaster.${zone.domain}`,
    serial: zone.serial,
    refresh: 7200,
    retry: 1800,
    expire: 86400,
    minimum: zone.ttl,
  };
}

function soaRecord(zone: DnsZone): DnsRecord {
  return { name: zone.domain, type: TYPE.SOA, class: CLASS_IN, ttl: zone.ttl, data: soa(zone) };
}

/** `<a>-<b>-<c>-<d>.<ns>.pod.<zone>` -> a.b.c.d (kube-dns' pod records, `pods insecure` in CoreDNS). */
function podRecordAddress(fqdn: string, zone: string): string | undefined {
  const suffix = `.pod.${zone}`;
  if (!fqdn.endsWith(suffix)) return undefined;
  const labels = fqdn.slice(0, -suffix.length).split('.');
  if (labels.length !== 2) return undefined;
  const ip = labels[0]!.replace(/-/g, '.');
  return isIPv4(ip) && labels[0]!.split('-').length === 4 ? ip : undefined;
}

function txtBytes(text: string): Buffer {
  const b = Buffer.from(text);
  return Buffer.concat([Buffer.from([Math.min(b.length, 255)]), b.subarray(0, 255)]);
}

/** The records of `records` that answer `type`, owned by `owner`. */
function recordsOf(owner: string, records: NameRecords, type: number, ttl: number): DnsRecord[] {
  const out: DnsRecord[] = [];
  const any = type === TYPE.ANY;
  if (records.cname !== undefined) {
    // A CNAME owns its name alone: it answers every type.
    return [{ name: owner, type: TYPE.CNAME, class: CLASS_IN, ttl, data: { kind: 'name', target: records.cname } }];
  }
  if (any || type === TYPE.A) for (const address of records.a) out.push({ name: owner, type: TYPE.A, class: CLASS_IN, ttl, data: { kind: 'a', address } });
  if (any || type === TYPE.SRV) for (const s of records.srv) out.push({ name: owner, type: TYPE.SRV, class: CLASS_IN, ttl, data: { kind: 'srv', ...s } });
  if (any || type === TYPE.PTR) for (const target of records.ptr) out.push({ name: owner, type: TYPE.PTR, class: CLASS_IN, ttl, data: { kind: 'name', target } });
  if (any || type === TYPE.TXT) for (const t of records.txt) out.push({ name: owner, type: TYPE.TXT, class: CLASS_IN, ttl, data: { kind: 'raw', bytes: txtBytes(t) } });
  return out;
}

/** Answers one question from the zone. Pure. */
export function answerQuestion(zone: DnsZone, q: DnsQuestion, namespace: string = DEFAULT_SEARCH_NAMESPACE): ZoneAnswer {
  const owner = q.name.replace(/\.$/, '');
  const result: ZoneAnswer = { rcode: RCODE.NOERROR, authoritative: true, answers: [], authorities: [], additionals: [] };
  if (q.class !== CLASS_IN && q.class !== CLASS_ANY) {
    result.rcode = RCODE.REFUSED;
    result.authoritative = false;
    return result;
  }
  const fqdn = expandName(owner, zone.domain, namespace);
  const negative = (rcode: number): ZoneAnswer => {
    result.rcode = rcode;
    result.authorities.push({ ...soaRecord(zone), ttl: Math.min(zone.ttl, soa(zone).minimum) });
    return result;
  };

  if (fqdn === zone.domain && (q.type === TYPE.SOA || q.type === TYPE.NS || q.type === TYPE.ANY)) {
    if (q.type !== TYPE.NS) result.answers.push({ ...soaRecord(zone), name: owner });
    if (q.type !== TYPE.SOA) {
      const ns = `ns.dns.${zone.domain}`;
      result.answers.push({ name: owner, type: TYPE.NS, class: CLASS_IN, ttl: zone.ttl, data: { kind: 'name', target: ns } });
      for (const address of zone.names.get(ns)?.a ?? []) result.additionals.push({ name: ns, type: TYPE.A, class: CLASS_IN, ttl: zone.ttl, data: { kind: 'a', address } });
    }
    return result;
  }

  const podIP = podRecordAddress(fqdn, zone.domain);
  if (podIP) {
    if (q.type === TYPE.A || q.type === TYPE.ANY) result.answers.push({ name: owner, type: TYPE.A, class: CLASS_IN, ttl: zone.ttl, data: { kind: 'a', address: podIP } });
    return result.answers.length ? result : negative(RCODE.NOERROR);
  }

  const records = zone.names.get(fqdn);
  if (!records) {
    if (!fqdn.endsWith(`.${zone.domain}`) && !fqdn.endsWith('.in-addr.arpa')) result.authoritative = false;
    return negative(RCODE.NXDOMAIN);
  }
  result.answers = recordsOf(owner, records, q.type, zone.ttl);
  if (result.answers.length === 0) return negative(RCODE.NOERROR);

  // SRV: the targets' addresses go in the additional section.
  const seen = new Set<string>();
  for (const r of result.answers) {
    if (r.data.kind !== 'srv') continue;
    const target = r.data.target.toLowerCase();
    if (seen.has(target)) continue;
    seen.add(target);
    for (const address of zone.names.get(target)?.a ?? []) {
      result.additionals.push({ name: r.data.target, type: TYPE.A, class: CLASS_IN, ttl: zone.ttl, data: { kind: 'a', address } });
    }
  }
  return result;
}

import { describe, expect, it } from 'vitest';
import type { EndpointSlice, Service } from '../../src/api/types.js';
import { buildZone } from '../../src/dns/records.js';
import { respondToQuery } from '../../src/dns/respond.js';
import { CLASS_IN, decodeMessage, emptyFlags, encodeMessage, optRecord, RCODE, TYPE, type DnsMessage } from '../../src/dns/wire.js';

const manyPods: EndpointSlice = {
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { namespace: 'default', name: 'big-xxxxx', labels: { 'kubernetes.io/service-name': 'big' } },
  addressType: 'IPv4',
  endpoints: Array.from({ length: 100 }, (_, i) => ({ addresses: [`127.244.${Math.floor(i / 50) + 1}.${(i % 50) + 2}`], conditions: { ready: true } })),
  ports: [],
};
const services: Service[] = [
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '127.96.0.20', ports: [{ port: 80 }] } },
  { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'default', name: 'big' }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } },
];
const zone = buildZone({ services, endpointSlices: [manyPods] });

function query(name: string, type = TYPE.A, over: Partial<DnsMessage> = {}): Buffer {
  return encodeMessage({ id: 7, flags: { ...emptyFlags(), rd: true }, questions: [{ name, type, class: CLASS_IN }], answers: [], authorities: [], additionals: [], ...over });
}

describe('answering a DNS query', () => {
  it('answers with the same id and question, authoritative, without recursion', () => {
    const reply = decodeMessage(respondToQuery(query('web'), zone, 'udp')!);
    expect(reply.id).toBe(7);
    expect(reply.flags).toMatchObject({ qr: true, aa: true, rd: true, ra: false, tc: false, rcode: RCODE.NOERROR });
    expect(reply.questions).toEqual([{ name: 'web', type: TYPE.A, class: CLASS_IN }]);
    expect(reply.answers.map((a) => a.data)).toEqual([{ kind: 'a', address: '127.96.0.20' }]);
  });

  it('answers SERVFAIL until the zone is known, so clients retry instead of caching NXDOMAIN', () => {
    expect(decodeMessage(respondToQuery(query('web'), null, 'udp')!).flags.rcode).toBe(RCODE.SERVFAIL);
  });

  it('echoes EDNS when the query used it', () => {
    const reply = decodeMessage(respondToQuery(query('web', TYPE.A, { additionals: [optRecord(4096)] }), zone, 'udp')!);
    expect(reply.additionals.filter((r) => r.type === TYPE.OPT)).toHaveLength(1);
  });

  it('truncates a UDP answer larger than 512 bytes (no EDNS), so the client retries over TCP', () => {
    const reply = decodeMessage(respondToQuery(query('big'), zone, 'udp')!);
    expect(reply.flags.tc).toBe(true);
    expect(reply.answers).toEqual([]);
  });

  it('sends the whole answer over TCP', () => {
    const reply = decodeMessage(respondToQuery(query('big'), zone, 'tcp')!);
    expect(reply.flags.tc).toBe(false);
    expect(reply.answers).toHaveLength(100);
  });

  it('answers FORMERR to a message that does not decode', () => {
    const bad = Buffer.concat([query('web').subarray(0, 14), Buffer.from([0x3f])]);
    const reply = decodeMessage(respondToQuery(bad, zone, 'udp')!);
    expect(reply.id).toBe(7);
    expect(reply.flags.rcode).toBe(RCODE.FORMERR);
  });

  it('answers FORMERR to a query with two questions', () => {
    const two = query('web', TYPE.A, { questions: [{ name: 'web', type: TYPE.A, class: CLASS_IN }, { name: 'big', type: TYPE.A, class: CLASS_IN }] });
    expect(decodeMessage(respondToQuery(two, zone, 'udp')!).flags.rcode).toBe(RCODE.FORMERR);
  });

  it('answers NOTIMP to other opcodes (e.g. UPDATE)', () => {
    const update = query('web', TYPE.A, { flags: { ...emptyFlags(), opcode: 5 } });
    expect(decodeMessage(respondToQuery(update, zone, 'udp')!).flags.rcode).toBe(RCODE.NOTIMP);
  });

  it('ignores answers and runts (no reply loops)', () => {
    const answer = query('web', TYPE.A, { flags: { ...emptyFlags(), qr: true } });
    expect(respondToQuery(answer, zone, 'udp')).toBeNull();
    expect(respondToQuery(Buffer.from([1, 2, 3]), zone, 'udp')).toBeNull();
  });
});

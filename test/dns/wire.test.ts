import { describe, expect, it } from 'vitest';
import {
  CLASS_IN,
  decodeMessage,
  DnsWireError,
  emptyFlags,
  encodeMessage,
  optRecord,
  RCODE,
  TYPE,
  type DnsMessage,
  type DnsRecord,
} from '../../src/dns/wire.js';

const rec = (name: string, type: number, data: DnsRecord['data'], ttl = 30): DnsRecord => ({ name, type, class: CLASS_IN, ttl, data });

function message(over: Partial<DnsMessage> = {}): DnsMessage {
  return { id: 0x1234, flags: emptyFlags(), questions: [], answers: [], authorities: [], additionals: [], ...over };
}

describe('DNS wire format', () => {
  const roundTrips: Array<{ name: string; msg: DnsMessage }> = [
    {
      name: 'a query with recursion desired and an EDNS OPT record',
      msg: message({ flags: { ...emptyFlags(), rd: true }, questions: [{ name: 'web.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }], additionals: [optRecord(1232)] }),
    },
    {
      name: 'an authoritative answer with A records',
      msg: message({
        flags: { ...emptyFlags(), qr: true, aa: true, rd: true },
        questions: [{ name: 'db.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }],
        answers: [rec('db.default.svc.cluster.local', TYPE.A, { kind: 'a', address: '127.244.1.5' }), rec('db.default.svc.cluster.local', TYPE.A, { kind: 'a', address: '127.244.2.7' })],
      }),
    },
    {
      name: 'SRV answers with their targets in the additional section',
      msg: message({
        flags: { ...emptyFlags(), qr: true, aa: true },
        questions: [{ name: '_http._tcp.web.default.svc.cluster.local', type: TYPE.SRV, class: CLASS_IN }],
        answers: [rec('_http._tcp.web.default.svc.cluster.local', TYPE.SRV, { kind: 'srv', priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' })],
        additionals: [rec('web.default.svc.cluster.local', TYPE.A, { kind: 'a', address: '127.96.0.20' })],
      }),
    },
    {
      name: 'NXDOMAIN with the SOA in the authority section',
      msg: message({
        flags: { ...emptyFlags(), qr: true, aa: true, rcode: RCODE.NXDOMAIN },
        questions: [{ name: 'nope.default.svc.cluster.local', type: TYPE.A, class: CLASS_IN }],
        authorities: [
          rec('cluster.local', TYPE.SOA, { kind: 'soa', mname: 'ns.dns.cluster.local', rname: 'hostmaster.cluster.local', serial: 1700000000, refresh: 7200, retry: 1800, expire: 86400, minimum: 30 }),
        ],
      }),
    },
    {
      name: 'CNAME, PTR, AAAA and an unknown type kept as raw bytes',
      msg: message({
        flags: { ...emptyFlags(), qr: true },
        answers: [
          rec('ext.default.svc.cluster.local', TYPE.CNAME, { kind: 'name', target: 'www.example.com' }),
          rec('20.0.96.127.in-addr.arpa', TYPE.PTR, { kind: 'name', target: 'web.default.svc.cluster.local' }),
          rec('v6.example', TYPE.AAAA, { kind: 'aaaa', address: '2001:db8::1' }),
          rec('dns-version.cluster.local', TYPE.TXT, { kind: 'raw', bytes: Buffer.from('\x051.0.1') }),
        ],
      }),
    },
  ];
  for (const c of roundTrips) {
    it(`round-trips ${c.name}`, () => {
      expect(decodeMessage(encodeMessage(c.msg))).toEqual(c.msg);
    });
  }

  it('compresses repeated names, and decodes the pointers back', () => {
    const name = 'web.default.svc.cluster.local';
    const msg = message({
      flags: { ...emptyFlags(), qr: true },
      questions: [{ name, type: TYPE.A, class: CLASS_IN }],
      answers: Array.from({ length: 5 }, (_, i) => rec(name, TYPE.A, { kind: 'a', address: `127.0.0.${i + 1}` })),
    });
    const bytes = encodeMessage(msg);
    // Header 12 + question (31 + 4) + 5 answers of (2-byte pointer + 10 + 4).
    expect(bytes.length).toBe(12 + 35 + 5 * 16);
    expect(decodeMessage(bytes)).toEqual(msg);
  });

  it('is case-preserving for names (0x20 clients compare them exactly)', () => {
    const msg = message({ questions: [{ name: 'WeB.Default.SVC.cluster.local', type: TYPE.A, class: CLASS_IN }] });
    expect(decodeMessage(encodeMessage(msg)).questions[0]!.name).toBe('WeB.Default.SVC.cluster.local');
  });

  it('writes IPv6 addresses in their shortest form', () => {
    const msg = message({ answers: [rec('x', TYPE.AAAA, { kind: 'aaaa', address: '2001:0db8:0000:0000:0000:0000:0000:0001' })] });
    const back = decodeMessage(encodeMessage(msg)).answers[0]!.data;
    expect(back).toEqual({ kind: 'aaaa', address: '2001:db8::1' });
  });

  const malformed: Array<{ name: string; bytes: Buffer }> = [
    { name: 'a message shorter than the header', bytes: Buffer.from([0x12, 0x34, 0x01]) },
    { name: 'a question count with no question', bytes: Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0]) },
    {
      name: 'a compression pointer that points at itself',
      bytes: Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0xc0, 12, 0x00, 0x01, 0x00, 0x01]),
    },
    {
      name: 'a label running past the end',
      bytes: Buffer.from([0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0x20, 0x61, 0x62]),
    },
    {
      name: 'an A record with 3 bytes of data',
      bytes: Buffer.concat([
        Buffer.from([0x12, 0x34, 0x81, 0x00, 0x00, 0x00, 0x00, 0x01, 0, 0, 0, 0]),
        Buffer.from([0x00, 0x00, 0x01, 0x00, 0x01, 0, 0, 0, 30, 0x00, 0x03, 1, 2, 3]),
      ]),
    },
  ];
  for (const c of malformed) {
    it(`rejects ${c.name}`, () => {
      expect(() => decodeMessage(c.bytes)).toThrow(DnsWireError);
    });
  }

  it('refuses to encode a label longer than 63 bytes', () => {
    const msg = message({ questions: [{ name: `${'a'.repeat(64)}.example`, type: TYPE.A, class: CLASS_IN }] });
    expect(() => encodeMessage(msg)).toThrow(/longer than 63/);
  });
});

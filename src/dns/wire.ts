// DNS messages on the wire (RFC 1035 section 4, SRV from RFC 2782, EDNS OPT from RFC 6891):
// encode and decode, with name compression when encoding and pointer-loop protection when
// decoding. Small on purpose: the cluster DNS needs questions in and A/AAAA/CNAME/SRV/SOA
// answers out; every other record type is carried as raw bytes.
//
// Names are written without the trailing dot (`web.default.svc.cluster.local`); the root is ''.

export const TYPE = {
  A: 1,
  NS: 2,
  CNAME: 5,
  SOA: 6,
  PTR: 12,
  MX: 15,
  TXT: 16,
  AAAA: 28,
  SRV: 33,
  OPT: 41,
  ANY: 255,
} as const;

export const CLASS_IN = 1;
export const CLASS_ANY = 255;

export const RCODE = {
  NOERROR: 0,
  FORMERR: 1,
  SERVFAIL: 2,
  NXDOMAIN: 3,
  NOTIMP: 4,
  REFUSED: 5,
} as const;

export const OPCODE_QUERY = 0;

/** The largest UDP answer a client without EDNS accepts. */
export const CLASSIC_UDP_SIZE = 512;

export interface DnsQuestion {
  name: string;
  type: number;
  class: number;
}

export interface SoaData {
  kind: 'soa';
  mname: string;
  rname: string;
  serial: number;
  refresh: number;
  retry: number;
  expire: number;
  minimum: number;
}

export interface SrvData {
  kind: 'srv';
  priority: number;
  weight: number;
  port: number;
  target: string;
}

/** What a record carries, by the shape of its RDATA. */
export type RecordData =
  | { kind: 'a'; address: string }
  | { kind: 'aaaa'; address: string }
  /** CNAME, NS, PTR: one domain name. */
  | { kind: 'name'; target: string }
  | SrvData
  | SoaData
  /** Anything else (OPT, TXT, MX...): the RDATA bytes as they are. */
  | { kind: 'raw'; bytes: Buffer };

export interface DnsRecord {
  name: string;
  type: number;
  /** For OPT: the sender's UDP payload size. */
  class: number;
  /** For OPT: extended RCODE and flags. */
  ttl: number;
  data: RecordData;
}

export interface DnsFlags {
  /** true in answers. */
  qr: boolean;
  opcode: number;
  /** Authoritative answer. */
  aa: boolean;
  /** Truncated: the client should ask again over TCP. */
  tc: boolean;
  /** Recursion desired (copied from the query). */
  rd: boolean;
  /** Recursion available. */
  ra: boolean;
  ad: boolean;
  cd: boolean;
  rcode: number;
}

export interface DnsMessage {
  id: number;
  flags: DnsFlags;
  questions: DnsQuestion[];
  answers: DnsRecord[];
  authorities: DnsRecord[];
  additionals: DnsRecord[];
}

/** A message that cannot be decoded (or a name that cannot be encoded). */
export class DnsWireError extends Error {}

export const HEADER_SIZE = 12;

export function emptyFlags(): DnsFlags {
  return { qr: false, opcode: OPCODE_QUERY, aa: false, tc: false, rd: false, ra: false, ad: false, cd: false, rcode: RCODE.NOERROR };
}

// ---- encoding ------------------------------------------------------------------------------

interface Writer {
  buf: Buffer;
  len: number;
  /** Lower-cased name suffix -> offset where it was written (for compression pointers). */
  names: Map<string, number>;
}

function ensure(w: Writer, n: number): void {
  if (w.len + n <= w.buf.length) return;
  let size = w.buf.length * 2;
  while (size < w.len + n) size *= 2;
  const next = Buffer.allocUnsafe(size);
  w.buf.copy(next, 0, 0, w.len);
  w.buf = next;
}

function u8(w: Writer, v: number): void {
  ensure(w, 1);
  w.buf[w.len++] = v & 0xff;
}

function u16(w: Writer, v: number): void {
  ensure(w, 2);
  w.buf.writeUInt16BE(v & 0xffff, w.len);
  w.len += 2;
}

function u32(w: Writer, v: number): void {
  ensure(w, 4);
  w.buf.writeUInt32BE(v >>> 0, w.len);
  w.len += 4;
}

function bytes(w: Writer, b: Buffer): void {
  ensure(w, b.length);
  b.copy(w.buf, w.len);
  w.len += b.length;
}

export function nameLabels(name: string): string[] {
  const trimmed = name.endsWith('.') ? name.slice(0, -1) : name;
  return trimmed === '' ? [] : trimmed.split('.');
}

/**
 * Writes a name; with `compress`, its longest suffix already in the message becomes a pointer.
 * SRV targets are written whole (RFC 2782: no compression in that field).
 */
function writeName(w: Writer, name: string, compress: boolean): void {
  const labels = nameLabels(name);
  let total = 1;
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    const len = Buffer.byteLength(label);
    if (len === 0) throw new DnsWireError(`empty label in name "${name}"`);
    if (len > 63) throw new DnsWireError(`label "${label}" is longer than 63 bytes`);
    total += len + 1;
    if (total > 255) throw new DnsWireError(`name "${name}" is longer than 255 bytes`);
  }
  for (let i = 0; i < labels.length; i++) {
    const suffix = labels.slice(i).join('.').toLowerCase();
    if (compress) {
      const at = w.names.get(suffix);
      if (at !== undefined) {
        u16(w, 0xc000 | at);
        return;
      }
    }
    if (w.len < 0x4000) w.names.set(suffix, w.len);
    const label = Buffer.from(labels[i]!);
    u8(w, label.length);
    bytes(w, label);
  }
  u8(w, 0);
}

function writeIPv4(w: Writer, address: string): void {
  const parts = address.split('.');
  if (parts.length !== 4) throw new DnsWireError(`"${address}" is not an IPv4 address`);
  for (const p of parts) {
    const n = Number(p);
    if (!/^\d{1,3}$/.test(p) || n > 255) throw new DnsWireError(`"${address}" is not an IPv4 address`);
    u8(w, n);
  }
}

function writeIPv6(w: Writer, address: string): void {
  const [head = '', tail] = address.split('::');
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const missing = 8 - h.length - t.length;
  if ((tail === undefined && missing !== 0) || missing < 0) throw new DnsWireError(`"${address}" is not an IPv6 address`);
  for (const g of [...h, ...Array<string>(missing).fill('0'), ...t]) {
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) throw new DnsWireError(`"${address}" is not an IPv6 address`);
    u16(w, parseInt(g, 16));
  }
}

function writeRecord(w: Writer, r: DnsRecord): void {
  writeName(w, r.name, true);
  u16(w, r.type);
  u16(w, r.class);
  u32(w, r.ttl);
  const lengthAt = w.len;
  u16(w, 0);
  const d = r.data;
  switch (d.kind) {
    case 'a':
      writeIPv4(w, d.address);
      break;
    case 'aaaa':
      writeIPv6(w, d.address);
      break;
    case 'name':
      writeName(w, d.target, true);
      break;
    case 'srv':
      u16(w, d.priority);
      u16(w, d.weight);
      u16(w, d.port);
      writeName(w, d.target, false);
      break;
    case 'soa':
      writeName(w, d.mname, true);
      writeName(w, d.rname, true);
      u32(w, d.serial);
      u32(w, d.refresh);
      u32(w, d.retry);
      u32(w, d.expire);
      u32(w, d.minimum);
      break;
    case 'raw':
      bytes(w, d.bytes);
      break;
  }
  w.buf.writeUInt16BE(w.len - lengthAt - 2, lengthAt);
}

function flagsWord(f: DnsFlags): number {
  return (
    (f.qr ? 0x8000 : 0) |
    ((f.opcode & 0xf) << 11) |
    (f.aa ? 0x0400 : 0) |
    (f.tc ? 0x0200 : 0) |
    (f.rd ? 0x0100 : 0) |
    (f.ra ? 0x0080 : 0) |
    (f.ad ? 0x0020 : 0) |
    (f.cd ? 0x0010 : 0) |
    (f.rcode & 0xf)
  );
}

export function encodeMessage(msg: DnsMessage): Buffer {
  const w: Writer = { buf: Buffer.allocUnsafe(512), len: 0, names: new Map() };
  u16(w, msg.id);
  u16(w, flagsWord(msg.flags));
  u16(w, msg.questions.length);
  u16(w, msg.answers.length);
  u16(w, msg.authorities.length);
  u16(w, msg.additionals.length);
  for (const q of msg.questions) {
    writeName(w, q.name, true);
    u16(w, q.type);
    u16(w, q.class);
  }
  for (const r of msg.answers) writeRecord(w, r);
  for (const r of msg.authorities) writeRecord(w, r);
  for (const r of msg.additionals) writeRecord(w, r);
  return Buffer.from(w.buf.subarray(0, w.len));
}

// ---- decoding ------------------------------------------------------------------------------

interface Reader {
  buf: Buffer;
  pos: number;
}

function need(r: Reader, n: number, what: string): void {
  if (r.pos + n > r.buf.length) throw new DnsWireError(`message truncated in ${what}`);
}

function readU16(r: Reader, what: string): number {
  need(r, 2, what);
  const v = r.buf.readUInt16BE(r.pos);
  r.pos += 2;
  return v;
}

function readU32(r: Reader, what: string): number {
  need(r, 4, what);
  const v = r.buf.readUInt32BE(r.pos);
  r.pos += 4;
  return v;
}

function readName(r: Reader): string {
  const labels: string[] = [];
  let pos = r.pos;
  let jumped = false;
  let jumps = 0;
  let length = 1;
  for (;;) {
    if (pos >= r.buf.length) throw new DnsWireError('message truncated in a name');
    const len = r.buf[pos]!;
    if ((len & 0xc0) === 0xc0) {
      if (pos + 1 >= r.buf.length) throw new DnsWireError('message truncated in a name');
      const target = ((len & 0x3f) << 8) | r.buf[pos + 1]!;
      if (!jumped) r.pos = pos + 2;
      jumped = true;
      if (++jumps > 64 || target >= pos) throw new DnsWireError('name compression pointer loops or points forward');
      pos = target;
      continue;
    }
    if ((len & 0xc0) !== 0) throw new DnsWireError(`unsupported label type 0x${(len & 0xc0).toString(16)}`);
    pos++;
    if (len === 0) break;
    if (pos + len > r.buf.length) throw new DnsWireError('message truncated in a name');
    length += len + 1;
    if (length > 255) throw new DnsWireError('name longer than 255 bytes');
    labels.push(r.buf.toString('latin1', pos, pos + len));
    pos += len;
  }
  if (!jumped) r.pos = pos;
  return labels.join('.');
}

function readQuestion(r: Reader): DnsQuestion {
  const name = readName(r);
  return { name, type: readU16(r, 'a question'), class: readU16(r, 'a question') };
}

function formatIPv6(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  // Shorten the longest run of zero groups (RFC 5952).
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (best < 0) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function readRecord(r: Reader): DnsRecord {
  const name = readName(r);
  const type = readU16(r, 'a record');
  const cls = readU16(r, 'a record');
  const ttl = readU32(r, 'a record');
  const rdlength = readU16(r, 'a record');
  need(r, rdlength, 'record data');
  const end = r.pos + rdlength;
  let data: RecordData;
  const exact = (n: number): void => {
    if (rdlength !== n) throw new DnsWireError(`record data of type ${type} has ${rdlength} bytes, expected ${n}`);
  };
  switch (type) {
    case TYPE.A:
      exact(4);
      data = { kind: 'a', address: `${r.buf[r.pos]}.${r.buf[r.pos + 1]}.${r.buf[r.pos + 2]}.${r.buf[r.pos + 3]}` };
      break;
    case TYPE.AAAA:
      exact(16);
      data = { kind: 'aaaa', address: formatIPv6(r.buf.subarray(r.pos, end)) };
      break;
    case TYPE.CNAME:
    case TYPE.NS:
    case TYPE.PTR:
      data = { kind: 'name', target: readName(r) };
      break;
    case TYPE.SRV:
      data = { kind: 'srv', priority: readU16(r, 'SRV'), weight: readU16(r, 'SRV'), port: readU16(r, 'SRV'), target: readName(r) };
      break;
    case TYPE.SOA:
      data = {
        kind: 'soa',
        mname: readName(r),
        rname: readName(r),
        serial: readU32(r, 'SOA'),
        refresh: readU32(r, 'SOA'),
        retry: readU32(r, 'SOA'),
        expire: readU32(r, 'SOA'),
        minimum: readU32(r, 'SOA'),
      };
      break;
    default:
      data = { kind: 'raw', bytes: Buffer.from(r.buf.subarray(r.pos, end)) };
  }
  if (data.kind !== 'raw' && r.pos > end) throw new DnsWireError(`record data of type ${type} overruns its length`);
  r.pos = end;
  return { name, type, class: cls, ttl, data };
}

/** The header's id and flags only (enough to answer FORMERR to a message that does not decode). */
export function decodeHeader(buf: Buffer): { id: number; flags: DnsFlags } | null {
  if (buf.length < HEADER_SIZE) return null;
  const f = buf.readUInt16BE(2);
  return {
    id: buf.readUInt16BE(0),
    flags: {
      qr: (f & 0x8000) !== 0,
      opcode: (f >> 11) & 0xf,
      aa: (f & 0x0400) !== 0,
      tc: (f & 0x0200) !== 0,
      rd: (f & 0x0100) !== 0,
      ra: (f & 0x0080) !== 0,
      ad: (f & 0x0020) !== 0,
      cd: (f & 0x0010) !== 0,
      rcode: f & 0xf,
    },
  };
}

export function decodeMessage(buf: Buffer): DnsMessage {
  const header = decodeHeader(buf);
  if (!header) throw new DnsWireError('message shorter than a DNS header');
  const counts = [buf.readUInt16BE(4), buf.readUInt16BE(6), buf.readUInt16BE(8), buf.readUInt16BE(10)] as const;
  const r: Reader = { buf, pos: HEADER_SIZE };
  const questions: DnsQuestion[] = [];
  for (let i = 0; i < counts[0]; i++) questions.push(readQuestion(r));
  const section = (n: number): DnsRecord[] => {
    const out: DnsRecord[] = [];
    for (let i = 0; i < n; i++) out.push(readRecord(r));
    return out;
  };
  const answers = section(counts[1]);
  const authorities = section(counts[2]);
  const additionals = section(counts[3]);
  return { id: header.id, flags: header.flags, questions, answers, authorities, additionals };
}

/** An EDNS OPT pseudo-record advertising `udpSize` (RFC 6891). */
export function optRecord(udpSize: number): DnsRecord {
  return { name: '', type: TYPE.OPT, class: udpSize, ttl: 0, data: { kind: 'raw', bytes: Buffer.alloc(0) } };
}

export function typeName(type: number): string {
  for (const [name, value] of Object.entries(TYPE)) if (value === type) return name;
  return `TYPE${type}`;
}

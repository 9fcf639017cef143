// DER (X.690), the few types an X.509 certificate is made of, as byte builders. Lengths are
// minimal, INTEGERs positive and minimal, BOOLEAN TRUE is 0xff: what strict parsers (Go's
// crypto/x509, which kubectl uses) require.
const TAG = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  UTF8_STRING: 0x0c,
  UTC_TIME: 0x17,
  GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30,
  SET: 0x31,
} as const;

function length(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, content: Buffer): Buffer {
  return Buffer.concat([Buffer.from([tag]), length(content.length), content]);
}

export const sequence = (...items: Buffer[]): Buffer => tlv(TAG.SEQUENCE, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(TAG.SET, Buffer.concat(items));
export const nullValue = (): Buffer => tlv(TAG.NULL, Buffer.alloc(0));
export const octetString = (b: Buffer): Buffer => tlv(TAG.OCTET_STRING, b);
export const utf8String = (s: string): Buffer => tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
export const boolean = (v: boolean): Buffer => tlv(TAG.BOOLEAN, Buffer.from([v ? 0xff : 0x00]));

/** A non-negative INTEGER from its big-endian magnitude (leading zeros dropped, one added when the top bit is set). */
export function integer(magnitude: Buffer | number): Buffer {
  let b = magnitude;
  if (typeof b === 'number') {
    const hex = b.toString(16);
    b = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  }
  let i = 0;
  while (i < b.length - 1 && b[i] === 0) i++;
  b = b.subarray(i);
  if (b.length === 0) b = Buffer.from([0]);
  if (b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(TAG.INTEGER, b);
}

/** A BIT STRING of whole bytes (no unused bits), as keys and signatures are. */
export const bitString = (b: Buffer): Buffer => tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([0]), b]));

/** A named-bit BIT STRING (keyUsage): bit 0 is the first; trailing zero bits are dropped (DER). */
export function namedBits(bits: number[]): Buffer {
  if (bits.length === 0) return tlv(TAG.BIT_STRING, Buffer.from([0]));
  const top = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(top / 8) + 1);
  for (const bit of bits) bytes[Math.floor(bit / 8)]! |= 0x80 >> bit % 8;
  const unused = 7 - (top % 8);
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unused]), bytes]));
}

export function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [parts[0]! * 40 + parts[1]!];
  for (const p of parts.slice(2)) {
    const chunk: number[] = [p & 0x7f];
    for (let v = Math.floor(p / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(TAG.OID, Buffer.from(out));
}

/** UTCTime until 2049, GeneralizedTime from 2050 (RFC 5280 4.1.2.5), to the second, in UTC. */
export function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').replace(/\.\d+Z$/, 'Z'); // YYYYMMDDHHMMSSZ
  const year = d.getUTCFullYear();
  return year < 2050 ? tlv(TAG.UTC_TIME, Buffer.from(iso.slice(2), 'ascii')) : tlv(TAG.GENERALIZED_TIME, Buffer.from(iso, 'ascii'));
}

/** [n] EXPLICIT: a constructed context-specific wrapper. */
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);
/** [n] IMPLICIT for a primitive value: the raw content under a context-specific tag. */
export const implicitPrimitive = (n: number, content: Buffer): Buffer => tlv(0x80 | n, content);

export function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n$/, '');
  return `-----BEGIN ${label}-----\n${b64}\n-----END ${label}-----\n`;
}

/** One element read back: its tag, its whole encoding and its content. */
export interface Element {
  tag: number;
  raw: Buffer;
  content: Buffer;
}

/** The elements directly inside `content` (a SEQUENCE's or SET's content). */
export function children(content: Buffer): Element[] {
  const out: Element[] = [];
  let i = 0;
  while (i < content.length) {
    const start = i;
    const tag = content[i++]!;
    let len = content[i++]!;
    if (len & 0x80) {
      const n = len & 0x7f;
      len = 0;
      for (let k = 0; k < n; k++) len = len * 256 + content[i++]!;
    }
    if (i + len > content.length) throw new Error('truncated DER');
    out.push({ tag, raw: content.subarray(start, i + len), content: content.subarray(i, i + len) });
    i += len;
  }
  return out;
}

/** The DER inside a PEM block. */
export function fromPem(text: string): Buffer {
  return Buffer.from(text.replace(/-----(BEGIN|END) [^-]+-----/g, '').replace(/\s+/g, ''), 'base64');
}

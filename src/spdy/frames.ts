// SPDY/3 framing (SPDY Protocol draft 3, section 2.2), as moby/spdystream reads and writes it for
// Kubernetes' port-forward and remotecommand: an 8-byte header (control bit, version 3 and type,
// or a 31-bit stream id; flags; a 24-bit length), then the frame's data. Header blocks travel
// compressed (header-compression.ts); here they are the raw name/value block.
export const SPDY_VERSION = 3;

export const FrameType = {
  SynStream: 1,
  SynReply: 2,
  RstStream: 3,
  Settings: 4,
  Ping: 6,
  GoAway: 7,
  Headers: 8,
  WindowUpdate: 9,
} as const;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes (section 2.6.3). */
export const RstStatus = {
  ProtocolError: 1,
  InvalidStream: 2,
  RefusedStream: 3,
  UnsupportedVersion: 4,
  Cancel: 5,
  InternalError: 6,
  FlowControlError: 7,
  StreamInUse: 8,
  StreamAlreadyClosed: 9,
} as const;

/** GOAWAY status codes (section 2.6.6). */
export const GoAwayStatus = { Ok: 0, ProtocolError: 1, InternalError: 2 } as const;

export const HEADER_SIZE = 8;
/** The largest frame length the 24-bit field holds. */
export const MAX_FRAME_LENGTH = 0xffffff;

export type Frame =
  | { kind: 'data'; streamId: number; flags: number; data: Buffer }
  | { kind: 'control'; type: number; flags: number; data: Buffer };

export class SpdyProtocolError extends Error {}

/** A frame's 8-byte header and its length; undefined until the whole frame is buffered. */
export function readFrame(buf: Buffer, offset: number, maxLength: number): { frame: Frame; size: number } | undefined {
  if (buf.length - offset < HEADER_SIZE) return undefined;
  const first = buf.readUInt32BE(offset);
  const flags = buf[offset + 4]!;
  const length = buf.readUIntBE(offset + 5, 3);
  if (length > maxLength) throw new SpdyProtocolError(`frame of ${length} bytes exceeds the ${maxLength}-byte limit`);
  if (buf.length - offset < HEADER_SIZE + length) return undefined;
  const data = buf.subarray(offset + HEADER_SIZE, offset + HEADER_SIZE + length);
  if (first & 0x80000000) {
    const version = (first >>> 16) & 0x7fff;
    if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    return { frame: { kind: 'control', type: first & 0xffff, flags, data }, size: HEADER_SIZE + length };
  }
  return { frame: { kind: 'data', streamId: first & 0x7fffffff, flags, data }, size: HEADER_SIZE + length };
}

function header(first: number, flags: number, length: number): Buffer {
  if (length > MAX_FRAME_LENGTH) throw new SpdyProtocolError(`frame of ${length} bytes is too long`);
  const h = Buffer.alloc(HEADER_SIZE);
  h.writeUInt32BE(first >>> 0, 0);
  h[4] = flags;
  h.writeUIntBE(length, 5, 3);
  return h;
}

export function controlFrame(type: number, flags: number, data: Buffer): Buffer {
  return Buffer.concat([header(0x80000000 | (SPDY_VERSION << 16) | type, flags, data.length), data]);
}

export function dataFrame(streamId: number, flags: number, data: Buffer): Buffer {
  return Buffer.concat([header(streamId & 0x7fffffff, flags, data.length), data]);
}

const u32 = (...values: number[]): Buffer => {
  const b = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => b.writeUInt32BE(v >>> 0, 4 * i));
  return b;
};

/** SYN_STREAM: stream id, associated stream id, priority (3 bits) and slot, then the header block. */
export function synStreamFrame(streamId: number, flags: number, priority: number, compressedHeaders: Buffer): Buffer {
  const fixed = Buffer.alloc(10);
  fixed.writeUInt32BE(streamId & 0x7fffffff, 0);
  fixed.writeUInt32BE(0, 4);
  fixed[8] = (priority & 0x7) << 5;
  fixed[9] = 0;
  return controlFrame(FrameType.SynStream, flags, Buffer.concat([fixed, compressedHeaders]));
}

export function synReplyFrame(streamId: number, flags: number, compressedHeaders: Buffer): Buffer {
  return controlFrame(FrameType.SynReply, flags, Buffer.concat([u32(streamId & 0x7fffffff), compressedHeaders]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  return controlFrame(FrameType.RstStream, 0, u32(streamId & 0x7fffffff, status));
}

export function pingFrame(id: number): Buffer {
  return controlFrame(FrameType.Ping, 0, u32(id));
}

export function goAwayFrame(lastGoodStreamId: number, status: number): Buffer {
  return controlFrame(FrameType.GoAway, 0, u32(lastGoodStreamId & 0x7fffffff, status));
}

/** The fixed fields of the control frames a session acts on. */
export function streamIdOf(data: Buffer): number {
  if (data.length < 4) throw new SpdyProtocolError('control frame too short for its stream id');
  return data.readUInt32BE(0) & 0x7fffffff;
}

export function synStreamFields(data: Buffer): { streamId: number; associatedId: number; priority: number; headerBlock: Buffer } {
  if (data.length < 10) throw new SpdyProtocolError('SYN_STREAM frame too short');
  return { streamId: data.readUInt32BE(0) & 0x7fffffff, associatedId: data.readUInt32BE(4) & 0x7fffffff, priority: data[8]! >> 5, headerBlock: data.subarray(10) };
}

export function rstStreamFields(data: Buffer): { streamId: number; status: number } {
  if (data.length < 8) throw new SpdyProtocolError('RST_STREAM frame too short');
  return { streamId: data.readUInt32BE(0) & 0x7fffffff, status: data.readUInt32BE(4) };
}

/** Header names and values; a name with several values has them NUL-separated (section 2.6.10). */
export type SpdyHeaders = Record<string, string>;

/** The uncompressed name/value block: a count, then length-prefixed names and values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer, maxHeaders = 256): SpdyHeaders {
  const fail = (why: string): never => {
    throw new SpdyProtocolError(`malformed header block: ${why}`);
  };
  if (block.length < 4) fail('no count');
  const count = block.readUInt32BE(0);
  if (count > maxHeaders) fail(`${count} headers (at most ${maxHeaders})`);
  const out: SpdyHeaders = {};
  let at = 4;
  const take = (what: string): string => {
    if (block.length - at < 4) fail(`${what} length cut short`);
    const len = block.readUInt32BE(at);
    at += 4;
    if (block.length - at < len) fail(`${what} cut short`);
    const s = block.subarray(at, at + len).toString('utf8');
    at += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = take('name');
    if (!name) fail('empty header name');
    const value = take('value');
    if (Object.hasOwn(out, name)) fail(`duplicate header ${name}`);
    out[name.toLowerCase()] = value;
  }
  return out;
}

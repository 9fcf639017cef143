// The protobuf wire format, read-only: tags, varints, length-delimited bytes, fixed32/fixed64.
// Errors are worded as Go's generated (gogo) unmarshalers word them.

/** Input that is not a well-formed protobuf message. */
export class MalformedProtobufError extends Error {}

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_BYTES = 2;
export const WIRE_FIXED32 = 5;

export type WireField =
  | { field: number; wireType: typeof WIRE_VARINT; varint: bigint }
  | { field: number; wireType: typeof WIRE_BYTES; bytes: Buffer }
  | { field: number; wireType: typeof WIRE_FIXED64 | typeof WIRE_FIXED32; fixed: Buffer };

const MAX_VARINT_BYTES = 10;

/** Reads the varint at `pos`; returns its value (unsigned, up to 64 bits) and the next position. */
export function readVarint(buf: Buffer, pos: number): { value: bigint; next: number } {
  let value = 0n;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (pos + i >= buf.length) throw new MalformedProtobufError('unexpected EOF');
    const byte = buf[pos + i] as number;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) return { value: BigInt.asUintN(64, value), next: pos + i + 1 };
  }
  throw new MalformedProtobufError('proto: integer overflow');
}

/** Every field of one message, in wire order. `message` names the message in error messages. */
export function readFields(buf: Buffer, message: string): WireField[] {
  const fields: WireField[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const tag = readVarint(buf, pos);
    pos = tag.next;
    if (tag.value > 0xffffffffn) throw new MalformedProtobufError('proto: integer overflow');
    const field = Number(tag.value >> 3n);
    const wireType = Number(tag.value & 7n);
    if (wireType === 4) throw new MalformedProtobufError(`proto: ${message}: wiretype end group for non-group`);
    if (field <= 0) throw new MalformedProtobufError(`proto: ${message}: illegal tag ${field} (wire type ${wireType})`);
    switch (wireType) {
      case WIRE_VARINT: {
        const v = readVarint(buf, pos);
        pos = v.next;
        fields.push({ field, wireType, varint: v.value });
        break;
      }
      case WIRE_BYTES: {
        const len = readVarint(buf, pos);
        pos = len.next;
        if (len.value > 0x7fffffffn) throw new MalformedProtobufError('proto: negative length found during unmarshaling');
        const end = pos + Number(len.value);
        if (end > buf.length) throw new MalformedProtobufError('unexpected EOF');
        fields.push({ field, wireType, bytes: buf.subarray(pos, end) });
        pos = end;
        break;
      }
      case WIRE_FIXED64:
      case WIRE_FIXED32: {
        const end = pos + (wireType === WIRE_FIXED64 ? 8 : 4);
        if (end > buf.length) throw new MalformedProtobufError('unexpected EOF');
        fields.push({ field, wireType, fixed: buf.subarray(pos, end) });
        pos = end;
        break;
      }
      default:
        // 3 (start group) is not used by any Kubernetes message; 6 and 7 do not exist.
        throw new MalformedProtobufError(`proto: illegal wireType ${wireType}`);
    }
  }
  return fields;
}

/** The varints of a packed repeated field. */
export function readPackedVarints(buf: Buffer): bigint[] {
  const values: bigint[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const v = readVarint(buf, pos);
    values.push(v.value);
    pos = v.next;
  }
  return values;
}

export const int32Of = (v: bigint): number => Number(BigInt.asIntN(32, v));
export const int64Of = (v: bigint): number => Number(BigInt.asIntN(64, v));

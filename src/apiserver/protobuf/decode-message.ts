// One protobuf message -> the JSON object a JSON client would have sent for the same Go struct:
// fields named and shaped by the tables in messages.ts, zero scalars left out unless the field
// keeps them, nested messages always written (Go writes struct fields even when empty), empty
// lists and maps left out, unknown field numbers skipped.
import { messageFields, type FieldSpec, type ScalarType, type ValueType } from './fields.js';
import { decodeSpecial, type JsonValue } from './special-types.js';
import { int32Of, int64Of, MalformedProtobufError, readFields, readPackedVarints, WIRE_BYTES, WIRE_VARINT, type WireField } from './wire.js';

export type JsonObject = { [key: string]: JsonValue };

function wrongWireType(f: WireField, spec: FieldSpec): MalformedProtobufError {
  return new MalformedProtobufError(`proto: wrong wireType = ${f.wireType} for field ${spec.json || 'inline'}`);
}

type VarintScalar = Exclude<ScalarType, 'string' | 'bytes'>;

function scalarFromVarint(scalar: VarintScalar, v: bigint): JsonValue {
  if (scalar === 'bool') return v !== 0n;
  return scalar === 'int32' ? int32Of(v) : int64Of(v);
}

/** One value of the field's type from one wire occurrence (a packed list gives several). */
function readValues(f: WireField, spec: FieldSpec): JsonValue[] {
  const type: ValueType = spec.value;
  if (type.kind === 'scalar' && type.scalar !== 'string' && type.scalar !== 'bytes') {
    const scalar: VarintScalar = type.scalar;
    if (f.wireType === WIRE_VARINT) return [scalarFromVarint(scalar, f.varint)];
    if (f.wireType === WIRE_BYTES && spec.shape === 'repeated') return readPackedVarints(f.bytes).map((v) => scalarFromVarint(scalar, v));
    throw wrongWireType(f, spec);
  }
  if (f.wireType !== WIRE_BYTES) throw wrongWireType(f, spec);
  if (type.kind === 'scalar') return [f.bytes.toString(type.scalar === 'bytes' ? 'base64' : 'utf8')];
  if (type.kind === 'message') return [decodeMessage(f.bytes, type.message)];
  const special = decodeSpecial(type.special, f.bytes);
  return special === undefined ? [] : [special];
}

const isZero = (v: JsonValue): boolean => v === '' || v === 0 || v === false;

/** A map entry {key = 1, value = 2}; a missing value is the type's zero. */
function readMapEntry(buf: Buffer, spec: FieldSpec): [string, JsonValue] {
  let key = '';
  let value: JsonValue | undefined;
  for (const f of readFields(buf, `${spec.json}Entry`)) {
    if (f.field === 1) {
      if (f.wireType !== WIRE_BYTES) throw wrongWireType(f, spec);
      key = f.bytes.toString('utf8');
    } else if (f.field === 2) {
      value = readValues(f, { ...spec, shape: 'single' })[0];
    }
  }
  if (value === undefined) value = zeroOf(spec.value);
  return [key, value];
}

function zeroOf(type: ValueType): JsonValue {
  if (type.kind === 'message') return {};
  if (type.kind === 'special') return type.special === 'Quantity' ? '0' : type.special === 'IntOrString' ? 0 : null;
  return type.scalar === 'string' || type.scalar === 'bytes' ? '' : type.scalar === 'bool' ? false : 0;
}

/** Decodes `buf` as the message `message` (a name from messages.ts, e.g. 'core.v1.Pod'). */
export function decodeMessage(buf: Buffer, message: string): JsonObject {
  const fields = messageFields(message);
  const out: JsonObject = {};
  for (const f of readFields(buf, message)) {
    const spec = fields.get(f.field);
    if (!spec) continue; // unknown field: skipped, as Go skips it
    switch (spec.shape) {
      case 'inline': {
        if (f.wireType !== WIRE_BYTES || spec.value.kind !== 'message') throw wrongWireType(f, spec);
        Object.assign(out, decodeMessage(f.bytes, spec.value.message));
        break;
      }
      case 'map': {
        if (f.wireType !== WIRE_BYTES) throw wrongWireType(f, spec);
        const [key, value] = readMapEntry(f.bytes, spec);
        const map = (out[spec.json] ??= {}) as JsonObject;
        map[key] = value;
        break;
      }
      case 'repeated': {
        const list = (out[spec.json] ??= []) as JsonValue[];
        list.push(...readValues(f, spec));
        if (list.length === 0) delete out[spec.json];
        break;
      }
      case 'single': {
        // The last occurrence wins (Go merges a repeated embedded message; no client writes one twice).
        const [value] = readValues(f, spec);
        if (value === undefined || (spec.value.kind === 'scalar' && !spec.keepZero && isZero(value))) delete out[spec.json];
        else out[spec.json] = value;
        break;
      }
    }
  }
  return out;
}

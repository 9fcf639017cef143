// The apimachinery types whose JSON is not an object: meta.v1.Time and MicroTime (RFC 3339 strings),
// resource.Quantity (its string), intstr.IntOrString (a number or a string), meta.v1.FieldsV1
// (raw JSON). Each is read from its protobuf message as apimachinery's Unmarshal reads it.
import type { SpecialType } from './fields.js';
import { int32Of, int64Of, MalformedProtobufError, readFields, WIRE_BYTES, WIRE_VARINT, type WireField } from './wire.js';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

function varintField(f: WireField, name: string): bigint {
  if (f.wireType !== WIRE_VARINT) throw new MalformedProtobufError(`proto: wrong wireType = ${f.wireType} for field ${name}`);
  return f.varint;
}

function bytesField(f: WireField, name: string): Buffer {
  if (f.wireType !== WIRE_BYTES) throw new MalformedProtobufError(`proto: wrong wireType = ${f.wireType} for field ${name}`);
  return f.bytes;
}

/** Go's time.RFC3339 in UTC (Time), or time.RFC3339 with microseconds (MicroTime). */
function formatTime(seconds: number, micros: number | undefined, message: string): string {
  const date = new Date(seconds * 1000);
  const year = date.getUTCFullYear();
  if (!Number.isFinite(seconds) || Number.isNaN(date.getTime()) || year < 0 || year > 9999) {
    throw new MalformedProtobufError(`${message}.MarshalJSON: year outside of range [0,9999]`);
  }
  const whole = date.toISOString().slice(0, 19);
  return micros === undefined ? `${whole}Z` : `${whole}.${String(micros).padStart(6, '0')}Z`;
}

/** Timestamp {seconds = 1, nanos = 2}; an empty message is the zero time, which is left out. */
function decodeTime(buf: Buffer, special: 'Time' | 'MicroTime'): string | undefined {
  if (buf.length === 0) return undefined;
  let seconds = 0;
  let nanos = 0;
  for (const f of readFields(buf, 'Timestamp')) {
    if (f.field === 1) seconds = int64Of(varintField(f, 'Seconds'));
    else if (f.field === 2) nanos = int32Of(varintField(f, 'Nanos'));
  }
  // Time keeps whole seconds only (as metav1.Time.Unmarshal); MicroTime keeps microseconds.
  if (special === 'Time') return formatTime(seconds, undefined, 'Time');
  const micros = Math.floor(nanos / 1000);
  if (micros < 0 || micros >= 1_000_000) throw new MalformedProtobufError(`MicroTime: nanos out of range: ${nanos}`);
  return formatTime(seconds, micros, 'MicroTime');
}

/** Quantity {string = 1}: the canonical string; the zero Quantity is "0". */
function decodeQuantity(buf: Buffer): string {
  let text = '0';
  for (const f of readFields(buf, 'Quantity')) if (f.field === 1) text = bytesField(f, 'String_').toString('utf8');
  return text;
}

/** IntOrString {type = 1 (0 int, 1 string), intVal = 2, strVal = 3}. */
function decodeIntOrString(buf: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  for (const f of readFields(buf, 'IntOrString')) {
    if (f.field === 1) type = int64Of(varintField(f, 'Type'));
    else if (f.field === 2) intVal = int32Of(varintField(f, 'IntVal'));
    else if (f.field === 3) strVal = bytesField(f, 'StrVal').toString('utf8');
  }
  return type === 1 ? strVal : intVal;
}

/** FieldsV1 {Raw = 1} (the managed-fields set) and runtime.RawExtension {Raw = 1} (e.g. a ControllerRevision's data): raw JSON. */
function decodeRawJson(buf: Buffer, what: 'FieldsV1' | 'RawExtension'): JsonValue {
  let raw: Buffer | undefined;
  for (const f of readFields(buf, what)) if (f.field === 1) raw = bytesField(f, 'Raw');
  if (!raw || raw.length === 0) return null;
  try {
    return JSON.parse(raw.toString('utf8')) as JsonValue;
  } catch (err) {
    throw new MalformedProtobufError(`${what}: ${(err as Error).message}`);
  }
}

/** The JSON of a special type read from its message bytes; undefined when it is left out (zero time). */
export function decodeSpecial(special: SpecialType, buf: Buffer): JsonValue | undefined {
  switch (special) {
    case 'Time':
    case 'MicroTime':
      return decodeTime(buf, special);
    case 'Quantity':
      return decodeQuantity(buf);
    case 'IntOrString':
      return decodeIntOrString(buf);
    case 'FieldsV1':
    case 'RawExtension':
      return decodeRawJson(buf, special);
  }
}

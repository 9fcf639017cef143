// The field tables of messages.ts, parsed once into lookups: message name -> field number -> how
// the field is read and under which JSON name it is written.
import { MESSAGES } from './messages.js';

/** `bytes` is Go's []byte: base64 in JSON. */
export type ScalarType = 'string' | 'bytes' | 'int32' | 'int64' | 'bool';
/** Types with a JSON form of their own (a string or a number rather than an object). */
export type SpecialType = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'FieldsV1' | 'RawExtension';

export type ValueType = { kind: 'scalar'; scalar: ScalarType } | { kind: 'special'; special: SpecialType } | { kind: 'message'; message: string };

export interface FieldSpec {
  /** JSON name ('' for an inlined message). */
  json: string;
  /** single value, repeated (a JSON array), map<string,V> (a JSON object), or a message whose fields are merged into the parent. */
  shape: 'single' | 'repeated' | 'map' | 'inline';
  value: ValueType;
  /** A zero scalar is still written (Go pointer, or no omitempty). */
  keepZero: boolean;
}

const SCALARS: ReadonlySet<string> = new Set<ScalarType>(['string', 'bytes', 'int32', 'int64', 'bool']);
const SPECIALS: ReadonlySet<string> = new Set<SpecialType>(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'FieldsV1', 'RawExtension']);

function valueType(name: string, where: string): ValueType {
  if (SCALARS.has(name)) return { kind: 'scalar', scalar: name as ScalarType };
  if (SPECIALS.has(name)) return { kind: 'special', special: name as SpecialType };
  if (!MESSAGES[name]) throw new Error(`protobuf field table ${where}: unknown type ${name}`);
  return { kind: 'message', message: name };
}

/** Parses one entry of messages.ts, e.g. `'port int32 keep'`, `'ports core.v1.ServicePort[]'`, `'...core.v1.ProbeHandler'`. */
export function parseFieldSpec(spec: string, where: string): FieldSpec {
  if (spec.startsWith('...')) {
    const value = valueType(spec.slice(3), where);
    if (value.kind !== 'message') throw new Error(`protobuf field table ${where}: only a message can be inlined`);
    return { json: '', shape: 'inline', value, keepZero: false };
  }
  const [json, type, flag, ...rest] = spec.split(' ');
  if (!json || !type || rest.length > 0 || (flag !== undefined && flag !== 'keep')) throw new Error(`protobuf field table ${where}: cannot read '${spec}'`);
  const keepZero = flag === 'keep';
  const map = /^map<string,(.+)>$/.exec(type);
  if (map) return { json, shape: 'map', value: valueType(map[1] as string, where), keepZero };
  if (type.endsWith('[]')) return { json, shape: 'repeated', value: valueType(type.slice(0, -2), where), keepZero };
  return { json, shape: 'single', value: valueType(type, where), keepZero };
}

const TABLES: ReadonlyMap<string, ReadonlyMap<number, FieldSpec>> = new Map(
  Object.entries(MESSAGES).map(([message, fields]) => [
    message,
    new Map(Object.entries(fields).map(([num, spec]) => [Number(num), parseFieldSpec(spec, `${message}.${num}`)])),
  ]),
);

/** The fields of a message; throws for a message missing from messages.ts (a bug, not bad input). */
export function messageFields(message: string): ReadonlyMap<number, FieldSpec> {
  const table = TABLES.get(message);
  if (!table) throw new Error(`no protobuf field table for ${message}`);
  return table;
}

export function knownMessages(): string[] {
  return [...TABLES.keys()];
}

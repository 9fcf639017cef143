// The protobuf field tables of src/apiserver/protobuf/messages.ts, derived from the Go types:
// for each message reachable from some root messages, field number -> '<json> <type>[ keep]'
// (or '...<message>' for an embedded struct inlined into its parent's JSON).
//
// Field numbers come from the `protobuf` struct tags (the same numbers go-to-protobuf writes into
// generated.proto); a message is `<package>.<Type>` (`core.v1.PodSpec`). `keep` marks a scalar whose
// zero value is still written to JSON: a Go pointer, or a field without omitempty.
import type { UpstreamField, UpstreamPackage, UpstreamStruct } from './model.js';
import { parseTypeRef, type TypeIndex, type TypeRef } from './type-index.js';

export interface MessageTable {
  /** `core.v1.Pod` */
  message: string;
  /** The table (package) the message belongs to, e.g. `core.v1`. */
  pkg: string;
  fields: Array<{ number: number; spec: string }>;
}

/** Special types by the name the decoder knows them under (a protobuf message with its own JSON form). */
const PROTO_SPECIALS: Readonly<Record<string, string>> = {
  Time: 'Time',
  MicroTime: 'MicroTime',
  Quantity: 'Quantity',
  IntOrString: 'IntOrString',
  FieldsV1: 'FieldsV1',
  RawExtension: 'RawExtension',
};

const SCALARS: Readonly<Record<string, string>> = {
  string: 'string',
  bool: 'bool',
  int32: 'int32',
  int64: 'int64',
  int: 'int64',
  uint32: 'uint32',
  uint64: 'uint64',
  float32: 'float',
  float64: 'double',
};

export function protobufFieldNumber(tag: string): number | undefined {
  const parts = tag.split(',');
  const n = Number(parts[1]);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

interface ValueSpec {
  /** The type word: a scalar, a special type or a message name. */
  type: string;
  message?: string;
  scalar: boolean;
}

/** []byte (protobuf `bytes`, base64 in JSON). */
function isByteSlice(index: TypeIndex, elem: TypeRef): boolean {
  const e = index.underlying(elem);
  return e.kind === 'builtin' && (e.name === 'byte' || e.name === 'uint8');
}

/** Builds the message tables reachable from `roots` (message names such as `core.v1.Pod`). */
export function protobufMessages(index: TypeIndex, roots: readonly string[]): MessageTable[] {
  const tables = new Map<string, MessageTable>();
  const pending = [...roots];

  const valueOf = (ref: TypeRef, where: string): ValueSpec => {
    const u = index.underlying(ref);
    if (u.kind === 'slice' && isByteSlice(index, u.elem)) return { type: 'bytes', scalar: true };
    if (u.kind === 'builtin') {
      const scalar = SCALARS[u.name];
      if (!scalar) throw new Error(`${where}: no protobuf scalar for Go type ${u.name}`);
      return { type: scalar, scalar: true };
    }
    if (u.kind === 'named') {
      const special = index.special(u);
      if (special) {
        const name = PROTO_SPECIALS[special];
        if (!name) throw new Error(`${where}: the protobuf decoder has no form for ${u.qualified}`);
        return { type: name, scalar: false };
      }
      if (!index.struct(u.qualified)) throw new Error(`${where}: unknown type ${u.qualified}`);
      return { type: u.qualified, message: u.qualified, scalar: false };
    }
    throw new Error(`${where}: nested ${u.kind} types have no protobuf form`);
  };

  const fieldSpec = (f: UpstreamField, where: string): string => {
    let ref = parseTypeRef(f.type);
    if (f.inline) {
      const v = valueOf(ref.kind === 'pointer' ? ref.elem : ref, where);
      if (!v.message) throw new Error(`${where}: only a struct can be inlined`);
      pending.push(v.message);
      return `...${v.message}`;
    }
    let pointer = false;
    if (ref.kind === 'pointer') {
      pointer = true;
      ref = ref.elem;
    }
    const u = index.underlying(ref);
    let spec: string;
    let scalarSingle = false;
    if (u.kind === 'slice') {
      if (isByteSlice(index, u.elem)) {
        spec = 'bytes';
        scalarSingle = true;
      } else {
        const v = valueOf(u.elem, where);
        if (v.message) pending.push(v.message);
        spec = `${v.type}[]`;
      }
    } else if (u.kind === 'map') {
      const v = valueOf(u.value, where);
      if (v.message) pending.push(v.message);
      spec = `map<string,${v.type}>`;
    } else {
      const v = valueOf(u, where);
      if (v.message) pending.push(v.message);
      spec = v.type;
      scalarSingle = v.scalar;
    }
    const keep = scalarSingle && (pointer || !f.omitempty);
    return `${f.json} ${spec}${keep ? ' keep' : ''}`;
  };

  const build = (message: string, struct: UpstreamStruct): MessageTable => {
    const ref = parseTypeRef(message);
    const pkg = ref.kind === 'named' ? ref.pkg : '';
    const fields: MessageTable['fields'] = [];
    for (const f of struct.fields) {
      if (!f.protobuf || f.protobuf === '-') continue;
      const number = protobufFieldNumber(f.protobuf);
      if (number === undefined) throw new Error(`${message}.${f.go}: cannot read protobuf tag '${f.protobuf}'`);
      fields.push({ number, spec: fieldSpec(f, `${message}.${f.go}`) });
    }
    fields.sort((a, b) => a.number - b.number);
    return { message, pkg, fields };
  };

  while (pending.length) {
    const message = pending.pop() as string;
    if (tables.has(message)) continue;
    const struct = index.struct(message);
    if (!struct) throw new Error(`no struct ${message} in the tables`);
    tables.set(message, build(message, struct));
  }
  return [...tables.values()];
}

/**
 * The messages a table set's protobuf is generated for: every kind (a struct embedding
 * meta.v1.TypeMeta) of every k8s.io/api group version in it, and meta.v1.DeleteOptions. As
 * go-to-protobuf writes generated.proto for a whole group version, not only for the kinds a
 * server serves: a kind of those group versions added to loopkube's list needs no regeneration.
 * (The metrics API is read-only, and gateway-api's CRDs have no protobuf form.)
 */
export function protobufRoots(packages: readonly UpstreamPackage[]): string[] {
  const roots = new Set<string>(['meta.v1.DeleteOptions']);
  for (const pkg of packages) {
    if (!pkg.protobuf || !pkg.goPackage.startsWith('k8s.io/api/')) continue;
    for (const [name, t] of Object.entries(pkg.types)) {
      if (t.kind === 'struct' && t.fields.some((f) => f.inline && f.type === 'meta.v1.TypeMeta')) roots.add(`${pkg.name}.${name}`);
    }
  }
  return [...roots].sort();
}

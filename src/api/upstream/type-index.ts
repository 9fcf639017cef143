// Lookups over a set of tables: a type reference string parsed into its structure, a qualified
// name resolved to its struct or named type, named types followed to what they are made of, and
// the apimachinery types whose JSON form is their own (Time, Quantity, IntOrString, ...).
import type { UpstreamNamed, UpstreamPackage, UpstreamStruct, UpstreamType } from './model.js';

export type TypeRef =
  | { kind: 'pointer'; elem: TypeRef }
  | { kind: 'slice'; elem: TypeRef }
  | { kind: 'map'; key: TypeRef; value: TypeRef }
  | { kind: 'builtin'; name: string }
  /** A qualified name, e.g. `core.v1.PodSpec`: `pkg` is `core.v1`, `name` is `PodSpec`. */
  | { kind: 'named'; qualified: string; pkg: string; name: string };

/**
 * Types with a JSON (and protobuf) form of their own, not their struct's fields:
 * - Time, MicroTime: RFC 3339 strings; the zero time is `null`.
 * - Duration: Go's duration string (`1m30s`).
 * - Quantity: its canonical string; IntOrString: a number or a string.
 * - FieldsV1, RawExtension: raw JSON, written as given.
 */
export type SpecialType = 'Time' | 'MicroTime' | 'Duration' | 'Quantity' | 'IntOrString' | 'FieldsV1' | 'RawExtension';

export const SPECIAL_TYPES: Readonly<Record<string, SpecialType>> = {
  'meta.v1.Time': 'Time',
  'meta.v1.MicroTime': 'MicroTime',
  'meta.v1.Duration': 'Duration',
  'meta.v1.FieldsV1': 'FieldsV1',
  'resource.Quantity': 'Quantity',
  'intstr.IntOrString': 'IntOrString',
  'runtime.RawExtension': 'RawExtension',
};

/** Named types of untabled apimachinery packages, by what they are. */
const OTHER_NAMED: Readonly<Record<string, string>> = {
  'types.UID': 'string',
  'types.NodeName': 'string',
};

const refCache = new Map<string, TypeRef>();

/** Parses a table's type string: `map[string][]*core.v1.Container` -> its structure. */
export function parseTypeRef(text: string): TypeRef {
  const cached = refCache.get(text);
  if (cached) return cached;
  const ref = parse(text);
  refCache.set(text, ref);
  return ref;
}

function parse(text: string): TypeRef {
  if (text.startsWith('*')) return { kind: 'pointer', elem: parseTypeRef(text.slice(1)) };
  if (text.startsWith('[]')) return { kind: 'slice', elem: parseTypeRef(text.slice(2)) };
  const array = /^\[\d+\]/.exec(text);
  if (array) return { kind: 'slice', elem: parseTypeRef(text.slice(array[0].length)) };
  if (text.startsWith('map[')) {
    let depth = 0;
    for (let i = 3; i < text.length; i++) {
      if (text[i] === '[') depth++;
      else if (text[i] === ']' && --depth === 0) {
        return { kind: 'map', key: parseTypeRef(text.slice(4, i)), value: parseTypeRef(text.slice(i + 1)) };
      }
    }
    throw new Error(`unbalanced map type ${text}`);
  }
  const dot = text.lastIndexOf('.');
  if (dot < 0) return { kind: 'builtin', name: text };
  return { kind: 'named', qualified: text, pkg: text.slice(0, dot), name: text.slice(dot + 1) };
}

export interface TypeIndex {
  packages: readonly UpstreamPackage[];
  packageOf(name: string): UpstreamPackage | undefined;
  lookup(qualified: string): UpstreamType | undefined;
  struct(qualified: string): UpstreamStruct | undefined;
  /**
   * What a reference is made of, through named types: `core.v1.ResourceList` -> the map type,
   * `core.v1.Protocol` -> builtin string. Structs and special types are returned as named refs.
   */
  underlying(ref: TypeRef): TypeRef;
  special(ref: TypeRef): SpecialType | undefined;
  /** The enum values of the named type a reference names, when it is an `+enum`. */
  enumOf(ref: TypeRef): readonly string[] | undefined;
}

export function createTypeIndex(packages: readonly UpstreamPackage[]): TypeIndex {
  const byName = new Map(packages.map((p) => [p.name, p]));
  const lookup = (qualified: string): UpstreamType | undefined => {
    const ref = parseTypeRef(qualified);
    if (ref.kind !== 'named') return undefined;
    return byName.get(ref.pkg)?.types[ref.name];
  };
  const underlying = (ref: TypeRef): TypeRef => {
    let current = ref;
    for (let hops = 0; hops < 16; hops++) {
      if (current.kind !== 'named' || SPECIAL_TYPES[current.qualified]) return current;
      const other = OTHER_NAMED[current.qualified];
      if (other) return parseTypeRef(other);
      const t = lookup(current.qualified);
      if (!t || t.kind === 'struct') return current;
      current = parseTypeRef(t.type);
    }
    throw new Error(`named type cycle at ${JSON.stringify(ref)}`);
  };
  return {
    packages,
    packageOf: (name) => byName.get(name),
    lookup,
    struct: (qualified) => {
      const t = lookup(qualified);
      return t?.kind === 'struct' ? t : undefined;
    },
    underlying,
    special: (ref) => (ref.kind === 'named' ? SPECIAL_TYPES[ref.qualified] : undefined),
    enumOf: (ref) => {
      if (ref.kind !== 'named') return undefined;
      const t = lookup(ref.qualified);
      return t?.kind === 'named' ? (t as UpstreamNamed).enum : undefined;
    },
  };
}

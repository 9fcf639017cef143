// Objects written as kube-apiserver writes them: Go's encoding/json over the upstream Go types.
//
// - Struct fields in declaration order, embedded structs (TypeMeta, ObjectMeta's neighbours,
//   EphemeralContainerCommon) merged in where they are declared.
// - A field without omitempty is always written: "" / 0 / false for scalars, `null` for a nil
//   pointer, slice or map, the zero struct for a struct (`resources: {}`), `null` for an unset
//   metav1.Time (its MarshalJSON), "0" for a zero Quantity.
// - omitempty drops false, 0, "", nil pointers and empty slices and maps, never a struct value
//   (so `creationTimestamp: null` stays, as upstream writes it).
// - Map keys sorted byte-wise, as Go sorts them; strings escaped as Go escapes them (`<`, `>`,
//   `&`, U+2028 and U+2029 as \u escapes).
// - A field the Go type does not have is not written (Go would have dropped it when decoding),
//   except inside raw JSON (RawExtension, FieldsV1, interface{} values), which is written as given.
// - Kinds without a Go table (custom resources) are written as they are (JSON.stringify).
//
// Encoders are compiled once per Go type and cached; a body is `encodeGoJson(obj) + "\n"`, as
// json.Encoder.Encode ends it.
import { canonicalQuantity } from '../api/quantity.js';
import { goTypeOfKind, parseTypeRef, UPSTREAM, type TypeIndex, type TypeRef } from '../api/upstream/index.js';
import { jsonFields } from '../api/upstream/schemas.js';

type Encode = (v: unknown) => string;

const HTML_UNSAFE = /[<>&\u2028\u2029]/;
const HTML_ESCAPES: Readonly<Record<string, string>> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

/** A JSON string as Go's encoder writes it (HTML-safe escaping). */
export function goString(s: string): string {
  const json = JSON.stringify(s);
  return HTML_UNSAFE.test(json) ? json.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] as string) : json;
}

/** Byte-wise order of UTF-8 strings (Go's sort.Strings); equal to UTF-16 order for the BMP below surrogates. */
function byteOrder(a: string, b: string): number {
  if (a === b) return 0;
  if (/[\ud800-\udfff\ue000-\uffff]/.test(a + b)) return Buffer.compare(Buffer.from(a), Buffer.from(b));
  return a < b ? -1 : 1;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Any JSON value as Go writes an interface{} holding it: maps with sorted keys. */
export function encodeAny(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return goString(v);
  if (typeof v === 'number') return Number.isFinite(v) ? String(v) : 'null';
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return '[' + v.map(encodeAny).join(',') + ']';
  if (isObject(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort(byteOrder);
    return '{' + keys.map((k) => goString(k) + ':' + encodeAny(v[k])).join(',') + '}';
  }
  return 'null';
}

/** Raw JSON (RawExtension, FieldsV1): written as given, in its own key order. */
function encodeRaw(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  const text = JSON.stringify(v);
  return HTML_UNSAFE.test(text) ? text.replace(/[<>&\u2028\u2029]/g, (c) => HTML_ESCAPES[c] as string) : text;
}

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v);

export interface GoJsonEncoder {
  /** The JSON of `value` as Go writes a value of `goType` (`core.v1.Pod`, `[]string`, ...). */
  encodeAs(goType: string, value: unknown): string;
  /** The JSON of an object by its apiVersion and kind; as given for a kind without a table. */
  encodeObject(obj: unknown): string;
}

export function createGoJsonEncoder(index: TypeIndex = UPSTREAM): GoJsonEncoder {
  const compiled = new Map<string, Encode>();

  /** The encoder of a type, compiled on first use. Struct encoders bind their fields' encoders on their first call, so types can refer to themselves. */
  const encoderOf = (type: string): Encode => {
    let enc = compiled.get(type);
    if (!enc) {
      enc = compile(parseTypeRef(type));
      compiled.set(type, enc);
    }
    return enc;
  };

  /** A raw extension holds an object: typed when its kind has a table, as given otherwise. */
  const encodeEmbedded = (v: unknown): string => {
    if (isObject(v) && typeof v.apiVersion === 'string' && typeof v.kind === 'string') {
      const goType = goTypeOfKind(v.apiVersion, v.kind, index);
      if (goType) return encoderOf(goType)(v);
    }
    return encodeRaw(v);
  };

  const refString = (ref: TypeRef): string => {
    switch (ref.kind) {
      case 'pointer':
        return '*' + refString(ref.elem);
      case 'slice':
        return '[]' + refString(ref.elem);
      case 'map':
        return `map[${refString(ref.key)}]${refString(ref.value)}`;
      case 'builtin':
        return ref.name;
      case 'named':
        return ref.qualified;
    }
  };

  const compile = (ref: TypeRef): Encode => {
    if (ref.kind === 'pointer') {
      const elem = encoderOf(refString(ref.elem));
      return (v) => (v === null || v === undefined ? 'null' : elem(v));
    }
    const special = index.special(ref);
    if (special) return specialEncoder(special, encodeEmbedded);
    const u = index.underlying(ref);
    if (u !== ref) return encoderOf(refString(u));
    switch (ref.kind) {
      case 'builtin':
        return builtinEncoder(ref.name);
      case 'slice': {
        const elemRef = index.underlying(ref.elem);
        if (elemRef.kind === 'builtin' && (elemRef.name === 'byte' || elemRef.name === 'uint8')) {
          // []byte is base64 text in JSON; stored objects already hold that text
          return (v) => (v === null || v === undefined ? 'null' : typeof v === 'string' ? goString(v) : encodeRaw(v));
        }
        const elem = encoderOf(refString(ref.elem));
        return (v) => {
          if (!Array.isArray(v)) return v === null || v === undefined ? 'null' : encodeRaw(v);
          let out = '[';
          for (let i = 0; i < v.length; i++) out += (i ? ',' : '') + elem(v[i]);
          return out + ']';
        };
      }
      case 'map': {
        const value = encoderOf(refString(ref.value));
        return (v) => {
          if (!isObject(v)) return v === null || v === undefined ? 'null' : encodeRaw(v);
          const keys = Object.keys(v);
          if (keys.length > 1) keys.sort(byteOrder);
          let out = '{';
          let first = true;
          for (const k of keys) {
            const x = v[k];
            if (x === undefined) continue;
            out += (first ? '' : ',') + goString(k) + ':' + value(x);
            first = false;
          }
          return out + '}';
        };
      }
      case 'named':
        return structEncoder(ref.qualified);
    }
  };

  /**
   * A struct's encoder, generated as one function: each field's omitempty test and its key are
   * written inline, string fields are written without a call, other values through their type's
   * encoder.
   */
  const structEncoder = (qualified: string): Encode => {
    const struct = index.struct(qualified);
    if (!struct) throw new Error(`no Go type ${qualified} in the tables`);
    const fields = jsonFields(index, struct);
    const lines: string[] = [];
    fields.forEach((f, i) => {
      const key = JSON.stringify(',' + goString(f.json) + ':');
      const ref = parseTypeRef(f.type);
      const u = ref.kind === 'pointer' || index.special(ref) ? ref : index.underlying(ref);
      const plainString = u.kind === 'builtin' && u.name === 'string';
      const value = plainString ? `(typeof x === 'string' ? s(x) : e[${i}](x))` : `e[${i}](x)`;
      const omit = omitCondition(f.type, f.omitempty === true);
      lines.push(`x = v[${JSON.stringify(f.json)}];`, omit ? `if (!(${omit})) o += ${key} + ${value};` : `o += ${key} + ${value};`);
    });
    const body = [
      'let e;',
      'return function encodeStruct(v) {',
      '  if (e === undefined) e = bind();',
      "  let o = '';",
      '  let x;',
      ...lines.map((l) => '  ' + l),
      "  return o === '' ? '{}' : '{' + o.slice(1) + '}';",
      '};',
    ].join('\n');
    type Factory = (s: (x: string) => string, bind: () => Encode[], emptyObject: (x: unknown) => boolean) => (v: Record<string, unknown>) => string;
    const factory = new Function('s', 'bind', 'emptyObject', body) as Factory;
    const encodeStruct = factory(goString, () => fields.map((f) => encoderOf(f.type)), emptyObject);
    let zero: string | undefined;
    return (v) => {
      if (isObject(v)) return encodeStruct(v);
      if (v === null || v === undefined) return (zero ??= encodeStruct({}));
      return encodeRaw(v);
    };
  };

  /** When Go leaves a field out (a JS condition on `x`): only with omitempty, and only for an empty non-struct value. */
  const omitCondition = (type: string, omitempty: boolean): string | undefined => {
    if (!omitempty) return undefined;
    const ref = parseTypeRef(type);
    if (ref.kind === 'pointer') return 'x == null';
    if (index.special(ref)) return undefined; // structs: never empty to encoding/json
    const u = index.underlying(ref);
    switch (u.kind) {
      case 'slice':
        return 'x == null || (Array.isArray(x) && x.length === 0)';
      case 'map':
        return 'x == null || emptyObject(x)';
      case 'builtin':
        if (u.name === 'string') return "x == null || x === ''";
        if (u.name === 'bool') return 'x == null || x === false';
        if (u.name === 'any') return 'x == null';
        return 'x == null || x === 0';
      default:
        return undefined;
    }
  };

  return {
    encodeAs: (goType, value) => encoderOf(goType)(value),
    encodeObject: encodeEmbedded,
  };
}

function emptyObject(x: unknown): boolean {
  if (typeof x !== 'object' || x === null || Array.isArray(x)) return false;
  for (const k in x) if (Object.hasOwn(x, k)) return false;
  return true;
}

function builtinEncoder(name: string): Encode {
  switch (name) {
    case 'string':
      return (v) => (typeof v === 'string' ? goString(v) : v === null || v === undefined ? '""' : encodeRaw(v));
    case 'bool':
      return (v) => (v === true ? 'true' : v === false || v === null || v === undefined ? 'false' : encodeRaw(v));
    case 'any':
      return encodeAny;
    case 'float32':
    case 'float64':
      return (v) => (typeof v === 'number' && Number.isFinite(v) ? String(v) : v === null || v === undefined ? '0' : encodeRaw(v));
    default:
      return (v) => (isInt(v) ? String(v) : v === null || v === undefined ? '0' : encodeRaw(v));
  }
}

const quantities = new Map<string | number, string>();

/** A Quantity in its canonical form, as Go re-encodes a decoded one ("1000m" -> "1"); memoized. */
function quantityJson(v: string | number): string {
  let out = quantities.get(v);
  if (out === undefined) {
    try {
      out = goString(canonicalQuantity(v));
    } catch {
      out = goString(String(v));
    }
    if (quantities.size > 10_000) quantities.clear();
    quantities.set(v, out);
  }
  return out;
}

function specialEncoder(special: string, embedded: Encode): Encode {
  switch (special) {
    case 'Time':
    case 'MicroTime':
      // metav1.Time.MarshalJSON: the zero time is null
      return (v) => (typeof v === 'string' && v !== '' ? goString(v) : 'null');
    case 'Duration':
      return (v) => (typeof v === 'string' ? goString(v) : '"0s"');
    case 'Quantity':
      return (v) => {
        if (v === null || v === undefined) return '"0"';
        if (typeof v === 'number' || typeof v === 'string') return quantityJson(v);
        return encodeRaw(v);
      };
    case 'IntOrString':
      return (v) => (typeof v === 'string' ? goString(v) : isInt(v) ? String(v) : v === null || v === undefined ? '0' : encodeRaw(v));
    case 'FieldsV1':
      return encodeRaw;
    case 'RawExtension':
      return embedded;
    default:
      return encodeRaw;
  }
}

let shared: GoJsonEncoder | undefined;

/** The object's JSON as kube-apiserver writes it (no trailing newline). */
export function encodeGoJson(obj: unknown): string {
  return (shared ??= createGoJsonEncoder()).encodeObject(obj);
}

/** Encoded objects by identity: one event goes to every watcher of its kind, encoded once. */
const encodedObjects = new WeakMap<object, string>();

/** One line of a watch stream: `{"type":...,"object":...}` with the object typed, and its newline. */
export function goJsonWatchEvent(ev: { type: string; object: unknown }): string {
  const obj = ev.object;
  if (typeof obj !== 'object' || obj === null) return (shared ??= createGoJsonEncoder()).encodeAs('meta.v1.WatchEvent', ev) + '\n';
  let json = encodedObjects.get(obj);
  if (json === undefined) {
    json = encodeGoJson(obj);
    encodedObjects.set(obj, json);
  }
  return `{"type":${goString(ev.type)},"object":${json}}\n`;
}

/** A response body: the object's JSON and the newline json.Encoder ends it with. */
export function goJsonBody(obj: unknown): string {
  return encodeGoJson(obj) + '\n';
}

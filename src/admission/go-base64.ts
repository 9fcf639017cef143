// []byte fields in JSON (Secret.data, ConfigMap.binaryData): base64 as Go's encoding/json decodes
// them, with base64.StdEncoding (padding required, `\r` and `\n` skipped, not strict about the
// unused bits). A value Go cannot decode is refused with Go's own error, as the API server refuses
// the whole body before anything else: `Secret in version "v1" cannot be handled as a Secret:
// illegal base64 data at input byte 4`.
import { badRequest, type ApiError } from '../api/errors.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DECODE = new Int16Array(256).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

const NL = 0x0a;
const CR = 0x0d;
const PAD = 0x3d;

export class CorruptInputError extends Error {
  constructor(readonly offset: number) {
    super(`illegal base64 data at input byte ${offset}`);
  }
}

/**
 * Decodes as base64.StdEncoding.Decode does (its decodeQuantum, quantum by quantum), throwing
 * CorruptInputError at the offset Go reports.
 */
const CANONICAL = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function goBase64Decode(text: string): Buffer {
  // Well-formed padded base64 (what every encoder writes) decodes the same everywhere.
  if (CANONICAL.test(text)) return Buffer.from(text, 'base64');
  // encoding/json hands the decoder the string's UTF-8 bytes.
  const src = Buffer.from(text, 'utf8');
  const out: number[] = [];
  let si = 0;
  while (true) {
    const dbuf = [0, 0, 0, 0];
    let dlen = 4;
    let j = 0;
    let end = false;
    for (; j < 4; j++) {
      if (si === src.length) {
        if (j === 0) return Buffer.from(out);
        // StdEncoding pads: a short last quantum is corrupt where it began.
        throw new CorruptInputError(si - j);
      }
      const c = src[si]!;
      si++;
      const v = DECODE[c]!;
      if (v >= 0) {
        dbuf[j] = v;
        continue;
      }
      if (c === NL || c === CR) {
        j--;
        continue;
      }
      if (c !== PAD) throw new CorruptInputError(si - 1);
      // padding: the end of the input
      if (j === 0 || j === 1) throw new CorruptInputError(si - 1);
      if (j === 2) {
        while (si < src.length && (src[si] === NL || src[si] === CR)) si++;
        if (si === src.length) throw new CorruptInputError(src.length);
        if (src[si] !== PAD) throw new CorruptInputError(si - 1);
        si++;
      }
      while (si < src.length && (src[si] === NL || src[si] === CR)) si++;
      if (si < src.length) throw new CorruptInputError(si);
      dlen = j;
      end = true;
      break;
    }
    const val = (dbuf[0]! << 18) | (dbuf[1]! << 12) | (dbuf[2]! << 6) | dbuf[3]!;
    const bytes = [(val >> 16) & 0xff, (val >> 8) & 0xff, val & 0xff];
    out.push(...bytes.slice(0, dlen - 1));
    if (end) return Buffer.from(out);
  }
}

/**
 * Checks a map[string][]byte field of a JSON body and returns each value's decoded length, or
 * throws the 400 the API server answers (`<Kind> in version "v1" cannot be handled as a <Kind>:
 * ...`). A null value is Go's nil slice (length 0).
 */
export function decodedByteMap(kind: string, field: string, values: unknown): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  if (values === undefined || values === null) return out;
  const fail = (why: string): ApiError => badRequest(`${kind} in version "v1" cannot be handled as a ${kind}: ${why}`);
  if (typeof values !== 'object' || Array.isArray(values)) {
    throw fail(`json: cannot unmarshal ${goJsonType(values)} into Go struct field ${kind}.${field} of type map[string][]uint8`);
  }
  for (const [key, value] of Object.entries(values as Record<string, unknown>)) {
    if (value === null) {
      out.set(key, Buffer.alloc(0));
      continue;
    }
    if (typeof value !== 'string') throw fail(`json: cannot unmarshal ${goJsonType(value)} into Go struct field ${kind}.${field} of type []uint8`);
    try {
      out.set(key, goBase64Decode(value));
    } catch (err) {
      if (err instanceof CorruptInputError) throw fail(err.message);
      throw err;
    }
  }
  return out;
}

/** The JSON type names encoding/json's UnmarshalTypeError uses. */
function goJsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  return typeof v === 'object' ? 'object' : typeof v;
}

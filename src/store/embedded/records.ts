// What the embedded store holds in memory and writes to its journal. Objects are kept as their
// JSON text: parsing it hands every caller a private deep copy, and the text goes to disk as is.
import type { StoreEventType } from '../store.js';

/** The current state of one key. */
export interface StoredEntry {
  /** The revision of the key's last write (its resourceVersion). */
  revision: number;
  /** The object as JSON, metadata.resourceVersion included. */
  json: string;
}

/** One acknowledged write: a journal line and a watch event. */
export interface WriteRecord {
  revision: number;
  type: StoreEventType;
  key: string;
  /** The object after the write; for DELETED, the object as it was, resourceVersion = revision. */
  json: string;
}

const EVENT_TYPES: ReadonlySet<string> = new Set<StoreEventType>(['ADDED', 'MODIFIED', 'DELETED']);

/** The journal line for a record (newline included). */
export function encodeRecord(r: WriteRecord): string {
  return `{"rev":${r.revision},"type":"${r.type}","key":${JSON.stringify(r.key)},"object":${r.json}}\n`;
}

/** Parses one journal line; undefined when it is not a whole, well-formed record. */
export function decodeRecord(line: string): WriteRecord | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { rev, type, key, object } = raw as Record<string, unknown>;
  if (!Number.isSafeInteger(rev) || (rev as number) < 1) return undefined;
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) return undefined;
  if (typeof key !== 'string' || typeof object !== 'object' || object === null) return undefined;
  return { revision: rev as number, type: type as StoreEventType, key, json: JSON.stringify(object) };
}

/** The object's JSON with metadata.resourceVersion set to revision; the input is not changed. */
export function withResourceVersion(object: unknown, revision: number): string {
  if (typeof object !== 'object' || object === null || Array.isArray(object)) {
    throw new TypeError('a stored object must be a JSON object');
  }
  const metadata = (object as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new TypeError('a stored object must have metadata');
  }
  return JSON.stringify({ ...object, metadata: { ...metadata, resourceVersion: String(revision) } });
}

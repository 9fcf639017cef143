// The store's change stream as the Redis store reads it: entries `<revision>-0` with fields
// type, key, revision and object (the JSON of the object after the write; for a delete, the
// object as it was, with resourceVersion = the delete's revision).
import type { KubeObject } from '../../api/types.js';
import type { StoreEvent, StoreEventType } from '../store.js';

/** One write as read from the stream; the object stays JSON text until a watcher gets it. */
export interface StreamEvent {
  revision: number;
  type: StoreEventType;
  key: string;
  json: string;
}

/** An entry as ioredis returns it from XRANGE / XREAD: [id, [field, value, ...]]. */
export type RawStreamEntry = [id: string, fields: string[]];

const EVENT_TYPES: ReadonlySet<string> = new Set<StoreEventType>(['ADDED', 'MODIFIED', 'DELETED']);

/** The revision a stream ID stands for (`12-0` -> 12). */
export function revisionOfId(id: string): number {
  const dash = id.indexOf('-');
  return Number(dash < 0 ? id : id.slice(0, dash));
}

/** Parses an entry; throws on one the store did not write (foreign data under our prefix). */
export function parseStreamEntry([id, fields]: RawStreamEntry): StreamEvent {
  let type: string | undefined;
  let key: string | undefined;
  let json: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const value = fields[i + 1];
    switch (fields[i]) {
      case 'type':
        type = value;
        break;
      case 'key':
        key = value;
        break;
      case 'object':
        json = value;
        break;
    }
  }
  const revision = revisionOfId(id);
  if (!Number.isSafeInteger(revision) || revision < 1 || type === undefined || !EVENT_TYPES.has(type) || key === undefined || json === undefined) {
    throw new Error(`malformed entry ${id} in the store's event stream`);
  }
  return { revision, type: type as StoreEventType, key, json };
}

/** What a watcher receives: its own copy of the object. */
export function toStoreEvent(e: StreamEvent): StoreEvent {
  return { type: e.type, key: e.key, revision: e.revision, object: JSON.parse(e.json) as KubeObject };
}

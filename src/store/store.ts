// The store contract every backend keeps (embedded journal, Redis). Only the API server
// touches a Store. Revisions are one global, strictly increasing counter, as etcd's are:
// every create, update and delete bumps it, and an object's metadata.resourceVersion is the
// revision of its last write, as a decimal string.
import type { KubeObject } from '../api/types.js';

export type StoreEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface StoreEvent {
  type: StoreEventType;
  key: string;
  /** The object after the write; for DELETED, the object as it was, with resourceVersion = revision. */
  object: KubeObject;
  /** The revision of this write. */
  revision: number;
  /**
   * The object before this write, when known (the watch cache fills it in for the events it
   * sees live), so a watch with a selector can tell an object leaving it (upstream's prevObject).
   */
  prevObject?: KubeObject;
}

export type StoreErrorCode =
  /** create of a key that exists */
  | 'KeyExists'
  /** update/delete/get of a key that does not exist */
  | 'KeyNotFound'
  /** compare-and-swap failed: the key's revision is not the expected one */
  | 'Conflict'
  /** watch from a revision older than the retained history */
  | 'Compacted'
  /**
   * the backend cannot be reached now; the write was not acknowledged (one in flight when the
   * link dropped may or may not have been applied, as with etcd: clients re-read and retry)
   */
  | 'Unavailable';

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  readonly key: string;
  /** For Compacted: the oldest revision a watch may still start from. */
  readonly oldestRevision?: number;
  constructor(code: StoreErrorCode, key: string, message?: string, oldestRevision?: number) {
    super(message ?? `${code}: ${key}`);
    this.code = code;
    this.key = key;
    if (oldestRevision !== undefined) this.oldestRevision = oldestRevision;
  }
}

export function isStoreError(err: unknown, code?: StoreErrorCode): err is StoreError {
  return err instanceof StoreError && (code === undefined || err.code === code);
}

export interface StoreList {
  items: KubeObject[];
  /** The revision the list is consistent at. */
  revision: number;
}

export interface StoreWatch {
  stop(): void;
}

export interface StoreWatchHandlers {
  /** Called in revision order, each event once. */
  onEvent(event: StoreEvent): void;
  /** The watch has ended and will deliver nothing more (Compacted, Unavailable, closed store). */
  onError(err: StoreError): void;
}

export interface Store {
  /** `embedded` or `redis`. */
  readonly backend: string;
  /** The object with metadata.resourceVersion set, or undefined. */
  get(key: string): Promise<KubeObject | undefined>;
  /** Every object whose key starts with prefix, sorted by key, consistent at one revision. */
  list(prefix: string): Promise<StoreList>;
  /** Writes a new key; the returned object carries its resourceVersion. Throws KeyExists. */
  create(key: string, object: KubeObject): Promise<KubeObject>;
  /**
   * Replaces a key's object if its current revision equals expectedRevision (compare-and-swap).
   * Throws KeyNotFound or Conflict. The stored object's resourceVersion is set by the store.
   */
  update(key: string, object: KubeObject, expectedRevision: number): Promise<KubeObject>;
  /**
   * Removes a key (if expectedRevision is given, only at that revision). Returns the deleted
   * object with resourceVersion set to the delete's revision. Throws KeyNotFound or Conflict.
   */
  delete(key: string, expectedRevision?: number): Promise<KubeObject>;
  /**
   * Delivers every change under prefix with a revision > fromRevision, in order, then live.
   * If fromRevision is older than the retained history, onError(Compacted) is called instead.
   */
  watch(prefix: string, fromRevision: number, handlers: StoreWatchHandlers): StoreWatch;
  /** The current (latest) revision. */
  currentRevision(): Promise<number>;
  /** The oldest revision a watch can start from. */
  oldestWatchableRevision(): Promise<number>;
  close(): Promise<void>;
}

// Turns a batch of requested writes into journal records, one revision each, in order. Each
// write is checked against the state as the earlier writes of the same batch leave it, so a
// batch commits exactly as the same writes would one at a time: creates of existing keys,
// writes to missing keys and stale compare-and-swaps fail; the rest get consecutive revisions.
import type { KubeObject } from '../../api/types.js';
import { StoreError } from '../store.js';
import { withResourceVersion, type StoredEntry, type WriteRecord } from './records.js';

export type WriteOp =
  | { kind: 'create'; key: string; object: KubeObject }
  | { kind: 'update'; key: string; object: KubeObject; expectedRevision: number }
  | { kind: 'delete'; key: string; expectedRevision?: number };

export type PlannedWrite = { ok: true; record: WriteRecord } | { ok: false; error: Error };

export function planWrites(
  ops: readonly WriteOp[],
  lookup: (key: string) => StoredEntry | undefined,
  lastRevision: number,
): PlannedWrite[] {
  const overlay = new Map<string, StoredEntry | null>();
  const current = (key: string): StoredEntry | undefined => {
    const o = overlay.get(key);
    return o === null ? undefined : (o ?? lookup(key));
  };
  let revision = lastRevision;
  return ops.map((op): PlannedWrite => {
    try {
      const existing = current(op.key);
      const next = revision + 1;
      let record: WriteRecord;
      if (op.kind === 'create') {
        if (existing) throw new StoreError('KeyExists', op.key, `key already exists: ${op.key}`);
        record = { revision: next, type: 'ADDED', key: op.key, json: withResourceVersion(op.object, next) };
      } else {
        if (!existing) throw new StoreError('KeyNotFound', op.key, `key not found: ${op.key}`);
        if (op.expectedRevision !== undefined && existing.revision !== op.expectedRevision) {
          throw new StoreError(
            'Conflict',
            op.key,
            `revision mismatch for ${op.key}: expected ${op.expectedRevision}, current ${existing.revision}`,
          );
        }
        record =
          op.kind === 'update'
            ? { revision: next, type: 'MODIFIED', key: op.key, json: withResourceVersion(op.object, next) }
            : { revision: next, type: 'DELETED', key: op.key, json: withResourceVersion(JSON.parse(existing.json), next) };
      }
      revision = next;
      overlay.set(op.key, record.type === 'DELETED' ? null : { revision: next, json: record.json });
      return { ok: true, record };
    } catch (err) {
      return { ok: false, error: err instanceof Error ? err : new Error(String(err)) };
    }
  });
}

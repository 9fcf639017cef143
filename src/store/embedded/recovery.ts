// Start-up: the latest snapshot, then every journal line after it, in order. A torn last line
// (a crash mid-append) is cut off; what was acknowledged was synced and is all there.
import type { Logger } from '../../log.js';
import { listJournalFiles, type JournalFile } from './files.js';
import { readJournal, truncateJournal } from './journal.js';
import type { StoredEntry, WriteRecord } from './records.js';
import { readSnapshot, removeSnapshotLeftovers } from './snapshot.js';

export interface RecoveredState {
  /** The revision of the last write recovered. */
  revision: number;
  entries: Map<string, StoredEntry>;
  /** The snapshot's revision (0 without one): every write after it is in `journaled`. */
  snapshotRevision: number;
  /** The writes after the snapshot, oldest first. */
  journaled: WriteRecord[];
  /** The newest journal file, to append to, if there is one. */
  lastJournal?: JournalFile;
}

export function applyRecord(entries: Map<string, StoredEntry>, r: WriteRecord): void {
  if (r.type === 'DELETED') entries.delete(r.key);
  else entries.set(r.key, { revision: r.revision, json: r.json });
}

export async function recover(dir: string, logger: Logger): Promise<RecoveredState> {
  await removeSnapshotLeftovers(dir);
  const snapshot = await readSnapshot(dir);
  const entries = snapshot?.entries ?? new Map<string, StoredEntry>();
  const snapshotRevision = snapshot?.revision ?? 0;
  let revision = snapshotRevision;
  const journaled: WriteRecord[] = [];
  const files = await listJournalFiles(dir);
  for (const file of files) {
    const { records, validBytes, tornBytes } = await readJournal(file.path);
    if (tornBytes > 0) {
      logger.warn({ journal: file.path, tornBytes }, 'journal ends with a torn write (a crash mid-append); cutting it off');
      await truncateJournal(file.path, validBytes);
    }
    for (const r of records) {
      if (r.revision <= revision) continue;
      if (r.revision !== revision + 1) {
        logger.warn({ journal: file.path, expected: revision + 1, found: r.revision }, 'journal skips revisions');
      }
      applyRecord(entries, r);
      journaled.push(r);
      revision = r.revision;
    }
  }
  logger.info(
    { dir, revision, objects: entries.size, snapshotRevision, journaled: journaled.length },
    'embedded store recovered',
  );
  return { revision, entries, snapshotRevision, journaled, lastJournal: files[files.length - 1] };
}

// Compaction: once the journal has grown by N writes, the writer starts a fresh journal file
// at revision S+1 and the state at S is written as the new snapshot in the background. Only
// after the snapshot is durable are the journal files it covers (first revision <= S) removed,
// so a crash at any step leaves either the old snapshot and every journal, or the new one.
import { rm } from 'node:fs/promises';
import { listJournalFiles } from './files.js';
import type { StoredEntry } from './records.js';
import { writeSnapshot } from './snapshot.js';

export async function compactDir(
  dir: string,
  revision: number,
  entries: Iterable<[string, StoredEntry]>,
  aborted: () => boolean,
): Promise<{ removedJournals: number } | undefined> {
  const written = await writeSnapshot(dir, revision, entries, aborted);
  if (!written) return undefined;
  let removedJournals = 0;
  for (const file of await listJournalFiles(dir)) {
    if (file.firstRevision > revision || aborted()) continue;
    await rm(file.path, { force: true });
    removedJournals++;
  }
  return { removedJournals };
}

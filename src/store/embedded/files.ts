// The embedded store's directory layout and the small filesystem steps that make a change
// durable: the journal files (one JSON line per write, named by the first revision they may
// hold), the snapshot, its temporary twin, and the lock.
import { open, readdir, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const SNAPSHOT_FILE = 'snapshot.jsonl';
export const SNAPSHOT_TEMP_FILE = 'snapshot.jsonl.tmp';
export const LOCK_FILE = 'LOCK';

const JOURNAL_NAME = /^journal-(\d{16})\.jsonl$/;

export interface JournalFile {
  path: string;
  /** The first revision this file may hold; every earlier revision is in earlier files or the snapshot. */
  firstRevision: number;
}

export function journalFileName(firstRevision: number): string {
  return `journal-${String(firstRevision).padStart(16, '0')}.jsonl`;
}

/** The journal files in dir, oldest first. */
export async function listJournalFiles(dir: string): Promise<JournalFile[]> {
  const files: JournalFile[] = [];
  for (const name of await readdir(dir)) {
    const m = JOURNAL_NAME.exec(name);
    if (m) files.push({ path: join(dir, name), firstRevision: Number(m[1]) });
  }
  return files.sort((a, b) => a.firstRevision - b.firstRevision);
}

/** Makes a directory's entries (created, renamed files) durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes all of data at the handle's position (a single write may be partial). */
export async function writeAll(fh: FileHandle, data: string): Promise<void> {
  const bytes = Buffer.from(data, 'utf8');
  let off = 0;
  while (off < bytes.length) {
    const { bytesWritten } = await fh.write(bytes, off, bytes.length - off);
    off += bytesWritten;
  }
}

// The append-only journal: one JSON line per acknowledged write. Appends go through one file
// handle and are synced (fdatasync) before they count. Reading tolerates a torn tail (a crash
// in the middle of an append leaves a partial last line): the tail is cut off, never fatal.
// A bad line followed by good ones is real corruption and is reported, not skipped.
import { open, readFile, truncate, type FileHandle } from 'node:fs/promises';
import { decodeRecord, type WriteRecord } from './records.js';
import { syncDir, writeAll } from './files.js';
import { dirname } from 'node:path';

export interface JournalContents {
  records: WriteRecord[];
  /** Bytes of whole, well-formed lines from the start of the file. */
  validBytes: number;
  /** Bytes after validBytes (a torn tail), 0 when the file ends cleanly. */
  tornBytes: number;
}

export async function readJournal(path: string): Promise<JournalContents> {
  const buf = await readFile(path);
  const records: WriteRecord[] = [];
  let pos = 0;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    const record = nl < 0 ? undefined : decodeRecord(buf.toString('utf8', pos, nl));
    if (record === undefined) {
      if (nl >= 0 && hasRecordAfter(buf, nl + 1)) {
        throw new Error(`journal ${path} is corrupt at byte ${pos}: a malformed line is followed by valid records`);
      }
      return { records, validBytes: pos, tornBytes: buf.length - pos };
    }
    records.push(record);
    pos = nl + 1;
  }
  return { records, validBytes: pos, tornBytes: 0 };
}

function hasRecordAfter(buf: Buffer, from: number): boolean {
  let pos = from;
  while (pos < buf.length) {
    const nl = buf.indexOf(0x0a, pos);
    if (nl < 0) return false;
    if (decodeRecord(buf.toString('utf8', pos, nl)) !== undefined) return true;
    pos = nl + 1;
  }
  return false;
}

/** Cuts a torn tail off so appends continue after the last whole line. */
export async function truncateJournal(path: string, validBytes: number): Promise<void> {
  await truncate(path, validBytes);
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export interface JournalWriter {
  readonly path: string;
  /** Appends the lines and syncs them to disk; resolves only once they are durable. */
  append(data: string): Promise<void>;
  close(): Promise<void>;
}

/** Opens (creating if needed, durably) a journal file for appending. */
export async function openJournalWriter(path: string): Promise<JournalWriter> {
  const fh: FileHandle = await open(path, 'a');
  try {
    await fh.sync();
    await syncDir(dirname(path));
  } catch (err) {
    await fh.close();
    throw err;
  }
  return {
    path,
    async append(data) {
      await writeAll(fh, data);
      await fh.datasync();
    },
    close: () => fh.close(),
  };
}

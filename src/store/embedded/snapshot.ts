// The snapshot: every object and the revision they are consistent at, as JSON lines (a header,
// then one line per key). It is replaced atomically: written to a temporary file, synced,
// renamed over the old one, and the directory synced, so a crash leaves the old or the new
// snapshot, never a mix.
import { open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { SNAPSHOT_FILE, SNAPSHOT_TEMP_FILE, syncDir, writeAll } from './files.js';
import type { StoredEntry } from './records.js';

export interface Snapshot {
  revision: number;
  entries: Map<string, StoredEntry>;
}

const FORMAT = 1;

/** Reads dir's snapshot; undefined when there is none. Throws when it is unreadable. */
export async function readSnapshot(dir: string): Promise<Snapshot | undefined> {
  const path = join(dir, SNAPSHOT_FILE);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  try {
    const header = JSON.parse(lines[0] ?? '') as { format?: unknown; revision?: unknown; count?: unknown };
    if (header.format !== FORMAT || !Number.isSafeInteger(header.revision) || header.count !== lines.length - 1) {
      throw new Error('bad header or entry count');
    }
    const entries = new Map<string, StoredEntry>();
    for (let i = 1; i < lines.length; i++) {
      const e = JSON.parse(lines[i]) as { key: string; rev: number; object: unknown };
      entries.set(e.key, { revision: e.rev, json: JSON.stringify(e.object) });
    }
    return { revision: header.revision as number, entries };
  } catch (err) {
    throw new Error(`snapshot ${path} is unreadable: ${(err as Error).message}`);
  }
}

/**
 * Writes a snapshot of entries at revision and makes it durable. `aborted` is asked between
 * steps; when it says yes the temporary file is removed and the old snapshot stays.
 */
export async function writeSnapshot(
  dir: string,
  revision: number,
  entries: Iterable<[string, StoredEntry]>,
  aborted: () => boolean = () => false,
): Promise<boolean> {
  const temp = join(dir, SNAPSHOT_TEMP_FILE);
  const lines: string[] = [];
  for (const [key, e] of entries) lines.push(`{"key":${JSON.stringify(key)},"rev":${e.revision},"object":${e.json}}\n`);
  const fh = await open(temp, 'w');
  try {
    await writeAll(fh, `${JSON.stringify({ format: FORMAT, revision, count: lines.length })}\n`);
    for (let i = 0; i < lines.length; i += 1000) {
      if (aborted()) break;
      await writeAll(fh, lines.slice(i, i + 1000).join(''));
    }
    if (!aborted()) await fh.sync();
  } finally {
    await fh.close();
  }
  if (aborted()) {
    await rm(temp, { force: true });
    return false;
  }
  await rename(temp, join(dir, SNAPSHOT_FILE));
  await syncDir(dir);
  return true;
}

/** Removes a temporary snapshot left by a crash in the middle of writing one. */
export async function removeSnapshotLeftovers(dir: string): Promise<void> {
  await rm(join(dir, SNAPSHOT_TEMP_FILE), { force: true });
}

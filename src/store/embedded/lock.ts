// One process at a time per store directory. The LOCK file holds the owner's pid; a lock whose
// process is gone (it was killed) is stale and taken over. Within one process a directory can
// be open once.
import { open, readFile, realpath, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { LOCK_FILE } from './files.js';

export interface DirLock {
  release(): Promise<void>;
}

const heldHere = new Set<string>();

export async function lockDir(dir: string): Promise<DirLock> {
  const real = await realpath(dir);
  if (heldHere.has(real)) {
    throw new Error(`store directory ${dir} is already open in this process (pid ${process.pid})`);
  }
  const path = join(real, LOCK_FILE);
  for (let attempt = 0; ; attempt++) {
    try {
      const fh = await open(path, 'wx');
      try {
        await fh.write(`${process.pid}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw err;
    }
    const owner = await lockOwner(path);
    if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
      throw new Error(`store directory ${dir} is in use by another process (pid ${owner}, lock file ${path})`);
    }
    await rm(path, { force: true });
  }
  heldHere.add(real);
  let released = false;
  return {
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(real);
      await rm(path, { force: true });
    },
  };
}

async function lockOwner(path: string): Promise<number | undefined> {
  try {
    const pid = Number.parseInt(await readFile(path, 'utf8'), 10);
    return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

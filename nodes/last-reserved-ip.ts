// The last pod IP this node handed out, kept on disk as the host-local IPAM plugin keeps
// `last_reserved_ip`: a node process that restarts continues after it, so an address a deleted
// pod had a moment ago is not handed to a new pod at once.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const FILE = 'last_reserved_ip';

export function readLastReservedIP(dir: string): string | undefined {
  try {
    return readFileSync(path.join(dir, FILE), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** Best effort: a failed write only means less spread after a restart. Returns the error, if any. */
export function writeLastReservedIP(dir: string, ip: string): Error | undefined {
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, FILE), `${ip}\n`);
    return undefined;
  } catch (err) {
    return err as Error;
  }
}

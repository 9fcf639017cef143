// What the host containers of a node's previous process left, killed when the node starts (that
// process died, or was killed, with containers running). The pid files (`<node folder>/
// host-processes/<id>.pid`, one per running container, as the supervisor keeps its own) are the
// record of what ran: each group whose leader still carries this node's mark is killed, then a
// scan of /proc finds the rest by the mark (src/cluster/host-process-leftovers.ts).
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { hostProcessMarker, reapMarked, signalGroup } from '../../src/cluster/host-process-leftovers.js';

/** The folder of a node's pid files. */
export function hostPidDir(nodeDir: string): string {
  return path.join(nodeDir, 'host-processes');
}

/** Kills what the predecessor's containers left, and clears their pid files. */
export function reapNodeLeftovers(nodeDir: string): { killed: number; pidFiles: number } {
  const dir = hostPidDir(nodeDir);
  let files: string[] = [];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.pid'));
  } catch {
    // no host process ever ran here
  }
  for (const f of files) {
    const pid = Number(readFileSync(path.join(dir, f), 'utf8').trim());
    // the group leader, if it is still the process we started (its mark says so)
    if (Number.isInteger(pid) && pid > 0 && hostProcessMarker(pid) === nodeDir) signalGroup(pid, 'SIGKILL');
    rmSync(path.join(dir, f), { force: true });
  }
  const killed = reapMarked((m) => m === nodeDir);
  return { killed, pidFiles: files.length };
}

// Host containers' processes (`loopkube up --host-processes`) found by the mark they carry: every
// process a node starts for a container has HOST_PROCESS_MARKER=<node folder> in its environment,
// inherited by whatever it starts, so a scan of /proc finds them all (those that left their
// process group included) and never touches an unrelated process that reused a pid. A starting
// node kills what its predecessor left (nodes/host-process/reaper.ts); `loopkube down` kills what
// any node of the cluster left.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';

export const HOST_PROCESS_MARKER = 'LOOPKUBE_HOST_PROCESS_OF';

/** Signals a process group; a group already gone is not an error. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // ESRCH: nothing left in it
  }
}

/** The marker in a process's environment, if it has one. */
export function hostProcessMarker(pid: number): string | undefined {
  try {
    const environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
    const prefix = `${HOST_PROCESS_MARKER}=`;
    for (const entry of environ.split('\0')) if (entry.startsWith(prefix)) return entry.slice(prefix.length);
  } catch {
    // gone, or not ours to read
  }
  return undefined;
}

/** Pids of live processes whose marker passes `match`. */
export function markedProcesses(match: (marker: string) => boolean): number[] {
  let entries: string[];
  try {
    entries = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    const pid = Number(e);
    if (pid === process.pid) continue;
    const marker = hostProcessMarker(pid);
    if (marker !== undefined && match(marker)) out.push(pid);
  }
  return out;
}

/** Kills every marked process `match` accepts, and its group; returns how many there were. */
export function reapMarked(match: (marker: string) => boolean): number {
  const pids = markedProcesses(match);
  for (const pid of pids) {
    signalGroup(pid, 'SIGKILL');
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
  return pids.length;
}

/** At `loopkube down`: kills what any node of the cluster at `home` left. */
export function reapClusterLeftovers(home: string): number {
  const nodes = path.join(home, 'nodes') + path.sep;
  return reapMarked((m) => m.startsWith(nodes));
}

// What the supervisor knows, as `<home>/supervisor.json` and as its answer to every command:
// each process's pid, state and restarts. Written atomically (temp file + rename) on each change.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import type { HealthCheck, ProcessComponent } from '../cluster/processes.js';

/** pending: not started yet (waits for an earlier stage); restarting: exited, restart scheduled. */
export type ProcessState = 'pending' | 'running' | 'restarting' | 'stopped';

export interface ProcessStatus {
  name: string;
  component: ProcessComponent;
  pid: number | null;
  address: string;
  state: ProcessState;
  /** How many times the supervisor restarted it after it exited on its own. */
  restarts: number;
  startedAt: string | null;
  health: HealthCheck;
  lastExit?: { code: number | null; signal: string | null; at: string };
}

export interface SupervisorState {
  cluster: string;
  home: string;
  supervisorPid: number;
  startedAt: string;
  /** starting: bringing processes up in order; stopped: shut down, file left for reference. */
  phase: 'starting' | 'running' | 'stopping' | 'stopped';
  processes: ProcessStatus[];
}

export function writeSupervisorState(file: string, state: SupervisorState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

export function readSupervisorState(file: string): SupervisorState | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as SupervisorState;
  } catch {
    return null;
  }
}

// Pid files under `<home>/pids/` and the checks around them. A pid is only ever signalled after
// checking it still belongs to this cluster: every process the supervisor starts carries
// LOOPKUBE_CLUSTER_HOME=<home> in its environment (readable in /proc on Linux), so a pid reused
// by an unrelated process is never touched.
import { readFileSync, readdirSync, readlinkSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_HOME_ENV } from '../cluster/parent-watch.js';

export function pidFile(pidsDir: string, name: string): string {
  return path.join(pidsDir, `${name}.pid`);
}

export function writePidFile(file: string, pid: number): void {
  writeFileSync(file, `${pid}\n`);
}

export function readPidFile(file: string): number | null {
  try {
    const pid = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

export function removePidFile(file: string): void {
  rmSync(file, { force: true });
}

/** Every `<name>.pid` in the folder, as name -> pid. */
export function listPidFiles(pidsDir: string): Map<string, number> {
  const out = new Map<string, number>();
  let entries: string[];
  try {
    entries = readdirSync(pidsDir);
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!entry.endsWith('.pid')) continue;
    const pid = readPidFile(path.join(pidsDir, entry));
    if (pid !== null) out.set(entry.slice(0, -'.pid'.length), pid);
  }
  return out;
}

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  // a zombie (exited, not yet reaped) is as good as gone
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return true;
  }
}

/**
 * Alive and started for this cluster. On Linux: its environment names the cluster's home; or,
 * for redis-server (which overwrites its environment to set its process title), it is a
 * redis-server working in the cluster's `redis` folder (redis-server chdirs to its --dir).
 */
export function isClusterProcess(pid: number, home: string): boolean {
  if (!pidAlive(pid)) return false;
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch (err) {
    // no /proc (not Linux): trust the pid file
    return (err as NodeJS.ErrnoException).code === 'ENOENT' && !dirExists('/proc/self');
  }
  if (environ.split('\0').includes(`${CLUSTER_HOME_ENV}=${home}`)) return true;
  try {
    const comm = readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
    return comm === 'redis-server' && readlinkSync(`/proc/${pid}/cwd`) === realpathSync(path.join(home, 'redis'));
  } catch {
    return false;
  }
}

function dirExists(p: string): boolean {
  try {
    readdirSync(p);
    return true;
  } catch {
    return false;
  }
}

export function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** Waits until none of the pids is alive, or the deadline passes; returns those still alive. */
export async function waitForExit(pids: number[], timeoutMs: number, pollMs = 100): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(pidAlive);
  while (alive.length && Date.now() < deadline) {
    await sleep(pollMs);
    alive = alive.filter(pidAlive);
  }
  return alive;
}

/**
 * Kills what a previous run of this cluster left behind (pid files whose process still belongs
 * to the cluster), with SIGTERM then SIGKILL, and removes their pid files. Returns the names killed.
 */
export async function killLeftovers(pidsDir: string, home: string, options: { except?: string[]; graceMs?: number } = {}): Promise<string[]> {
  const killed: string[] = [];
  const pids: number[] = [];
  for (const [name, pid] of listPidFiles(pidsDir)) {
    if (options.except?.includes(name)) continue;
    if (isClusterProcess(pid, home)) {
      signal(pid, 'SIGTERM');
      pids.push(pid);
      killed.push(name);
    }
    removePidFile(pidFile(pidsDir, name));
  }
  const stubborn = await waitForExit(pids, options.graceMs ?? 3000);
  for (const pid of stubborn) signal(pid, 'SIGKILL');
  await waitForExit(stubborn, 5000);
  return killed;
}

// Starting a cluster's supervisor from the CLI: for `up`, and for any command that finds the
// cluster's processes running without one (it died and nothing has started another yet): a new
// supervisor adopts them, so the next `loopkube` command brings supervision back.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, rmSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CLUSTER_HOME_ENV, stoppingMarker } from '../cluster/parent-watch.js';
import { packageRoot } from '../cluster/processes.js';
import { sendSupervisorRequest, supervisorSocket } from '../supervisor/control.js';
import { isClusterProcess, listPidFiles } from '../supervisor/pid-files.js';
import { CliError } from './args.js';
import { runningSupervisorPid, type ClusterLocation } from './cluster-home.js';

/** The cluster's processes (not the supervisor) that run now, by their pid files. */
export function liveClusterProcesses(loc: ClusterLocation): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, pid] of listPidFiles(loc.paths.pidsDir)) {
    if (name !== 'supervisor' && isClusterProcess(pid, loc.home)) out.set(name, pid);
  }
  return out;
}

/** Starts the supervisor detached (its own session), logging to logs/supervisor.log. */
export function spawnSupervisor(loc: ClusterLocation): number {
  const main = path.join(packageRoot(), 'dist/src/supervisor/main.js');
  if (!existsSync(main)) throw new CliError(`${main} is missing: build loopkube first (npm run build)`);
  // a `down` that ran before is over: the cluster's processes may start a supervisor again
  rmSync(stoppingMarker(loc.home), { force: true });
  const fd = openSync(path.join(loc.paths.logsDir, 'supervisor.log'), 'a', 0o600);
  try {
    const child = spawn(process.execPath, [main, '--home', loc.home], {
      cwd: loc.home,
      detached: true,
      stdio: ['ignore', fd, fd],
      env: { ...process.env, [CLUSTER_HOME_ENV]: loc.home },
    });
    child.unref();
    if (child.pid === undefined) throw new CliError(`cannot start the supervisor (${process.execPath} ${main})`);
    // its pid file is its own to write, once it holds the cluster's lock
    return child.pid;
  } finally {
    closeSync(fd);
  }
}

/**
 * The supervisor's pid; when it is gone but the cluster's processes still run (and no `down`
 * is under way), a new supervisor is started to adopt them first. Null: the cluster is not running.
 */
export async function ensureSupervisor(loc: ClusterLocation, timeoutMs = 10_000): Promise<number | null> {
  const running = runningSupervisorPid(loc);
  if (running !== null) return running;
  if (existsSync(stoppingMarker(loc.home)) || !existsSync(loc.paths.config)) return null;
  if (liveClusterProcesses(loc).size === 0) return null;
  const pid = spawnSupervisor(loc);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const reply = await sendSupervisorRequest(supervisorSocket(loc.home), { op: 'status' }, 1000);
      if (reply.ok) return reply.state.supervisorPid;
    } catch {
      // not listening yet
    }
    // another supervisor (started by one of the processes) may have won the lock meanwhile
    const now = runningSupervisorPid(loc);
    if (now !== null && now !== pid) return now;
    await sleep(50);
  }
  return runningSupervisorPid(loc);
}

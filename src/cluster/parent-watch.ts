// How a cluster process follows its supervisor. The data plane must outlive every single
// process, the supervisor included, so a process does NOT exit when its supervisor dies:
//
// - It holds a link to the supervisor's lock (src/supervisor/lock.ts); the kernel closes it the
//   moment the supervisor dies, SIGKILL included.
// - Then it starts a new supervisor (the command line it was given in LOOPKUBE_SUPERVISOR_ARGV,
//   plus --adopt), which takes the lock and adopts the running processes from their pid files.
//   Every orphaned process tries, after a random pause; the lock lets one supervisor win, and
//   the others exit at once.
// - So nothing is orphaned forever, an orphan exits by itself instead when no supervisor could
//   ever adopt it: `loopkube down` is under way (the `stopping` marker), its cluster's folder is
//   gone, or its pid file no longer names it.
//
// A process started by a test harness (LOOPKUBE_SUPERVISOR_PID set, no supervisor command line)
// keeps the old rule: it exits when that parent is gone (its parent pid changes), so a killed
// test never leaves processes behind.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import path from 'node:path';
import { linkToSupervisor, sendLinkMessage } from '../supervisor/lock.js';

export const SUPERVISOR_PID_ENV = 'LOOPKUBE_SUPERVISOR_PID';
/** Set by the supervisor on every child: the cluster's home folder (also marks the process as ours). */
export const CLUSTER_HOME_ENV = 'LOOPKUBE_CLUSTER_HOME';
/** Set by the supervisor on every child: the process's name in the cluster (`control-plane`, `node-1`...). */
export const PROCESS_NAME_ENV = 'LOOPKUBE_PROCESS_NAME';
/** Set by the supervisor on every child: its own command line (JSON array), to start it again. */
export const SUPERVISOR_ARGV_ENV = 'LOOPKUBE_SUPERVISOR_ARGV';

/** Written by `loopkube down` before it stops anything: no process starts a supervisor again. */
export function stoppingMarker(home: string): string {
  return path.join(home, 'stopping');
}

export interface FollowOptions {
  /** How often a test-harness child checks its parent; default 1000 ms. */
  intervalMs?: number;
  /** What to do when the process must go (no supervisor can adopt it); default: exit(0). */
  onOrphaned?: (why: string) => void;
  /** Told what happens (supervisor gone, restarted, exiting). */
  log?: (msg: string, fields?: Record<string, unknown>) => void;
}

export interface SupervisorFollower {
  /** Stop following (the process is shutting down on purpose): start no supervisor from now on. */
  stop(): void;
}

const NONE: SupervisorFollower = { stop() {} };

/** Starts following the supervisor (when started by one). Never keeps the process alive by itself. */
export function followSupervisor(options: FollowOptions = {}): SupervisorFollower {
  const home = process.env[CLUSTER_HOME_ENV];
  const argvRaw = process.env[SUPERVISOR_ARGV_ENV];
  if (home && argvRaw) {
    let argv: string[];
    try {
      argv = JSON.parse(argvRaw) as string[];
    } catch {
      argv = [];
    }
    if (Array.isArray(argv) && argv.length > 0 && argv.every((a) => typeof a === 'string')) return followLink(home, argv, options);
  }
  return exitWithTestParent(options);
}

function followLink(home: string, supervisorArgv: string[], options: FollowOptions): SupervisorFollower {
  const log = options.log ?? (() => {});
  const orphaned = options.onOrphaned ?? (() => process.exit(0));
  const name = process.env[PROCESS_NAME_ENV] ?? '';
  let stopped = false;
  let link: Socket | null = null;
  let timer: NodeJS.Timeout | undefined;
  let attempts = 0;

  const later = (ms: number): void => {
    clearTimeout(timer);
    timer = setTimeout(() => void check(), ms);
    timer.unref();
  };

  /** Why no supervisor could ever adopt this process, or null when one can. */
  const unadoptable = (): string | null => {
    if (existsSync(stoppingMarker(home))) return 'the cluster is being stopped (loopkube down)';
    if (!existsSync(path.join(home, 'pids'))) return `the cluster's folder ${home} is gone`;
    if (name) {
      let pid = NaN;
      try {
        pid = Number(readFileSync(path.join(home, 'pids', `${name}.pid`), 'utf8').trim());
      } catch {
        // no pid file
      }
      if (pid !== process.pid) return `its pid file no longer names it (${name}.pid)`;
    }
    return null;
  };

  async function check(): Promise<void> {
    if (stopped) return;
    const socket = await linkToSupervisor(home);
    if (stopped) {
      socket?.destroy();
      return;
    }
    if (socket) {
      if (attempts > 0) log('linked to the new supervisor', { attempts });
      attempts = 0;
      link = socket;
      sendLinkMessage(socket, { op: 'hello', name, pid: process.pid });
      socket.once('close', () => {
        link = null;
        if (stopped) return;
        log('the supervisor is gone; the process keeps serving');
        // a random pause, so the cluster's processes do not all start a supervisor at once
        later(50 + Math.floor(Math.random() * 250));
      });
      return;
    }
    const why = unadoptable();
    if (why) {
      log('no supervisor can adopt this process; exiting', { why });
      stopped = true;
      orphaned(why);
      return;
    }
    attempts++;
    // every third try (and the first) starts one; the others give it time to take the lock
    if (attempts % 3 === 1) startSupervisor(home, supervisorArgv, log);
    later(Math.min(2000, 100 * 2 ** Math.min(attempts, 5)));
  }

  void check();
  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      link?.destroy();
    },
  };
}

/** Starts a supervisor detached (its own session), appending to logs/supervisor.log. */
function startSupervisor(home: string, argv: string[], log: NonNullable<FollowOptions['log']>): void {
  const env = { ...process.env };
  delete env[SUPERVISOR_PID_ENV];
  delete env[PROCESS_NAME_ENV];
  delete env[SUPERVISOR_ARGV_ENV];
  let fd: number | 'ignore' = 'ignore';
  try {
    fd = openSync(path.join(home, 'logs', 'supervisor.log'), 'a', 0o600);
  } catch {
    // no logs folder: start it anyway
  }
  try {
    const child = spawn(argv[0]!, [...argv.slice(1), '--adopt'], { cwd: home, detached: true, stdio: ['ignore', fd, fd], env });
    child.on('error', (err) => log('cannot start a supervisor', { err: err.message }));
    child.unref();
    log('started a new supervisor to adopt the cluster', { pid: child.pid });
  } finally {
    if (typeof fd === 'number') closeSync(fd);
  }
}

function exitWithTestParent(options: FollowOptions): SupervisorFollower {
  const parentPid = Number(process.env[SUPERVISOR_PID_ENV]);
  if (!Number.isInteger(parentPid) || parentPid <= 0) return NONE;
  const onGone = options.onOrphaned ?? (() => process.exit(0));
  // Started directly by it (the normal case): watch our parent pid. Otherwise (a wrapper in
  // between) fall back to asking whether its pid is still alive.
  const direct = process.ppid === parentPid;
  const gone = (): boolean => (direct ? process.ppid !== parentPid : !pidAlive(parentPid));
  if (gone()) {
    onGone('the parent process is gone');
    return NONE;
  }
  const timer = setInterval(() => {
    if (gone()) {
      clearInterval(timer);
      onGone('the parent process is gone');
    }
  }, options.intervalMs ?? 1000);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

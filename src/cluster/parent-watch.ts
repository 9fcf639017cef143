// How a cluster process follows its supervisor: the supervisor starts every child with
// LOOPKUBE_SUPERVISOR_PID set to its own pid; the child calls exitWhenParentDies() once at start
// and exits by itself when the supervisor is gone (killed with SIGKILL, crashed), so no process
// of a cluster outlives it. The check is the child's parent pid: when the supervisor dies the
// kernel hands the child to init (or a subreaper) and `process.ppid` changes, which cannot be
// fooled by pid reuse. A child started some other way (no variable) is left alone.
export const SUPERVISOR_PID_ENV = 'LOOPKUBE_SUPERVISOR_PID';
/** Set by the supervisor on every child: the cluster's home folder (also marks the process as ours). */
export const CLUSTER_HOME_ENV = 'LOOPKUBE_CLUSTER_HOME';
/** Set by the supervisor on every child: the process's name in the cluster (`control-plane`, `node-1`...). */
export const PROCESS_NAME_ENV = 'LOOPKUBE_PROCESS_NAME';

export interface ParentWatchOptions {
  /** How often to look; default 1000 ms. */
  intervalMs?: number;
  /** What to do once the supervisor is gone; default: exit with code 0 at once. */
  onParentGone?: () => void;
}

/**
 * Starts watching the supervisor (when started by one). Returns a function that stops watching.
 * The timer is unref'd: it never keeps the process alive by itself.
 */
export function exitWhenParentDies(options: ParentWatchOptions = {}): () => void {
  const supervisorPid = Number(process.env[SUPERVISOR_PID_ENV]);
  if (!Number.isInteger(supervisorPid) || supervisorPid <= 0) return () => {};
  const onGone = options.onParentGone ?? (() => process.exit(0));
  // Started directly by the supervisor (the normal case): watch our parent pid. Otherwise (a
  // wrapper in between) fall back to asking whether the supervisor's pid is still alive.
  const direct = process.ppid === supervisorPid;
  const gone = (): boolean => (direct ? process.ppid !== supervisorPid : !pidAlive(supervisorPid));
  if (gone()) {
    onGone();
    return () => {};
  }
  const timer = setInterval(() => {
    if (gone()) {
      clearInterval(timer);
      onGone();
    }
  }, options.intervalMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

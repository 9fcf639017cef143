// A container's command run as a real process of the node (`loopkube up --host-processes`):
// its own session and process group (so the pod's termination reaches every process it started),
// its working directory and environment as the container's, stdout and stderr line by line into
// the container's log. The node's death takes it along: it runs under `setpriv --pdeathsig KILL`
// (the kernel kills it when the node process dies, however it dies), and a pid file under the
// node's folder lets the next node process reap what is left of its group (reaper.ts).
//
// Its exit is reported as a container runtime reports one: the exit code, or 128 + the signal
// that killed it (SIGKILL 137, SIGTERM 143), and OOMKilled when the cgroup's OOM killer did it.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { MainProcess } from '../main-process.js';
import { HOST_PROCESS_MARKER, signalGroup } from '../../src/cluster/host-process-leftovers.js';
import type { MemoryLimit } from './memory-limit.js';

export interface HostProcessOptions {
  /** The command and its args, `$(VAR)` already expanded. */
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Keep stdin open for attach (the container's `stdin: true`); with stdinOnce it closes when the first attach ends. */
  stdin: boolean;
  stdinOnce: boolean;
  /** `<node folder>/host-processes`: the pid file lives there while the process runs. */
  pidDir: string;
  /** Unique per run of the container (its containerID's hex). */
  id: string;
  /** The node folder, the marker's value (every process of this node's containers carries it). */
  marker: string;
  memory?: MemoryLimit;
  /** One line of its output. */
  line(stream: 'stdout' | 'stderr', text: string): void;
}

export interface HostExit {
  exitCode: number;
  reason: 'Completed' | 'Error' | 'OOMKilled';
  /** The signal that ended it, when one did. */
  signal?: string;
}

export interface HostProcess extends MainProcess {
  readonly pid: number;
  /** Resolves once it has exited, with what a runtime reports. */
  readonly ended: Promise<HostExit>;
  /** SIGTERM to its process group. */
  terminate(): void;
}

/** A runtime's exit code: the process's own, or 128 + the signal that killed it (SIGKILL 137, SIGTERM 143). */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  return signal ? 128 + (os.constants.signals[signal] ?? 9) : (code ?? 0);
}

/** Why a command cannot start, in runc's words (kubelet shows them in StartError / RunContainerError). */
export class HostStartError extends Error {}

/** runc's lookup of argv[0] in the container's PATH; throws runc's error when it is not there. */
export function resolveExecutable(command: string, env: Record<string, string>, cwd: string): string {
  const executable = (p: string): boolean => {
    try {
      accessSync(p, constants.X_OK);
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (command.includes('/')) {
    const full = path.resolve(cwd, command);
    if (executable(full)) return full;
    throw new HostStartError(`exec: "${command}": stat ${command}: no such file or directory`);
  }
  for (const dir of (env.PATH ?? '').split(':')) {
    if (!dir) continue;
    const full = path.join(dir, command);
    if (executable(full)) return full;
  }
  throw new HostStartError(`exec: "${command}": executable file not found in $PATH`);
}

function hasSetpriv(): boolean {
  try {
    resolveExecutable('setpriv', { PATH: process.env.PATH ?? '/usr/bin:/bin' }, '/');
    return true;
  } catch {
    return false;
  }
}
const SETPRIV = hasSetpriv();

/** Starts the process; throws HostStartError when its executable is missing. */
export function startHostProcess(opts: HostProcessOptions): HostProcess {
  const [command, ...args] = opts.argv;
  if (!command) throw new HostStartError('no command specified');
  const executable = resolveExecutable(command, opts.env, opts.cwd);
  let argv = [executable, ...args];
  if (opts.memory) argv = opts.memory.wrap(argv);
  if (SETPRIV) argv = ['setpriv', '--pdeathsig', 'KILL', '--', ...argv];
  const env = { ...opts.env, [HOST_PROCESS_MARKER]: opts.marker };
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), {
    cwd: opts.cwd,
    env,
    detached: true, // setsid: a session and process group of its own
    stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
  });
  const pid = child.pid;
  const pidFile = path.join(opts.pidDir, `${opts.id}.pid`);
  if (pid !== undefined) {
    try {
      mkdirSync(opts.pidDir, { recursive: true });
      writeFileSync(pidFile, `${pid}\n`);
    } catch {
      // no node folder to write to: the pdeathsig still ends it with the node
    }
  }

  const output = new Set<(data: string) => void>();
  const pending: Record<'stdout' | 'stderr', string> = { stdout: '', stderr: '' };
  const take = (stream: 'stdout' | 'stderr', data: string): void => {
    for (const l of output) l(data);
    pending[stream] += data;
    let nl: number;
    while ((nl = pending[stream].indexOf('\n')) >= 0) {
      opts.line(stream, pending[stream].slice(0, nl).replace(/\r$/, ''));
      pending[stream] = pending[stream].slice(nl + 1);
    }
  };
  child.stdout?.setEncoding('utf8').on('data', (d: string) => take('stdout', d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => take('stderr', d));
  child.stdin?.on('error', () => {}); // it may exit before reading what was written

  let killed = false;
  const killGroup = (): void => {
    if (!opts.memory?.killAll() && pid !== undefined) signalGroup(pid, 'SIGKILL');
  };
  const ended = new Promise<HostExit>((resolve) => {
    let exit: HostExit | undefined;
    const finish = (): void => {
      if (!exit) return;
      for (const s of ['stdout', 'stderr'] as const) if (pending[s]) opts.line(s, pending[s]);
      pending.stdout = pending.stderr = '';
      rmSync(pidFile, { force: true });
      opts.memory?.release();
      resolve(exit);
    };
    child.once('error', (err) => {
      exit ??= { exitCode: 128, reason: 'Error' };
      opts.line('stderr', err.message);
      finish();
    });
    child.once('exit', (code, signal) => {
      const exitCode = exitCodeOf(code, signal);
      const oom = opts.memory?.oomKilled() ?? false;
      exit = { exitCode, reason: oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error', ...(signal ? { signal } : {}) };
      // whatever it started in its group ends with it, as with a container's cgroup (and a
      // child that kept its stdout open does not hold the exit back)
      killGroup();
    });
    child.once('close', finish);
  });
  const exited = ended.then((e) => e.exitCode);

  return {
    pid: pid ?? -1,
    tty: false,
    stdinOnce: opts.stdinOnce,
    ended,
    exited,
    onOutput(listener) {
      output.add(listener);
      return () => output.delete(listener);
    },
    write(data) {
      if (child.stdin && !child.stdin.writableEnded) child.stdin.write(data);
    },
    detached() {
      if (opts.stdinOnce) child.stdin?.end();
    },
    terminate() {
      if (pid !== undefined && !killed) signalGroup(pid, 'SIGTERM');
    },
    kill() {
      killed = true;
      killGroup();
    },
  };
}

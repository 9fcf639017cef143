// A container run as host processes: what one run of it gets (its argv with `$(VAR)` expanded as
// kubelet expands command and args, its environment, its working directory in the pod's
// folder, its memory limit, where its volumes are) and `kubectl exec` into it (the real command,
// in the same environment and working directory, as a process group of its own).
//
// Environment: the container's, resolved as kubelet resolves it (env, envFrom, valueFrom and the
// downward API, the Service links), over PATH and HOME from the node (there is no image to give
// them), HOSTNAME as a runtime sets it, and HOST=<pod IP> and PORT=<first port> so an ordinary
// server binds to its pod's address (the container's own HOST or PORT wins). There is no mount
// namespace without privileges, so a volume is not at its mountPath: its files are in the pod's
// folder, and LOOPKUBE_MOUNT_<MOUNT PATH> names where (an event says so).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../../src/api/types.js';
import { expand } from '../env-resolver.js';
import type { ExecStreams } from '../toolbox/shell.js';
import { volumeDir } from '../volume-files.js';
import { createMemoryLimit, memoryLimitBytes, memoryMechanism, type MemoryMechanism } from './memory-limit.js';
import { HOST_PROCESS_MARKER, signalGroup } from '../../src/cluster/host-process-leftovers.js';
import { HostStartError, exitCodeOf, resolveExecutable, startHostProcess, type HostProcess } from './process.js';
import { hostPidDir } from './reaper.js';

export interface HostContainerOptions {
  spec: Container;
  pod(): Pod;
  podIP: string;
  /** The node's folder (`<home>/nodes/<name>`): pid files, and the marker of its processes. */
  nodeDir: string;
  /** The node's pods folder (`<node folder>/pods`): the pod's folder and volumes are under it. */
  podsDir: string;
}

export interface HostMount {
  mountPath: string;
  /** Where its files are on this machine. */
  path: string;
  env: string;
}

export interface HostRun {
  process: HostProcess;
  argv: string[];
  cwd: string;
  memory: { mechanism: MemoryMechanism; bytes: number } | undefined;
}

export interface HostContainer {
  /** The volumes and where a host process finds them (for the event). */
  mounts(): HostMount[];
  /** Starts a run; throws HostStartError (runc's words) when its command cannot start. */
  start(run: { env: ReadonlyArray<readonly [string, string]>; port: number | undefined; id: string; line(stream: 'stdout' | 'stderr', text: string): void }): HostRun;
  /** `kubectl exec`: the command in the current run's environment and folder; resolves with its exit code. */
  exec(command: string[], streams: ExecStreams): Promise<number>;
}

/** What exec hooks and probes need of a command run in the container: its exit code and its output (the first 10 KiB). */
export async function execCollecting(
  exec: (command: string[], streams: ExecStreams) => Promise<number>,
  command: string[],
  signal: AbortSignal,
): Promise<{ code: number; output: string }> {
  let output = '';
  const collect = (d: string): void => {
    if (output.length < 10 * 1024) output += d;
  };
  const code = await exec(command, { stdout: collect, stderr: collect, tty: false, signal });
  return { code, output };
}

/** Whether a container names a command of its own (what host processes run; otherwise the built-in app serves). */
export function hasCommand(spec: Container): boolean {
  return (spec.command?.length ?? 0) > 0 || (spec.args?.length ?? 0) > 0;
}

/** `/etc/app/conf.d` -> `LOOPKUBE_MOUNT_ETC_APP_CONF_D`. */
export function mountEnvName(mountPath: string): string {
  const tail = mountPath.replace(/^\/+|\/+$/g, '').replace(/[^A-Za-z0-9]+/g, '_').toUpperCase();
  return `LOOPKUBE_MOUNT_${tail || 'ROOT'}`;
}

export function createHostContainer(opts: HostContainerOptions): HostContainer {
  const { spec } = opts;
  const uid = (): string => opts.pod().metadata.uid ?? '';
  const podDir = (): string => path.join(opts.podsDir, uid());
  let current: { env: Record<string, string>; cwd: string } | undefined;

  function mounts(): HostMount[] {
    const volumes = new Map((opts.pod().spec.volumes ?? []).map((v) => [v.name, v]));
    return (spec.volumeMounts ?? []).flatMap((m) => {
      const v = volumes.get(m.name);
      if (!v) return [];
      const dir = volumeDir(opts.podsDir, uid(), v);
      return [{ mountPath: m.mountPath, path: m.subPath ? path.join(dir, m.subPath) : dir, env: mountEnvName(m.mountPath) }];
    });
  }

  /** workingDir when it is a folder here, else the pod's folder. */
  function workingDir(): string {
    const wd = (spec as Container & { workingDir?: string }).workingDir;
    if (wd && path.isAbsolute(wd) && existsSync(wd) && statSync(wd).isDirectory()) return wd;
    const dir = podDir();
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  function environment(resolved: ReadonlyArray<readonly [string, string]>, port: number | undefined): Record<string, string> {
    const pod = opts.pod();
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
      HOME: process.env.HOME ?? os.homedir(),
      HOSTNAME: pod.spec.hostname || pod.metadata.name || '',
      HOST: opts.podIP,
      ...(port !== undefined ? { PORT: String(port) } : {}),
    };
    for (const m of mounts()) env[m.env] = m.path;
    for (const [k, v] of resolved) env[k] = v;
    return env;
  }

  return {
    mounts,
    start(run) {
      const env = environment(run.env, run.port);
      const lookup = (name: string): string | undefined => env[name];
      // kubelet expands $(VAR) in command and args from the container's environment
      const argv = [...(spec.command ?? []), ...(spec.args ?? [])].map((a) => expand(a, lookup));
      const cwd = workingDir();
      const bytes = memoryLimitBytes(spec.resources?.limits);
      const memory = bytes !== undefined && memoryMechanism() !== 'none' ? createMemoryLimit(bytes, `${path.basename(opts.nodeDir)}-${run.id.slice(0, 16)}`) : undefined;
      const s = spec as Container & { stdin?: boolean; stdinOnce?: boolean };
      const proc = startHostProcess({
        argv,
        env,
        cwd,
        stdin: !!s.stdin,
        stdinOnce: !!s.stdinOnce,
        pidDir: hostPidDir(opts.nodeDir),
        id: run.id,
        marker: opts.nodeDir,
        ...(memory ? { memory } : {}),
        line: run.line,
      });
      current = { env, cwd };
      return { process: proc, argv, cwd, memory: memory ? { mechanism: memory.mechanism, bytes: memory.bytes } : undefined };
    },
    exec(command, streams) {
      const run = current;
      if (!run) return Promise.reject(new Error('container is not running'));
      let executable: string;
      try {
        executable = resolveExecutable(command[0] ?? '', run.env, run.cwd);
      } catch (err) {
        if (!(err instanceof HostStartError)) throw err;
        return Promise.reject(new Error(`OCI runtime exec failed: exec failed: unable to start container process: ${err.message}: unknown`));
      }
      return new Promise<number>((resolve) => {
        const child = spawn(executable, command.slice(1), {
          cwd: run.cwd,
          env: { ...run.env, [HOST_PROCESS_MARKER]: opts.nodeDir },
          detached: true,
          stdio: [streams.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        });
        child.stdout?.setEncoding('utf8').on('data', (d: string) => streams.stdout(d));
        child.stderr?.setEncoding('utf8').on('data', (d: string) => streams.stderr(d));
        if (streams.stdin && child.stdin) {
          child.stdin.on('error', () => {});
          streams.stdin.pipe(child.stdin);
        }
        // the client went away: the exec'd process group goes too
        const onAbort = (): void => {
          if (child.pid !== undefined) signalGroup(child.pid, 'SIGKILL');
        };
        streams.signal.addEventListener('abort', onAbort, { once: true });
        child.once('error', (err) => {
          streams.stderr(`${err.message}\n`);
          resolve(126);
        });
        child.once('close', (code, signal) => {
          streams.signal.removeEventListener('abort', onAbort);
          resolve(exitCodeOf(code, signal));
        });
      });
    },
  };
}

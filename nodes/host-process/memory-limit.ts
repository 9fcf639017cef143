// A host process's memory limit (resources.limits.memory), enforced where this machine allows it:
//
// - cgroups v2, where the node may write the unified hierarchy (root on a cgroup2 machine): a
//   cgroup of its own per container under /sys/fs/cgroup/loopkube/, `memory.max` the limit and
//   `memory.swap.max` 0, as kubelet's cgroup manager sets them. The kernel's OOM killer ends the
//   process (SIGKILL, 137), and `memory.events` says so: kubelet reports that as OOMKilled.
//   `cgroup.kill` ends everything in it, whatever process group a child moved to.
// - otherwise RLIMIT_AS through prlimit(1) (util-linux), the documented fallback: the address
//   space is capped, so an allocation past it fails in the process (Python's MemoryError, C's
//   NULL from malloc) instead of the kernel killing it; the exit is the program's, reported as
//   Error with its code. Runtimes that reserve a large address space up front (Node.js, the JVM,
//   Go) need a limit well above what they use, or fail to start.
import { accessSync, constants, existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseQuantity } from '../../src/api/quantity.js';

export type MemoryMechanism = 'cgroup-v2' | 'rlimit-as' | 'none';

export interface MemoryLimit {
  readonly mechanism: MemoryMechanism;
  readonly bytes: number;
  /** The argv that starts `argv` under the limit. */
  wrap(argv: string[]): string[];
  /** After the exit: did the kernel's OOM killer end it (cgroup v2 only)? */
  oomKilled(): boolean;
  /** Kills everything in the container's cgroup (false: no cgroup, use the process group). */
  killAll(): boolean;
  /** Removes the cgroup once its processes are gone. */
  release(): void;
}

const CGROUP_ROOT = '/sys/fs/cgroup';
const LOOPKUBE_CGROUP = path.join(CGROUP_ROOT, 'loopkube');

let detected: MemoryMechanism | undefined;

function enableMemory(dir: string): void {
  const control = path.join(dir, 'cgroup.subtree_control');
  if (!readFileSync(control, 'utf8').split(/\s+/).includes('memory')) writeFileSync(control, '+memory');
}

/** Which mechanism this machine offers (asked once per process). */
export function memoryMechanism(): MemoryMechanism {
  if (detected) return detected;
  detected = detectMechanism();
  return detected;
}

function detectMechanism(): MemoryMechanism {
  try {
    // the unified hierarchy, with the memory controller, writable by us (the cgroup root is
    // exempt from the no-internal-processes rule, so a subtree of our own can enable memory)
    const controllers = readFileSync(path.join(CGROUP_ROOT, 'cgroup.controllers'), 'utf8').split(/\s+/);
    if (controllers.includes('memory')) {
      accessSync(CGROUP_ROOT, constants.W_OK);
      enableMemory(CGROUP_ROOT);
      mkdirSync(LOOPKUBE_CGROUP, { recursive: true });
      enableMemory(LOOPKUBE_CGROUP);
      return 'cgroup-v2';
    }
  } catch {
    // not cgroup v2, or not ours to write
  }
  return hasPrlimit() ? 'rlimit-as' : 'none';
}

function hasPrlimit(): boolean {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(':')) {
    if (dir && existsSync(path.join(dir, 'prlimit'))) return true;
  }
  return false;
}

/** The container's memory limit in bytes, or undefined when it has none (or an unreadable one: the API validated it). */
export function memoryLimitBytes(limits: Record<string, string | number> | undefined): number | undefined {
  const raw = limits?.memory;
  if (raw === undefined) return undefined;
  try {
    const n = Math.floor(parseQuantity(raw));
    return n > 0 ? n : undefined;
  } catch {
    return undefined;
  }
}

/** Sets up the limit for one run of a container; `id` names its cgroup (unique per run). */
export function createMemoryLimit(bytes: number, id: string, mechanism: MemoryMechanism = memoryMechanism()): MemoryLimit {
  if (mechanism === 'cgroup-v2') {
    const dir = path.join(LOOPKUBE_CGROUP, id.replace(/[^A-Za-z0-9_.-]/g, '_'));
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'memory.max'), String(bytes));
    if (existsSync(path.join(dir, 'memory.swap.max'))) writeFileSync(path.join(dir, 'memory.swap.max'), '0');
    const procs = path.join(dir, 'cgroup.procs');
    return {
      mechanism,
      bytes,
      // the shell moves itself into the cgroup, then becomes the program: nothing runs outside it
      wrap: (argv) => ['/bin/sh', '-c', 'echo $$ > "$0" && exec "$@"', procs, ...argv],
      oomKilled() {
        try {
          const m = /^oom_kill (\d+)$/m.exec(readFileSync(path.join(dir, 'memory.events'), 'utf8'));
          return !!m && Number(m[1]) > 0;
        } catch {
          return false;
        }
      },
      killAll() {
        try {
          writeFileSync(path.join(dir, 'cgroup.kill'), '1');
          return true;
        } catch {
          return false;
        }
      },
      release() {
        try {
          rmdirSync(dir);
        } catch {
          // still busy (a process not reaped yet) or gone: the next start of the node sweeps it
        }
      },
    };
  }
  return {
    mechanism,
    bytes,
    wrap: (argv) => (mechanism === 'rlimit-as' ? ['prlimit', `--as=${bytes}`, '--', ...argv] : argv),
    oomKilled: () => false,
    killAll: () => false,
    release: () => {},
  };
}

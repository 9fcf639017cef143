// `--during 'CMD'`: a shell command run once while the load is steady (a rollout, a pod deletion,
// a drain), its start and end marked on the timeline. Its output is kept (bounded) and shown after
// the report, so it does not tear the live progress line; it runs in its own process group, which
// is ended if the user interrupts the run.
import { spawn } from 'node:child_process';

export interface DuringResult {
  command: string;
  /** Seconds from the start of the load. */
  startedAt: number;
  /** null while it still runs. */
  endedAt: number | null;
  exitCode: number | null;
  signal: string | null;
  /** stdout and stderr, interleaved, at most MAX_OUTPUT bytes (the rest is cut and said so). */
  output: string;
}

const MAX_OUTPUT = 64 * 1024;

export interface During {
  readonly result: DuringResult;
  /** Resolves when the command has exited. */
  readonly done: Promise<DuringResult>;
  /** Ends the command's process group (SIGTERM). */
  kill(): void;
}

export function startDuring(command: string, opts: { atSeconds: number; elapsedSeconds: () => number; env: NodeJS.ProcessEnv }): During {
  const result: DuringResult = { command, startedAt: opts.atSeconds, endedAt: null, exitCode: null, signal: null, output: '' };
  let bytes = 0;
  let cut = false;
  const child = spawn('/bin/sh', ['-c', command], { env: opts.env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  const collect = (chunk: Buffer): void => {
    if (bytes >= MAX_OUTPUT) {
      cut = true;
      return;
    }
    const take = chunk.subarray(0, MAX_OUTPUT - bytes);
    bytes += take.length;
    result.output += take.toString('utf8');
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const done = new Promise<DuringResult>((resolve) => {
    child.on('error', (err) => {
      result.output += `${err.message}\n`;
    });
    child.on('close', (code, signal) => {
      result.endedAt = opts.elapsedSeconds();
      result.exitCode = code;
      result.signal = signal;
      if (cut) result.output += `\n[output cut at ${MAX_OUTPUT} bytes]\n`;
      resolve(result);
    });
  });
  return {
    result,
    done,
    kill() {
      if (result.endedAt !== null || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    },
  };
}

/**
 * Whether the load is steady enough to start the command: two intervals in a row with answers,
 * the second within half of the first; or, failing that, `maxWaitSeconds` into the run.
 */
export function isSteady(requestsPerRow: readonly number[], elapsedSeconds: number, maxWaitSeconds = 5): boolean {
  const n = requestsPerRow.length;
  if (n >= 2) {
    const a = requestsPerRow[n - 2]!;
    const b = requestsPerRow[n - 1]!;
    if (a > 0 && b > 0 && Math.abs(b - a) <= a / 2) return true;
  }
  return elapsedSeconds >= maxWaitSeconds;
}

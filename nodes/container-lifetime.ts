// How long a container's built-in app runs before its "process" ends, and with which exit code.
// A container in a pod whose restartPolicy is Always is a server: it runs until it is stopped.
// One whose restartPolicy is Never or OnFailure is a batch task (a Job's pod): it serves for a
// short while and exits 0, so Jobs complete. Two env knobs change that, whatever the policy:
//
//   RUN_SECONDS   how long the app runs before it exits (decimals allowed; Never/OnFailure: 2)
//   EXIT_CODE     the code it exits with then (0..255, default 0; anything else is a failure)
//
// A bad value is reported and ignored, as the app knobs are (app-knobs.ts).
import type { EnvVar, Pod } from '../src/api/types.js';

/** How long a batch container (restartPolicy Never or OnFailure) runs when RUN_SECONDS is not set. */
export const DEFAULT_BATCH_RUN_SECONDS = 2;

/** A day: longer runs are servers, and should say so with restartPolicy Always. */
const MAX_RUN_SECONDS = 86_400;

export interface ContainerLifetime {
  /** How long a run lasts, in ms; undefined: until stopped. */
  runMs: number | undefined;
  /** The exit code at the end of a run. */
  exitCode: number;
  /** One line per ignored variable, naming it and the rule it broke. */
  problems: string[];
}

type RestartPolicy = NonNullable<Pod['spec']['restartPolicy']>;

export function containerLifetime(env: EnvVar[] | undefined, restartPolicy: RestartPolicy | undefined): ContainerLifetime {
  const problems: string[] = [];
  let runSeconds: number | undefined;
  let exitCode = 0;
  for (const e of env ?? []) {
    const raw = (e.value ?? '').trim();
    if (e.name === 'RUN_SECONDS') {
      const n = Number(raw);
      if (raw === '' || !Number.isFinite(n) || n < 0 || n > MAX_RUN_SECONDS) {
        problems.push(`RUN_SECONDS=${JSON.stringify(e.value ?? '')} ignored: must be a number of seconds between 0 and ${MAX_RUN_SECONDS}`);
      } else runSeconds = n;
    } else if (e.name === 'EXIT_CODE') {
      const n = Number(raw);
      if (raw === '' || !Number.isInteger(n) || n < 0 || n > 255) {
        problems.push(`EXIT_CODE=${JSON.stringify(e.value ?? '')} ignored: must be a whole number between 0 and 255`);
      } else exitCode = n;
    }
  }
  const policy = restartPolicy ?? 'Always';
  runSeconds ??= policy === 'Always' ? undefined : DEFAULT_BATCH_RUN_SECONDS;
  return { runMs: runSeconds === undefined ? undefined : Math.round(runSeconds * 1000), exitCode, problems };
}

/** kubelet's reason for a container that exited by itself: Completed for 0, Error otherwise. */
export function exitReason(exitCode: number): 'Completed' | 'Error' {
  return exitCode === 0 ? 'Completed' : 'Error';
}

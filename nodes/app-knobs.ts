// The knobs a container's env sets on its built-in HTTP app: how slow it answers, how big the
// answer is, how often it fails, how long it takes to start listening, and what it does on
// SIGTERM (nodes/app-shutdown.ts), so a manifest can model a real server. Bad values are reported and ignored (the app still runs),
// as a real app would start with its defaults and log a warning.
import type { EnvVar } from '../src/api/types.js';

export interface AppKnobs {
  /** RESPONSE_DELAY_MS: wait this long before answering `GET /`. */
  delayMs: number;
  /** RESPONSE_BYTES: pad the JSON body of `GET /` to (about) this many bytes. */
  responseBytes: number;
  /** ERROR_RATE: the share (0..1) of `GET /` answered with 500. */
  errorRate: number;
  /** STARTUP_DELAY_MS: the container runs this long before its app listens (connections are refused meanwhile). */
  startupDelayMs: number;
  /**
   * ON_SIGTERM: `drain` (stop accepting, finish in-flight requests, close idle keep-alive
   * connections, `Connection: close` on the rest, then exit), `exit` (exit at once, cutting
   * every connection: the classic bug), `ignore` (keep serving until the grace period ends and
   * the kill comes).
   */
  onSigterm: SigtermBehaviour;
  /** SIGTERM_DELAY_MS: keep serving as before for this long after SIGTERM, then do what ON_SIGTERM says. */
  sigtermDelayMs: number;
  /** CPU_PER_REQUEST: real CPU each `GET /` burns (microseconds), so load shows in `kubectl top` and the HPA. */
  cpuPerRequestMicros: number;
}

export const SIGTERM_BEHAVIOURS = ['drain', 'exit', 'ignore'] as const;
export type SigtermBehaviour = (typeof SIGTERM_BEHAVIOURS)[number];

export const DEFAULT_KNOBS: AppKnobs = { delayMs: 0, responseBytes: 0, errorRate: 0, startupDelayMs: 0, onSigterm: 'drain', sigtermDelayMs: 0, cpuPerRequestMicros: 0 };

/** Upper bounds that keep one pod from eating the node: 10 minutes, 16 MiB. */
const MAX_DELAY_MS = 600_000;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;
/** One second of CPU per request at most. */
const MAX_CPU_PER_REQUEST_MICROS = 1_000_000;

const CPU_UNITS: Record<string, number> = { us: 1, 'µs': 1, ms: 1000, s: 1_000_000 };

/** `5ms`, `250us`, `0.5ms`, `1s`, or a bare number of milliseconds, in microseconds; null when not one. */
export function parseCpuDuration(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)(us|µs|ms|s)?$/.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * CPU_UNITS[m[2] ?? 'ms']!);
}

export interface ParsedKnobs {
  knobs: AppKnobs;
  /** One line per ignored variable, naming it and the rule it broke. */
  problems: string[];
}

export function parseAppKnobs(env: EnvVar[] | undefined): ParsedKnobs {
  const knobs: AppKnobs = { ...DEFAULT_KNOBS };
  const problems: string[] = [];
  for (const e of env ?? []) {
    const raw = (e.value ?? '').trim();
    switch (e.name) {
      case 'RESPONSE_DELAY_MS': {
        const n = Number(raw);
        if (raw === '' || !Number.isFinite(n) || n < 0 || n > MAX_DELAY_MS) {
          problems.push(`RESPONSE_DELAY_MS=${JSON.stringify(e.value ?? '')} ignored: must be a number of milliseconds between 0 and ${MAX_DELAY_MS}`);
        } else knobs.delayMs = n;
        break;
      }
      case 'RESPONSE_BYTES': {
        const n = Number(raw);
        if (raw === '' || !Number.isInteger(n) || n < 0 || n > MAX_RESPONSE_BYTES) {
          problems.push(`RESPONSE_BYTES=${JSON.stringify(e.value ?? '')} ignored: must be a whole number of bytes between 0 and ${MAX_RESPONSE_BYTES}`);
        } else knobs.responseBytes = n;
        break;
      }
      case 'ERROR_RATE': {
        const n = Number(raw);
        if (raw === '' || !Number.isFinite(n) || n < 0 || n > 1) {
          problems.push(`ERROR_RATE=${JSON.stringify(e.value ?? '')} ignored: must be a number between 0 and 1`);
        } else knobs.errorRate = n;
        break;
      }
      case 'STARTUP_DELAY_MS':
      case 'SIGTERM_DELAY_MS': {
        const n = Number(raw);
        if (raw === '' || !Number.isFinite(n) || n < 0 || n > MAX_DELAY_MS) {
          problems.push(`${e.name}=${JSON.stringify(e.value ?? '')} ignored: must be a number of milliseconds between 0 and ${MAX_DELAY_MS}`);
        } else if (e.name === 'STARTUP_DELAY_MS') knobs.startupDelayMs = n;
        else knobs.sigtermDelayMs = n;
        break;
      }
      case 'ON_SIGTERM': {
        const v = raw.toLowerCase();
        if ((SIGTERM_BEHAVIOURS as readonly string[]).includes(v)) knobs.onSigterm = v as SigtermBehaviour;
        else problems.push(`ON_SIGTERM=${JSON.stringify(e.value ?? '')} ignored: must be one of ${SIGTERM_BEHAVIOURS.join(', ')}`);
        break;
      }
      case 'CPU_PER_REQUEST': {
        const us = parseCpuDuration(raw);
        if (us === null || us > MAX_CPU_PER_REQUEST_MICROS) {
          problems.push(`CPU_PER_REQUEST=${JSON.stringify(e.value ?? '')} ignored: must be a duration of CPU time such as 5ms or 500us, at most 1s`);
        } else knobs.cpuPerRequestMicros = us;
        break;
      }
      default:
        break;
    }
  }
  return { knobs, problems };
}

// The knobs a container's env sets on its built-in HTTP app: how slow it answers, how big the
// answer is, and how often it fails. Bad values are reported and ignored (the app still runs),
// as a real app would start with its defaults and log a warning.
import type { EnvVar } from '../src/api/types.js';

export interface AppKnobs {
  /** RESPONSE_DELAY_MS: wait this long before answering `GET /`. */
  delayMs: number;
  /** RESPONSE_BYTES: pad the JSON body of `GET /` to (about) this many bytes. */
  responseBytes: number;
  /** ERROR_RATE: the share (0..1) of `GET /` answered with 500. */
  errorRate: number;
}

export const DEFAULT_KNOBS: AppKnobs = { delayMs: 0, responseBytes: 0, errorRate: 0 };

/** Upper bounds that keep one pod from eating the node: 10 minutes, 16 MiB. */
const MAX_DELAY_MS = 600_000;
const MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

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
      default:
        break;
    }
  }
  return { knobs, problems };
}

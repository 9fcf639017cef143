// Flag parsing for every command: node:util parseArgs in strict mode, its errors reworded the
// way kubectl (cobra) words them, and the two error kinds the CLI exits with.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { suggestionsFor } from './suggest.js';

/** Bad command line: printed with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  readonly command: string;
  constructor(command: string, message: string) {
    super(message);
    this.command = command;
  }
}

/** A command that could not do its job: printed as `error: ...`, exit code 1 (or the one given). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h' } } as const;

/** Parses `argv` for `command` (e.g. `up`, `node`); `--help`/`-h` is always accepted. */
export function parseFlags<O extends Options>(command: string, argv: string[], options: O, allowPositionals = false) {
  const all = { ...options, ...HELP };
  try {
    return parseArgs({ args: joinNegativeValues(argv, all), options: all, strict: true, allowPositionals });
  } catch (err) {
    throw new UsageError(command, rewordParseError(err as Error & { code?: string }, flagNames(all)));
  }
}

/** `--nodes`, `-c`, ... for every option. */
function flagNames(options: Options): string[] {
  return Object.entries(options).flatMap(([long, o]) => [`--${long}`, ...(o.short ? [`-${o.short}`] : [])]);
}

/**
 * `--nodes -1` and `-c -5` as `--nodes=-1` and `--connections=-5`: parseArgs takes a value that
 * starts with a dash for a forgotten argument, so the range check would never see it.
 */
export function joinNegativeValues(argv: string[], options: Options): string[] {
  const longOf = new Map<string, string>();
  for (const [long, o] of Object.entries(options)) {
    if (o.type !== 'string') continue;
    longOf.set(`--${long}`, long);
    if (o.short) longOf.set(`-${o.short}`, long);
  }
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      out.push(...argv.slice(i));
      break;
    }
    const long = longOf.get(arg);
    const next = argv[i + 1];
    if (long !== undefined && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${long}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

export function rewordParseError(err: Error & { code?: string }, knownFlags: readonly string[] = []): string {
  const quoted = /'([^']+)'/.exec(err.message)?.[1] ?? '';
  switch (err.code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
      const typed = quoted.split('=')[0]!;
      const close = suggestionsFor(typed, knownFlags.filter((f) => f.startsWith('--') === typed.startsWith('--')));
      return `unknown flag: ${quoted}${close.length ? ` (did you mean ${close.join(' or ')}?)` : ''}`;
    }
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
      const flag = quoted.split(' ')[0];
      return err.message.includes('argument missing') ? `flag needs an argument: ${flag}` : `flag ${flag} takes no value`;
    }
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument "${quoted}"`;
    default:
      return err.message;
  }
}

/** A whole number within [min, max], or a UsageError naming the flag. */
export function intFlag(command: string, flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value.trim()) || Number(value) < min || Number(value) > max) {
    throw new UsageError(command, `invalid argument "${value}" for "${flag}" flag: must be a whole number from ${min} to ${max}`);
  }
  return Number(value);
}

/** A flag whose value must be one of `choices`. */
export function choiceFlag<T extends string>(command: string, flag: string, value: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(command, `invalid argument "${value}" for "${flag}" flag: must be one of ${choices.join(', ')}`);
}

/** `30s`, `2m`, `500ms` or a bare number of seconds, as milliseconds. */
export function durationFlag(command: string, flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(value.trim());
  if (!m) throw new UsageError(command, `invalid argument "${value}" for "${flag}" flag: must be a duration such as 30s, 2m or 500ms`);
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(unit === 'ms' ? n : unit === 's' ? n * 1000 : n * 60_000);
}

// `loopkube logs [COMPONENT...] [-f]`: the cluster's own logs — one pino JSON-lines file per
// process under `<home>/logs/` — merged in time order, each line named after its process (as
// `docker compose logs` does). Pretty on a terminal (pino-pretty), the JSON lines as they are
// otherwise, so `loopkube logs | jq` works. With -f it keeps printing what the processes write.
import { closeSync, existsSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CliError, UsageError, intFlag, parseFlags } from './args.js';
import { notRunningMessage, selectCluster } from './cluster-home.js';
import { stdoutClosed, whenStdoutCloses } from './output.js';
import { didYouMean } from './suggest.js';

export const LOGS_HELP = `Print the logs of a cluster's processes, merged in time order.

Usage:
  loopkube logs [COMPONENT...] [-f] [--tail N] [--level LEVEL] [--json | --pretty] [--name CLUSTER]

COMPONENT is a process (control-plane, node-1, proxy, supervisor, redis) or a kind of them
(node: every node); none: all of them.

Options:
  -f, --follow      keep printing new lines until interrupted
  --tail N          only the last N lines (default: all)
  --level LEVEL     only lines at LEVEL or above: trace, debug, info, warn, error, fatal
  --json            the JSON lines as written (the default when stdout is not a terminal)
  --pretty          readable lines with colours (the default on a terminal)
  --name CLUSTER    cluster name (default: the only running cluster, else the one 'up' started last)
  -h, --help        show this help

Examples:
  loopkube logs proxy -f
  loopkube logs --level warn
  loopkube logs node --json | jq 'select(.pod)'
`;

const FLAGS = {
  follow: { type: 'boolean', short: 'f' },
  tail: { type: 'string' },
  level: { type: 'string' },
  json: { type: 'boolean' },
  pretty: { type: 'boolean' },
  name: { type: 'string' },
} as const;

/** pino's numeric levels. */
const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

interface LogLine {
  process: string;
  /** ISO time of the line (a line that is not JSON takes the one before it in its file). */
  time: string;
  level: number;
  text: string;
}

interface Source {
  process: string;
  file: string;
  offset: number;
  /** A partial last line, completed by the next read. */
  rest: string;
  lastTime: string;
}

/** The processes whose logs `wanted` selects (process names, or `node` for every node). */
function selectSources(logsDir: string, wanted: string[]): Source[] {
  let files: string[] = [];
  try {
    files = readdirSync(logsDir).filter((f) => f.endsWith('.log'));
  } catch {
    // no logs yet
  }
  const processes = files.map((f) => f.slice(0, -'.log'.length)).sort();
  const chosen = new Set<string>();
  for (const w of wanted) {
    const match = processes.filter((p) => p === w || (w === 'node' && /^node-\d+$/.test(p)) || p.replace(/-\d+$/, '') === w);
    if (!match.length) {
      throw new UsageError(
        'logs',
        `no logs of "${w}" in ${logsDir}; there are: ${processes.join(', ') || '(none yet)'}` +
          didYouMean(w, [...new Set([...processes, ...processes.map((p) => p.replace(/-\d+$/, ''))])]).trimEnd(),
      );
    }
    for (const m of match) chosen.add(m);
  }
  return processes
    .filter((p) => !wanted.length || chosen.has(p))
    .map((p) => ({ process: p, file: path.join(logsDir, `${p}.log`), offset: 0, rest: '', lastTime: '' }));
}

/** The lines added to `s` since the last read. */
function readNew(s: Source): LogLine[] {
  let size: number;
  try {
    size = statSync(s.file).size;
  } catch {
    return [];
  }
  if (size < s.offset) {
    // truncated: start over
    s.offset = 0;
    s.rest = '';
  }
  if (size === s.offset) return [];
  const fd = openSync(s.file, 'r');
  const chunks: Buffer[] = [];
  try {
    const buf = Buffer.alloc(Math.min(1 << 20, size - s.offset));
    while (s.offset < size) {
      const n = readSync(fd, buf, 0, Math.min(buf.length, size - s.offset), s.offset);
      if (n <= 0) break;
      chunks.push(Buffer.from(buf.subarray(0, n)));
      s.offset += n;
    }
  } finally {
    closeSync(fd);
  }
  const text = s.rest + Buffer.concat(chunks).toString('utf8');
  const parts = text.split('\n');
  s.rest = parts.pop() ?? '';
  const out: LogLine[] = [];
  for (const line of parts) {
    if (line === '') continue;
    let time = s.lastTime;
    let level = LEVELS.info!;
    if (line.startsWith('{')) {
      try {
        const obj = JSON.parse(line) as { time?: unknown; level?: unknown };
        if (typeof obj.time === 'string') time = obj.time;
        else if (typeof obj.time === 'number') time = new Date(obj.time).toISOString();
        if (typeof obj.level === 'number') level = obj.level;
      } catch {
        // not JSON after all: kept as it is
      }
    }
    s.lastTime = time;
    out.push({ process: s.process, time, level, text: line });
  }
  return out;
}

/** Lines of several files in time order (stable: a file's own order is kept for equal times). */
function merge(lines: LogLine[]): LogLine[] {
  return lines.map((l, i) => ({ l, i })).sort((a, b) => (a.l.time < b.l.time ? -1 : a.l.time > b.l.time ? 1 : a.i - b.i)).map((x) => x.l);
}

export async function logs(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags('logs', argv, FLAGS, true);
  if (values.help) {
    process.stdout.write(LOGS_HELP);
    return 0;
  }
  if (values.json && values.pretty) throw new UsageError('logs', '--json and --pretty cannot be used together');
  const tail = intFlag('logs', '--tail', values.tail, 0, Number.MAX_SAFE_INTEGER);
  let minLevel = 0;
  if (values.level !== undefined) {
    const l = LEVELS[values.level.toLowerCase()];
    if (l === undefined) throw new UsageError('logs', `invalid argument "${values.level}" for "--level" flag: must be one of ${Object.keys(LEVELS).join(', ')}`);
    minLevel = l;
  }
  const loc = selectCluster(values.name);
  if (!existsSync(loc.paths.config) && !existsSync(loc.paths.logsDir)) throw new CliError(notRunningMessage(loc.name));
  const sources = selectSources(loc.paths.logsDir, positionals);

  const pretty = values.pretty || (!values.json && process.stdout.isTTY === true);
  const width = Math.max(0, ...sources.map((s) => s.process.length));
  // loaded only for pretty output (a pipe gets the JSON lines as they are)
  const prettify = pretty
    ? (await import('pino-pretty')).prettyFactory({ colorize: process.stdout.isTTY === true || values.pretty === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,component,cluster', singleLine: true })
    : undefined;
  const print = (batch: LogLine[]): void => {
    let out = '';
    for (const l of batch) {
      if (l.level < minLevel) continue;
      if (!prettify) {
        out += `${l.text}\n`;
        continue;
      }
      const body = l.text.startsWith('{') ? prettify(l.text) : `${l.text}\n`;
      out += `${l.process.padEnd(width)} | ${body}`;
    }
    if (out) process.stdout.write(out);
  };

  let first = merge(sources.flatMap(readNew)).filter((l) => l.level >= minLevel);
  if (tail !== undefined) first = tail === 0 ? [] : first.slice(-tail);
  print(first);
  if (!values.follow) return 0;

  let stop = false;
  const end = (): void => {
    stop = true;
  };
  process.once('SIGINT', end);
  process.once('SIGTERM', end);
  whenStdoutCloses(end);
  const known = new Set(sources.map((s) => s.process));
  while (!stop && !stdoutClosed()) {
    await sleep(200);
    // a process that starts later (a node brought back, redis) joins when it is selected
    for (const s of selectSourcesQuietly(loc.paths.logsDir, positionals)) {
      if (!known.has(s.process)) {
        known.add(s.process);
        sources.push(s);
      }
    }
    print(merge(sources.flatMap(readNew)));
  }
  return 0;
}

function selectSourcesQuietly(logsDir: string, wanted: string[]): Source[] {
  try {
    return selectSources(logsDir, wanted);
  } catch {
    return [];
  }
}

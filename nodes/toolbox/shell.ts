// The toolbox's `sh`: command lines with quotes, $VAR / ${VAR} / $?, and `;`, `&&`, `||`; `sh -c
// LINE`; and the interactive prompt (busybox's `/ # `) over stdin, with a terminal's line
// discipline when the session has a tty (echo, backspace, Ctrl-C cancels the command running,
// Ctrl-D on an empty line leaves). What a container's exec entry point gets: argv and streams.
import type { Readable } from 'node:stream';
import { BUILTINS, TOOLBOX_COMMANDS } from './builtins.js';
import type { ToolboxPod, ToolIO } from './context.js';

export interface ExecStreams {
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** Present when the session asked for stdin. */
  stdin?: Readable;
  tty: boolean;
  /** Ends the session (the client went away). */
  signal: AbortSignal;
}

type Op = ';' | '&&' | '||';
interface Step {
  words: string[];
  /** How this step joins the one before it. */
  op: Op;
}

export class ShellSyntaxError extends Error {}

/** Splits a line into steps, expanding variables; throws ShellSyntaxError. */
export function parseLine(line: string, env: Record<string, string>, lastStatus: number): Step[] {
  const steps: Step[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  let op: Op = ';';
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
  };
  const endStep = (next: Op): void => {
    endWord();
    if (!words.length) throw new ShellSyntaxError(`syntax error: unexpected "${next}"`);
    steps.push({ words, op });
    words = [];
    op = next;
  };
  const variable = (i: number): [string, number] => {
    if (line[i + 1] === '?') return [String(lastStatus), i + 2];
    if (line[i + 1] === '{') {
      const close = line.indexOf('}', i + 2);
      if (close < 0) throw new ShellSyntaxError('syntax error: bad substitution');
      return [env[line.slice(i + 2, close)] ?? '', close + 1];
    }
    const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(line.slice(i + 1));
    if (!m) return ['$', i + 1];
    return [env[m[0]] ?? '', i + 1 + m[0].length];
  };
  let i = 0;
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === "'") {
      const close = line.indexOf("'", i + 1);
      if (close < 0) throw new ShellSyntaxError('syntax error: unterminated quoted string');
      word += line.slice(i + 1, close);
      inWord = true;
      i = close + 1;
    } else if (ch === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= line.length) throw new ShellSyntaxError('syntax error: unterminated quoted string');
        const c = line[i]!;
        if (c === '"') {
          i++;
          break;
        }
        if (c === '\\' && i + 1 < line.length && '"\\$'.includes(line[i + 1]!)) {
          word += line[i + 1];
          i += 2;
        } else if (c === '$') {
          const [v, next] = variable(i);
          word += v;
          i = next;
        } else {
          word += c;
          i++;
        }
      }
    } else if (ch === '\\' && i + 1 < line.length) {
      word += line[i + 1];
      inWord = true;
      i += 2;
    } else if (ch === '$') {
      const [v, next] = variable(i);
      word += v;
      inWord = true;
      i = next;
    } else if (ch === ' ' || ch === '\t') {
      endWord();
      i++;
    } else if (ch === '#' && !inWord) {
      break;
    } else if (line.startsWith('&&', i) || line.startsWith('||', i)) {
      endStep(line.slice(i, i + 2) as Op);
      i += 2;
    } else if (ch === ';') {
      endStep(';');
      i++;
    } else if (ch === '|' || ch === '>' || ch === '<' || ch === '&' || ch === '`' || ch === '(' || ch === ')') {
      throw new ShellSyntaxError(`'${ch}' is not supported by this toolbox's sh (commands, quotes, $VAR, ;, && and || are)`);
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  endWord();
  if (words.length) steps.push({ words, op });
  else if (steps.length && op !== ';') throw new ShellSyntaxError('syntax error: unexpected end of file');
  return steps;
}

interface Shell {
  status: number;
  exited?: number;
}

const HELP = `This pod runs loopkube's built-in app; its toolbox has: ${TOOLBOX_COMMANDS.join(' ')}\n`;

/** Runs one command (argv); sh and exit are the shell's own. */
export async function runCommand(argv: string[], pod: ToolboxPod, io: ToolIO, streams: ExecStreams, shell: Shell): Promise<number> {
  const [name, ...args] = argv;
  if (!name) return 0;
  if (name === 'exit') {
    const n = args[0] === undefined ? shell.status : Number(args[0]);
    shell.exited = Number.isInteger(n) ? n & 255 : 2;
    return shell.exited;
  }
  if (name === 'help') {
    io.out(HELP);
    return 0;
  }
  if (name === 'sh' || name === '/bin/sh' || name === 'bash' || name === '/bin/bash' || name === 'ash') return sh(args, pod, streams);
  const cmd = BUILTINS[name.replace(/^\/(usr\/)?s?bin\//, '')];
  if (!cmd) {
    io.err(`sh: ${name}: not found\n`);
    return 127;
  }
  try {
    return await cmd(args, pod, io);
  } catch (err) {
    io.err(`${name}: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Runs a command line in a shell; returns its status. */
export async function runLine(line: string, pod: ToolboxPod, streams: ExecStreams, shell: Shell, signal: AbortSignal): Promise<number> {
  const io = toolIO(streams, signal);
  let steps: Step[];
  try {
    steps = parseLine(line, pod.env, shell.status);
  } catch (err) {
    if (!(err instanceof ShellSyntaxError)) throw err;
    io.err(`sh: ${err.message}\n`);
    shell.status = 2;
    return 2;
  }
  for (const step of steps) {
    if (step.op === '&&' && shell.status !== 0) continue;
    if (step.op === '||' && shell.status === 0) continue;
    shell.status = await runCommand(step.words, pod, io, streams, shell);
    if (shell.exited !== undefined || signal.aborted) break;
  }
  return shell.status;
}

function toolIO(streams: ExecStreams, signal: AbortSignal): ToolIO {
  // A terminal's output post-processing (onlcr): \n goes out as \r\n.
  const fix = streams.tty ? (s: string): string => s.replace(/\r?\n/g, '\r\n') : (s: string): string => s;
  return {
    out: (s) => streams.stdout(typeof s === 'string' ? fix(s) : s),
    err: (s) => (streams.tty ? streams.stdout(fix(s)) : streams.stderr(s)),
    ...(streams.stdin ? { stdin: streams.stdin } : {}),
    signal,
  };
}

/** `sh`, `sh -c LINE`, or `sh` reading lines from stdin (a prompt when there is a tty). */
export async function sh(args: string[], pod: ToolboxPod, streams: ExecStreams): Promise<number> {
  const shell: Shell = { status: 0 };
  if (args[0] === '-c') {
    if (args[1] === undefined) {
      streams.stderr('sh: -c requires an argument\n');
      return 2;
    }
    await runLine(args[1], pod, streams, shell, streams.signal);
    return shell.exited ?? shell.status;
  }
  const stdin = streams.stdin;
  if (!stdin) return 0;
  return interactive(stdin, pod, streams, shell);
}

const PROMPT = '/ # ';

function interactive(stdin: Readable, pod: ToolboxPod, streams: ExecStreams, shell: Shell): Promise<number> {
  const { tty } = streams;
  return new Promise<number>((resolve) => {
    let line = '';
    const queue: string[] = [];
    let running: AbortController | undefined;
    let ended = false;
    let finished = false;
    const finish = (): void => {
      if (finished) return;
      finished = true;
      stdin.off('data', onData);
      stdin.off('end', onEnd);
      streams.signal.removeEventListener('abort', onEnd);
      resolve(shell.exited ?? shell.status);
    };
    const prompt = (): void => {
      if (tty) streams.stdout(PROMPT);
    };
    const next = async (): Promise<void> => {
      while (queue.length && shell.exited === undefined && !streams.signal.aborted) {
        const l = queue.shift()!;
        running = new AbortController();
        const onSession = (): void => running?.abort();
        streams.signal.addEventListener('abort', onSession);
        await runLine(l, pod, streams, shell, running.signal);
        streams.signal.removeEventListener('abort', onSession);
        running = undefined;
        if (shell.exited === undefined) prompt();
      }
      if (shell.exited !== undefined || (ended && !queue.length) || streams.signal.aborted) finish();
    };
    const submit = (l: string): void => {
      queue.push(l);
      if (!running && queue.length === 1) void next();
    };
    const onData = (chunk: Buffer): void => {
      const s = chunk.toString('utf8');
      if (!tty) {
        line += s;
        let nl: number;
        while ((nl = line.indexOf('\n')) >= 0) {
          submit(line.slice(0, nl).replace(/\r$/, ''));
          line = line.slice(nl + 1);
        }
        return;
      }
      for (const ch of s) {
        if (ch === '\r' || ch === '\n') {
          streams.stdout('\r\n');
          const l = line;
          line = '';
          if (running || queue.length) queue.push(l);
          else if (l.trim()) submit(l);
          else prompt();
        } else if (ch === '\x7f' || ch === '\b') {
          if (line.length) {
            line = line.slice(0, -1);
            streams.stdout('\b \b');
          }
        } else if (ch === '\x03') {
          streams.stdout('^C\r\n');
          line = '';
          queue.length = 0;
          if (running) running.abort();
          else prompt();
        } else if (ch === '\x04') {
          if (!line && !running) {
            streams.stdout('\r\n');
            ended = true;
            finish();
            return;
          }
        } else if (ch === '\x1b') {
          // escape sequences (arrow keys) are not line-edited here
        } else if (ch >= ' ') {
          line += ch;
          streams.stdout(ch);
        }
      }
    };
    const onEnd = (): void => {
      ended = true;
      if (line && !tty) submit(line);
      line = '';
      if (!running && !queue.length) finish();
    };
    stdin.on('data', onData);
    stdin.on('end', onEnd);
    streams.signal.addEventListener('abort', onEnd);
    prompt();
  });
}

/** A container's exec entry point for the built-in app: argv run by the toolbox. */
export async function execToolbox(argv: string[], pod: ToolboxPod, streams: ExecStreams): Promise<number> {
  const shell: Shell = { status: 0 };
  return runCommand(argv, pod, toolIO(streams, streams.signal), streams, shell);
}

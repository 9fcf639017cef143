// The toolbox's `sh`: command lines with quotes, $VAR / ${VAR} / $?, `$(...)`, `;`, `&&`, `||`,
// `for NAME in WORDS; do LIST; done`, the redirections `>&2`, `2>&1` and `>/dev/null`; `sh -c
// LINE`; and the interactive prompt (busybox's `/ # `) over stdin, with a terminal's line
// discipline when the session has a tty (echo, backspace, Ctrl-C cancels the command running,
// Ctrl-D on an empty line leaves). What a container's exec entry point gets: argv and streams.
import type { Readable } from 'node:stream';
import { BUILTINS, TOOLBOX_COMMANDS } from './builtins.js';
import type { ToolboxPod, ToolIO } from './context.js';
import { parseCommands, ShellSyntaxError, substitutions, substitutionText, type Command, type Op } from './shell-syntax.js';

export { ShellSyntaxError } from './shell-syntax.js';

export interface ExecStreams {
  stdout(data: string | Buffer): void;
  stderr(data: string | Buffer): void;
  /** Present when the session asked for stdin. */
  stdin?: Readable;
  tty: boolean;
  /** Ends the session (the client went away). */
  signal: AbortSignal;
}

/** Where a command's standard output and error go. */
type Sink = 'out' | 'err' | 'null';
interface Redirect {
  out: Sink;
  err: Sink;
}

interface Step {
  words: string[];
  /** How this step joins the one before it. */
  op: Op;
  redirect: Redirect;
}

/** Splits a line into steps, expanding variables; throws ShellSyntaxError. */
export function parseLine(line: string, env: Record<string, string>, lastStatus: number): Step[] {
  const steps: Step[] = [];
  let words: string[] = [];
  let word = '';
  let inWord = false;
  /** Whether the word so far came from quotes or expansions (then `2>` is not a redirection). */
  let wordLiteral = true;
  let op: Op = ';';
  let redirect: Redirect = { out: 'out', err: 'err' };
  const endWord = (): void => {
    if (inWord) words.push(word);
    word = '';
    inWord = false;
    wordLiteral = true;
  };
  const endStep = (next: Op): void => {
    endWord();
    if (!words.length) throw new ShellSyntaxError(`syntax error: unexpected "${next}"`);
    steps.push({ words, op, redirect });
    words = [];
    op = next;
    redirect = { out: 'out', err: 'err' };
  };
  /** `[N]>&M`, `[N]>FILE` (FILE /dev/null, /dev/stdout, /dev/stderr) at `i`; returns the index after it. */
  const redirection = (fd: 'out' | 'err', i: number): number => {
    let j = i + 1;
    if (line[j] === '>') j++;
    if (line[j] === '&') {
      const target = line[j + 1];
      if (target !== '1' && target !== '2') throw new ShellSyntaxError(`syntax error: bad fd number`);
      redirect = { ...redirect, [fd]: redirect[target === '1' ? 'out' : 'err'] };
      return j + 2;
    }
    while (line[j] === ' ' || line[j] === '\t') j++;
    const m = /^[^\s;&|<>]+/.exec(line.slice(j));
    if (!m) throw new ShellSyntaxError('syntax error: unexpected newline');
    const file = m[0];
    const sink: Sink | undefined = file === '/dev/null' ? 'null' : file === '/dev/stdout' ? redirect.out : file === '/dev/stderr' ? redirect.err : undefined;
    if (!sink) throw new ShellSyntaxError(`can't create ${file}: this toolbox's sh redirects only to /dev/null, >&2 and 2>&1`);
    redirect = { ...redirect, [fd]: sink };
    return j + file.length;
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
      wordLiteral = false;
      i = close + 1;
    } else if (ch === '"') {
      inWord = true;
      wordLiteral = false;
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
      wordLiteral = false;
      i += 2;
    } else if (ch === '$') {
      const [v, next] = variable(i);
      word += v;
      inWord = true;
      wordLiteral = false;
      i = next;
    } else if (ch === '>' && (!inWord || (wordLiteral && (word === '1' || word === '2')))) {
      const fd = inWord && word === '2' ? 'err' : 'out';
      word = '';
      inWord = false;
      i = redirection(fd, i);
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
      throw new ShellSyntaxError(`'${ch}' is not supported by this toolbox's sh (commands, quotes, $VAR, $(...), ;, &&, ||, for loops, >&2, 2>&1 and >/dev/null are)`);
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  endWord();
  if (words.length) steps.push({ words, op, redirect });
  else if (steps.length && op !== ';') throw new ShellSyntaxError('syntax error: unexpected end of file');
  return steps;
}

interface Shell {
  status: number;
  exited?: number;
  /** Variables the shell set (a for loop's). */
  vars?: Record<string, string>;
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
  try {
    return await runCommands(parseCommands(line), pod, streams, shell, signal);
  } catch (err) {
    if (!(err instanceof ShellSyntaxError)) throw err;
    toolIO(streams, signal).err(`sh: ${err.message}\n`);
    shell.status = 2;
    return 2;
  }
}

/** The shell's variables as $VAR sees them: the container's env, then the shell's own (a for loop's). */
const variablesOf = (pod: ToolboxPod, shell: Shell): Record<string, string> => ({ ...pod.env, ...shell.vars });

async function runCommands(commands: Command[], pod: ToolboxPod, streams: ExecStreams, shell: Shell, signal: AbortSignal): Promise<number> {
  for (const command of commands) {
    if (command.op === '&&' && shell.status !== 0) continue;
    if (command.op === '||' && shell.status === 0) continue;
    if (command.kind === 'for') {
      const words = parseLine(await substitute(command.words, pod, streams, shell, signal), variablesOf(pod, shell), shell.status)[0]?.words ?? [];
      shell.status = 0;
      for (const w of words) {
        shell.vars = { ...shell.vars, [command.name]: w };
        await runCommands(command.body, pod, streams, shell, signal);
        if (shell.exited !== undefined || signal.aborted) break;
      }
    } else {
      const steps = parseLine(await substitute(command.text, pod, streams, shell, signal), variablesOf(pod, shell), shell.status);
      for (const step of steps) {
        // Interrupted (Ctrl-C) while the line was still being expanded: nothing of it runs, as in sh.
        if (signal.aborted) {
          shell.status = 130;
          break;
        }
        const redirected = redirectStreams(streams, step.redirect);
        shell.status = await runCommand(step.words, pod, toolIO(redirected, signal), redirected, shell);
      }
    }
    if (shell.exited !== undefined || signal.aborted) break;
  }
  return shell.status;
}

/** The text with each `$(...)` replaced by its output (run in a subshell: its exit leaves only it). */
async function substitute(text: string, pod: ToolboxPod, streams: ExecStreams, shell: Shell, signal: AbortSignal): Promise<string> {
  const subs = substitutions(text);
  if (!subs.length) return text;
  let out = '';
  let at = 0;
  for (const sub of subs) {
    let captured = '';
    const subshell: Shell = { status: shell.status, vars: { ...shell.vars } };
    const capture: ExecStreams = { stdout: (d) => (captured += d), stderr: streams.stderr, tty: false, signal };
    await runLine(sub.inner, pod, capture, subshell, signal);
    out += text.slice(at, sub.start) + substitutionText(captured, sub.quoted);
    at = sub.end;
  }
  return out + text.slice(at);
}

/** The session's streams as a command's redirections point them. */
function redirectStreams(streams: ExecStreams, redirect: Redirect): ExecStreams {
  if (redirect.out === 'out' && redirect.err === 'err') return streams;
  const sink = (s: Sink): ((d: string) => void) => (s === 'out' ? streams.stdout : s === 'err' ? streams.stderr : () => undefined);
  return { ...streams, stdout: sink(redirect.out), stderr: sink(redirect.err) };
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

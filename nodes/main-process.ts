// A container's main process when its command is a shell and it keeps stdin open (`kubectl run
// -it --image=busybox -- sh`: stdin, stdinOnce, tty): the toolbox's interactive sh, whose stdin
// is fed by `kubectl attach` sessions and whose output goes to every attached session and to the
// container's log. Its exit is the container's. With stdinOnce, stdin closes when the first
// attach session ends, as the runtime closes it.
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { Container } from '../src/api/types.js';
import type { ToolboxPod } from './toolbox/context.js';
import { sh, type ExecStreams } from './toolbox/shell.js';

const SHELLS = new Set(['sh', '/bin/sh', 'ash', '/bin/ash', 'bash', '/bin/bash']);

type ContainerWithStdin = Container & { stdin?: boolean; stdinOnce?: boolean; tty?: boolean };

/** Whether the container's command is an interactive shell the toolbox can be. */
export function runsShell(spec: Container): boolean {
  const s = spec as ContainerWithStdin;
  const argv = [...(spec.command ?? []), ...(spec.args ?? [])];
  return !!s.stdin && argv.length === 1 && SHELLS.has(argv[0]!);
}

export interface MainProcess {
  readonly tty: boolean;
  readonly stdinOnce: boolean;
  /** Output as it is written (raw, with the terminal's \r\n). Returns the unsubscribe. */
  onOutput(listener: (data: string) => void): () => void;
  /** Feeds stdin. */
  write(data: Buffer): void;
  /** An attach session ended: with stdinOnce, stdin closes. */
  detached(): void;
  exited: Promise<number>;
  kill(): void;
}

export function startMainProcess(spec: Container, pod: ToolboxPod, logLine: (line: string) => void): MainProcess {
  const s = spec as ContainerWithStdin;
  const out = new EventEmitter();
  out.setMaxListeners(0);
  const stdin = new PassThrough();
  const killed = new AbortController();
  let pendingLine = '';
  const emit = (data: string): void => {
    out.emit('data', data);
    // The log is line-based: prompts and echoes join the line they belong to.
    pendingLine += data;
    let nl: number;
    while ((nl = pendingLine.indexOf('\n')) >= 0) {
      logLine(pendingLine.slice(0, nl).replace(/\r$/, ''));
      pendingLine = pendingLine.slice(nl + 1);
    }
  };
  const streams: ExecStreams = { stdout: emit, stderr: emit, stdin, tty: !!s.tty, signal: killed.signal };
  const exited = sh([], pod, streams).then((code) => {
    if (pendingLine) logLine(pendingLine);
    return code;
  });
  return {
    tty: !!s.tty,
    stdinOnce: !!s.stdinOnce,
    onOutput(listener) {
      out.on('data', listener);
      return () => out.off('data', listener);
    },
    write: (data) => {
      if (!stdin.writableEnded) stdin.write(data);
    },
    detached() {
      if (s.stdinOnce) stdin.end();
    },
    exited,
    kill() {
      killed.abort();
      stdin.end();
    },
  };
}

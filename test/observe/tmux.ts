// A real pseudo-terminal for testing full-screen programs: a private tmux server (its own socket,
// no user config) runs the command in a pane of a fixed size; the test sends keys as a user
// types them and reads the screen as it is drawn. The pane stays after the program exits, so
// its exit status can be read. The status is written by the pane's shell, which waits for the
// program: tmux learns of its children's exits from SIGCHLD, and a tmux started by a test worker
// that blocks SIGCHLD (Node 24's vitest forks, now and then) leaves the program a zombie, the pane
// dead without a status.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Terminal {
  /** The visible screen, one line per row, trailing blanks trimmed. */
  screen(): Promise<string>;
  /** tmux key names (Up, Down, PPage, NPage, Home, End, Escape, Enter) or single characters. */
  keys(...keys: string[]): Promise<void>;
  /** Text typed as is. */
  type(text: string): Promise<void>;
  /** Whether the program exited, and its status. */
  exited(): Promise<{ dead: boolean; status: number | null }>;
  close(): Promise<void>;
}

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

export async function startInTmux(command: string[], opts: { env?: Record<string, string>; cols?: number; rows?: number } = {}): Promise<Terminal> {
  const socket = `loopkube-test-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const tmux = (...args: string[]): Promise<{ stdout: string }> => exec('tmux', ['-L', socket, '-f', '/dev/null', ...args], { env: { ...process.env, TERM: 'xterm-256color' } });
  const statusDir = mkdtempSync(path.join(os.tmpdir(), 'loopkube-tmux-'));
  const statusFile = path.join(statusDir, 'status');
  // an idle pane first, so remain-on-exit is set before the program can exit
  await tmux('new-session', '-d', '-s', 'main', '-x', String(opts.cols ?? 160), '-y', String(opts.rows ?? 40), 'cat');
  try {
    await tmux('set-option', '-t', 'main', 'remain-on-exit', 'on');
    const env = Object.entries(opts.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)}`);
    await tmux('respawn-pane', '-k', '-t', 'main', `${['env', ...env, ...command.map(shellQuote)].join(' ')}; echo $? > ${shellQuote(statusFile)}`);
  } catch (err) {
    await tmux('kill-server').catch(() => undefined);
    rmSync(statusDir, { recursive: true, force: true });
    throw err;
  }
  return {
    async screen() {
      const { stdout } = await tmux('capture-pane', '-p', '-t', 'main');
      return stdout
        .split('\n')
        .map((l) => l.trimEnd())
        .join('\n');
    },
    async keys(...keys) {
      for (const k of keys) await tmux('send-keys', '-t', 'main', k);
    },
    async type(text) {
      await tmux('send-keys', '-t', 'main', '-l', text);
    },
    async exited() {
      // the shell's $? (128+N for a signal): written once the program has ended
      let written = '';
      try {
        written = readFileSync(statusFile, 'utf8').trim();
      } catch {
        return { dead: false, status: null };
      }
      return written === '' ? { dead: false, status: null } : { dead: true, status: Number(written) };
    },
    async close() {
      await tmux('kill-server').catch(() => undefined);
      rmSync(statusDir, { recursive: true, force: true });
    },
  };
}
